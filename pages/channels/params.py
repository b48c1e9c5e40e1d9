"""Why convolution (parameters of fully connected, locally connected and conv layers) and tensor layouts."""
from __future__ import annotations

import streamlit as st

from engine.figures.channel_figures import layout_html, parameter_curves_figure
from engine.ops.connectivity import layer_counts
from engine.pytorch_code import layout_code
from pages.shell.figures import show, spec

CURVE_SIZES = (4, 8, 16, 32, 64, 128, 256)
KERNELS = ("1", "3", "5", "7", "9", "11")
LAYOUT_SHAPE = (1, 3, 2, 2)  # N, C, H, W: small enough to list every number


def _settings(page):
    left, right = st.columns(2)
    with left:
        size = page.int_slider("Image size H = W", 4, 256, "ch_hw", default=32)
        k = int(page.choice("Kernel size k (LC and conv)", list(KERNELS), "ch_fk", default="5"))
    with right:
        c_in = page.int_slider("Input channels C_in", 1, 4, "ch_fin", default=3)
        c_out = page.int_slider("Output channels C_out", 1, 16, "ch_fout", default=3)
    return size, c_in, c_out, k


def _table(counts):
    rows = ["| Layer | Each unit sees | Weights | Biases | Parameters | Formula |", "|---|---|--:|--:|--:|---|"]
    sees = ("every input", "its own window, its own weights", "its own window, weights shared in its channel")
    rows += [f"| {c.name} | {what} | {c.weights:,} | {c.biases:,} | **{c.params:,}** | {c.formula} = {c.numbers} |"
             for c, what in zip(counts, sees)]
    return "\n".join(rows)


def _times(ratio):
    return f"{ratio:,.0f}" if ratio >= 10 else f"{ratio:.1f}"


def _comparison(fc, lc, conv, size, k):
    """How many times more parameters the fully and locally connected layers have than the convolution."""
    text = (f"The fully connected layer has about **{_times(fc.params / conv.params)} times** the parameters of the "
            f"convolution, the locally connected one about **{_times(lc.params / conv.params)} times**")
    if lc.params < fc.params:
        return text + (f": locality alone divides the count by about {_times(fc.params / lc.params)}, sharing the "
                       f"weights by another {_times(lc.params / conv.params)}.")
    return text + (f". Here the {k} × {k} window is at least as large as the {size} × {size} image, so locality "
                   "saves nothing: the locally connected layer has as many weights as the fully connected one or "
                   "more (some of its weights only ever meet padding).")


@st.fragment
def why_convolution(page):
    """Parameter counts of the three layers for the chosen image, and how they grow with the image size."""
    size, c_in, c_out, k = _settings(page)
    with page.stop_on_error_in_fragment():
        counts = layer_counts(size, size, c_in, c_out, k)
    fc, lc, conv = counts
    st.markdown(f"Input ${size} \\times {size} \\times {c_in}$ = **{size * size * c_in:,} numbers**; every layer "
                f"below gives ${size} \\times {size} \\times {c_out}$ = {size * size * c_out:,} units (stride 1, "
                f"zero padding {(k - 1) // 2} for the {k} × {k} windows). Biases: one per unit for the fully and "
                "locally connected layers, one per filter for the convolution (as `nn.Linear` and `nn.Conv2d` have "
                "them).")
    st.markdown(_table(counts))
    st.markdown(_comparison(fc, lc, conv, size, k))
    figure = spec(parameter_curves_figure, CURVE_SIZES, c_in, c_out, k, size, page.font_size)
    show(figure, key="ch_params_fig", alt="Parameters of the three layers against the image size, log scale.",
         caption=f"Parameters for square images from {CURVE_SIZES[0]} to {max(CURVE_SIZES[-1], size)} pixels a side "
                 f"(C_in = {c_in}, C_out = {c_out}, k = {k}); circled: H = W = {size}. The convolution's line is "
                 "flat: its count does not depend on the image size.")


def tensor_layouts():
    """One small tensor, its memory in NCHW and in NHWC, and the code that converts."""
    n, c, h, w = LAYOUT_SHAPE
    st.markdown(f"A tensor of shape $N \\times C \\times H \\times W = {n} \\times {c} \\times {h} \\times {w}$ "
                "holding 0, 1, 2, … in PyTorch's order. Each cell is one number in memory, left to right, with "
                "its channel c and position (h, w):")
    st.html(layout_html(LAYOUT_SHAPE))
    st.caption(f"NCHW (PyTorch): a channel's {h} × {w} map is contiguous, so the channel changes slowest. "
               f"NHWC (channels-last, TensorFlow's default): a pixel's {c} channel values are contiguous, so the "
               "channel changes fastest.")
    st.code(layout_code(LAYOUT_SHAPE), language="python")
