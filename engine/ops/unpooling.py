"""Max unpooling in numpy, mirroring `torch.nn.functional.max_unpool1d/2d`: the partial inverse of max pooling.

Max pooling remembers where each max came from (the "switches", `return_indices=True`); unpooling
puts every pooled value back at that place and fills every other cell with 0:
    y.flat[indices[c, i, j]] = x[c, i, j]   over each channel's H_out x W_out plane, 0 elsewhere.
Where overlapping windows chose the same cell the value is the same, so the order does not matter.
Unlike PyTorch, which returns an empty array when a size comes out 0, an output of no cells is refused.
"""
from __future__ import annotations

import numpy as np

from engine.ops.checks import check_elements, non_negative, positive, whole_number
from engine.ops.pooling import check_input, lift, restore


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """1D max unpooling like `torch.nn.functional.max_unpool1d`.

    Args: indices: from max_pool1d(..., return_indices=True); kernel_size, stride (default:
        kernel_size), padding: those of the max pooling; output_size: the length to rebuild.
    Shape: (N, C, L_in) or (C, L_in) -> (N, C, L_out), L_out = (L_in - 1) * s - 2p + k
        or output_size (which may differ from it by less than s).
    Example: max_unpool1d(np.array([[5., 2.]]), np.array([[1, 2]]), 2) -> [[0., 5., 2., 0.]]
    """
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, "max_unpool1d", 1)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """2D max unpooling like `torch.nn.functional.max_unpool2d`.

    Args: indices: flat indices r * W_out + c, from max_pool2d(..., return_indices=True);
        kernel_size, stride (default: kernel_size), padding: int or (h, w), those of the pooling;
        output_size: (H_out, W_out) or (N, C, H_out, W_out), e.g. the pooled input's shape.
    Shape: (N, C, H_in, W_in) or (C, H_in, W_in) -> (N, C, H_out, W_out),
        H_out = (H_in - 1) * s - 2p + k, or output_size (which may differ from it by less than s).
    Example: x = np.arange(16.).reshape(1, 4, 4); y, i = max_pool2d(x, 2, return_indices=True)
        max_unpool2d(y, i, 2) -> the 4 x 4 plane with 5, 7, 13, 15 in place and 0 elsewhere.
    """
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, "max_unpool2d", 2)


def _max_unpool(input, indices, kernel_size, stride, padding, output_size, name, nd):
    x = check_input(input, nd, name)
    where = np.asarray(indices)
    if where.shape != x.shape:
        raise ValueError(f"{name} needs indices of the same shape as the input ({x.shape}); got {where.shape}. "
                         "Pass the indices the max pooling returned with its values.")
    if not np.issubdtype(where.dtype, np.integer):
        raise ValueError(f"{name} needs whole-number indices (int64, as max pooling returns them with "
                         f"return_indices=True); got an array of {where.dtype}.")
    size = unpool_output_size(x.shape[-nd:], kernel_size, stride, padding, output_size, name)
    check_elements((*x.shape[:-nd], *size), name, "output")
    plane = int(np.prod(size))
    bad = where[(where < 0) | (where >= plane)]
    if bad.size:
        raise ValueError(f"An index {int(bad.flat[0])} points outside the {' x '.join(map(str, size))} output "
                         f"(indices run from 0 to {plane - 1}): pass the indices returned by the max pooling "
                         "of this input, and its size as output_size.")
    x, where = lift(x, nd), lift(where, nd)
    n, c = x.shape[:2]
    out = np.zeros((n, c, plane), dtype=x.dtype)
    np.put_along_axis(out, where.reshape(n, c, -1), x.reshape(n, c, -1), axis=-1)
    return restore(out.reshape(n, c, *((1, *size) if nd == 1 else size)), input, nd)


def unpool_output_size(size, kernel_size, stride=None, padding=0, output_size=None, name="max_unpool2d"):
    """Output size of max unpooling: (i - 1) * s - 2p + k per axis, or output_size checked against it
    (PyTorch accepts sizes strictly within s of the default, the sizes a pooling could have started from)."""
    nd = len(size)
    k = positive(kernel_size, nd, "kernel_size")
    s = k if stride is None else positive(stride, nd, "stride")
    p = non_negative(padding, nd, "padding")
    default = tuple((i - 1) * ss - 2 * q + kk for i, ss, q, kk in zip(size, s, p, k))
    if output_size is None:
        out = default
    else:
        wanted = (output_size,) if np.ndim(output_size) == 0 else tuple(output_size)
        if len(wanted) == nd + 2:
            wanted = wanted[2:]
        if len(wanted) != nd:
            raise ValueError(f"{name}'s output_size has {nd} or {nd + 2} numbers (the last {nd} are used); "
                             f"got {len(wanted)}.")
        for axis, (o, dflt, ss) in enumerate(zip(wanted, default, s)):
            if whole_number(o) is None or not dflt - ss < o < dflt + ss:
                raise ValueError(f"output_size ({', '.join(map(str, wanted))}) is not possible on axis {axis}: "
                                 f"with this kernel, stride and padding it must be from {dflt - ss + 1} to "
                                 f"{dflt + ss - 1} (default {dflt}).")
        out = tuple(whole_number(o) for o in wanted)
    if any(o < 1 for o in out):
        raise ValueError(f"The unpooled output would be {' x '.join(map(str, out))} cells: every size must be at "
                         "least 1; check the kernel_size, stride and padding (those of the max pooling).")
    return out
