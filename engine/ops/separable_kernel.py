"""Spatially separable kernels: K (m x n) is an outer product u v^T exactly when its rank is 1.

SVD: K = sum_r s_r u_r v_r^T (s_1 >= s_2 >= ... >= 0). The best rank-1 approximation is s_1 u_1 v_1^T; it
equals K when s_2 = 0. Then correlating with K equals correlating with the column u (m x 1) and then with
the row v (1 x n): on an M x N image (valid positions) that is (M - m + 1)(N - n + 1) m n multiply-adds for
the 2-D kernel against (M - m + 1) N m + (M - m + 1)(N - n + 1) n for the two passes, O(MN mn) vs O(MN (m + n)).

    >>> column, row = rank1_factors([[1, 0, -1], [2, 0, -2], [1, 0, -1]])  # Sobel
    >>> column.round(6).tolist(), row.round(6).tolist()
    ([1.0, 2.0, 1.0], [1.0, 0.0, -1.0])
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.ops.checks import check_fits, check_numbers, check_shape
from engine.ops.conv import correlate2d

RANK_TOLERANCE = 1e-9  # singular values below this times s_1 count as zero


def _kernel(kernel):
    k = check_numbers(kernel, "separable kernel", "kernel").astype(float)
    if k.ndim != 2 or 0 in k.shape:
        raise ValueError(f"A separable kernel is a 2-D matrix with at least one entry; got shape {k.shape}.")
    if not np.isfinite(k).all():
        raise ValueError("The kernel has NaN or infinite entries: it has no singular values.")
    return k


def singular_values(kernel):
    """The singular values s_1 >= s_2 >= ... of a (m, n) kernel (min(m, n) of them)."""
    return np.linalg.svd(_kernel(kernel), compute_uv=False)


def kernel_rank(kernel):
    """How many singular values are above RANK_TOLERANCE * s_1 (0 for the zero kernel)."""
    s = singular_values(kernel)
    return 0 if s[0] == 0 else int(np.sum(s > RANK_TOLERANCE * s[0]))


def rank1_factors(kernel):
    """(column u of m, row v of n) with outer(u, v) the best rank-1 approximation s_1 u_1 v_1^T of K.

    Scaled for reading: the row's first non-zero entry is 1 and the column takes the rest, so Sobel gives
    ([1, 2, 1], [1, 0, -1]).
    """
    k = _kernel(kernel)
    u, s, vt = np.linalg.svd(k)
    column, row = u[:, 0] * s[0], vt[0]
    first = int(np.argmax(np.abs(row) > RANK_TOLERANCE * np.abs(row).max()))  # the first entry that is not 0
    scale = row[first] or 1.0
    return column * scale + 0.0, row / scale + 0.0  # + 0.0: no -0 shown


def rank1_approximation(kernel):
    """outer(*rank1_factors(K)): K itself when K has rank 1."""
    return np.outer(*rank1_factors(kernel))


def separable_correlate(image, column, row):
    """Correlate an (M, N) image with the column (m,) and then with the row (n,) (valid positions):
    equals correlate2d(image, outer(column, row))."""
    u = check_numbers(column, "separable_correlate", "column").astype(float).ravel()
    v = check_numbers(row, "separable_correlate", "row").astype(float).ravel()
    return correlate2d(correlate2d(image, u[:, None]), v[None, :])


@dataclass(frozen=True)
class SeparableCount:
    """Multiply-adds of a 2-D m x n kernel on an M x N image (valid positions) against column then row."""
    image: tuple  # (M, N)
    kernel: tuple  # (m, n)
    full: int  # (M - m + 1)(N - n + 1) m n
    column_pass: int  # (M - m + 1) N m
    row_pass: int  # (M - m + 1)(N - n + 1) n

    @property
    def separable(self):
        return self.column_pass + self.row_pass

    @property
    def speedup(self):
        return self.full / self.separable


def separable_count(image_shape, kernel_shape):
    """SeparableCount for an (M, N) image and an (m, n) kernel; ValueError if the kernel does not fit."""
    (big_m, big_n) = check_shape(image_shape, "separable_count", "image_shape", axes=(2,))
    (m, n) = check_shape(kernel_shape, "separable_count", "kernel_shape", axes=(2,))
    check_fits((big_m, big_n), (m, n), (1, 1))
    rows, cols = big_m - m + 1, big_n - n + 1
    return SeparableCount((big_m, big_n), (m, n), rows * cols * m * n, rows * big_n * m, rows * cols * n)
