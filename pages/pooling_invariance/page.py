"""Lesson: pooling step by step, un-pooling, and what shifts, rotations and distortions do to trained networks."""
import streamlit as st

from engine import trace_pool
from engine.pytorch_code import pool_code
from pages.pooling_invariance.invariance_views import (accuracy_under_shift, choose_digit_and_net, lecture_claim,
                                                       networks_intro, shifted)
from pages.pooling_invariance.pooling_views import output_size, play_animation, step_through, unpooling
from pages.pooling_invariance.robustness_views import accuracy_under_rotation, transformations
from pages.shell.lesson_page import LessonPage

page = LessonPage("pooling_invariance")
with page.controls():
    page.presets()
    left, right = st.columns(2)


@st.fragment
def pooling_steps_and_unpooling():
    """The pooling settings and X (in the controls' columns) and the sections that use them: a control
    reruns this, not the trained networks below or the closing sections (presets and demo steps rerun the page)."""
    with left:
        mode = "max" if page.choice("Pooling", ["Max", "Average"], "pl_mode") == "Max" else "avg"
        x = page.matrix("Input X (one feature map)", "pl_x", "1 1 2 4; 5 6 7 8; 3 2 1 0; 1 2 3 4", max_rows=8,
                        max_cols=8)
    with right:
        k = page.int_slider("Window k", 1, 4, "pl_k", default=2)
        s = page.int_slider("Stride s", 1, 4, "pl_s", default=2)
        p = page.int_slider("Padding p", 0, 2, "pl_p", help="At most half the window (as in PyTorch).")
        ceil_mode = page.choice("Rounding of the output size", ["Floor", "Ceil"], "pl_ceil") == "Ceil"

    pool = dict(input=x, kernel_size=k, stride=s, padding=p, mode=mode, ceil_mode=ceil_mode)
    try:  # guard: a window larger than the padded input, or padding over half the window
        trace = trace_pool(**pool)
    except ValueError as err:
        st.error(f"{err}", icon=":material/error:")
    else:
        st.subheader("Output size")
        output_size(trace)
        st.subheader("Step by step")
        step = step_through(page, pool, "pl_step")
        with page.folded("Watch it play", "pl_anim_open", icon=":material/play_circle:") as shown:
            if shown:  # built and sent only while open
                play_animation(page, pool, "pl_anim", start=step)
        st.subheader("Un-pooling: the switches remember where each maximum was")
        unpooling(pool)
        st.subheader("In PyTorch")
        st.code(pool_code(x, k, s, p, ceil_mode, mode), language="python")


@st.fragment
def trained_networks():
    """The digit and the network (chosen here) and every section that uses them: a new digit or network reruns
    this, not the pooling steps above or the closing sections; the shift and the rotation sliders rerun their
    own sections only."""
    digit, net = choose_digit_and_net(page, "pl")
    shifted(page, digit, net)
    st.markdown("**The lecture's claim**, *both images give the same feature map after pooling*, on a 2×2 max pool:")
    lecture_claim(page, digit)
    accuracy_under_shift(page)
    st.subheader("Rotation, scale, distortion: invariances CNNs do not have")
    transformations(page, net, digit)
    accuracy_under_rotation(page)


pooling_steps_and_unpooling()
st.header("Trained networks and a real digit")
networks_intro()
trained_networks()
page.finish()
