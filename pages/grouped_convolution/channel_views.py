"""Views of the grouped-convolution lesson over channels: 1x1 convolution as a matrix product at every pixel
and as a bottleneck, groups (which inputs each filter sees, weights, multiply-adds), depthwise separable."""
from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

import engine
from engine.figures.group_figures import can_draw_groups, groups_svg, pixel_view, speedup_figure
from engine.lessons import page_path
from engine.ops.block_cost import bottleneck_cost
from engine.ops.grouped import (check_groups, depthwise_separable, grouped_cost, pointwise_as_matmul, separable_cost,
                                valid_groups)
from engine.ops.mbconv_cost import conv_cost
from engine.pytorch_code import grouped_conv_code, pointwise_code, separable_conv_code
from pages.shell import demo_mode
from pages.shell.caching import shared
from pages.shell.figures import show, spec

PIXELS = 4  # the 1x1 example's input is C_in x 4 x 4


def example_tensors(c_in, c_out, h, seed=0):
    """A small whole-number input (C_in, h, h) and 1x1 weight (C_out, C_in), the same for the same sizes."""
    rng = np.random.default_rng([seed, c_in, c_out, h])
    return rng.integers(-2, 3, (c_in, h, h)).astype(float), rng.integers(-2, 3, (c_out, c_in)).astype(float)


@st.fragment
def pointwise(page):
    """A 1x1 convolution stepped pixel by pixel: y[:, i, j] = W x[:, i, j], and the check over every pixel."""
    left, right = st.columns(2)
    with left:
        c_in = page.int_slider("C_in of this example", 1, 6, "gc_mi", default=3)
    with right:
        c_out = page.int_slider("C_out of this example", 1, 6, "gc_mo", default=2)
    x, w = example_tensors(c_in, c_out, PIXELS)
    page.stepper(PIXELS * PIXELS, "gc_step", label="Pixel", views=(pixel_view, x, w))
    by_conv = engine.conv2d(x, w[:, :, None, None])
    gap = float(np.abs(by_conv - pointwise_as_matmul(x, w)).max())
    st.markdown(f"All {PIXELS * PIXELS} pixels at once: `conv2d` with the weight as C_out × C_in × 1 × 1 = "
                f"{c_out} × {c_in} × 1 × 1 and the matrix product W · X with X reshaped to C_in × H·W = "
                f"{c_in} × {PIXELS * PIXELS} give the same {c_out} × {PIXELS} × {PIXELS} output "
                f"(largest difference {gap:g}). The same W is used at every pixel: a fully connected layer "
                f"from {c_in} to {c_out} numbers, shared over the image.")
    st.code(pointwise_code(x, w), language="python")


