"""Lesson: network arithmetic: shapes, parameters, multiply-adds, activations and receptive fields of real CNNs."""
import streamlit as st

from engine.nets.architectures import NETWORKS
from pages.architectures.views import (any_input_size, families, flop_convention, layer_table,
                                       lecture_comparisons, network_code_section, report_at, short, totals, where_it_goes)
from pages.shell.lesson_page import LessonPage

BY_TITLE = {short(name): name for name in NETWORKS}  # the select box (and the URL) shows "VGG-16"
SIDES = ("16", "32", "64", "128", "224", "320", "448", "512")

page = LessonPage("architectures")
with page.controls():
    page.presets()
    left, right = st.columns(2)


@st.fragment
def network_sections():
    """The network and the second input size (in the controls' columns) and every section that uses them: a
    control reruns this, not the lecture's comparisons or the closing sections."""
    with left:
        name = BY_TITLE[page.choice("Network", list(BY_TITLE), "na_net", default="VGG-16", horizontal=False)]
    with right:
        side = int(page.choice("A second input size, height = width (for “Any input size”)", SIDES, "na_side",
                               default="320", horizontal=False))
    report = report_at(name)

    st.subheader("The network, layer by layer")
    totals(report)
    layer_table(name)

    st.subheader("Where the parameters, the compute and the memory go")
    where_it_goes(page, name, report)

    st.subheader("Families compared")
    families(page, name)

    st.subheader("Any input size: global pooling")
    any_input_size(name, side)

    st.subheader("Counting it in PyTorch")
    flop_convention(name, report)
    network_code_section(page, name)


network_sections()
st.subheader("Two 3×3 or one 5×5, and the bottleneck")
lecture_comparisons()
st.subheader("Residual connections")
page.section("Residual connections")
page.finish()
