"""Step traces of a single-channel 1D or 2D convolution: data from which figures are drawn.

A trace lists, for each output cell in reading order, the padded-input cells under the
kernel, the kernel taps as applied, their products and the running sum, so a figure can
show every number and a test can check the trace against `conv1d` / `conv2d`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from engine.ops.checks import (check_fits, check_flag, check_padding_mode, check_steps, positive, step_index,
                               trace_arrays, trace_bias)
from engine.ops.padding import pad, resolve_padding


@dataclass(frozen=True)
class ConvStep:
    """One output cell. For a (k_h, k_w) kernel:
    index (i, j) of the output; cells (k_h, k_w, 2) padded-input coordinates under the taps;
    inputs, taps, products (k_h, k_w); partial_sums (k_h * k_w,) running sum; value = sum + bias.
    """
    index: tuple
    cells: np.ndarray
    inputs: np.ndarray
    taps: np.ndarray
    products: np.ndarray
    partial_sums: np.ndarray
    value: float


@dataclass(frozen=True)
class ConvTrace:
    """Everything a figure needs: input, padded input, kernel as stored and as applied, output, steps."""
    input: np.ndarray
    padded: np.ndarray
    pads: tuple          # ((before, after), ...) per axis
    kernel: np.ndarray   # as stored
    applied: np.ndarray  # as applied: flipped when flip=True (true convolution)
    bias: float
    stride: tuple
    dilation: tuple
    padding_mode: str
    flip: bool
    output: np.ndarray
    steps: tuple

    def step(self, n):
        """The n-th step, clamped to the valid range."""
        return self.steps[step_index(n, len(self.steps))]


def trace_conv(input, kernel, bias=0.0, stride=1, padding=0, dilation=1, padding_mode="zeros", flip=False):
    """Trace y = (x * w) + b step by step for a 1D (L,) or 2D (H, W) input and kernel.

    flip=False is cross-correlation (PyTorch's conv); flip=True is true convolution.
    Returns a ConvTrace whose output equals conv1d/conv2d with the applied kernel.
    bias: a number (None, conv2d's default, means 0).

    Example (the lecture's first output of a true convolution: 1·0 + 0.5·80 + 0.25·20 + 0·40):
        >>> t = trace_conv([[0, 80, 40], [20, 40, 0], [0, 0, 40]], [[0, 0.25], [0.5, 1]], flip=True)
        >>> float(t.output[0, 0])
        45.0
    """
    x, w = trace_arrays(input, kernel, "trace_conv")
    bias, nd = trace_bias(bias, "trace_conv"), x.ndim
    stride, dilation = positive(stride, nd, "stride"), positive(dilation, nd, "dilation")
    flip = check_flag(flip, "flip")
    check_padding_mode(padding_mode)
    if isinstance(padding, str) and padding == "same" and any(s != 1 for s in stride):
        raise ValueError("padding='same' only works with stride 1 (as in PyTorch); use a number instead.")
    pads = resolve_padding(padding, w.shape, dilation)
    padded_shape = [size + a + b for size, (a, b) in zip(x.shape, pads)]
    span = check_fits(padded_shape, w.shape, dilation)
    out_shape = tuple((size - e) // s + 1 for size, e, s in zip(padded_shape, span, stride))
    check_steps(math.prod(out_shape), "trace_conv", per_step=(nd + 3) * w.size)  # cells, inputs, products, sums
    mode = "constant" if padding_mode == "zeros" else padding_mode
    padded = pad(x, [q for pair in reversed(pads) for q in pair], mode=mode)
    applied = np.flip(w) if flip else w
    taps = np.stack(np.meshgrid(*[np.arange(k) * d for k, d in zip(w.shape, dilation)], indexing="ij"), -1)
    steps, output = [], np.zeros(out_shape)
    for index in np.ndindex(*out_shape):
        cells = taps + np.array(index) * np.array(stride)  # (*k, nd)
        inputs = padded[tuple(np.moveaxis(cells, -1, 0))]
        products = inputs * applied
        partial = np.cumsum(products.ravel())
        value = float(partial[-1] + bias)
        output[index] = value
        steps.append(ConvStep(index, cells, inputs, applied, products, partial, value))
    return ConvTrace(x, padded, pads, w, applied, bias, stride, dilation, padding_mode, flip, output, tuple(steps))

