"""The SE lesson: every stage, gate and cost on the page is the engine's (and the network's) number."""
import numpy as np

from engine import bottleneck_cost
from engine.data.digits import typical
from engine.nets import digit_loading
from engine.nets.se_steps import se_block_steps
from tests.app.checks import assert_clean, assert_link_note

PAGE = "squeeze_excitation.py"


def _caption(at, start):
    return next(c.value for c in at.caption if c.value.startswith(start))


def test_every_stage_runs_and_names_its_numbers(open_page):
    at = open_page(PAGE, {"se_digit": "3", "se_block": "1"})
    assert_clean(at)
    steps = se_block_steps("se", typical(3), 1)
    c = int(np.argmax(steps.z))
    for stage in range(5):
        at.slider(key="se_step").set_value(stage).run()
        assert_clean(at)
    at.slider(key="se_step").set_value(1).run()
    assert any(f"= {steps.z[c]:.3f}" in l.value for l in at.latex)
    at.slider(key="se_step").set_value(4).run()
    lo = int(np.argmin(steps.gates))
    assert any(f"s_{{{lo}}} = {steps.gates[lo]:.3f}" in l.value for l in at.latex)
    assert f"{steps.parameters} parameters" in _caption(at, "Block 1 of the trained SE network (r = 4)")


def test_reduction_ratio_picks_the_network_trained_with_it(open_page):
    at = open_page(PAGE, {"se_r": "8", "se_block": "2", "se_step": "2"})
    assert_clean(at)
    assert any(r"\mathbb{R}^{4 \times 32}" in l.value and "r = 8" in l.value for l in at.latex)  # W1: 32/8 x 32


def test_ablation_changes_the_probabilities_as_the_network_does(open_page):
    at = open_page(PAGE, {"se_digit": "0", "se_block": "2", "se_channel": "5", "se_force": "0 (off)"})
    assert_clean(at)
    before, _ = digit_loading.activations("se", typical(0))
    after, _ = digit_loading.activations("se", typical(0), gate_override={(2, 5): 0.0})
    text = _caption(at, "Probability of the true class 0")
    assert f"{before[0]:.1%} with the learned gates, {after[0]:.1%} with gate 5 forced to 0" in text
    at.segmented_control(key="se_scope").set_value("All of this block").run()
    assert_clean(at)
    closed, _ = digit_loading.activations("se", typical(0), gate_override={(2, c): 0.0 for c in range(32)})
    assert f"{closed[0]:.1%} with all 32 gates forced to 0" in _caption(at, "Probability of the true class 0")


def test_cost_calculator_reproduces_the_lecture(open_page):
    at = open_page(PAGE)
    at.button(key="preset_lecture-cost").click().run()
    assert_clean(at)
    cost = bottleneck_cost(56, 56, 64, 16)
    totals = next(l.value for l in at.latex if "MFLOP" in l.value)
    assert "218.4" in totals and "1.61" in totals and "0.74" in totals
    assert round(cost.block_flops / 1e6, 1) == 218.4 and round(100 * cost.se_flops_share, 2) == 0.74
    table = at.dataframe[0].value
    assert table["parameters"].sum() == cost.params


def test_class_gate_spread_is_measured(open_page):
    at = open_page(PAGE, {"se_block": "2"})
    means = digit_loading.mean_gates_per_class("se")[2]
    spread = (means.max(axis=0) - means.min(axis=0)).max()
    assert f"at most **{spread:.3f}**" in _caption(at, "Measured on the 450 test digits")


def test_malformed_link_values_fall_back_with_a_note(open_page):
    assert_link_note(open_page(PAGE, {"se_r": "3"}), ["se_r"])
    assert_link_note(open_page(PAGE, {"se_cost_h": "abc"}), ["se_cost_h"])
