"""Step traces of a single-channel 1D or 2D max or average pooling: data from which figures are drawn.

A trace lists, for each output cell in reading order, the padded-input cells under the window, their
values, the result, and for max pooling the cell the max came from (the one max_pool*d's
return_indices points to), so a figure can show every number and a test can check the trace
against `max_pool1d/2d` and `avg_pool1d/2d`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from engine.ops.checks import check_flag, check_numbers, check_steps, step_index
from engine.ops.pooling import _prepare, torch_argmax

POOL_MODES = ("max", "avg")


@dataclass(frozen=True)
class PoolStep:
    """One output cell: index (i, j) (or (i,)) of the output; cells (h, w, 2) (or (k, 1)) padded-input
    coordinates under the window, clipped to the padded input (only a ceil_mode window reaches past
    it); values (h, w) (or (k,)) there; value = max, or sum / divisor; argmax: padded-input cell of the
    max (None for avg); divisor: cells counted for avg (None for max).
    """
    index: tuple
    cells: np.ndarray
    values: np.ndarray
    value: float
    argmax: tuple | None
    divisor: int | None


@dataclass(frozen=True)
class PoolTrace:
    """Everything a figure needs: input, padded input (padding is -inf for max, 0 for avg), output, steps."""
    input: np.ndarray
    padded: np.ndarray
    pads: tuple          # ((p, p), ...) per axis
    kernel_size: tuple
    stride: tuple
    mode: str
    ceil_mode: bool
    count_include_pad: bool
    output: np.ndarray
    steps: tuple

    def step(self, n):
        """The n-th step, clamped to the valid range."""
        return self.steps[step_index(n, len(self.steps))]


def trace_pool(input, kernel_size, stride=None, padding=0, mode="max", ceil_mode=False, count_include_pad=True):
    """Trace max or average pooling step by step for a 1D (L,) or 2D (H, W) input.

    Args as in max_pool2d / avg_pool2d (int or one per axis; stride defaults to kernel_size);
    mode: 'max' or 'avg'; count_include_pad (avg only): padding zeros count in the divisor.
    Returns a PoolTrace whose output equals max_poolNd / avg_poolNd of the input.
    Example: trace_pool([1., 5., 2., 0.], 2).steps[0] -> cells [[0], [1]], values [1, 5], value 5, argmax (1,)
    """
    x = check_numbers(input, "trace_pool").astype(float)
    nd = x.ndim
    if nd not in (1, 2):
        raise ValueError(f"A pooling trace needs a 1D (L,) or 2D (H, W) input; got shape {x.shape}.")
    if not isinstance(mode, str) or mode not in POOL_MODES:
        raise ValueError(f"mode must be 'max' or 'avg', got {mode!r}.")
    count_include_pad = check_flag(count_include_pad, "count_include_pad")
    _, args = _prepare(x[None], kernel_size, stride, padding, 1, ceil_mode, "trace_pool", nd)
    k, s, p, out_shape = (tuple(args[name][2 - nd:]) for name in ("kernel", "stride", "padding", "out"))
    check_steps(math.prod(out_shape), "trace_pool", per_step=(nd + 1) * math.prod(k))  # cells, values
    pads = tuple((q, q) for q in p)
    padded = np.pad(x, pads, constant_values=-np.inf if mode == "max" else 0.0)
    inside = np.pad(np.ones(x.shape, bool), pads)  # input cells, not padding
    steps, output = [], np.zeros(out_shape)
    for index in np.ndindex(*out_shape):
        window = tuple(slice(i * ss, min(i * ss + kk, size)) for i, ss, kk, size in zip(index, s, k, padded.shape))
        cells = np.stack(np.meshgrid(*[np.arange(w.start, w.stop) for w in window], indexing="ij"), -1)
        values = padded[window]
        if mode == "max":
            pos = int(torch_argmax(values.ravel(), valid=inside[window].ravel()))
            argmax = tuple(int(c) for c in cells.reshape(-1, nd)[pos])
            value, divisor = float(values.ravel()[pos]), None
        else:
            divisor = int(values.size if count_include_pad else inside[window].sum())
            value, argmax = float(values.sum() / divisor), None
        output[index] = value
        steps.append(PoolStep(index, cells, values, value, argmax, divisor))
    return PoolTrace(x, padded, pads, k, s, mode, bool(ceil_mode), bool(count_include_pad), output, tuple(steps))
