"""Convolution as a matrix: y = C x, and transposed convolution as C^T: x' = C^T y.

For a single-channel 1D or 2D input x (flattened in reading order) and a kernel w, row r of C
holds the kernel taps at the input cells that output cell r reads (zero padding: taps that land
on padding are dropped). Column c of C^T = row c of C is the stamp that input cell c of the
transposed convolution adds to its output, so C^T y equals conv_transpose(y, w) with the
same stride, padding and dilation, and the output_padding that restores the input's shape.
"""
from __future__ import annotations

import numpy as np

from engine.ops.conv import _positive
from engine.ops.padding import _per_axis


def conv_output_shape(input_shape, kernel_shape, stride=1, padding=0, dilation=1):
    """o = floor((i + 2p - d(k - 1) - 1) / s) + 1 per axis; ValueError if the kernel does not fit."""
    input_shape, kernel_shape = tuple(input_shape), tuple(kernel_shape)
    nd = len(input_shape)
    if nd not in (1, 2) or len(kernel_shape) != nd:
        raise ValueError(f"Expected a 1D or 2D input and a kernel of the same rank, got {input_shape} "
                         f"and {kernel_shape}.")
    stride, dilation = _positive(stride, nd, "stride"), _positive(dilation, nd, "dilation")
    padding = _padding(padding, nd)
    span = [d * (k - 1) + 1 for k, d in zip(kernel_shape, dilation)]
    if any(e > i + 2 * p for e, i, p in zip(span, input_shape, padding)):
        raise ValueError(f"The kernel covers {' x '.join(map(str, span))} cells but the padded input is only "
                         f"{' x '.join(str(i + 2 * p) for i, p in zip(input_shape, padding))}: use a smaller "
                         f"kernel or dilation, or more padding.")
    return tuple((i + 2 * p - e) // s + 1 for i, p, e, s in zip(input_shape, padding, span, stride))


def conv_matrix(input_shape, kernel, stride=1, padding=0, dilation=1):
    """The dense matrix C with C @ x.ravel() == correlate(x, kernel, stride, padding, dilation).ravel().

    Shape: input_shape (L,) or (H, W); kernel of the same rank
    -> C (prod(output shape), prod(input_shape)), output size o = floor((i + 2p - d(k - 1) - 1) / s) + 1.
    Example: conv_matrix((4,), [1., 2.], stride=2) -> [[1, 2, 0, 0], [0, 0, 1, 2]]
    """
    w = np.asarray(kernel, dtype=float)
    input_shape = tuple(int(i) for i in input_shape)
    out = conv_output_shape(input_shape, w.shape, stride, padding, dilation)
    nd = len(input_shape)
    stride, dilation, padding = _positive(stride, nd, "stride"), _positive(dilation, nd, "dilation"), _padding(padding, nd)
    C = np.zeros((int(np.prod(out)), int(np.prod(input_shape))))
    rows = np.arange(C.shape[0])
    positions = np.unravel_index(rows, out)  # output cell of every row
    for tap in np.ndindex(*w.shape):
        cells = [s * o + d * t - p for o, s, d, t, p in zip(positions, stride, dilation, tap, padding)]
        inside = np.all([(c >= 0) & (c < i) for c, i in zip(cells, input_shape)], axis=0)
        columns = np.ravel_multi_index([c[inside] for c in cells], input_shape)
        C[rows[inside], columns] += w[tap]
    return C


def transpose_output_padding(input_shape, kernel_shape, stride=1, padding=0, dilation=1):
    """The output_padding with which conv_transpose maps the conv's output shape back to input_shape.

    i = (o - 1)s - 2p + d(k - 1) + output_padding + 1; always 0 <= output_padding < s.
    """
    out = conv_output_shape(input_shape, kernel_shape, stride, padding, dilation)
    nd = len(out)
    stride, dilation, padding = _positive(stride, nd, "stride"), _positive(dilation, nd, "dilation"), _padding(padding, nd)
    return tuple(i - ((o - 1) * s - 2 * p + d * (k - 1) + 1)
                 for i, o, s, p, d, k in zip(input_shape, out, stride, padding, dilation, tuple(kernel_shape)))


def conv_step_row(output_index, output_shape):
    """Row of C used by the conv step that computes output cell `output_index` (reading order)."""
    return int(np.ravel_multi_index(tuple(np.atleast_1d(output_index)), tuple(output_shape)))


def transpose_step_column(input_index, input_shape):
    """Column of C^T used by the transposed-conv step that stamps cell `input_index` of its input y
    (y has the conv's output shape): the same number as the conv row of that cell."""
    return conv_step_row(input_index, input_shape)


def row_as_image(C, index, input_shape):
    """Row `index` of C (= column `index` of C^T) laid out on the input grid: where the kernel sits."""
    return np.asarray(C)[index].reshape(tuple(input_shape))


def _padding(padding, nd):
    values = _per_axis(padding, nd, "padding")
    if any(isinstance(p, str) or int(p) != p or p < 0 for p in values):
        raise ValueError(f"padding must be a whole number of at least 0 (one per axis), got {padding}.")
    return tuple(int(p) for p in values)
