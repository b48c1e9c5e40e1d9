"""Pooling layers in numpy, mirroring `torch.nn.functional.max_pool1d/2d` and `avg_pool1d/2d`.

A window of k_h x k_w cells slides with stride s over the input padded by p on each side:
    max:     y[c, i, j] = max_{m, n} x[c, s*i + d*m - p, s*j + d*n - p]   (padding counts as -inf)
    average: y[c, i, j] = sum_{m, n} x[c, s*i + m - p, s*j + n - p] / (cells counted)
Pooling has no parameters. As in PyTorch, p <= k / 2 (every window overlaps the input), and with
ceil_mode=True the size rounds up, but a last window that would start in the right padding is dropped.
A 1D input is pooled as a 2D input of height 1.

Which cell is "the max" (return_indices), as in PyTorch: the first largest cell in reading order
(row by row) among the input cells under the window; if the window holds a NaN, the last NaN.
"""
from __future__ import annotations

import math

import numpy as np

from engine.ops.checks import (check_elements, check_flag, check_numbers, check_work, kernel_span, non_negative,
                               positive, whole_number)
from engine.notation import count


def pool_output_size(i, k, s=None, p=0, d=1, ceil_mode=False):
    """o = floor((i + 2p - d(k - 1) - 1) / s) + 1, or ceil(...) + 1 with ceil_mode (s defaults to k).

    With ceil_mode, a last window starting at or past i + p (only padding under it) is not counted.
    ValueError for a size, kernel, stride or dilation below 1 or a padding below 0, as in PyTorch.

    >>> pool_output_size(5, 2), pool_output_size(5, 2, ceil_mode=True)
    (2, 3)
    """
    ceil_mode = check_flag(ceil_mode, "ceil_mode")
    (i,), (k,), (p,) = positive(i, 1, "i"), positive(k, 1, "k"), non_negative(p, 1, "p")
    (s,), (d,) = positive(k if s is None else s, 1, "s"), positive(d, 1, "d")
    (span,) = kernel_span((k,), (d,))
    o = (i + 2 * p - span + ((s - 1) if ceil_mode else 0)) // s + 1
    if ceil_mode and (o - 1) * s >= i + p:
        o -= 1
    if o < 1:
        raise ValueError(f"A {span}-cell window does not fit in {count(i + 2 * p, 'cell')} (i = {i}, p = {p}): "
                         "the output would be empty.")
    return o


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """1D max pooling like `torch.nn.functional.max_pool1d`.

    Args: kernel_size, stride (default: kernel_size), padding, dilation: int; ceil_mode: round the
        output size up; return_indices: also return where each max came from (index along L).
    Shape: (N, C, L) or (C, L) -> (N, C, L_out), L_out = floor((L + 2p - d(k - 1) - 1) / s) + 1.
    Example: max_pool1d(np.array([[1., 5., 2., 0.]]), 2) -> [[5., 2.]]
    """
    return _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, "max_pool1d", 1)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """2D max pooling like `torch.nn.functional.max_pool2d`.

    Args: kernel_size, stride (default: kernel_size), padding, dilation: int or (h, w);
        ceil_mode: round the output size up instead of down; return_indices: also return, for each
        output cell, the flat index r * W + c of its max in the (unpadded) H x W input, as int64.
    Shape: (N, C, H, W) or (C, H, W) -> (N, C, H_out, W_out),
        H_out = floor((H + 2p - d(k - 1) - 1) / s) + 1.
    Example (here each value is also its own flat index):
        >>> max_pool2d(np.arange(16.).reshape(1, 4, 4), 2, return_indices=True)
        (array([[[ 5.,  7.],
                [13., 15.]]]), array([[[ 5,  7],
                [13, 15]]]))
    """
    return _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, "max_pool2d", 2)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """1D average pooling like `torch.nn.functional.avg_pool1d`.

    Args: kernel_size, stride (default: kernel_size), padding: int; ceil_mode: round the output
        size up; count_include_pad: padding zeros count in the divisor.
    Shape: (N, C, L) or (C, L) -> (N, C, L_out), L_out = floor((L + 2p - k) / s) + 1.
    Example: avg_pool1d(np.array([[1., 5., 2., 0.]]), 2) -> [[3., 1.]]
    """
    return _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, None, "avg_pool1d", 1)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """2D average pooling like `torch.nn.functional.avg_pool2d`.

    Args: kernel_size, stride (default: kernel_size), padding: int or (h, w); ceil_mode: round the
        output size up; count_include_pad: padding zeros count in the divisor (cells past the
        padding, reached only with ceil_mode, never do); divisor_override: divide by this instead.
    Shape: (N, C, H, W) or (C, H, W) -> (N, C, H_out, W_out), H_out = floor((H + 2p - k) / s) + 1.
    Example:
        >>> avg_pool2d(np.arange(16.).reshape(1, 4, 4), 2)
        array([[[ 2.5,  4.5],
                [10.5, 12.5]]])
    """
    return _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override,
                     "avg_pool2d", 2)


