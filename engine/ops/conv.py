"""Convolution layers in numpy, mirroring `torch.nn.functional.conv1d/conv2d`.

Deep-learning "convolution" is cross-correlation:
    y[o, i, j] = b[o] + sum_{c, m, n} w[o, c, m, n] * x[c, s*i + d*m, s*j + d*n]
over the padded input x. `convolve*` flips the kernel first (true convolution).
"""
from __future__ import annotations

import math

import numpy as np

from engine.ops.checks import (check_elements, check_fits, check_numbers, check_padding_mode, check_work, kernel_span,
                               positive, positive_int)
from engine.ops.padding import pad, resolve_padding


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1, padding_mode="zeros"):
    """1D cross-correlation like `torch.nn.functional.conv1d`.

    Shape: input (N, C_in, L) or (C_in, L); weight (C_out, C_in / groups, k); bias (C_out,)
    -> (N, C_out, L_out), L_out = floor((L + 2p - d(k - 1) - 1) / s) + 1.
    Example: conv1d(np.ones((1, 5)), np.ones((1, 1, 3))) -> [[3., 3., 3.]]
    """
    return _conv(input, weight, bias, stride, padding, dilation, groups, padding_mode, nd=1)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1, padding_mode="zeros"):
    """2D cross-correlation like `torch.nn.functional.conv2d`.

    Args: stride, padding, dilation: int or (h, w); padding also 'valid', 'same' or 'full'
        (or ((top, bottom), (left, right))); padding_mode as in `nn.Conv2d`:
        'zeros', 'reflect', 'replicate', 'circular'.
    Shape: input (N, C_in, H, W) or (C_in, H, W); weight (C_out, C_in / groups, k_h, k_w)
    -> (N, C_out, H_out, W_out), H_out = floor((H + 2p - d(k - 1) - 1) / s) + 1.
    Example (every output sums the nine ones under the kernel):
        >>> conv2d(np.ones((1, 4, 4)), np.ones((1, 1, 3, 3)))
        array([[[9., 9.],
                [9., 9.]]])
    """
    return _conv(input, weight, bias, stride, padding, dilation, groups, padding_mode, nd=2)


def correlate2d(input, kernel, stride=1, padding=0, dilation=1, padding_mode="zeros"):
    """Cross-correlation of one (H, W) image with one (k_h, k_w) kernel -> (H_out, W_out)."""
    x, k = _single_channel(input, kernel, nd=2)
    return conv2d(x[None], k[None, None], None, stride, padding, dilation, 1, padding_mode)[0]


def convolve2d(input, kernel, stride=1, padding=0, dilation=1, padding_mode="zeros"):
    """True convolution: cross-correlation with the kernel flipped on both axes.

    S(i, j) = sum_{m, n} I(m, n) K(i - m, j - n); commutative for full padding.
    """
    x, k = _single_channel(input, kernel, nd=2)
    return correlate2d(x, np.flip(k, (0, 1)), stride, padding, dilation, padding_mode)


def correlate1d(input, kernel, stride=1, padding=0, dilation=1, padding_mode="zeros"):
    """Cross-correlation of one (L,) signal with one (k,) kernel -> (L_out,)."""
    x, k = _single_channel(input, kernel, nd=1)
    return conv1d(x[None], k[None, None], None, stride, padding, dilation, 1, padding_mode)[0]


def convolve1d(input, kernel, stride=1, padding=0, dilation=1, padding_mode="zeros"):
    """True 1D convolution: y(c) = sum_k w(k) x(c - k), i.e. correlation with w reversed."""
    x, k = _single_channel(input, kernel, nd=1)
    return correlate1d(x, np.flip(k), stride, padding, dilation, padding_mode)


def dilate_kernel(weight, dilation, nd=None):
    """The dilated kernel written out: d - 1 zeros inserted between neighbouring taps of the last nd axes.

    Args: nd: how many trailing axes to dilate (default: 1 for an int dilation, else len(dilation)).
    Shape: (..., k_h, k_w) -> (..., k_eff_h, k_eff_w), k_eff = k + (k - 1)(d - 1).
    conv2d(x, w, dilation=d) == conv2d(x, dilate_kernel(w, d)): the zeros are fixed, not learned, and
    implementations skip them instead of multiplying by them.
    Example:
        >>> dilate_kernel(np.array([1, 2, 3]), 2)
        array([1, 0, 2, 0, 3])
    """
    w = np.asarray(weight)
    d = positive(dilation, nd or (1 if np.isscalar(dilation) else len(dilation)), "dilation")
    if len(d) > w.ndim:
        raise ValueError(f"{len(d)} dilations for a kernel of shape {w.shape}.")
    lead, k = w.shape[:w.ndim - len(d)], w.shape[w.ndim - len(d):]
    out = np.zeros((*lead, *[(kk - 1) * dd + 1 for kk, dd in zip(k, d)]), w.dtype)  # (..., *k_eff)
    out[(..., *[slice(None, None, dd) for dd in d])] = w
    return out


def _single_channel(input, kernel, nd):
    x, k = check_numbers(input, f"correlate{nd}d"), check_numbers(kernel, f"correlate{nd}d", "kernel")
    if x.ndim != nd or k.ndim != nd:
        raise ValueError(f"Expected a {nd}D input and a {nd}D kernel, got shapes {x.shape} and {k.shape}.")
    return x, k


