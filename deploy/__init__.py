"""Serving a class: nginx in front of several ConvLab processes (`make serve-class`)."""
