"""Convolution arithmetic: output sizes and effective kernel sizes.

    >>> conv_output_size(5, 3, s=2, p=1)
    3
    >>> effective_kernel_size(3, d=2)
    5
"""
from __future__ import annotations

import numpy as np

from engine.ops.checks import check_fits, kernel_span, non_negative, positive


def effective_kernel_size(k, d=1):
    """Cells a dilated kernel spans: k + (k - 1)(d - 1) = d(k - 1) + 1; ValueError if k or d < 1.

    >>> [effective_kernel_size(3, d) for d in (1, 2, 4)]
    [3, 5, 9]
    """
    return kernel_span(positive(k, 1, "k"), positive(d, 1, "d"))[0]


def conv_output_size(i, k, s=1, p=0, d=1):
    """o = floor((i + 2p - d(k - 1) - 1) / s) + 1; p may be an int or a (before, after) pair.

    ValueError, as in PyTorch, for i < 1, k, s or d < 1, p < 0, or a kernel larger than the padded input.
    """
    (i,), (k,), (s,), (d,) = positive(i, 1, "i"), positive(k, 1, "k"), positive(s, 1, "s"), positive(d, 1, "d")
    before, after = non_negative(p, 2, "p") if np.ndim(p) else non_negative(p, 1, "p") * 2
    (span,) = check_fits((i + before + after,), (k,), (d,))
    return (i + before + after - span) // s + 1