def _conv(input, weight, bias, stride, padding, dilation, groups, padding_mode, nd):
    name = f"conv{nd}d"
    x, w = check_numbers(input, name), check_numbers(weight, name, "weight")
    dims = ("L",) if nd == 1 else ("H", "W")
    if x.ndim not in (nd + 1, nd + 2):
        raise ValueError(f"conv{nd}d expects input of shape (N, C, {', '.join(dims)}) or "
                         f"(C, {', '.join(dims)}); got shape {x.shape}.")
    unbatched = x.ndim == nd + 1
    if unbatched:
        x = x[None]
    if w.ndim != nd + 2:
        raise ValueError(f"conv{nd}d expects weight of shape (C_out, C_in / groups, "
                         f"{', '.join('k_' + d.lower() for d in dims)}); got shape {w.shape}.")
    dtype = np.result_type(x.dtype, w.dtype, np.float32)
    n, c_in = x.shape[:2]
    c_out, c_in_group, *k = w.shape
    if 0 in w.shape:
        raise ValueError(f"The weight has an empty axis (shape {w.shape}): every size must be at least 1.")
    groups = positive_int(groups, "groups")
    if c_in % groups or c_out % groups:
        raise ValueError(f"groups={groups} must divide both the input channels ({c_in}) "
                         f"and the output channels ({c_out}).")
    if c_in_group != c_in // groups:
        raise ValueError(f"The weight expects {c_in_group * groups} input channels "
                         f"({c_in_group} per group x {groups} groups) but the input has {c_in}.")
    stride = positive(stride, nd, "stride")
    dilation = positive(dilation, nd, "dilation")
    if isinstance(padding, str) and padding == "same" and any(s != 1 for s in stride):
        raise ValueError("padding='same' only works with stride 1 (as in PyTorch); use a number instead.")
    pads = resolve_padding(padding, k, dilation)
    check_padding_mode(padding_mode)
    padded = [size + a + b for size, (a, b) in zip(x.shape[2:], pads)]
    span = check_fits(padded, k, dilation)
    out = [(size - e) // s + 1 for size, e, s in zip(padded, span, stride)]
    check_elements((n, c_out, *out), name, "output")
    check_work(n * c_out * math.prod(out) * c_in_group * math.prod(k), name)
    torch_pad = [q for pair in reversed(pads) for q in pair]  # last axis first, as in F.pad
    xp = pad(x, torch_pad, mode="constant" if padding_mode == "zeros" else padding_mode)
    xg = xp.reshape(n, groups, c_in_group, *xp.shape[2:])  # (N, G, C_in/G, *padded)
    wg = w.reshape(groups, c_out // groups, c_in_group, *k).astype(dtype, copy=False)  # (G, C_out/G, C_in/G, *k)
    multiply = _by_taps if c_in_group == 1 else _by_matrix
    y = multiply(xg, wg, out, stride, dilation).astype(dtype, copy=False)  # (N, G, C_out/G, *out)
    y = y.reshape(n, c_out, *out)
    if bias is not None:
        b = check_numbers(bias, name, "bias").astype(dtype)
        if b.shape != (c_out,):
            raise ValueError(f"bias needs one value per output channel ({c_out}), got shape {b.shape}.")
        y += b.reshape(c_out, *([1] * nd))
    return y[0] if unbatched else y


def _by_taps(xg, wg, out, stride, dilation):
    """One kernel tap at a time: y += w[tap] * (input shifted by the tap). Fast when C_in/G == 1."""
    k = wg.shape[3:]
    y = np.zeros((xg.shape[0], *wg.shape[:2], *out), np.result_type(xg, wg))
    for tap in np.ndindex(*k):
        window = tuple(slice(t * d, t * d + s * (o - 1) + 1, s) for t, d, s, o in zip(tap, dilation, stride, out))
        y += np.einsum("ngc...,goc->ngo...", xg[(..., *window)], wg[(..., *tap)])
    return y


def _by_matrix(xg, wg, out, stride, dilation, max_cells=1 << 24):
    """All taps in one matrix product (im2col): (C_out/G, C_in/G * k) @ (C_in/G * k, positions).

    Output rows are processed in chunks so the column matrix stays under `max_cells` numbers.
    """
    n, groups, c, *size = xg.shape
    k, nd = wg.shape[3:], len(out)
    span = kernel_span(k, dilation)
    windows = np.lib.stride_tricks.sliding_window_view(xg, span, axis=tuple(range(3, 3 + nd)))
    windows = windows[(..., *[slice(None, None, s) for s in stride], *[slice(None, None, d) for d in dilation])]
    # windows: (N, G, C, *out, *k) -> columns (N, G, C * prod(k), positions)
    w_rows = wg.reshape(groups, wg.shape[1], -1)  # (G, C_out/G, C * prod(k))
    y = np.empty((n, groups, wg.shape[1], *out), np.result_type(xg, wg))
    per_row = max(1, max_cells // max(1, c * int(np.prod(k)) * int(np.prod(out[1:]))))
    for r0 in range(0, out[0], per_row):
        chunk = windows[:, :, :, r0:r0 + per_row]  # (N, G, C, rows, *out[1:], *k)
        axes = (0, 1, 2, *range(3 + nd, 3 + 2 * nd), *range(3, 3 + nd))
        cols = chunk.transpose(axes).reshape(n, groups, -1, int(np.prod(chunk.shape[3:3 + nd])))
        y[:, :, :, r0:r0 + per_row] = np.matmul(w_rows, cols).reshape(n, groups, wg.shape[1], *chunk.shape[3:3 + nd])
    return y
