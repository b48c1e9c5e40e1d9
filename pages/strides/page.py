"""Lesson: strides, the floor in the output size, and downsampling by stride or pooling."""
import streamlit as st

from engine.pytorch_code import conv_code
from pages.shell.lesson_page import LessonPage
from pages.shell.stepping import cached_trace, formula, play_animation, step_through
from pages.strides.views import (is_known_example, known_example_check, output_size, photo_downsampling,
                                 same_output_size, unreached_cells)

page = LessonPage("strides")
with page.controls():
    page.presets()
    left, right = st.columns(2)


@st.fragment
def output_size_steps_and_code():
    """X, K, the strides and the padding (in the controls' columns) and every section that uses them: a
    control reruns this, not the photo or the closing sections (presets and demo steps rerun the page)."""
    with left:
        x = page.matrix("Input X", "sd_x", "2 2 3 3 3; 0 1 3 0 3; 2 3 0 1 3; 3 3 2 1 2; 3 3 0 2 3")
    with right:
        k = page.matrix("Kernel K (its size is k)", "sd_k", "2 0 1; 1 0 0; 0 1 1", max_rows=7, max_cols=7)
        s_h = page.int_slider("Stride s_h (rows)", 1, 5, "sd_sh", default=2)
        s_w = page.int_slider("Stride s_w (columns)", 1, 5, "sd_sw", default=2)
        p = page.int_slider("Zero padding p", 0, 3, "sd_p", default=1)

    conv = dict(input=x, kernel=k, stride=(s_h, s_w), padding=p)
    with page.stop_on_error_in_fragment():  # guard: a kernel larger than the padded input has no position
        output = cached_trace(conv).output
        unreached = unreached_cells(x.shape, k.shape, (s_h, s_w), p)

    st.subheader("The output size, and what the floor drops")
    output_size(x, k, (s_h, s_w), p, unreached)

    st.subheader("Step by step")
    formula(conv)
    step = step_through(page, conv, "sd_step", unreached=unreached)
    if is_known_example(x, k, (s_h, s_w), p):
        known_example_check(output)
    with page.folded("Watch it play", "sd_anim_open", icon=":material/play_circle:") as shown:
        if shown:  # built and sent only while open
            play_animation(page, conv, "sd_anim", start=step)

    st.subheader("Different inputs, same output size")
    same_output_size(x.shape[0], k.shape[0], s_h, p)

    st.subheader("In PyTorch")
    st.code(conv_code(x, k, padding=p, stride=s_h if s_h == s_w else (s_h, s_w)), language="python")


output_size_steps_and_code()
st.subheader("Downsampling a photo: stride or pooling")
photo_downsampling(page)
page.finish()
