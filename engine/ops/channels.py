"""A convolution layer over channels, step by step: C_out filters of shape C_in x k x k, one bias each.

    y[o, i, j] = b[o] + sum_c sum_{m, n} w[o, c, m, n] * x_pad[c, s*i + m, s*j + n]

A step is one output cell of one output channel (order: channel o, then row i, then column j, as a
layer fills its output volume one feature map at a time). It keeps the window in every input channel,
the per-channel products and sums, the bias and the value, so a view can show every number and a
test can check the trace against conv2d.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from engine.ops.checks import check_fits, check_numbers, check_steps, non_negative, positive, step_index
from engine.ops.padding import pad

MAX_CHANNELS = 8  # a trace draws every channel: more would not fit on a screen


@dataclass(frozen=True)
class ChannelStep:
    """Output cell (o, i, j). rows, cols: the padded-input rows and columns under the window;
    window, taps, products (C_in, k, k); channel_sums (C_in,); bias b[o]; value = sum(channel_sums) + bias."""
    index: tuple
    rows: tuple
    cols: tuple
    window: np.ndarray
    taps: np.ndarray
    products: np.ndarray
    channel_sums: np.ndarray
    bias: float
    value: float


@dataclass(frozen=True)
class ChannelTrace:
    """input (C_in, H, W), padded (C_in, H + 2p, W + 2p), weight (C_out, C_in, k, k), bias (C_out,),
    output (C_out, H_out, W_out), steps in the order o, i, j."""
    input: np.ndarray
    padded: np.ndarray
    padding: int
    weight: np.ndarray
    bias: np.ndarray
    stride: int
    output: np.ndarray
    steps: tuple

    def step(self, n):
        """The n-th step, clamped to the valid range."""
        return self.steps[step_index(n, len(self.steps))]


def trace_channels(input, weight, bias=None, stride=1, padding=0):
    """Trace conv2d(input, weight, bias, stride, padding) over channels (zero padding, one int per axis pair).

    Shape: input (C_in, H, W); weight (C_out, C_in, k_h, k_w); bias (C_out,) or None (zeros)
    -> ChannelTrace with output (C_out, H_out, W_out), H_out = floor((H + 2p - k_h) / s) + 1.
    Example (two channels of ones, one 2 x 2 filter of ones, bias 1: 2·4 + 1 = 9):
        >>> float(trace_channels(np.ones((2, 2, 2)), np.ones((1, 2, 2, 2)), [1.0]).output[0, 0, 0])
        9.0
    """
    x = check_numbers(input, "trace_channels").astype(float)
    w = check_numbers(weight, "trace_channels", "weight").astype(float)
    if x.ndim != 3 or w.ndim != 4 or 0 in x.shape or 0 in w.shape:
        raise ValueError(f"trace_channels needs an input (C_in, H, W) and a weight (C_out, C_in, k_h, k_w); "
                         f"got shapes {x.shape} and {w.shape}.")
    if w.shape[1] != x.shape[0]:
        raise ValueError(f"Each filter must have one slice per input channel: the weight has {w.shape[1]} "
                         f"(shape {w.shape}) but the input has {x.shape[0]} channels.")
    if max(x.shape[0], w.shape[0]) > MAX_CHANNELS:
        raise ValueError(f"A step-by-step trace draws every channel: at most {MAX_CHANNELS} input and output "
                         f"channels, got {x.shape[0]} and {w.shape[0]}.")
    b = np.zeros(w.shape[0]) if bias is None else check_numbers(bias, "trace_channels", "bias").astype(float)
    if b.shape != (w.shape[0],):
        raise ValueError(f"The bias needs one value per filter ({w.shape[0]}), got shape {b.shape}.")
    (s,), (p,) = positive(stride, 1, "stride"), non_negative(padding, 1, "padding")
    k = w.shape[2:]
    padded_shape = [n + 2 * p for n in x.shape[1:]]
    check_fits(padded_shape, k, (1, 1), advice="use a smaller kernel or more padding")
    out = tuple((n - kk) // s + 1 for n, kk in zip(padded_shape, k))
    check_steps(w.shape[0] * math.prod(out), "trace_channels", per_step=3 * x.shape[0] * math.prod(k))
    xp = pad(x, [p, p, p, p])
    steps, output = [], np.zeros((w.shape[0], *out))
    for o, i, j in np.ndindex(w.shape[0], *out):
        rows, cols = range(i * s, i * s + k[0]), range(j * s, j * s + k[1])
        window = xp[:, rows.start:rows.stop, cols.start:cols.stop]  # (C_in, k_h, k_w)
        products = window * w[o]
        sums = products.sum(axis=(1, 2))
        value = float(sums.sum() + b[o])
        output[o, i, j] = value
        steps.append(ChannelStep((o, i, j), tuple(rows), tuple(cols), window, w[o], products, sums, float(b[o]), value))
    return ChannelTrace(x, xp, p, w, b, s, output, tuple(steps))


def small_integer_layer(c_in, c_out, size, k, seed):
    """A seeded example a student can add up by hand: x (C_in, size, size) in 0..2, weight
    (C_out, C_in, k, k) in -1..1 and bias (C_out,) in -1..1, as float arrays (the CS231n demo's ranges)."""
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 3, (c_in, size, size)).astype(float)
    weight = rng.integers(-1, 2, (c_out, c_in, k, k)).astype(float)
    bias = rng.integers(-1, 2, c_out).astype(float)
    return x, weight, bias
