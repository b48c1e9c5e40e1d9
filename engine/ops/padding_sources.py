"""Where each padded cell comes from: the index of the input cell it copies, or a constant fill.

`pad_sources` takes `torch.nn.functional.pad`'s arguments (the pad tuple lists the LAST axis
first: (left, right, top, bottom) for an image) and answers, for every cell of the padded array,
"which input cell holds this value?". Every mode is index arithmetic along each axis:
    constant : outside the input -> CONSTANT (the fill value, 0 for 'zeros')
    replicate: clamp to the edge           ... a a | a b c d | d d ...
    reflect  : mirror, edge not repeated   ... c b | a b c d | c b ...
    circular : wrap around                 ... c d | a b c d | a b ...
"""
from __future__ import annotations

import numpy as np

from engine.ops.checks import check_elements, check_shape
from engine.ops.padding import PADDING_MODES, pad_amounts

CONSTANT = -1  # source index of a cell filled with the constant value
MODES = ("constant", *PADDING_MODES)  # F.pad's 'constant' and nn.Conv2d's 'zeros' are the same mode


def axis_sources(size, before, after, mode="constant"):
    """Source index along one axis for each of the before + size + after padded positions.

    Example: axis_sources(4, 2, 1, "reflect") -> [2, 1, 0, 1, 2, 3, 2]
    """
    _check(mode, size, before, after)
    t = np.arange(-before, size + after)  # position relative to the first input cell
    if mode in ("constant", "zeros"):
        return np.where((t >= 0) & (t < size), t, CONSTANT)
    if mode == "replicate":
        return np.clip(t, 0, size - 1)
    if mode == "circular":
        return t % size
    t = np.abs(t)  # reflect: mirror about the first cell ...
    return np.where(t > size - 1, 2 * (size - 1) - t, t)  # ... and about the last one


def pad_sources(shape, pad, mode="constant"):
    """For every cell of `F.pad(x, pad, mode)`, the index of the cell of x it copies.

    Args:
        shape: shape of the input x, e.g. (H, W).
        pad: (before_last, after_last, before_second_last, after_second_last, ...) as in F.pad.
        mode: 'constant' (alias 'zeros'), 'reflect', 'replicate' or 'circular'.
    Returns: int array of shape (*padded_shape, len(shape)); entry [..., a] is the source index on
        axis a. Cells holding the constant fill have CONSTANT (-1) on every axis.
    Shape: (H, W) -> (H + top + bottom, W + left + right, 2).
    Example: pad_sources((2, 3), (1, 0, 0, 0), "circular")[0, 0] -> [0, 2]
    """
    shape = check_shape(shape, "pad_sources", "shape", axes=None)
    pad = pad_amounts(pad, len(shape))
    widths = [(0, 0)] * len(shape)
    for axis_from_end, k in enumerate(range(0, len(pad), 2), start=1):
        widths[-axis_from_end] = (pad[k], pad[k + 1])
    check_elements([n + a + b for n, (a, b) in zip(shape, widths)] + [len(shape)], "pad_sources", "padded array")
    per_axis = [axis_sources(n, b, a, mode) for n, (b, a) in zip(shape, widths)]
    grids = np.meshgrid(*per_axis, indexing="ij")
    sources = np.stack(grids, axis=-1)  # (*padded, nd)
    constant = np.any(sources == CONSTANT, axis=-1)  # outside the input on any axis
    sources[constant] = CONSTANT
    return sources


def gather(input, sources, value=0.0):
    """The padded array built from `sources`: input[source], or `value` where the source is CONSTANT."""
    x = np.asarray(input)
    constant = sources[..., 0] == CONSTANT
    picked = x[tuple(np.moveaxis(np.where(sources == CONSTANT, 0, sources), -1, 0))]
    return np.where(constant, np.asarray(value, dtype=x.dtype), picked)


def _check(mode, size, before, after):
    """The limits of F.pad: reflect needs pad < size, circular pad <= size."""
    if not isinstance(mode, str) or mode not in MODES:
        raise ValueError(f"Unknown padding mode {mode!r}: choose one of {', '.join(PADDING_MODES)}.")
    if size < 1:
        raise ValueError(f"Cannot pad an empty axis (size {size}).")
    widest = max(before, after)
    if mode == "reflect" and widest >= size:
        raise ValueError(f"Reflect padding of {widest} needs an input longer than that "
                         f"(this axis has {size}); use a smaller padding or another mode.")
    if mode == "circular" and widest > size:
        raise ValueError(f"Circular padding of {widest} cannot exceed the input size {size}.")
