"""Lesson: cross-correlation vs convolution, in 1D and 2D, on grids and on a photo."""
import numpy as np
import streamlit as st

from engine.data.kernels import KERNELS_1D, KERNELS_2D
from engine.pytorch_code import conv_code
from pages.cross_correlation.views import commutativity, kernel_buttons, photo_comparison, size_text
from pages.shell.figures import show_grids
from pages.shell.lesson_page import LessonPage
from pages.shell.stepping import formula, play_animation, step_through, cached_trace

page = LessonPage("cross_correlation")
with page.controls():
    page.presets()
    left, right = st.columns(2)


@st.fragment
def flip_steps_code_and_photo():
    """The operation, padding, X and K (in the controls' columns) and every section that uses them: a control
    reruns this, not the closing sections (presets and demo steps rerun the page)."""
    with left:
        nd = 1 if page.choice("Dimension", ["2D", "1D"], "xc_dim") == "1D" else 2
        flip = page.choice("Operation", ["Cross-correlation", "Convolution"], "xc_op") == "Convolution"
        padding = page.choice("Padding", ["valid", "same", "full"], "xc_pad")
        suffix = "" if nd == 2 else "1"
        x = page.matrix("Input X", f"xc_x{suffix}", "0 80 40; 20 40 0; 0 0 40" if nd == 2 else "0 1 2 3 5 8 13",
                        max_rows=12 if nd == 2 else 1, max_cols=12 if nd == 2 else 16)
    with right:
        kernel_buttons(f"xc_k{suffix}", KERNELS_2D if nd == 2 else KERNELS_1D)
        k = page.matrix("Kernel K", f"xc_k{suffix}", "0 0.25; 0.5 1" if nd == 2 else "1 0 -1",
                        max_rows=7 if nd == 2 else 1, max_cols=7)
    x, k = (x, k) if nd == 2 else (x[0], k[0])

    with page.stop_on_error_in_fragment():  # guard: an input smaller than the kernel has no valid position
        corr_out = cached_trace(dict(input=x, kernel=k, padding=padding, flip=False)).output
        conv_out = cached_trace(dict(input=x, kernel=k, padding=padding, flip=True)).output

    st.subheader("The flip, shown")
    show_grids([("Kernel K as stored", k, True), ("K flipped (rotated 180°)", np.flip(k), True),
                ("Cross-correlation", corr_out, False), ("Convolution", conv_out, False)],
               key="xc_flip_fig", alt="Kernel as stored, kernel flipped, and the two results side by side.",
         caption=f"The {size_text(k.shape)} kernel K as stored and rotated by 180°; with '{padding}' padding "
                 f"cross-correlation and convolution each give a {size_text(corr_out.shape)} output, "
                 + ("the same here." if np.allclose(corr_out, conv_out) else "different here."))
    commutativity(page, x, k, nd)

    conv = dict(input=x, kernel=k, padding=padding, flip=flip)
    st.subheader("Step by step")
    formula(conv)
    step = step_through(page, conv, "xc_step")
    st.subheader("Watch it play")
    play_animation(page, conv, "xc_anim", start=step)

    st.subheader("In PyTorch")
    st.code(conv_code(x, k, flip=flip, padding=padding), language="python")

    st.subheader("On a real photo")
    photo_comparison(k if nd == 2 else np.outer([1.0], k), page)


flip_steps_code_and_photo()
page.finish()
