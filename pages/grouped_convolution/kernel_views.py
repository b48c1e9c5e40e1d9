"""Views of the grouped-convolution lesson about one kernel: spatially separable kernels (SVD, a photo filtered
both ways, the cost) and convolution as a matrix C with each row linked to its output cell."""
from __future__ import annotations

import numpy as np
import streamlit as st

import engine
from engine.data.photos import PHOTOS, photo
from engine.figures.separable_figures import compared_images_figure, matrix_row_view, singular_values_figure
from engine.lessons.question_text import bmatrix
from engine.ops.conv_matrix import conv_matrix
from engine.ops.separable_kernel import (RANK_TOLERANCE, kernel_rank, rank1_approximation, rank1_factors,
                                         separable_correlate, separable_count, singular_values)
from engine.pytorch_code import conv_matrix_code, separable_kernel_code
from pages.shell.figures import show, spec

SOBEL = "1 0 -1; 2 0 -2; 1 0 -1"


def _photo_figure(label, kernel, font_size):
    """The photo correlated with K, with its rank-1 factors (column then row), and the difference of the two."""
    image = photo(label)
    column, row = rank1_factors(kernel)
    full = engine.correlate2d(image, kernel)
    two_pass = separable_correlate(image, column, row)
    difference = full - two_pass
    figure = compared_images_figure([("2-D kernel K", full), ("column, then row", two_pass)],
                                    ("difference (own scale)", difference), height=330, font_size=font_size)
    return {**figure, "meta": {"max_difference": float(np.abs(difference).max()),
                                    "largest": float(np.abs(full).max()), "shape": list(image.shape)}}


@st.fragment
def separable_kernels(page):
    """SVD of K, its rank-1 factors, a photo filtered by K and by column-then-row, and the two costs."""
    left, right = st.columns(2)
    with left:
        kernel = page.matrix("Kernel K", "gc_sk", SOBEL, max_rows=7, max_cols=7)
    with right:
        label = page.choice("Photo", list(PHOTOS), "gc_photo", horizontal=False, default="Cameraman")
    s = singular_values(kernel)
    rank = kernel_rank(kernel)
    column, row = rank1_factors(kernel)
    if rank == 0:
        st.info("K is all zeros: every output is 0, and there is nothing to factor.", icon=":material/info:")
        return
    if rank == 1:
        st.latex(rf"K = {bmatrix(kernel)} = {bmatrix(column[:, None])} {bmatrix(row[None, :])}")
        st.markdown(f"K has **rank 1**: one singular value is not zero, so K is the outer product of a column "
                    f"({len(column)} numbers) and a row ({len(row)} numbers). Correlating with K is correlating with "
                    "the column and then with the row.")
    else:
        kept = s[0] ** 2 / np.sum(s ** 2)
        approx = rank1_approximation(kernel)
        st.latex(rf"K = {bmatrix(kernel)} \approx s_1 u_1 v_1^T = {bmatrix(np.round(column, 3)[:, None])} "
                 rf"{bmatrix(np.round(row, 3)[None, :])} = {bmatrix(np.round(approx, 3))}")
        st.markdown(f"K has **rank {rank}**: {rank} singular values are not zero, so no column times row equals K. "
                    f"The best one (the rank-1 approximation s₁u₁v₁ᵀ, rounded to 3 decimals above) keeps "
                    f"s₁² / Σ s² = {kept:.1%} of the sum of K's squared entries; the photo below shows what the rest does.")
    with st.expander("The whole SVD: K = U · diag(s) · Vᵀ", icon=":material/functions:"):
        u, _, vt = np.linalg.svd(kernel)
        st.latex(rf"U = {bmatrix(np.round(u, 3))},\quad s = {bmatrix(np.round(s, 3)[None, :])},\quad "
                 rf"V^T = {bmatrix(np.round(vt, 3))}")
        st.caption("Rounded to 3 decimals. U and V are orthogonal; K = Σ s_r u_r v_rᵀ, one term per singular value. "
                   "Signs of a pair u_r, v_r can flip together.")
    show(spec(singular_values_figure, s, font_size=page.font_size), key="gc_svd_fig",
         alt="The singular values of K as bars.",
         caption=f"The {len(s)} singular values of the {kernel.shape[0]} × {kernel.shape[1]} kernel: "
                 + ", ".join(f"{v:.4g}" for v in s) + f". Rank {rank}: the ones above {RANK_TOLERANCE:g}·s₁ "
                 "(rounding leaves the others tiny rather than exactly 0).")
    with page.stop_on_error_in_fragment():  # a kernel larger than the photo
        figure = spec(_photo_figure, label, kernel, page.font_size)
    meta = figure["meta"]
    what = "the same image" if rank == 1 else "a different image: the difference is what the rank-1 approximation loses"
    show(figure, key="gc_photo_fig", alt="The photo correlated with K, with its column then its row, and the difference.",
         caption=f"{label} ({meta['shape'][0]} × {meta['shape'][1]}), valid positions. The two paths give {what}. "
                 f"Largest absolute difference: {meta['max_difference']:.2e} (the largest output is "
                 f"{meta['largest']:.3g}).")
    count = separable_count(meta["shape"], kernel.shape)
    (big_m, big_n), (m, n) = count.image, count.kernel
    st.markdown(f"Cost on this {big_m} × {big_n} photo with the {m} × {n} kernel: the 2-D kernel does "
                f"(M − m + 1)(N − n + 1)·mn = **{count.full:,}** multiply-adds, O(MN·mn); the column then the row do "
                f"{count.column_pass:,} + {count.row_pass:,} = **{count.separable:,}**, O(MN·(m + n)): "
                f"{count.speedup:.2f} times fewer.")
    st.code(separable_kernel_code(kernel), language="python")


