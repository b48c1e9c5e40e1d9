"""Convolution arithmetic: output sizes and effective kernel sizes."""
from __future__ import annotations

import numpy as np


def effective_kernel_size(k, d=1):
    """Cells a dilated kernel spans: k + (k - 1)(d - 1)."""
    return k + (k - 1) * (d - 1)


def conv_output_size(i, k, s=1, p=0, d=1):
    """o = floor((i + 2p - d(k - 1) - 1) / s) + 1; p may be an int or a (before, after) pair."""
    before, after = (p, p) if np.isscalar(p) else p
    return (i + before + after - effective_kernel_size(k, d)) // s + 1
