"""Padding: sizes ('valid', 'same', 'full', int, tuple) and PyTorch's modes.

`pad` mirrors `torch.nn.functional.pad`: `pad_width` lists (before, after) pairs
starting from the LAST axis, e.g. (left, right, top, bottom) for an image.
"""
from __future__ import annotations

import numpy as np

PADDING_MODES = ("zeros", "reflect", "replicate", "circular")
_NUMPY_MODE = {"zeros": "constant", "constant": "constant", "reflect": "reflect",
               "replicate": "edge", "circular": "wrap"}


def pad(input, pad, mode="constant", value=0.0):
    """Pad the trailing axes of `input` like `torch.nn.functional.pad`.

    Args:
        input: numpy array of any shape.
        pad: (before_last, after_last, before_second_last, after_second_last, ...).
        mode: 'constant' (alias 'zeros'), 'reflect', 'replicate' or 'circular'.
        value: fill value for 'constant'.
    Shape: (..., H, W) -> (..., H + top + bottom, W + left + right).
    Example: pad(np.ones((2, 2)), (1, 1, 0, 0)).shape == (2, 4)
    """
    x = np.asarray(input)
    if mode not in _NUMPY_MODE:
        raise ValueError(f"Unknown padding mode {mode!r}: choose one of {', '.join(PADDING_MODES)}.")
    if len(pad) % 2 or len(pad) // 2 > x.ndim:
        raise ValueError("Padding needs a (before, after) pair for each padded axis.")
    if any(int(p) != p or p < 0 for p in pad):
        raise ValueError(f"Padding must be whole numbers of at least 0, got {tuple(pad)}.")
    widths = [(0, 0)] * x.ndim
    for axis_from_end, k in enumerate(range(0, len(pad), 2), start=1):
        before, after = int(pad[k]), int(pad[k + 1])
        size = x.shape[-axis_from_end]
        if mode == "reflect" and max(before, after) >= size:
            raise ValueError(f"Reflect padding of {max(before, after)} needs an input longer than that "
                             f"(this axis has {size}); use a smaller padding or another mode.")
        if mode == "circular" and max(before, after) > size:
            raise ValueError(f"Circular padding of {max(before, after)} cannot exceed the input size {size}.")
        widths[-axis_from_end] = (before, after)
    np_mode = _NUMPY_MODE[mode]
    if np_mode == "constant":
        return np.pad(x, widths, mode="constant", constant_values=value)
    return np.pad(x, widths, mode=np_mode)


def resolve_padding(padding, kernel_size, dilation=1):
    """Turn a padding spec into per-axis (before, after) pairs.

    padding: int, tuple of ints (one per axis, symmetric), tuple of (before, after)
    pairs, or 'valid' (p = 0), 'same' (o = i at stride 1) or 'full' (p = d(k - 1)).
    'same' puts the extra cell after, like PyTorch, when d(k - 1) is odd.
    """
    kernel_size = tuple(kernel_size)
    dilation = _per_axis(dilation, len(kernel_size), "dilation")
    spans = [d * (k - 1) for k, d in zip(kernel_size, dilation)]
    if isinstance(padding, str):
        if padding == "valid":
            return tuple((0, 0) for _ in spans)
        if padding == "same":
            return tuple((s // 2, s - s // 2) for s in spans)
        if padding == "full":
            return tuple((s, s) for s in spans)
        raise ValueError(f"Unknown padding {padding!r}: use 'valid', 'same', 'full' or a number.")
    pairs = []
    for p in _per_axis(padding, len(kernel_size), "padding"):
        if not np.isscalar(p) and len(p) != 2:
            raise ValueError(f"Padding per axis is a number or a (before, after) pair, got {tuple(p)}.")
        before, after = (p, p) if np.isscalar(p) else tuple(p)
        for q in (before, after):
            if int(q) != q or q < 0:
                raise ValueError(f"Padding must be a whole number of at least 0, got {q}.")
        pairs.append((int(before), int(after)))
    return tuple(pairs)


def _per_axis(value, n, name):
    """Broadcast an int to an n-tuple; check a tuple has n entries."""
    if np.isscalar(value):
        return (value,) * n
    value = tuple(value)
    if len(value) != n:
        raise ValueError(f"{name} needs {n} value(s), one per spatial axis; got {len(value)}.")
    return value
