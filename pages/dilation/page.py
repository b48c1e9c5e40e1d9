"""Lesson: dilation and receptive fields: a kernel with holes, stacks of layers, WaveNet, stride vs dilation,
the effective receptive field of a trained net.

Each group of controls and the sections that use it is a fragment: moving d redraws the kernel and the
steps, not the receptive fields, WaveNet or stride vs dilation (presets and demo steps rerun the page).
"""
import streamlit as st

from engine.figures.receptive_field_figures import dilated_kernel_figure
from engine.ops.receptive_field import layer_lengths
from engine.pytorch_code import conv_code, receptive_field_code
from pages.dilation.erf_view import effective_field_view
from pages.dilation.views import (dilated_kernel_caption, effective_size_latex, layers_from, stack_view,
                                  stride_vs_dilation, syllabus_facts, wavenet_view)
from pages.shell.figures import show, spec
from pages.shell.lesson_page import LessonPage
from pages.shell.stepping import cached_trace, formula, play_animation, step_through

X = "; ".join(" ".join(str((r * 7 + c) % 10) for c in range(7)) for r in range(7))

page = LessonPage("dilation")
with page.controls():
    page.presets()
    left, right = st.columns(2)


@st.fragment
def kernel_and_steps():
    """d, padding, K and X (left column of the controls); the kernel with holes and the step-by-step sections."""
    with left:
        d = page.int_slider("Dilation d", 1, 4, "dl_d", default=2)
        padding = page.choice("Padding", ["valid", "same"], "dl_pad")
        k = page.matrix("Kernel K", "dl_k", "1 2 3; 4 5 6; 7 8 9", max_rows=5, max_cols=5)
        x = page.matrix("Input X", "dl_x", X, max_rows=12, max_cols=12)

    st.subheader("A kernel with holes")
    show(spec(dilated_kernel_figure, k, d, font_size=page.font_size), key="dl_kernel_fig",
         alt=f"The {k.shape[0]} x {k.shape[1]} kernel, and the same weights spread with dilation {d}; the holes hold fixed zeros.",
         caption=dilated_kernel_caption(k, d))
    for size, i in sorted({(k.shape[0], x.shape[0]), (k.shape[1], x.shape[1])}):  # rows, and columns if different
        st.latex(effective_size_latex(size, d, i if padding == "valid" else None))
    conv = dict(input=x, kernel=k, padding=padding, dilation=d)
    try:  # guard: a dilated kernel larger than the input has no valid position
        cached_trace(conv)
    except ValueError as err:
        st.error(f"{err}", icon=":material/error:")
    else:
        st.subheader("Step by step")
        formula(conv)
        step = step_through(page, conv, "dl_step")
        with page.folded("Watch it play", "dl_anim_open", icon=":material/play_circle:") as shown:
            if shown:  # built and sent only while open
                play_animation(page, conv, "dl_anim", start=step)
        with st.expander("In PyTorch", icon=":material/code:"):
            st.code(conv_code(x, k, padding=padding, dilation=d), language="python")


@st.fragment
def stacks_over_the_input(layers_box, compare_box):
    """The stack and the input length (right column of the controls); the receptive field layer by layer
    (in `layers_box`) and stride vs dilation (in `compare_box`), both over that input."""
    with right:
        stack = page.matrix("Stack: one layer a row, k s p d", "dl_stack", "3 1 1 1; 3 1 2 2; 3 1 4 4",
                            max_rows=8, max_cols=5, help="One layer a row: kernel k, stride s, padding p, "
                            "dilation d, e.g. '3 1 1 1; 3 2 1 1'. Edit the text or the grid.")
        n = page.int_slider("Input length", 4, 48, "dl_n", default=24)
    with layers_box:
        try:
            layers = layers_from(stack)
            n_out = layer_lengths(layers, n)[-1]
        except ValueError as err:
            st.error(f"{err}", icon=":material/error:")
        else:
            index = page.int_slider("Output cell", 0, n_out - 1, "dl_out", default=n_out // 2)
            stack_view(layers, n, index, page.font_size)
            with st.expander("Check it in PyTorch", icon=":material/code:"):
                st.code(receptive_field_code(layers, n, index), language="python")
    with compare_box:
        stride_vs_dilation(page, n)


kernel_and_steps()
st.subheader("Receptive field, layer by layer")
layers_box = st.container()
st.subheader("WaveNet: dilations 1, 2, 4, 8, …")
wavenet_view(page)
st.subheader("Stride vs dilation")
compare_box = st.container()
stacks_over_the_input(layers_box, compare_box)
st.subheader("Theoretical vs effective receptive field")
effective_field_view(page)
st.subheader("The lecture's numbers, computed")
syllabus_facts()
page.finish()
