"""Tensor layouts: N x C x H x W (PyTorch's default) and N x H x W x C (channels-last, TensorFlow's default).

The same numbers, two orders in memory. In NCHW a whole channel's H x W map is contiguous; in NHWC
the C values of one pixel are. Moving between them is a permutation of the axes:
    NCHW -> NHWC: axes (0, 2, 3, 1)        NHWC -> NCHW: axes (0, 3, 1, 2)
Element strides (how far one step along an axis moves in memory), indexed as (n, c, h, w):
    NCHW: (C H W, H W, W, 1)               NHWC: (H W C, 1, W C, C)
"""
from __future__ import annotations

import numpy as np

from engine.ops.checks import positive

LAYOUTS = ("NCHW", "NHWC")
TO_NHWC, TO_NCHW = (0, 2, 3, 1), (0, 3, 1, 2)


def _check(layout):
    if layout not in LAYOUTS:
        raise ValueError(f"Unknown layout {layout!r}: use {' or '.join(LAYOUTS)}.")


def element_strides(shape, layout):
    """Strides in elements of a tensor of NCHW shape (N, C, H, W) stored in `layout`, indexed (n, c, h, w)
    (what torch's .stride() gives for memory_format=torch.contiguous_format / torch.channels_last)."""
    _check(layout)
    n, c, h, w = positive(shape, 4, "shape")
    return (c * h * w, h * w, w, 1) if layout == "NCHW" else (h * w * c, 1, w * c, c)


def memory_order(shape, layout):
    """The (n, c, h, w) index of each element in the order memory holds them -> int array (N·C·H·W, 4)."""
    _check(layout)
    n, c, h, w = positive(shape, 4, "shape")
    index = np.stack(np.meshgrid(*map(np.arange, (n, c, h, w)), indexing="ij"), -1)  # (N, C, H, W, 4)
    if layout == "NHWC":
        index = index.transpose(*TO_NHWC, 4)
    return index.reshape(-1, 4)


def to_layout(x, layout):
    """An (N, C, H, W) array as `layout` stores it: NCHW unchanged, NHWC = x.transpose(0, 2, 3, 1), contiguous."""
    _check(layout)
    x = np.asarray(x)
    if x.ndim != 4:
        raise ValueError(f"Expected an (N, C, H, W) array, got shape {x.shape}.")
    return np.ascontiguousarray(x if layout == "NCHW" else x.transpose(*TO_NHWC))