@st.fragment
def bottleneck(page):
    """1x1 C -> C/4, 3x3 at C/4, 1x1 C/4 -> C (ResNet's bottleneck) against one 3x3 conv at C."""
    left, right = st.columns(2)
    with left:
        c = int(page.choice("Channels C", ["64", "128", "256", "512", "1024", "2048"], "gc_bc", default="256"))
    with right:
        h = page.int_slider("Feature map H = W", 7, 56, "gc_bh", default=56)
    block = bottleneck_cost(h, h, c // 4)
    plain = conv_cost("3×3 conv", c, c, 3, 1, h, h)
    rows = [(r.name, r.params, r.flops) for r in block.rows] + [("bottleneck, all three", block.block_params,
                                                                 block.block_flops), (f"one 3×3 conv, {c} → {c}",
                                                                                      plain.weights, plain.macs)]
    columns = ["layer", "weights", f"multiply-adds at {h}×{h}"]
    st.dataframe(pd.DataFrame(rows, columns=columns), hide_index=True,
                 column_config={c: st.column_config.NumberColumn(c, format="localized") for c in columns[1:]})
    st.markdown(f"The bottleneck has **{plain.weights / block.block_params:.1f} times fewer** weights and "
                f"multiply-adds than one 3×3 convolution at C = {c} "
                f"({block.block_params:,} vs {plain.weights:,} weights): the 1×1 convolutions shrink the channels to "
                f"C/4 = {c // 4} where the 3×3 works, and widen them back.")


def channel_controls(page, left, right):
    """C_in, C_out, G, k and H (in the controls' columns); G is clamped to 1..C_in."""
    with left:
        c_in = page.int_slider("Input channels C_in", 1, 64, "gc_cin", default=4)
        c_out = page.int_slider("Output channels C_out", 1, 128, "gc_cout", default=8)
        g = page.int_slider("Groups G (1: standard, C_in: depthwise)", 1, c_in, "gc_g", default=min(2, c_in))
    with right:
        k = int(page.choice("Kernel size k", ["1", "3", "5"], "gc_k", default="3"))
        h = page.int_slider("Input height = width H", 4, 16, "gc_h", default=8)
    return c_in, c_out, g, k, h


def _tex(n):
    """12,345 for LaTeX (a bare comma would add a space)."""
    return f"{n:,}".replace(",", "{,}")


def random_input(c_in, h, seed=1):
    return np.random.default_rng([seed, c_in, h]).standard_normal((c_in, h, h))


@shared(max_entries=64)
def grouped_run(c_in, c_out, g, k, h):
    """The output shape of engine.conv2d with `groups` = g on a random C_in x H x H input (padding k // 2)."""
    weight = np.random.default_rng([2, c_in, c_out, g, k]).standard_normal((c_out, c_in // g, k, k))
    return engine.conv2d(random_input(c_in, h), weight, padding=k // 2, groups=g).shape


@shared(max_entries=64)
def separable_run(c_in, c_out, k, h):
    """Shapes of the same random input, its standard conv, and its depthwise then pointwise convs (padding k // 2)."""
    x = random_input(c_in, h)
    rng = np.random.default_rng([3, c_in, c_out, k])
    standard = engine.conv2d(x, rng.standard_normal((c_out, c_in, k, k)), padding=k // 2)
    middle, out = depthwise_separable(x, rng.standard_normal((c_in, 1, k, k)), rng.standard_normal((c_out, c_in, 1, 1)),
                                      padding=k // 2)
    return x.shape, standard.shape, middle.shape, out.shape


def groups(page, c_in, c_out, g, k, h):
    """Which input channels each filter sees, the weight shape, parameters and multiply-adds, the run's shape."""
    try:
        g = check_groups(c_in, c_out, g)
    except ValueError as err:
        st.warning(f"{err}", icon=":material/call_split:")
        return
    cost = grouped_cost(c_in, c_out, k, g, h, h)
    kind = "standard" if g == 1 else ("depthwise" if g == c_in else "grouped")
    if can_draw_groups(c_in, c_out):
        st.html(groups_svg(c_in, c_out, g))
    else:
        st.info(f"{c_in} input channels and {c_out} filters are too many lines to draw; the view draws up to 16 "
                "input channels and 32 filters.", icon=":material/hub:")
    _, h_out, w_out = cost.output_shape
    st.markdown(f"A **{kind}** convolution: each of the {c_out} filters sees C_in / G = {c_in} / {g} = "
                f"**{c_in // g}** input channel{'s' if c_in // g > 1 else ''}. "
                f"Usable groups for C_in = {c_in}, C_out = {c_out}: {', '.join(map(str, valid_groups(c_in, c_out)))}.")
    st.latex(rf"\text{{weight}}: C_{{out}} \times \tfrac{{C_{{in}}}}{{G}} \times k \times k = {c_out} \times "
             rf"{c_in // g} \times {k} \times {k},\quad \text{{parameters}} = {_tex(cost.weights)}")
    st.latex(rf"\text{{multiply-adds}} = \frac{{C_{{out}} C_{{in}} k^2 H_{{out}} W_{{out}}}}{{G}} = "
             rf"\frac{{{c_out} \cdot {c_in} \cdot {k}^2 \cdot {h_out} \cdot {w_out}}}{{{g}}} = {_tex(cost.macs)}")
    y = grouped_run(c_in, c_out, g, k, h)
    standard = (f" With G = 1 the same layer would have {grouped_cost(c_in, c_out, k, 1, h, h).weights:,} parameters, "
                f"G = {g} times as many." if g > 1 else "")
    st.caption(f"Run by the engine on a random {c_in} × {h} × {h} input (padding {k // 2}): output "
               f"{' × '.join(map(str, y))}.{standard}")
    st.code(grouped_conv_code(c_in, c_out, k, g, h), language="python")


def separable(page, c_in, c_out, k, h):
    """Standard vs depthwise separable on the same input: shapes and costs side by side, the speedup plot."""
    x, standard, middle, out = separable_run(c_in, c_out, k, h)
    cost = separable_cost(c_in, c_out, k, h, h)
    shape = lambda a: " × ".join(map(str, a))  # noqa: E731
    left, right = st.columns(2)
    with left:
        st.markdown(f"**Standard {k}×{k} conv, {c_in} → {c_out}**\n\n"
                    f"- input {shape(x)} → output **{shape(standard)}**\n"
                    f"- weights {k}·{k}·{c_in}·{c_out} = **{cost.standard.weights:,}**\n"
                    f"- multiply-adds {cost.standard.weights:,}·{h}·{h} = **{cost.standard.macs:,}**")
    with right:
        st.markdown(f"**Depthwise {k}×{k} (groups = {c_in}), then pointwise 1×1 {c_in} → {c_out}**\n\n"
                    f"- input {shape(x)} → {shape(middle)} → output **{shape(out)}**\n"
                    f"- weights {k}·{k}·{c_in} + {c_in}·{c_out} = {cost.depthwise.weights:,} + "
                    f"{cost.pointwise.weights:,} = **{cost.weights:,}**\n"
                    f"- multiply-adds ({cost.weights:,})·{h}·{h} = **{cost.macs:,}**")
    ratio = (f"$k^2 C_{{out}} / (k^2 + C_{{out}}) = {k * k} \\cdot {c_out} / ({k * k} + {c_out}) = "
             f"{cost.speedup:.2f}$, whatever C_in and H")
    if cost.speedup > 1:
        st.markdown(f"Same input, same output shape; depthwise separable needs **{cost.speedup:.2f} times fewer** "
                    f"multiply-adds (and weights): {ratio}. The two are different functions: the separable one "
                    "mixes space within each channel, then channels at each pixel.")
    else:
        st.markdown(f"Same input, same output shape, but with k = {k} there is no space to separate: standard / "
                    f"separable = {ratio}, so the pair costs more than the one layer.")
    show(spec(speedup_figure, c_out, k, font_size=page.font_size), key="gc_speedup_fig",
         alt="How many times fewer multiply-adds depthwise separable needs, against the output channels, for k = 3, 5, 7.",
         caption=f"k²·C_out / (k² + C_out) grows with C_out towards k² = {k * k}; on screen C_out = {c_out}, "
                 f"k = {k}: {cost.speedup:.2f}×.")
    st.code(separable_conv_code(c_in, c_out, k, h), language="python")
    st.page_link(page_path("classify_photo"), query_params=demo_mode.link_params(), icon=":material/photo_camera:",
                 label="EfficientNet-Lite0's MBConv blocks (1×1 expand, depthwise, 1×1 project) in the "
                       "classify-a-photo lesson")
