"""Views of the dilation lesson: the effective-size formula, the stack table, WaveNet, stride vs dilation."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from engine import conv_output_size, dilate_kernel, effective_kernel_size
from engine.data.matrix_text import format_matrix
from engine.figures.receptive_field_figures import growth_figure, layer_label, stack_figure
from engine.notation import count, sym
from engine.ops.receptive_field import (Layer, layer_lengths, parameter_count, parse_layers, receptive_cells,
                                        receptive_field)
from pages.shell.figures import show, spec


def layers_from(values):
    """Rows 'k s p d' of the stack matrix -> Layers (ValueError with a message when unusable)."""
    return parse_layers(format_matrix(values))


def dilated_kernel_caption(kernel, d):
    """What the spread kernel is: the k_eff x k_eff kernel with fixed zeros in its holes (counted by the engine)."""
    full = dilate_kernel(kernel, (d, d))  # (k_eff_h, k_eff_w)
    zeros = full.size - kernel.size
    if not zeros:
        return f"With d = 1 there are no holes: the kernel is its {count(kernel.size, 'weight')}."
    return (f"Written out, the dilated kernel is a {full.shape[0]} × {full.shape[1]} kernel of {full.size} coefficients: "
            f"the {count(kernel.size, 'weight')} and {count(zeros, 'zero')} in the holes. The zeros are fixed, not "
            "learned, and "
            f"implementations skip them: `conv2d(x, w, dilation={d})` equals `conv2d` with this written-out kernel.")


def effective_size_latex(k, d, i=None, p=0):
    """k_eff with the numbers written in, and the output size for an input of size i."""
    keff = effective_kernel_size(k, d)
    k_, d_, i_, p_, s_ = (sym(n) for n in "kdips")
    text = rf"{sym('k_eff')} = {k_} + ({k_} - 1)({d_} - 1) = {k} + ({k} - 1)({d} - 1) = {keff}"
    if i is not None and keff > i + 2 * p:  # no position: conv_output_size refuses, as torch does
        return r"\begin{gathered}" + text + rf"\\ {sym('k_eff')} = {keff} > {i_} + 2{p_} = {i + 2 * p}" \
            r"\text{: no output}\end{gathered}"
    if i is not None:
        o = conv_output_size(i, k, 1, p, d)
        text = r"\begin{gathered}" + text + (rf"\\ {sym('o')} = \left\lfloor \frac{{{i_} + 2{p_} - {d_}({k_} - 1) - 1}}{{{s_}}} \right\rfloor + 1 = "
                 rf"\left\lfloor \frac{{{i} + 2 \cdot {p} - {d} \cdot {k - 1} - 1}}{{1}} \right\rfloor + 1 = {o}\end{{gathered}}")
    return text


def stack_table(layers, n, index):
    """One row per layer: settings, output length, jump, receptive field, and what output `index` sees."""
    lengths, fields = layer_lengths(layers, n), receptive_field(layers)
    masks = receptive_cells(layers, n, index)
    rows = []
    for l, (layer, field) in enumerate(zip(layers, fields), start=1):
        rows.append({"layer": l, "k s p d": layer_label(layer), "k_eff": layer.effective_kernel_size,
                     "output length": lengths[l], "jump": field.jump, "receptive field": field.size,
                     "start": f"{field.start:g}", "cells of the layer below fed in": int(masks[l - 1].sum())})
    return pd.DataFrame(rows).set_index("layer")


def stack_view(layers, n, index, font_size):
    """The tree of the chosen output over the input, and the per-layer numbers."""
    field = receptive_field(layers)[-1]
    first, last = field.span(index)
    seen = int(receptive_cells(layers, n, index)[0].sum())
    show(spec(stack_figure, tuple(layers), n, index, font_size=font_size), key="dl_stack_fig",
         alt=f"Rows of cells, input at the bottom; output {index} of the last layer depends on "
             f"{count(seen, 'input cell')}.")
    st.markdown(f"Output **{index}** of layer {len(layers)} has a receptive field of **{field.size}** input "
                f"cell{'s' if field.size != 1 else ''}: "
                f"cells **{first} to {last}**"
                + (" (part of it lies in the padding)" if first < 0 or last > n - 1 else "")
                + f"; **{seen}** of the input's {count(n, 'cell')} actually feed{'s' if seen == 1 else ''} it. "
                  "Neighbouring outputs are "
                  f"**{field.jump}** input cell{'s' if field.jump != 1 else ''} apart.")
    st.dataframe(stack_table(layers, n, index), width="stretch")


WAVENET = ["dilated (d = 1, 2, 4, …)", "undilated (d = 1)"]


def wavenet_stack(n_layers, dilated):
    return [Layer(2, dilation=2 ** l if dilated else 1) for l in range(n_layers)]


@st.fragment
def wavenet_view(page):
    """A causal stack with k = 2 as the classic tree, and receptive field against depth (its own controls:
    a fragment)."""
    left, right = st.columns([1, 2])
    with left:
        n_layers = page.int_slider("Layers", 1, 6, "dl_wn_layers", default=4)
    with right:
        dilated = page.choice("Stack", WAVENET, "dl_wn") == WAVENET[0]
    layers = wavenet_stack(n_layers, dilated)
    field = receptive_field(layers)[-1]
    n = 2 ** n_layers + 4
    last = layer_lengths(layers, n)[-1] - 1
    show(spec(stack_figure, tuple(layers), n, last, align="right", font_size=page.font_size), key="dl_wn_fig",
         alt=f"A causal stack of {count(n_layers, 'layer')} with k = 2; the newest output sees "
             f"{count(field.size, 'input')}.")
    st.markdown(f"With k = 2 and {n_layers} layer{'s' if n_layers > 1 else ''}, the newest output sees the last "
                f"**{field.size}** inputs, using **{parameter_count(layers)}** weights per channel pair. "
                "Each output depends only on the present and the past (a *causal* stack): drawn above its newest input.")
    show(spec(growth_figure, 6, 2, font_size=page.font_size), key="dl_growth_fig",
         alt="Receptive field against layers: 2, 4, 8, ... with dilation; 2, 3, 4, ... without. Weights grow linearly.")
    st.latex(r"\text{dilated: } r_L = 2^L \qquad \text{undilated: } r_L = 1 + L(k - 1) = 1 + L "
             r"\qquad \text{weights: } kL = 2L \text{ in both}")


def stride_vs_dilation(page, n):
    """Same depth, k = 3: a stride-2 stack against a dilated stack with 'same' padding."""
    depth = page.int_slider("Depth of both stacks", 1, 4, "dl_cmp_layers", default=3)
    strided = [Layer(3, 2, 1, 1)] * depth
    dilated = [Layer(3, 1, 2 ** l, 2 ** l) for l in range(depth)]
    rows = []
    columns = st.columns(2)
    for column, (name, layers) in zip(columns, (("Stride 2", strided), ("Dilation 1, 2, 4, …", dilated))):
        try:
            lengths = layer_lengths(layers, n)
        except ValueError as err:
            column.error(f"{name}: {err}", icon=":material/error:")
            continue
        field = receptive_field(layers)[-1]
        index = lengths[-1] // 2
        with column:
            show(spec(stack_figure, tuple(layers), n, index, font_size=page.font_size - 2,
                      title=f"{name}: {lengths[-1]} output{'s' if lengths[-1] != 1 else ''}, receptive field {field.size}"),
                 key=f"dl_cmp_fig_{len(rows)}", alt=f"{name} stack of {count(depth, 'layer')} over {count(n, 'input')}.")
        rows.append({"stack": name, "output length": lengths[-1], "receptive field": field.size,
                     "jump": field.jump, "weights per channel pair": parameter_count(layers)})
    if rows:
        st.dataframe(pd.DataFrame(rows).set_index("stack"), width="stretch")


def syllabus_facts():
    """The lecture's numbers, computed."""
    sizes = [f.size for f in receptive_field([Layer(3, dilation=d) for d in (1, 2, 4, 8)])]
    two, one = [Layer(3), Layer(3)], [Layer(5)]
    rf_two, rf_one = receptive_field(two)[-1].size, receptive_field(one)[-1].size
    st.markdown(
        f"- Dilations 1, 2, 4, 8 with k = 3: the receptive field grows **{', '.join(map(str, sizes))}** "
        f"(each layer adds (k - 1)·d).\n"
        f"- Two 3x3 layers see **{rf_two} x {rf_two}**, as one 5x5 layer sees **{rf_one} x {rf_one}**, with "
        f"**{parameter_count(two, nd=2)}C²** weights instead of **{parameter_count(one, nd=2)}C²** "
        "(C channels in and out, no bias), and a non-linearity in between.")


