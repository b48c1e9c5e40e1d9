"""Views of the cross-correlation lesson that are more than one call: kernels, commutativity, photo."""
from __future__ import annotations

import numpy as np
import streamlit as st

import engine
from engine.data.matrix_text import format_matrix
from engine.data.photos import PHOTOS, photo
from engine.figures import images_figure
from engine.figures.style import fmt
from pages.shell.figures import show, show_grids, spec


def kernel_buttons(key, table):
    """A row of classic kernels; a click puts the kernel into the matrix widget `key`."""
    st.caption("Classic kernels")
    with st.container(horizontal=True):
        for name, values in table.items():
            st.button(name, key=f"{key}_{name}", on_click=_set, args=(key, format_matrix(np.array(values))))


def size_text(shape):
    """'3 × 3' for a grid, 'length-5' for a 1D signal (as the captions say it)."""
    return f"length-{shape[0]}" if len(shape) == 1 else " × ".join(map(str, shape))


def _set(key, value):
    st.session_state[key] = value


def commutativity(page, x, k, nd):
    """X * K against K * X with full padding: equal for convolution, rotated for cross-correlation (computed only
    while its expander is open)."""
    with page.folded("Is it commutative? (full padding)", "xc_comm_open", icon=":material/swap_horiz:") as shown:
        if not shown:
            return
        conv, corr = (engine.convolve2d, engine.correlate2d) if nd == 2 else (engine.convolve1d, engine.correlate1d)
        a, b = conv(x, k, padding="full"), conv(k, x, padding="full")
        c, d = corr(x, k, padding="full"), corr(k, x, padding="full")
        show_grids([("conv(X, K)", a, False), ("conv(K, X)", b, False),
                    ("corr(X, K)", c, False), ("corr(K, X)", d, False)],
                   key="xc_comm_fig", alt="Convolution and cross-correlation with input and kernel swapped.",
             caption=f"X ({' × '.join(map(str, np.shape(x)))}) and K ({' × '.join(map(str, np.shape(k)))}), full "
                     f"padding: each result is {' × '.join(map(str, a.shape))}.")
        st.markdown(f"- Convolution: swapping X and K gives **{'the same' if np.allclose(a, b) else 'a different'}** result.")
        same = np.allclose(c, d)
        rotated = np.allclose(np.flip(c), d)
        verdict = "the same result" if same else ("the result rotated by 180°" if rotated else "a different result")
        st.markdown(f"- Cross-correlation: swapping X and K gives **{verdict}**.")


def _photo_figure(label, kernel, font_size):
    """The photo, its cross-correlation and its convolution with `kernel`, their difference, and how they compare.

    meta: same ("identical", "exact negatives" or "different"), signed, largest |corr − conv| and its share of the
    largest |result| (0 when both are 0).
    """
    image = photo(label)
    padding = "same" if all(s % 2 for s in kernel.shape) else "full"
    corr = engine.correlate2d(image, kernel, padding=padding)
    conv = engine.convolve2d(image, kernel, padding=padding)
    signed = bool(min(corr.min(), conv.min()) < 0)  # red/blue only when there are negative values
    figure = images_figure([(label, image, False), ("Cross-correlation", corr, signed),
                            ("Convolution", conv, signed), ("Difference", corr - conv, True)],
                           height=330, font_size=font_size, colorbar=True)
    same = "identical" if np.allclose(corr, conv) else ("exact negatives" if np.allclose(corr, -conv) else "different")
    largest, scale = float(np.abs(corr - conv).max()), float(max(np.abs(corr).max(), np.abs(conv).max()))
    return {**figure.to_dict(), "meta": {"same": same, "signed": signed, "largest": largest,
                                         "share": largest / scale if scale else 0.0}}


@st.fragment
def photo_comparison(kernel, page):
    """The current kernel on a real photo: cross-correlation, convolution and their difference side by side (a
    fragment: the photo redraws only this)."""
    label = page.choice("Photo", list(PHOTOS), "xc_photo", horizontal=False)
    figure = spec(_photo_figure, label, np.asarray(kernel, dtype=float), page.font_size)
    meta = figure["meta"]
    colours = " Red is positive, blue negative, white zero." if meta["signed"] else " Brighter is larger."
    verdict = f"**{meta['same']}**" + (": the Difference panel is 0 everywhere" if meta["same"] == "identical" else
                                        f": they differ by up to **{fmt(meta['largest'])}** ({meta['share']:.1%} of "
                                        "the largest |value|), shown in the Difference panel (cross-correlation − "
                                        "convolution; red positive, blue negative, the bar gives the values)")
    show(figure, key="xc_photo_fig", alt="The photo, the kernel's two results and their difference side by side.",
         caption=f"{label}: for this kernel the two results are {verdict}.{colours}")
