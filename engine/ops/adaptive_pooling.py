"""Adaptive pooling in numpy, mirroring `torch.nn.functional.adaptive_avg_pool2d / adaptive_max_pool2d`.

You choose the output size O; the windows follow. Output cell i pools input cells
    start(i) = floor(i * I / O)  to  end(i) = ceil((i + 1) * I / O)  (end excluded)
on each axis, so the windows cover the input, may differ in size by one, and overlap when O does
not divide I. adaptive_avg_pool2d(x, 1) is the global average pooling of a classifier head.
"""
from __future__ import annotations

import numpy as np

from engine.ops.checks import check_elements, check_flag, whole_number
from engine.ops.pooling import check_input, restore, torch_argmax


def adaptive_windows(i, o):
    """(starts, ends) of the o windows over i cells: start = floor(k i / o), end = ceil((k + 1) i / o)."""
    k = np.arange(o)
    return k * i // o, -(-(k + 1) * i // o)


def adaptive_avg_pool2d(input, output_size):
    """2D adaptive average pooling like `torch.nn.functional.adaptive_avg_pool2d`.

    Args: output_size: int or (H_out, W_out); None in the pair keeps that size of the input.
    Shape: (N, C, H, W) or (C, H, W) -> (N, C, H_out, W_out); each cell is the mean of its window
        (summed, then divided by the window's height and then by its width, as PyTorch does;
        for a 1 x 1 output, by H * W at once, as PyTorch's mean does).
    Example: adaptive_avg_pool2d(np.arange(6.).reshape(1, 2, 3), (1, 2)) -> [[[2., 3.]]]
        (windows over the 3 columns: 0-1 and 1-2)
    """
    x, (h_win, w_win) = _prepare(input, output_size, "adaptive_avg_pool2d")
    cols = np.stack([x[..., s:e].sum(-1) for s, e in zip(*w_win)], -1)  # (N, C, H, W_out)
    sums = np.stack([cols[..., s:e, :].sum(-2) for s, e in zip(*h_win)], -2)  # (N, C, H_out, W_out)
    heights, widths = (e - s for s, e in (h_win, w_win))
    if sums.shape[-2:] == (1, 1):  # PyTorch takes the mean here: one division by H * W
        return restore((sums / (heights * widths)).astype(x.dtype, copy=False), input, 2)
    return restore((sums / heights[:, None] / widths).astype(x.dtype, copy=False), input, 2)


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """2D adaptive max pooling like `torch.nn.functional.adaptive_max_pool2d`.

    Args: output_size: int or (H_out, W_out), None keeps a size; return_indices: also return the flat
        index r * W + c of each max in the input (the first largest in reading order; a NaN wins).
    Shape: (N, C, H, W) or (C, H, W) -> (N, C, H_out, W_out).
    Example: adaptive_max_pool2d(np.arange(6.).reshape(1, 2, 3), (1, 2)) -> [[[4., 5.]]]
    """
    return_indices = check_flag(return_indices, "return_indices")
    x, (h_win, w_win) = _prepare(input, output_size, "adaptive_max_pool2d")
    # best cell of each row within each column window, then best row within each row window
    col_pos = np.stack([s + torch_argmax(x[..., s:e]) for s, e in zip(*w_win)], -1)  # (N, C, H, W_out)
    row_best = np.take_along_axis(x, col_pos, -1)  # (N, C, H, W_out)
    row_pos = np.stack([s + torch_argmax(row_best[..., s:e, :], axis=-2) for s, e in zip(*h_win)], -2)
    values = np.take_along_axis(row_best, row_pos, -2)  # (N, C, H_out, W_out)
    if not return_indices:
        return restore(values, input, 2)
    indices = row_pos * x.shape[-1] + np.take_along_axis(col_pos, row_pos, -2)
    return restore(values, input, 2), restore(indices.astype(np.int64), input, 2)


def _prepare(input, output_size, name):
    """x as (N, C, H, W) and the (starts, ends) windows per axis; output_size checked for a student."""
    x = check_input(input, 2, name)
    x = x if x.ndim == 4 else x[None]
    sizes = (output_size, output_size) if np.ndim(output_size) == 0 else tuple(output_size)
    if len(sizes) != 2:
        raise ValueError(f"{name}'s output_size is one number or a pair (H_out, W_out); got {output_size}.")
    out = []
    for o, i in zip(sizes, x.shape[-2:]):
        if o is None:
            o = i
        if whole_number(o) is None or o < 1:
            raise ValueError(f"{name}'s output_size must be whole numbers of at least 1 (or None to keep a "
                             f"size); got {output_size}.")
        out.append(whole_number(o))
    check_elements((*x.shape[:2], max(x.shape[2], out[0]), out[1]), name, "output")  # also (N, C, H, W_out) on the way
    return x, [adaptive_windows(i, o) for i, o in zip(x.shape[-2:], out)]
