"""Lesson: 1x1, grouped, depthwise and depthwise-separable convolution; separable kernels; convolution as a matrix."""
import streamlit as st

from pages.grouped_convolution.channel_views import bottleneck, channel_controls, groups, pointwise, separable
from pages.grouped_convolution.kernel_views import convolution_matrix, separable_kernels
from pages.shell.lesson_page import LessonPage

page = LessonPage("grouped_convolution")
with page.controls():
    page.presets()
    left, right = st.columns(2)


@st.fragment
def groups_and_separable():
    """C_in, C_out, G, k, H (in the controls' columns) and the two sections that use them: a control reruns
    this, not the other sections (presets and demo steps rerun the page)."""
    c_in, c_out, g, k, h = channel_controls(page, left, right)
    st.subheader("Groups: which input channels each filter sees")
    groups(page, c_in, c_out, g, k, h)
    st.subheader("Depthwise separable = depthwise, then pointwise")
    separable(page, c_in, c_out, k, h)


st.subheader("1×1 convolution: a fully connected layer at every pixel")
pointwise(page)
st.subheader("1×1 convolutions as a bottleneck")
bottleneck(page)
groups_and_separable()
st.subheader("Spatially separable kernels: rank 1")
separable_kernels(page)
st.subheader("Convolution as a matrix")
convolution_matrix(page)
page.finish()
