"""Lesson: convolution over channels, why convolution (parameter counts), and tensor layouts."""
import streamlit as st

from pages.channels.params import tensor_layouts, why_convolution
from pages.channels.steps import channel_views, layer_trace, pytorch_code, shapes
from pages.shell.lesson_page import LessonPage

page = LessonPage("channels")
with page.controls():
    page.presets()
    left, right = st.columns(2)


@st.fragment
def layer_steps_and_code():
    """The layer's controls (in the controls' columns) and the sections they change: a control reruns this,
    not the parameter counts or the closing sections (presets and demo steps rerun the page)."""
    with left:
        c_in = page.int_slider("Input channels C_in", 1, 4, "ch_cin", default=3)
        c_out = page.int_slider("Filters = output channels C_out", 1, 4, "ch_cout", default=2)
        size = page.int_slider("Input size H = W", 3, 7, "ch_n", default=5)
        seed = page.int_slider("Numbers (seed)", 0, 99, "ch_seed", default=0)
    with right:
        k = page.int_slider("Kernel size k", 1, 5, "ch_k", default=3)
        s = page.int_slider("Stride s", 1, 3, "ch_s", default=2)
        p = page.int_slider("Zero padding p", 0, 2, "ch_p", default=1)
    settings = (c_in, c_out, size, k, s, p, seed)
    with page.stop_on_error_in_fragment():  # a kernel larger than the padded input has no position
        trace = layer_trace(*settings)

    st.subheader("Shapes")
    shapes(trace)
    st.subheader("Step by step")
    page.stepper(len(trace.steps), "ch_step", views=(channel_views, *settings))
    st.subheader("In PyTorch")
    pytorch_code(trace)


layer_steps_and_code()
st.subheader("Why convolution: counting parameters")
why_convolution(page)
st.subheader("Tensor layouts: NCHW and NHWC")
tensor_layouts()
page.finish()
