"""Flags (ceil_mode, flip, return_indices, count_include_pad, ...) must be real booleans.

Read by truthiness, ceil_mode="False" would round up and flip="no" would flip; torch refuses a string
there, and so does the engine:

    >>> check_flag(True, "ceil_mode"), check_flag(np.False_, "flip")
    (True, False)
    >>> check_flag("False", "ceil_mode")
    Traceback (most recent call last):
    ...
    ValueError: ceil_mode must be True or False, got the str 'False'.
"""
from __future__ import annotations

import numpy as np


def check_flag(value, name):
    """`value` as a Python bool if it is a bool (Python's or numpy's), else ValueError naming `name`."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise ValueError(f"{name} must be True or False, got the {type(value).__name__} {str(value)[:20]!r}.")