def _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, name, nd):
    return_indices = check_flag(return_indices, "return_indices")
    x, args = _prepare(input, kernel_size, stride, padding, dilation, ceil_mode, name, nd)
    windows = _windows(x, args, fill=-np.inf)  # (N, C, H_out, W_out, k_h, k_w)
    if not return_indices:
        return restore(windows.max(axis=(-2, -1)), input, nd)
    h, w = x.shape[2:]
    check_elements(windows.shape, name, "set of windows (to find each max's index)")
    where = _windows(np.arange(h * w).reshape(1, 1, h, w), args, fill=-1)  # flat input index; -1: padding
    flat = windows.reshape(*windows.shape[:4], -1)  # (N, C, H_out, W_out, k_h * k_w)
    where = np.broadcast_to(where.reshape(*where.shape[:4], -1), flat.shape)
    pos = torch_argmax(flat, valid=where >= 0)[..., None]
    values = np.take_along_axis(flat, pos, -1)[..., 0]
    indices = np.take_along_axis(where, pos, -1)[..., 0].astype(np.int64)
    # A dilated window can miss the input (all its taps on padding): its max is -inf and PyTorch
    # reports the first tap at or past the input's start, r * W + c, even when it lies past the end.
    first = [_first_tap(n, ss, p, dd) for n, ss, p, dd in
             zip(args["out"], args["stride"], args["padding"], args["dilation"])]  # (H_out,), (W_out,)
    indices = np.where((where >= 0).any(-1), indices, first[0][:, None] * w + first[1])
    return restore(values, input, nd), restore(indices, input, nd)


def _first_tap(n_out, s, p, d):
    """Per output cell, the input coordinate of the window's first tap at or past 0: s*i - p + d*m,
    with m = ceil((p - s*i) / d) taps skipped over the padding (0 when the window starts inside)."""
    start = np.arange(n_out) * s - p
    return start + -(-np.maximum(-start, 0) // d) * d


def _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, name, nd):
    count_include_pad = check_flag(count_include_pad, "count_include_pad")
    x, args = _prepare(input, kernel_size, stride, padding, 1, ceil_mode, name, nd)
    if divisor_override is not None and whole_number(divisor_override) in (None, 0):
        raise ValueError(f"divisor_override must be a non-zero whole number, got {divisor_override}.")
    sums = _windows(x, args, fill=0.0).sum(axis=(-2, -1))  # (N, C, H_out, W_out)
    if divisor_override is not None:
        return restore((sums / divisor_override).astype(x.dtype, copy=False), input, nd)
    (p_h, p_w), (h, w) = args["padding"], x.shape[2:]
    counted = np.ones((h + 2 * p_h, w + 2 * p_w))  # cells that count, over the padded input
    if not count_include_pad:
        counted[:p_h], counted[h + p_h:], counted[:, :p_w], counted[:, w + p_w:] = 0, 0, 0, 0
    divisor = _windows(counted[None, None], {**args, "padding": (0, 0)}, fill=0.0).sum(axis=(-2, -1))
    return restore((sums / divisor).astype(x.dtype, copy=False), input, nd)


def torch_argmax(values, valid=None, axis=-1):
    """Position along `axis` of the cell PyTorch's max pooling picks: the first largest among the
    valid cells, or the last NaN if there is one. valid: bool mask of the same shape (None: all)."""
    values = np.moveaxis(np.asarray(values), axis, -1)
    valid = np.ones(values.shape, bool) if valid is None else np.moveaxis(np.asarray(valid), axis, -1)
    nan = np.isnan(values)
    top = np.max(np.where(valid & ~nan, values, -np.inf), axis=-1, keepdims=True)
    first = np.argmax(valid & (values == top), axis=-1)
    last_nan = values.shape[-1] - 1 - np.argmax(nan[..., ::-1], axis=-1)
    return np.where(nan.any(axis=-1), last_nan, first)


