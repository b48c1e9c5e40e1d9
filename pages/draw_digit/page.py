"""Lesson: draw a digit and watch a trained CNN read it: preprocessing, prediction, every layer's maps."""
import streamlit as st

from pages.draw_digit.views import (canvas, choose_net, drawing_steps, feature_maps, kernels, network_outputs,
                                    prediction, preprocessing, prompt, se_gates)
from pages.shell.lesson_page import LessonPage

page = LessonPage("draw_digit")
with page.controls():
    page.presets()
    net_box = st.container()


@st.fragment
def drawing_and_network():
    """The network (its choice, in the controls), the canvas and every section that uses them: a stroke, an example
    or another network reruns this, not the closing sections (presets and demo steps rerun the page)."""
    with net_box:
        net = choose_net(page)
    left, right = st.columns([2, 3], gap="large")
    with left:
        image = canvas(page)
    steps = None if image is None else drawing_steps(image)
    with right:
        if steps is None:  # nothing drawn yet, or everything erased
            prompt()
        else:
            probs, maps = network_outputs(net, steps.network_input)
            prediction(page, net, probs)

    if steps is not None:
        st.subheader("From your drawing to the network's input")
        preprocessing(page, steps)
        st.subheader("Feature maps: what every layer computes")
        feature_maps(page, net, maps)
        se_gates(page, net, probs, maps)
    st.subheader("The first layer's kernels")
    kernels(page, net)


drawing_and_network()
page.finish()
