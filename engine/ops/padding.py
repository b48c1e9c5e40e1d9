"""Padding: sizes ('valid', 'same', 'full', int, tuple) and PyTorch's modes.

`pad` mirrors `torch.nn.functional.pad`: `pad_width` lists (before, after) pairs
starting from the LAST axis, e.g. (left, right, top, bottom) for an image.
"""
from __future__ import annotations

import math

import numpy as np

from engine.ops.checks import (MAX_ELEMENTS, PADDING_MODES, check_elements, check_numbers, per_axis, positive,
                               show_value, whole_number)
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
    Example (the last axis first, as in PyTorch):
        >>> pad(np.array([[1, 2], [3, 4]]), (1, 1, 0, 0), mode="replicate")
        array([[1, 1, 2, 2],
               [3, 3, 4, 4]])
    """
    x = check_numbers(input, "pad")
    if x.ndim == 0:
        raise ValueError("pad needs an array with at least one axis, got a single number.")
    if not isinstance(mode, str) or mode not in _NUMPY_MODE:
        raise ValueError(f"Unknown padding mode {show_value(mode)}: choose one of {', '.join(PADDING_MODES)}.")
    amounts = pad_amounts(pad, x.ndim)
    widths = [(0, 0)] * x.ndim
    for axis_from_end, k in enumerate(range(0, len(amounts), 2), start=1):
        before, after = amounts[k], amounts[k + 1]
        size = x.shape[-axis_from_end]
        if mode == "reflect" and max(before, after) >= size:
            raise ValueError(f"Reflect padding of {max(before, after)} needs an input longer than that "
                             f"(this axis has {size}); use a smaller padding or another mode.")
        if mode == "circular" and max(before, after) > size:
            raise ValueError(f"Circular padding of {max(before, after)} cannot exceed the input size {size}.")
        widths[-axis_from_end] = (before, after)
    check_elements([n + a + b for n, (a, b) in zip(x.shape, widths)], "pad", "padded array")
    np_mode = _NUMPY_MODE[mode]
    if np_mode == "constant":
        return np.pad(x, widths, mode="constant", constant_values=fill_value(value, x.dtype))
    return np.pad(x, widths, mode=np_mode)


def pad_amounts(pad, ndim):
    """F.pad's pad tuple checked: an even number of whole numbers >= 0, at most two per axis."""
    if isinstance(pad, (str, bytes)) or np.ndim(pad) != 1:
        raise ValueError(f"pad is a tuple of whole numbers, (before, after) for each padded axis; "
                         f"got {show_value(pad)}.")
    if len(pad) % 2 or len(pad) // 2 > ndim:
        raise ValueError("Padding needs a (before, after) pair for each padded axis.")
    amounts = [whole_number(p) for p in pad]
    if any(p is None or p < 0 for p in amounts):
        raise ValueError(f"Padding must be whole numbers of at least 0, got {tuple(pad)}.")
    return amounts


def fill_value(value, dtype):
    """F.pad's constant `value` for an array of `dtype` (None means 0); ValueError where torch raises:
    a value the dtype cannot hold (300, -1 or inf for uint8; 1e300 for float32). Integer arrays
    truncate a fraction (1.5 -> 1), as torch does."""
    value = 0 if value is None else value
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if not isinstance(value, (bool, int, float, np.bool_, np.integer, np.floating)):
        raise ValueError(f"The fill value must be a real number, got {show_value(value)}.")
    dtype = np.dtype(dtype)
    if dtype == bool:
        return bool(value)
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        if not math.isfinite(value) or not info.min <= math.trunc(value) <= info.max:
            raise ValueError(f"The fill value {value} does not fit in this {dtype} array "
                             f"(from {info.min} to {info.max}).")
        return math.trunc(value)
    if math.isfinite(value) and abs(value) > float(np.finfo(dtype).max):
        raise ValueError(f"The fill value {value} does not fit in this {dtype} array "
                         f"(at most {np.finfo(dtype).max:g}).")
    return value


def resolve_padding(padding, kernel_size, dilation=1):
    """Turn a padding spec into per-axis (before, after) pairs.

    padding: int, tuple of ints (one per axis, symmetric), tuple of (before, after)
    pairs, or 'valid' (p = 0), 'same' (o = i at stride 1) or 'full' (p = d(k - 1)).
    'same' puts the extra cell after, like PyTorch, when d(k - 1) is odd.
    """
    kernel_size = (kernel_size,) if np.ndim(kernel_size) == 0 else tuple(kernel_size)
    kernel_size = positive(kernel_size, len(kernel_size), "kernel_size")
    dilation = positive(dilation, len(kernel_size), "dilation")
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
    for p in per_axis(padding, len(kernel_size), "padding"):
        pair = per_axis(p, 2, "padding") if np.ndim(p) == 0 or isinstance(p, (str, bytes)) else tuple(p)
        if len(pair) != 2:
            raise ValueError(f"Padding per axis is a number or a (before, after) pair, got {tuple(p)}.")
        for q in pair:
            if whole_number(q) is None or whole_number(q) < 0:
                raise ValueError(f"Padding must be a whole number of at least 0, got {show_value(q)}.")
            if whole_number(q) > MAX_ELEMENTS:
                raise ValueError(f"padding {q} is more than the engine's limit of {MAX_ELEMENTS:,} cells.")
        pairs.append(tuple(whole_number(q) for q in pair))
    return tuple(pairs)
