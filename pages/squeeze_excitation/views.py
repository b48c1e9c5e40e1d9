"""Views of the squeeze-and-excitation lesson: the block step by step, gates per input and per class,
an ablation, and the cost of SE in a ResNet bottleneck block."""
from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from engine import bottleneck_cost
from engine.data.digits import typical
from engine.figures.common import class_bars_figure
from engine.figures.se_figures import class_gates_figure, gates_figure
from engine.figures.se_stage_view import STAGES, se_stage_view
from engine.nets import digit_loading
from engine.nets.se_steps import se_block_steps
from pages.shell.figures import show, spec

@st.cache_data(max_entries=64, show_spinner=False)
def steps(name, digit, block):
    return se_block_steps(name, typical(digit), block)


@st.fragment
def step_through(page, name, digit, block):
    """Stepper over the block's stages, each drawn in the browser from the block's numbers."""
    page.stepper(len(STAGES), "se_step", label="Stage", views=(stage_views, name, digit, block))
    s = steps(name, digit, block)
    st.caption(f"Block {block} of the trained SE network (r = {s.reduction}) on a handwritten {digit}: the excitation "
               f"network has {s.parameters} parameters (2C²/r + C/r + C). Maps share one grey scale (white: the "
               "largest value in U), so at the scale step each map is dimmed by its gate.")


def stage_views(name, digit, block):
    """view(n) -> stage n's HTML (for the stepper)."""
    return se_stage_view(steps(name, digit, block))


def _gates(name, digit, block, font_size):
    s = steps(name, digit, block)
    predicted = int(s.probs.argmax())
    return gates_figure(s.gates, digit_loading.mean_gates_per_class(name)[block][predicted], predicted,
                        font_size=font_size)


def _class_gates(name, block, font_size):
    return class_gates_figure(digit_loading.mean_gates_per_class(name)[block], font_size=font_size)


def gates_per_input_and_class(page, name, digit, block):
    show(spec(_gates, name, digit, block, page.font_size), key="se_gates",
         alt="The gates for this image next to the average gates of its predicted class, one pair of bars per channel.")
    means = digit_loading.mean_gates_per_class(name)[block]  # (10, C)
    s = steps(name, digit, block)
    away = np.abs(s.gates - means[int(s.probs.argmax())]).max()
    show(spec(_class_gates, name, block, page.font_size), key="se_class_gates",
         alt="Heatmap of the average gate of every channel for each of the ten classes.")
    spread = (means.max(axis=0) - means.min(axis=0)).max()
    st.caption(f"Measured on the 450 test digits: from class to class the average gates of block {block} differ by at "
               f"most **{spread:.3f}**; this image's gates are within **{away:.3f}** of its class's average. In this "
               "small network the gates depend little on the class; Hu et al. report the same for early layers of "
               "SENet, with class-specific gates in the deepest blocks.")


def _override(block, channels, value):
    """{(block, c): value} for the channels forced, None for the learned gates."""
    return None if value is None else {(block, c): value for c in channels}


def _ablation_bars(name, digit, block, channels, value, title, font_size):
    probs, _ = digit_loading.activations(name, typical(digit), gate_override=_override(block, channels, value))
    return class_bars_figure(probs, title, height=260, font_size=font_size, true_class=digit)