@st.fragment
def convolution_matrix(page):
    """C for a small input and kernel: y = C · flatten(X), a stepper over C's rows (output cells)."""
    left, right = st.columns(2)
    with left:
        x = page.matrix("Input X", "gc_x", "1 2 3 0; 0 1 2 3; 3 0 1 2; 2 3 0 1", max_rows=5, max_cols=5)
    with right:
        kernel = page.matrix("Kernel K", "gc_mk", "1 0; 2 -1", max_rows=3, max_cols=3)
        stride = page.int_slider("Stride s", 1, 2, "gc_s")
        padding = page.int_slider("Padding p", 0, 1, "gc_p")
    with page.stop_on_error_in_fragment():  # a kernel that does not fit the padded input
        output = engine.correlate2d(x, kernel, stride=stride, padding=padding)
    C = conv_matrix(x.shape, kernel, stride, padding)
    taps = conv_matrix(x.shape, np.arange(1, kernel.size + 1).reshape(kernel.shape), stride, padding).astype(int)
    page.stepper(C.shape[0], "gc_rowstep", label="Row of C", shortcuts=False,
                 views=(matrix_row_view, x, kernel, C, taps, output))
    per_row = np.count_nonzero(taps, axis=1)
    same = np.allclose(C @ x.ravel(), output.ravel())
    padded = (f"Rows whose window reaches into the padding drop those weights ({per_row.min()} to {per_row.max()} "
              "per row here). " if per_row.min() < kernel.size else "")
    st.markdown(f"C is {C.shape[0]} × {C.shape[1]} (output cells × input cells) and {1 - np.count_nonzero(taps) / C.size:.0%} "
                f"of its entries are never a weight (grey): a row holds the {kernel.size} kernel weights (one colour "
                "each), the same in every row, shifted along: a banded matrix with shared weights. " + padded
                + f"C · flatten(X) {'equals' if same else 'differs from'} the output computed by the engine. The "
                "transposed-convolution lesson uses Cᵀ.")
    st.code(conv_matrix_code(x, kernel, stride, padding), language="python")
