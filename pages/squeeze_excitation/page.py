"""Lesson: squeeze-and-excitation on a trained digit network, step by step; gates, ablation, and cost."""
import streamlit as st

from engine.nets.digit_nets import SE_BY_REDUCTION
from pages.shell.lesson_page import LessonPage
from pages.squeeze_excitation.views import ablation, cost_calculator, gates_per_input_and_class, step_through

page = LessonPage("squeeze_excitation")
with page.controls():
    page.presets()
    left, mid, right = st.columns(3)


@st.fragment
def block_gates_and_ablation():
    """The digit, block and reduction ratio (in the controls' columns) and the sections that use them: a
    control reruns this, not the cost calculator or the closing sections (presets and demo steps rerun the
    page)."""
    with left:
        digit = int(page.choice("Handwritten digit", [str(d) for d in range(10)], "se_digit", default="3",
                                horizontal=False))
    with mid:
        block = int(page.choice("SE block", ["1", "2"], "se_block",
                                help="Block 1 follows the first convolution (16 channels), block 2 the second (32)."))
    with right:
        r = int(page.choice("Reduction ratio r", [str(r) for r in SE_BY_REDUCTION], "se_r", default="4",
                            help="One trained network per r: the excitation network has C/r hidden units."))
    net = SE_BY_REDUCTION[r]

    st.subheader("Step through the block")
    step_through(page, net, digit, block)

    st.subheader("Gates for this digit, and for every class")
    gates_per_input_and_class(page, net, digit, block)

    st.subheader("Ablation: close or open one gate")
    ablation(page, net, digit, block)


block_gates_and_ablation()
st.subheader("What SE costs in a ResNet bottleneck block")
cost_calculator(page)
page.finish()
