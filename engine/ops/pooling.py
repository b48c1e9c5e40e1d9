"""Pooling layers in numpy, mirroring `torch.nn.functional.max_pool2d / avg_pool2d`.

A window of k_h x k_w cells slides with stride s over the input padded by p on each side:
    max:     y[c, i, j] = max_{m, n} x[c, s*i + d*m - p, s*j + d*n - p]   (padding counts as -inf)
    average: y[c, i, j] = sum_{m, n} x[c, s*i + m - p, s*j + n - p] / (cells counted)
Pooling has no parameters. As in PyTorch, p <= k / 2 (every window overlaps the input), and with
ceil_mode=True the size rounds up, but a last window that would start in the right padding is dropped.
"""
from __future__ import annotations

import numpy as np

from engine.ops.conv import _positive
from engine.ops.padding import _per_axis


def pool_output_size(i, k, s=None, p=0, d=1, ceil_mode=False):
    """o = floor((i + 2p - d(k - 1) - 1) / s) + 1, or ceil(...) + 1 with ceil_mode (s defaults to k).

    With ceil_mode, a last window starting at or past i + p (only padding under it) is not counted.
    """
    s = k if s is None else s
    span = d * (k - 1) + 1
    o = (i + 2 * p - span + ((s - 1) if ceil_mode else 0)) // s + 1
    if ceil_mode and (o - 1) * s >= i + p:
        o -= 1
    return o


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """2D max pooling like `torch.nn.functional.max_pool2d`.

    Args: kernel_size, stride (default: kernel_size), padding, dilation: int or (h, w);
        ceil_mode: round the output size up instead of down.
    Shape: (N, C, H, W) or (C, H, W) -> (N, C, H_out, W_out),
        H_out = floor((H + 2p - d(k - 1) - 1) / s) + 1.
    Example: max_pool2d(np.arange(16.).reshape(1, 4, 4), 2) -> [[[5., 7.], [13., 15.]]]
    """
    x, args = _prepare(input, kernel_size, stride, padding, dilation, ceil_mode, "max_pool2d")
    windows = _windows(x, args, fill=-np.inf)  # (N, C, H_out, W_out, k_h, k_w)
    return _restore(windows.max(axis=(-2, -1)), input)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """2D average pooling like `torch.nn.functional.avg_pool2d`.

    Args: kernel_size, stride (default: kernel_size), padding: int or (h, w); ceil_mode: round the
        output size up; count_include_pad: padding zeros count in the divisor (cells past the
        padding, reached only with ceil_mode, never do); divisor_override: divide by this instead.
    Shape: (N, C, H, W) or (C, H, W) -> (N, C, H_out, W_out), H_out = floor((H + 2p - k) / s) + 1.
    Example: avg_pool2d(np.arange(16.).reshape(1, 4, 4), 2) -> [[[2.5, 4.5], [10.5, 12.5]]]
    """
    x, args = _prepare(input, kernel_size, stride, padding, 1, ceil_mode, "avg_pool2d")
    if divisor_override is not None and (int(divisor_override) != divisor_override or divisor_override == 0):
        raise ValueError(f"divisor_override must be a non-zero whole number, got {divisor_override}.")
    sums = _windows(x, args, fill=0.0).sum(axis=(-2, -1))  # (N, C, H_out, W_out)
    if divisor_override is not None:
        return _restore((sums / divisor_override).astype(x.dtype, copy=False), input)
    (p_h, p_w), (h, w) = args["padding"], x.shape[2:]
    counted = np.ones((h + 2 * p_h, w + 2 * p_w))  # cells that count, over the padded input
    if not count_include_pad:
        counted[:p_h], counted[h + p_h:], counted[:, :p_w], counted[:, w + p_w:] = 0, 0, 0, 0
    divisor = _windows(counted[None, None], {**args, "padding": (0, 0)}, fill=0.0).sum(axis=(-2, -1))
    return _restore((sums / divisor).astype(x.dtype, copy=False), input)


def _prepare(input, kernel_size, stride, padding, dilation, ceil_mode, name):
    """Check the arguments like PyTorch (with messages a student can act on); return x as (N, C, H, W)."""
    x = np.asarray(input)
    if x.ndim not in (3, 4):
        raise ValueError(f"{name} expects input of shape (N, C, H, W) or (C, H, W); got shape {x.shape}.")
    if 0 in x.shape:
        raise ValueError(f"{name} got an empty input (shape {x.shape}): every size must be at least 1.")
    if not (np.issubdtype(x.dtype, np.number) or x.dtype == bool):
        raise ValueError(f"{name} needs numbers, got an array of {x.dtype}.")
    x = x.astype(np.result_type(x.dtype, np.float32), copy=False)
    k = _positive(kernel_size, 2, "kernel_size")
    s = k if stride is None or (not np.isscalar(stride) and len(stride) == 0) else _positive(stride, 2, "stride")
    d = _positive(dilation, 2, "dilation")
    p = _per_axis(padding, 2, "padding")
    if any(not np.isscalar(q) or int(q) != q or q < 0 for q in p):
        raise ValueError(f"padding must be a whole number of at least 0 (or one per axis), got {padding}.")
    p = tuple(int(q) for q in p)
    for q, kk in zip(p, k):
        if q > kk // 2:
            raise ValueError(f"Padding {q} is more than half the kernel size {kk}: pooling allows at most "
                             f"{kk // 2} (as in PyTorch), so that every window overlaps the input.")
    size = x.shape[-2:]
    out = tuple(pool_output_size(i, kk, ss, q, dd, ceil_mode) for i, kk, ss, q, dd in zip(size, k, s, p, d))
    if any(o < 1 for o in out):
        span = [dd * (kk - 1) + 1 for kk, dd in zip(k, d)]
        raise ValueError(f"The {' x '.join(map(str, span))} window does not fit in the "
                         f"{' x '.join(str(i + 2 * q) for i, q in zip(size, p))} padded input: "
                         "use a smaller kernel, or a larger input.")
    x = x if x.ndim == 4 else x[None]
    return x, dict(kernel=k, stride=s, padding=p, dilation=d, out=out)


def _windows(x, args, fill):
    """Every pooling window: (N, C, H, W) -> (N, C, H_out, W_out, k_h, k_w), cells outside filled.

    The input is padded by p before and by whatever the last window needs after (more than p with
    ceil_mode, cropped when the floor leaves cells unreached).
    """
    k, s, d, out = args["kernel"], args["stride"], args["dilation"], args["out"]
    span = [dd * (kk - 1) + 1 for kk, dd in zip(k, d)]
    needed = [(o - 1) * ss + e for o, ss, e in zip(out, s, span)]  # padded length the windows cover
    widths = [(0, 0), (0, 0)] + [(p, max(n - size - p, 0)) for n, size, p in zip(needed, x.shape[2:], args["padding"])]
    xp = np.pad(x, widths, constant_values=fill)[:, :, :needed[0], :needed[1]]
    windows = np.lib.stride_tricks.sliding_window_view(xp, span, axis=(2, 3))  # (N, C, rows, cols, *span)
    return windows[:, :, ::s[0], ::s[1], ::d[0], ::d[1]]


def _restore(y, input):
    """Back to the caller's layout: drop the batch axis for a (C, H, W) input."""
    return y if np.ndim(input) == 4 else y[0]