def check_input(input, nd, name):
    """The input as a float array of shape (N, C, *spatial) or (C, *spatial), checked for a student."""
    x = check_numbers(input, name)
    layout = "(N, C, L) or (C, L)" if nd == 1 else "(N, C, H, W) or (C, H, W)"
    if x.ndim not in (nd + 1, nd + 2):
        raise ValueError(f"{name} expects input of shape {layout}; got shape {x.shape}.")
    if 0 in x.shape:
        raise ValueError(f"{name} got an empty input (shape {x.shape}): every size must be at least 1.")
    return x.astype(np.result_type(x.dtype, np.float32), copy=False)


def lift(x, nd):
    """(C, *spatial) or (N, C, *spatial) -> (N, C, H, W): a batch axis, and height 1 for 1D."""
    x = x if x.ndim == nd + 2 else x[None]
    return x if nd == 2 else x[:, :, None]


def _prepare(input, kernel_size, stride, padding, dilation, ceil_mode, name, nd):
    """Check the arguments like PyTorch (with messages a student can act on); return x as (N, C, H, W)
    and the arguments per axis (a 1D input is lifted to height 1: k = (1, k), p = (0, p), ...)."""
    x, ceil_mode = check_input(input, nd, name), check_flag(ceil_mode, "ceil_mode")
    k = positive(kernel_size, nd, "kernel_size")
    no_stride = stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0)
    s = k if no_stride else positive(stride, nd, "stride")
    d = positive(dilation, nd, "dilation")
    p = non_negative(padding, nd, "padding")
    for q, kk in zip(p, k):
        if q > kk // 2:
            raise ValueError(f"Padding {q} is more than half the kernel size {kk}: pooling allows at most "
                             f"{kk // 2} (as in PyTorch), so that every window overlaps the input.")
    size = x.shape[-nd:]
    try:
        out = tuple(pool_output_size(i, kk, ss, q, dd, ceil_mode) for i, kk, ss, q, dd in zip(size, k, s, p, d))
    except ValueError:
        span = " x ".join(map(str, kernel_span(k, d)))
        padded = " x ".join(str(i + 2 * q) for i, q in zip(size, p))
        cells = "-cell" if nd == 1 else ""
        raise ValueError(f"The {span}{cells} window does not fit in the {padded}{cells} padded input: "
                         "use a smaller kernel, or a larger input.") from None
    check_elements((*x.shape[:-nd], *out), name, "output")
    check_work(math.prod((*x.shape[:-nd], *out, *k)), name)
    if nd == 1:
        k, s, p, d, out = (1, *k), (1, *s), (0, *p), (1, *d), (1, *out)
    return lift(x, nd), dict(kernel=k, stride=s, padding=p, dilation=d, out=out)


def _windows(x, args, fill):
    """Every pooling window: (N, C, H, W) -> (N, C, H_out, W_out, k_h, k_w), cells outside filled.

    The input is padded by p before and by whatever the last window needs after (more than p with
    ceil_mode, cropped when the floor leaves cells unreached).
    """
    k, s, d, out = args["kernel"], args["stride"], args["dilation"], args["out"]
    span = kernel_span(k, d)
    needed = [(o - 1) * ss + e for o, ss, e in zip(out, s, span)]  # padded length the windows cover
    widths = [(0, 0), (0, 0)] + [(p, max(n - size - p, 0)) for n, size, p in zip(needed, x.shape[2:], args["padding"])]
    xp = np.pad(x, widths, constant_values=fill)[:, :, :needed[0], :needed[1]]
    windows = np.lib.stride_tricks.sliding_window_view(xp, span, axis=(2, 3))  # (N, C, rows, cols, *span)
    return windows[:, :, ::s[0], ::s[1], ::d[0], ::d[1]]


def restore(y, input, nd):
    """Back to the caller's layout: drop the height-1 axis of a 1D input, and the batch axis if it had none."""
    y = y if nd == 2 else y[:, :, 0]
    return y if np.ndim(input) == nd + 2 else y[0]


