"""Lesson: transposed convolution as scatter, as an equivalent convolution and as C^T; checkerboards."""
import streamlit as st

from engine.ops.conv_transpose import trace_conv_transpose
from engine.pytorch_code import conv_transpose_code
from pages.shell.lesson_page import LessonPage
from pages.transposed_convolution.scatter_views import (checkerboard, equivalent_convolution, output_padding_why,
                                                        output_size, scatter_and_matrix)
from pages.transposed_convolution.upsampler_views import trained_upsamplers

page = LessonPage("transposed_convolution")
with page.controls():
    page.presets()
    left, right = st.columns(2)


@st.fragment
def scatter_matrix_and_checkerboards():
    """X, K, the stride, padding and output_padding (in the controls' columns) and every section that uses
    them: a control reruns this, not the trained upsamplers or the closing sections (presets and demo steps rerun
    the page)."""
    with left:
        nd = 1 if page.choice("Dimension", ["2D", "1D"], "tc_dim") == "1D" else 2
        suffix = "" if nd == 2 else "1"
        x = page.matrix("Input X", f"tc_x{suffix}", "1 2; 3 4" if nd == 2 else "1 2 3 4",
                        max_rows=6 if nd == 2 else 1, max_cols=6 if nd == 2 else 8)
        k = page.matrix("Kernel K", f"tc_k{suffix}", "1 1 1; 1 1 1; 1 1 1" if nd == 2 else "1 10 100",
                        max_rows=4 if nd == 2 else 1, max_cols=4)
    with right:
        s = page.int_slider("Stride s", 1, 3, "tc_s", default=2)
        p = page.int_slider("Padding p", 0, 2, "tc_p")
        op = page.int_slider("output_padding", 0, 2, "tc_op", help="Must be smaller than the stride.")
    x, k = (x, k) if nd == 2 else (x[0], k[0])

    tc = dict(input=x, kernel=k, stride=s, padding=p, output_padding=op)
    with page.stop_on_error_in_fragment():  # guard: output_padding >= stride, or padding that crops everything away
        trace_conv_transpose(**tc)

    st.subheader("Output size")
    output_size(x, k, s, p, op)

    st.subheader("Scatter: every input cell stamps the kernel")
    scatter_and_matrix(page, tc, "tc_step")

    st.subheader("The same thing as a plain convolution")
    equivalent_convolution(page, tc, "tc_cstep")

    st.subheader("Why output_padding exists")
    output_padding_why(x, k, s, p)

    st.subheader("In PyTorch, and the backward pass of convolution")
    st.markdown("The gradient of a convolution with respect to its input is a transposed convolution with the "
                "same kernel, stride and padding. The code below computes the output above and checks this "
                "with autograd.")
    st.code(conv_transpose_code(x, k, s, p, op), language="python")

    st.subheader("Checkerboard artifacts")
    checkerboard(k.shape, s, page.font_size, "tc_cb")


scatter_matrix_and_checkerboards()
st.subheader("Trained upsamplers: does the checkerboard survive training?")
trained_upsamplers(page)
page.finish()
