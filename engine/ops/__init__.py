"""Numpy reference implementations of every operation, plus step traces (no UI, no torch)."""