@st.fragment
def ablation(page, name, digit, block):
    """Force one gate (or all of the block's) to 0 or 1 and compare the class probabilities with the learned gates
    (a fragment: its own controls redraw only this)."""
    gates = steps(name, digit, block).gates
    left, mid, right = st.columns(3)
    with left:
        scope = page.choice("Gates to force", ["One channel", "All of this block"], "se_scope")
    with mid:
        channel = page.int_slider("Channel", 0, len(gates) - 1, "se_channel", default=int(np.argmax(gates)),
                                  disabled=scope != "One channel")
    with right:
        forced = page.choice("Force to", ["0 (off)", "1 (fully on)"], "se_force")
    value = 0.0 if forced.startswith("0") else 1.0
    channels = [channel] if scope == "One channel" else list(range(len(gates)))
    which = f"gate {channel}" if scope == "One channel" else f"all {len(gates)} gates"
    a, b = st.columns(2)
    with a:
        show(spec(_ablation_bars, name, digit, block, (), None, "Learned gates", page.font_size), key="se_abl_before",
             alt="Class probabilities with the learned gates.")
    with b:
        title = f"{which.capitalize()} of block {block} forced to {value:g}"
        show(spec(_ablation_bars, name, digit, block, tuple(channels), value, title, page.font_size), key="se_abl_after",
             alt=f"Class probabilities with {which} of block {block} forced to {value:g}.")
    before, _ = digit_loading.activations(name, typical(digit))
    after, _ = digit_loading.activations(name, typical(digit), gate_override=_override(block, channels, value))
    st.caption(f"Probability of the true class {digit}: {before[digit]:.1%} with the learned gates, {after[digit]:.1%} "
               f"with {which} forced to {value:g} (prediction {int(before.argmax())} → {int(after.argmax())})."
               + (" All gates at 1 is the network without SE on this block." if value == 1 and len(channels) > 1 else ""))


@st.fragment
def cost_calculator(page):
    """Parameters and multiply-accumulates of a ResNet bottleneck block with and without SE (a fragment: its own
    controls redraw only this)."""
    left, mid, right = st.columns(3)
    with left:
        h = page.int_slider("Feature map side H = W", 7, 112, "se_cost_h", default=56)
    with mid:
        c = int(page.choice("Bottleneck width B (SE acts on C = 4B)", ["16", "32", "64", "128", "256", "512"],
                            "se_cost_c", default="64", horizontal=False))
    with right:
        r = int(page.choice("Reduction r", ["2", "4", "8", "16", "32"], "se_cost_r", default="16", horizontal=False))
    cost = bottleneck_cost(h, h, c, reduction=r)
    table = pd.DataFrame({"part": [row.part for row in cost.rows], "layer": [row.name for row in cost.rows],
                          "multiply-adds": [row.formula for row in cost.rows],
                          "MFLOP": [row.flops / 1e6 for row in cost.rows], "parameters": [row.params for row in cost.rows]})
    st.dataframe(table, hide_index=True, column_config={"MFLOP": st.column_config.NumberColumn(format="%.3f")})
    st.latex(_totals_latex(cost))
    st.markdown(f"SE acts on the block's C = 4B = {4 * c} channels: its two FC layers have 2C²/r + C/r + C = "
                f"{cost.se_params:,} parameters, **{100 * cost.se_params_share:.1f} %** of the bottleneck's "
                f"{cost.block_params:,}, but add only **{100 * cost.se_flops_share:.2f} %** to its multiply-adds: "
                f"an FC weight is used once per image, a convolution weight once per position ({h} × {h}).")
    st.caption("FLOP here means multiply-accumulates, as in the lecture and most papers. Not counted: batch norm, "
               "ReLU and sigmoid, the FC biases' additions, and the residual addition.")


def _thousands(n):
    return f"{n:,}".replace(",", r"\,")


def _totals_latex(cost):
    """Block and SE totals, with SE's share: e.g. 218.4 MFLOP + 1.61 MFLOP (0.74 %)."""
    return (rf"\text{{block: }} {cost.block_flops / 1e6:.1f}\ \text{{MFLOP}} + \text{{SE: }} {cost.se_flops / 1e6:.2f}"
            rf"\ \text{{MFLOP}}\ ({100 * cost.se_flops_share:.2f}\,\%) \qquad \text{{parameters: }}"
            rf"{_thousands(cost.block_params)} + {_thousands(cost.se_params)}\ ({100 * cost.se_params_share:.1f}\,\%)")
