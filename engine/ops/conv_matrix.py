"""Convolution as a matrix: y = C x, and transposed convolution as C^T: x' = C^T y.

For a single-channel 1D or 2D input x (flattened in reading order) and a kernel w, row r of C
holds the kernel taps at the input cells that output cell r reads (zero padding: taps that land
on padding are dropped). Column c of C^T = row c of C is the stamp that input cell c of the
transposed convolution adds to its output, so C^T y equals conv_transpose(y, w) with the
same stride, padding and dilation, and the output_padding that restores the input's shape.
"""
from __future__ import annotations

import math

import numpy as np

from engine.ops.checks import check_elements, check_fits, check_numbers, check_shape, check_work, non_negative, positive


def conv_output_shape(input_shape, kernel_shape, stride=1, padding=0, dilation=1):
    """o = floor((i + 2p - d(k - 1) - 1) / s) + 1 per axis; ValueError if the kernel does not fit."""
    input_shape = check_shape(input_shape, "conv_output_shape")
    kernel_shape = check_shape(kernel_shape, "conv_output_shape", "kernel_shape")
    nd = len(input_shape)
    if len(kernel_shape) != nd:
        raise ValueError(f"Expected a 1D or 2D input and a kernel of the same rank, got {input_shape} "
                         f"and {kernel_shape}.")
    stride, dilation = positive(stride, nd, "stride"), positive(dilation, nd, "dilation")
    padding = non_negative(padding, nd, "padding")
    span = check_fits([i + 2 * p for i, p in zip(input_shape, padding)], kernel_shape, dilation)
    return tuple((i + 2 * p - e) // s + 1 for i, p, e, s in zip(input_shape, padding, span, stride))


def conv_matrix(input_shape, kernel, stride=1, padding=0, dilation=1):
    """The dense matrix C with C @ x.ravel() == correlate(x, kernel, stride, padding, dilation).ravel().

    Shape: input_shape (L,) or (H, W); kernel of the same rank
    -> C (prod(output shape), prod(input_shape)), output size o = floor((i + 2p - d(k - 1) - 1) / s) + 1.
    Example: conv_matrix((4,), [1., 2.], stride=2) -> [[1, 2, 0, 0], [0, 0, 1, 2]]
    """
    w = check_numbers(kernel, "conv_matrix", "kernel").astype(float)
    input_shape = check_shape(input_shape, "conv_matrix")
    out = conv_output_shape(input_shape, w.shape, stride, padding, dilation)
    nd = len(input_shape)
    stride, dilation = positive(stride, nd, "stride"), positive(dilation, nd, "dilation")
    padding = non_negative(padding, nd, "padding")
    check_elements((math.prod(out), math.prod(input_shape)), "conv_matrix", "matrix")
    check_work(math.prod(out) * w.size, "conv_matrix")
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
    stride, dilation = positive(stride, nd, "stride"), positive(dilation, nd, "dilation")
    padding = non_negative(padding, nd, "padding")
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

