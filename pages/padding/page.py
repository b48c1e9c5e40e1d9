"""Lesson: padding sizes ('valid', 'same', 'full', per side) and modes (zeros, reflect, replicate, circular)."""
import streamlit as st

import engine
from engine.ops.coverage import participation_counts
from engine.pytorch_code import pad_conv_code
from pages.padding.views import count_maps, counts_title, output_size, padding_size, photo_borders, sources
from pages.shell.lesson_page import LessonPage
from pages.shell.stepping import cached_trace, formula, play_animation, step_through

page = LessonPage("padding")
with page.controls():
    page.presets()
    left, right = st.columns(2)


@st.fragment
def padded_input_steps_and_counts():
    """The padding, stride, X and K (in the controls' columns) and every section that uses them: a control
    reruns this, not the photo or the closing sections (presets and demo steps rerun the page)."""
    with left:
        padding = padding_size(page)
        mode = page.choice("Padding mode", list(engine.PADDING_MODES), "pd_mode")
        stride = page.int_slider("Stride s", 1, 3, "pd_stride")
    with right:
        x = page.matrix("Input X", "pd_x", "1 2 3 4; 5 6 7 8; 9 10 11 12; 13 14 15 16", max_rows=10, max_cols=10)
        k = page.matrix("Kernel K", "pd_k", "1 1 1; 1 1 1; 1 1 1", max_rows=5, max_cols=5)

    # guard: 'same' with a stride, reflect wider than the input, a kernel larger than the padded input
    with page.stop_on_error_in_fragment():
        trace = cached_trace(dict(input=x, kernel=k, stride=stride, padding=padding, padding_mode=mode))

    st.subheader("Where each padded value comes from")
    sources(trace)

    st.subheader("Output size")
    output_size(trace)

    conv = dict(input=x, kernel=k, stride=stride, padding=trace.pads, padding_mode=mode)
    st.subheader("Step by step")
    formula(conv)
    step = step_through(page, conv, "pd_step", unreached=participation_counts(x.shape, k.shape, stride, trace.pads) == 0)
    with page.folded("Watch it play", "pd_anim_open", icon=":material/play_circle:") as shown:
        if shown:  # built and sent only while open
            play_animation(page, conv, "pd_anim", start=step)

    st.subheader("In PyTorch")
    st.code(pad_conv_code(x, k, trace.pads, mode, stride), language="python")

    st.subheader(counts_title(trace), anchor="participation-counts")
    count_maps(trace)


padded_input_steps_and_counts()
st.subheader("Borders on a real photo")
photo_borders(page)
page.finish()
