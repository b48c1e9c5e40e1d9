"""Transposed convolution in numpy, mirroring `torch.nn.functional.conv_transpose1d/conv_transpose2d`.

The scatter view: every input cell stamps the kernel, scaled by its value, onto the output
at stride s (cell i lands at s*i, its taps at s*i + d*t); overlapping stamps add. Then p cells
are cropped from each side and output_padding cells are added at the end:
    full[o, s*i + d*t] += x[c, i] * w[c, o, t];   y = full[p : p + L_out] + b
    L_out = (L - 1)s - 2p + d(k - 1) + output_padding + 1.
Equivalently: insert s - 1 zeros between input cells, pad by d(k - 1) - p, and correlate with
the flipped kernel (`equivalent_conv_input`, `equivalent_conv_weight`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from engine.ops.checks import (check_elements, check_numbers, check_shape, check_steps, check_work, kernel_span,
                               non_negative, positive, positive_int, step_index, trace_arrays, trace_bias)


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """1D transposed convolution like `torch.nn.functional.conv_transpose1d`.

    Shape: input (N, C_in, L) or (C_in, L); weight (C_in, C_out / groups, k); bias (C_out,)
    -> (N, C_out, L_out), L_out = (L - 1)s - 2p + d(k - 1) + output_padding + 1.
    Example: conv_transpose1d(np.ones((1, 2)), np.ones((1, 1, 3)), stride=2) -> [[1., 1., 2., 1., 1.]]
    """
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation, nd=1)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """2D transposed convolution like `torch.nn.functional.conv_transpose2d`.

    Args: stride, padding, output_padding, dilation: int or (h, w); output_padding must be
        smaller than the stride or the dilation on each axis (as in PyTorch).
    Shape: input (N, C_in, H, W) or (C_in, H, W); weight (C_in, C_out / groups, k_h, k_w)
    -> (N, C_out, H_out, W_out), H_out = (H - 1)s - 2p + d(k - 1) + output_padding + 1.
    Example (each input cell stamps the 2 x 2 kernel; stride 2: the stamps tile without overlap):
        >>> conv_transpose2d(np.ones((1, 2, 2)), np.ones((1, 1, 2, 2)), stride=2).shape
        (1, 4, 4)
    """
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation, nd=2)


def transpose_arguments(input_shape, kernel_size, stride, padding, output_padding, dilation):
    """Check the arguments; return (stride, padding, output_padding, dilation, full, out) per axis.

    full: size of the uncropped scatter canvas (with room for output_padding past the last stamp);
    out: the output size. Raises ValueError with a readable message.
    """
    nd = len(kernel_size)
    stride, dilation = positive(stride, nd, "stride"), positive(dilation, nd, "dilation")
    padding = non_negative(padding, nd, "padding")
    output_padding = non_negative(output_padding, nd, "output_padding")
    for op, s, d in zip(output_padding, stride, dilation):
        if op >= max(s, d):
            raise ValueError(f"output_padding must be smaller than the stride or the dilation (as in PyTorch); "
                             f"got output_padding {op} with stride {s} and dilation {d}.")
    stamped = [(i - 1) * s + e for i, e, s in zip(input_shape, kernel_span(kernel_size, dilation), stride)]
    out = [f - 2 * p + op for f, p, op in zip(stamped, padding, output_padding)]
    if any(o < 1 for o in out):
        raise ValueError(f"The output would have size {' x '.join(map(str, out))}: the padding crops away "
                         f"everything the stamps cover ({' x '.join(map(str, stamped))} cells); use less padding.")
    full = [max(f, p + o) for f, p, o in zip(stamped, padding, out)]
    check_elements(full, "conv_transpose", "canvas (per channel)")
    return stride, padding, output_padding, dilation, full, out


def _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation, nd):
    dims = ("L",) if nd == 1 else ("H", "W")
    name = f"conv_transpose{nd}d"
    x, w = check_numbers(input, name), check_numbers(weight, name, "weight")
    if x.ndim not in (nd + 1, nd + 2):
        raise ValueError(f"{name} expects input of shape (N, C, {', '.join(dims)}) or "
                         f"(C, {', '.join(dims)}); got shape {x.shape}.")
    if w.ndim != nd + 2:
        raise ValueError(f"{name} expects weight of shape (C_in, C_out / groups, "
                         f"{', '.join('k_' + d.lower() for d in dims)}); got shape {w.shape}.")
    unbatched = x.ndim == nd + 1
    x = x[None] if unbatched else x
    n, c_in = x.shape[:2]
    if 0 in w.shape:
        raise ValueError(f"The weight has an empty axis (shape {w.shape}): every size must be at least 1.")
    groups = positive_int(groups, "groups")
    if w.shape[0] != c_in:
        raise ValueError(f"A transposed convolution's weight is (C_in, C_out / groups, ...): this weight "
                         f"expects {w.shape[0]} input channels but the input has {c_in}.")
    if c_in % groups:
        raise ValueError(f"groups={groups} must divide the input channels ({c_in}).")
    c_out = w.shape[1] * groups
    k = w.shape[2:]
    stride, padding, output_padding, dilation, full, out = transpose_arguments(
        x.shape[2:], k, stride, padding, output_padding, dilation)
    dtype = np.result_type(x.dtype, w.dtype, np.float32)
    check_elements((n, c_out, *full), name, "canvas")
    check_work(n * c_in * math.prod(x.shape[2:]) * w.shape[1] * math.prod(k), name)
    xg = x.reshape(n, groups, c_in // groups, *x.shape[2:]).astype(dtype, copy=False)  # (N, G, C_in/G, *in)
    wg = w.reshape(groups, c_in // groups, w.shape[1], *k).astype(dtype, copy=False)  # (G, C_in/G, C_out/G, *k)
    canvas = np.zeros((n, groups, w.shape[1], *full), dtype)
    for tap in np.ndindex(*k):  # one stamp position per tap, for all input cells at once
        cells = tuple(slice(t * d, t * d + s * (i - 1) + 1, s) for t, d, s, i in zip(tap, dilation, stride, x.shape[2:]))
        canvas[(..., *cells)] += np.einsum("ngc...,gco->ngo...", xg, wg[(..., *tap)])
    y = canvas[(..., *[slice(p, p + o) for p, o in zip(padding, out)])].reshape(n, c_out, *out)
    if bias is not None:
        b = check_numbers(bias, name, "bias").astype(dtype)
        if b.shape != (c_out,):
            raise ValueError(f"bias needs one value per output channel ({c_out}), got shape {b.shape}.")
        y = y + b.reshape(c_out, *([1] * nd))
    return y[0] if unbatched else y


@dataclass(frozen=True)
class StampStep:
    """One input cell's stamp. index: the input cell; value: x[index];
    cells (*k, nd): where each tap lands on the uncropped canvas; kept (*k,): which of those
    survive the crop; stamp (*k,) = value * kernel; canvas: running uncropped sum of stamps;
    output: running cropped output (bias included), so the last step's output is the result.
    """
    index: tuple
    value: float
    cells: np.ndarray
    kept: np.ndarray
    stamp: np.ndarray
    canvas: np.ndarray
    output: np.ndarray


@dataclass(frozen=True)
class TransposeTrace:
    """Input, kernel, the uncropped canvas, the crop window ((start, stop) per axis), output, steps."""
    input: np.ndarray
    kernel: np.ndarray
    bias: float
    stride: tuple
    padding: tuple
    output_padding: tuple
    dilation: tuple
    canvas: np.ndarray
    window: tuple
    output: np.ndarray
    steps: tuple

    def step(self, n):
        """The n-th step, clamped to the valid range."""
        return self.steps[step_index(n, len(self.steps))]


def trace_conv_transpose(input, kernel, bias=0.0, stride=1, padding=0, output_padding=0, dilation=1):
    """Trace a single-channel transposed convolution stamp by stamp, one step per input cell.

    Shape: input (L,) or (H, W); kernel of the same rank -> output as conv_transpose1d/2d.
    bias: a number (None, conv_transpose2d's default, means 0).
    """
    name = "trace_conv_transpose"
    x, w = trace_arrays(input, kernel, name)
    bias, nd = trace_bias(bias, name), x.ndim
    stride, padding, output_padding, dilation, full, out = transpose_arguments(
        x.shape, w.shape, stride, padding, output_padding, dilation)
    check_steps(x.size, name, per_step=w.size * (nd + 2) + math.prod(full) + math.prod(out))  # canvas, output kept
    window = tuple((p, p + o) for p, o in zip(padding, out))
    crop = tuple(slice(a, b) for a, b in window)
    taps = np.stack(np.meshgrid(*[np.arange(k) * d for k, d in zip(w.shape, dilation)], indexing="ij"), -1)
    canvas, steps = np.zeros(full), []
    for index in np.ndindex(*x.shape):
        cells = taps + np.array(index) * np.array(stride)  # (*k, nd)
        kept = np.all([(cells[..., a] >= lo) & (cells[..., a] < hi) for a, (lo, hi) in enumerate(window)], axis=0)
        stamp = x[index] * w
        np.add.at(canvas, tuple(np.moveaxis(cells, -1, 0)), stamp)
        steps.append(StampStep(index, float(x[index]), cells, kept, stamp, canvas.copy(), canvas[crop] + bias))
    return TransposeTrace(x, w, bias, stride, padding, output_padding, dilation, canvas, window,
                          canvas[crop] + bias, tuple(steps))


def overlap_counts(input_shape, kernel_size, stride, padding=0, output_padding=0, dilation=1):
    """For each output cell, how many (input cell, tap) pairs land on it.

    Uneven (a checkerboard) when k is not divisible by s; k / s everywhere in the interior when it is.
    Equals conv_transpose of an all-ones input with an all-ones kernel.
    Example: overlap_counts((4,), (3,), 2) -> [1, 1, 2, 1, 2, 1, 2, 1, 1]
    """
    input_shape = check_shape(input_shape, "overlap_counts")
    kernel_size = check_shape(kernel_size, "overlap_counts", "kernel_size")
    y = conv_transpose_single(np.ones(input_shape), np.ones(kernel_size), stride, padding, output_padding, dilation)
    return y.astype(int)


def conv_transpose_single(input, kernel, stride=1, padding=0, output_padding=0, dilation=1):
    """conv_transpose of one (L,) or (H, W) input with one kernel of the same rank."""
    x, w = np.asarray(input), np.asarray(kernel)
    if x.ndim not in (1, 2) or w.ndim != x.ndim:
        raise ValueError(f"Expected a 1D or 2D input and a kernel of the same rank, got {x.shape} and {w.shape}.")
    f = conv_transpose1d if x.ndim == 1 else conv_transpose2d
    return f(x[None], w[None, None], None, stride, padding, output_padding, 1, dilation)[0]


def equivalent_conv_input(input, stride, kernel_size, padding, output_padding=0, dilation=1):
    """The input of the equivalent plain convolution: s - 1 zeros between cells, then d(k - 1) - p
    zeros before and d(k - 1) - p + output_padding after on each spatial axis (cropped if negative).

    Correlating it (stride 1, same dilation) with the flipped kernel gives the transposed convolution.
    Shape: (..., *spatial) -> (..., (i - 1)s + 1 + 2(d(k - 1) - p) + output_padding) per axis;
    nd = len(kernel_size), or the input's rank (1 or 2) for an int kernel_size.
    """
    x = np.asarray(input)
    if np.isscalar(kernel_size):
        if x.ndim not in (1, 2):
            raise ValueError("Give kernel_size as a tuple (one per spatial axis) for a batched input.")
        kernel_size = (kernel_size,) * x.ndim
    nd = len(kernel_size)
    if x.ndim < nd:
        raise ValueError(f"The input needs at least {nd} axes for a {nd}D kernel, got shape {x.shape}.")
    spatial = x.shape[x.ndim - nd:]
    stride, padding, output_padding, dilation, _, _ = transpose_arguments(
        spatial, kernel_size, stride, padding, output_padding, dilation)
    z = np.zeros(x.shape[:x.ndim - nd] + tuple((i - 1) * s + 1 for i, s in zip(spatial, stride)), x.dtype)
    z[(..., *[slice(None, None, s) for s in stride])] = x
    for axis, (k, p, op, d) in enumerate(zip(kernel_size, padding, output_padding, dilation), start=x.ndim - nd):
        before, after = d * (k - 1) - p, d * (k - 1) - p + op
        z = np.moveaxis(z, axis, 0)
        z = np.pad(z, [(max(before, 0), max(after, 0))] + [(0, 0)] * (z.ndim - 1))
        z = np.moveaxis(z[max(-before, 0):z.shape[0] - max(-after, 0)], 0, axis)
    return z


def equivalent_conv_weight(weight, groups=1):
    """(C_in, C_out / groups, *k) transposed-conv weight -> (C_out, C_in / groups, *k) conv weight,
    each kernel flipped on every spatial axis."""
    w = np.asarray(weight)
    c_in, c_out_group, *k = w.shape
    w = w.reshape(groups, c_in // groups, c_out_group, *k).swapaxes(1, 2).reshape(groups * c_out_group, -1, *k)
    return np.flip(w, tuple(range(2, w.ndim)))


def output_padding_cells(input_size, kernel_size, stride=1, padding=0, output_padding=0, dilation=1):
    """Where output_padding's extra cells (at the end of one axis) come from: (cut, past).

    The stamps cover f = (i - 1)s + d(k - 1) + 1 canvas cells; the output keeps canvas cells p .. f - p - 1 + op,
    its last min(op, o) cells are the extra ones. cut of them lie inside the canvas: cells the crop would have
    removed, holding stamps (values from the input); past = the rest lie beyond the last stamp (zeros, plus the bias).
    Example: output_padding_cells(3, 3, 2, 1, 1) -> (1, 0)  # [1, 3, 2, 5, 3] + [3]
    """
    i, k, s, p, op, d = (int(v) for v in (input_size, kernel_size, stride, padding, output_padding, dilation))
    (out,) = transpose_arguments((i,), (k,), s, p, op, d)[-1]
    stamped = (i - 1) * s + d * (k - 1) + 1
    first, stop = max(p, stamped - p), p + out  # canvas positions of the extra cells
    cut = max(0, min(stop, stamped) - first)
    return cut, stop - first - cut
