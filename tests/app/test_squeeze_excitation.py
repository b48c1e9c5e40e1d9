"""The SE lesson: every stage, gate and cost on the page is the engine's (and the network's) number."""
import html
import re

import numpy as np

from engine import bottleneck_cost
from engine.data.digits import typical
from engine.figures.se_stage_view import STAGES
from engine.lessons.schema import LESSONS_DIR, load_lesson
from engine.nets import digit_loading
from engine.nets.digit_nets import SE_BY_REDUCTION
from engine.nets.se_steps import se_block_steps
from tests.app.checks import assert_clean, assert_link_note, go_to_step, step_of, step_view, stepper

PAGE = "squeeze_excitation.py"


def _caption(at, start):
    return next(c.value for c in at.caption if c.value.startswith(start))


def _bar_values(view):
    """The numbers a stage's bar chart states in its text alternative (one per channel or hidden unit)."""
    (label,) = re.findall(r'<svg class="cl-se-bars"[^>]* aria-label="[^":]*: ([^"]*)"', view)
    return np.array([float(v) for v in label.split(", ")])


def _equation(view):
    """The stage's formula (HTML: sub- and superscripts), unescaped."""
    (eq,) = re.findall(r'<p class="cl-eq">(.*?)</p>', view)
    return html.unescape(eq)


def test_every_stage_runs_and_names_its_numbers(open_page):
    at = open_page(PAGE, {"se_digit": "3", "se_block": "1"})
    assert_clean(at)
    steps = se_block_steps("se", typical(3), 1)
    C, H, W = steps.u.shape
    data = stepper(at, "se_step")
    assert data["n"] == len(STAGES) == 5 and data["label"] == "Stage"
    assert (data["lo"], data["hi"]) == (0, 4), "every stage is drawn in the browser"
    views = []
    for stage in range(5):
        go_to_step(at, "se_step", stage)
        assert_clean(at)
        assert step_of(at, "se_step") == stage
        views.append(step_view(at, "se_step"))
        assert f'<p class="cl-se-title">{stage + 1}. {html.escape(STAGES[stage])}</p>' in views[-1], stage
    assert f"<sup>{C}×{H}×{W}</sup>" in _equation(views[0])
    assert views[0].count("<img ") == views[4].count("<img ") == C  # one map per channel, before and after
    c = int(np.argmax(steps.z))
    assert f"z<sub>{c}</sub> = " in _equation(views[1]) and _equation(views[1]).endswith(f"= {steps.z[c]:.3f}")
    for view, values in ((views[1], steps.z), (views[2], steps.hidden), (views[3], steps.gates)):
        np.testing.assert_allclose(_bar_values(view), values, atol=5e-4)
    lo, hi = int(np.argmin(steps.gates)), int(np.argmax(steps.gates))
    assert f"s<sub>{lo}</sub> = {steps.gates[lo]:.3f} (lowest)" in _equation(views[4])
    assert f"s<sub>{hi}</sub> = {steps.gates[hi]:.3f} (highest)" in _equation(views[4])
    assert all(f"ch {i} · s = {g:.2f}<" in views[4] for i, g in enumerate(steps.gates))
    go_to_step(at, "se_step", 5)  # past the last stage: the last
    assert step_of(at, "se_step") == 4 and step_view(at, "se_step") == views[4]
    assert f"{steps.parameters} parameters" in _caption(at, "Block 1 of the trained SE network (r = 4)")
    go_to_step(at, "se_step", -1)  # before the first stage: the first
    assert step_of(at, "se_step") == 0 and step_view(at, "se_step") == views[0]


def test_reduction_ratio_picks_the_network_trained_with_it(open_page):
    at = open_page(PAGE, {"se_r": "8", "se_block": "2", "se_step": "2"})
    assert_clean(at)
    assert step_of(at, "se_step") == 2  # the stage from the link
    steps = se_block_steps(SE_BY_REDUCTION[8], typical(3), 2)  # digit 3: the default
    assert (len(steps.hidden), len(steps.z), steps.reduction) == (4, 32, 8)
    eq = _equation(step_view(at, "se_step"))
    assert "<sup>4×32</sup>" in eq and "(r = 8)" in eq  # W1: 32/8 x 32
    np.testing.assert_allclose(_bar_values(step_view(at, "se_step")), steps.hidden, atol=5e-4)


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
    shares = next(m.value for m in at.markdown if m.value.startswith("SE acts on the block's C = 4B = 256 channels"))
    assert f"{cost.se_params:,} parameters, **{100 * cost.se_params_share:.1f} %** of the bottleneck's" in shares
    assert f"only **{100 * cost.se_flops_share:.2f} %** to its multiply-adds" in shares
    assert cost.se_params_share > 10 * cost.se_flops_share  # "a far larger share of the parameters"


def test_lecture_cost_demo_line_states_the_engine_s_shares():
    """The demo's 218 MFLOP, 1.6 MFLOP, under 1 % and about 12 % more parameters, for the preset's B, r."""
    lesson = load_lesson(LESSONS_DIR / "squeeze_excitation.md")
    values = lesson.preset("lecture-cost").values
    cost = bottleneck_cost(values["se_cost_h"], values["se_cost_h"], int(values["se_cost_c"]), int(values["se_cost_r"]))
    say = next(s.say for s in lesson.demo if s.preset == "lecture-cost")
    assert f"B = {values['se_cost_c']}, so SE on C = {4 * int(values['se_cost_c'])} channels" in say
    assert f"about {cost.block_flops / 1e6:.0f} MFLOP for the block and {cost.se_flops / 1e6:.1f} MFLOP for SE" in say
    assert cost.se_flops_share < 0.01 and f"about {100 * cost.se_params_share:.0f} %" in say


def test_class_gate_spread_is_measured(open_page):
    at = open_page(PAGE, {"se_block": "2"})
    means = digit_loading.mean_gates_per_class("se")[2]
    spread = (means.max(axis=0) - means.min(axis=0)).max()
    assert f"at most **{spread:.3f}**" in _caption(at, "Measured on the 450 test digits")


def test_malformed_link_values_fall_back_with_a_note(open_page):
    assert_link_note(open_page(PAGE, {"se_r": "3"}), ["se_r"])
    assert_link_note(open_page(PAGE, {"se_cost_h": "abc"}), ["se_cost_h"])
    at = open_page(PAGE, {"se_step": "5"})  # stages 0 to 4
    assert_link_note(at, ["se_step"])
    assert step_of(at, "se_step") == 0


def test_lesson_cost_claims_hold_at_resnet50_sizes_and_grow_for_narrow_blocks():
    """'under 1 % more multiply-adds but about 12 % more parameters' at ResNet-50's four stages with r = 16, and
    both shares grow for a narrower block (B = 16) or a smaller r: the engine's counts, not typed numbers."""
    lesson = load_lesson(LESSONS_DIR / "squeeze_excitation.md")
    notice = lesson.sections["What to notice"]
    assert "(B = 64, 128, 256, 512 on\n  56, 28, 14, 7 pixels a side, r = 16)" in notice
    assert "under 1 % more multiply-adds but about 12 % more parameters" in notice
    assert "under 1 % more compute, though about 12 % more parameters" in lesson.sections["Summary"]
    for side, b in ((56, 64), (28, 128), (14, 256), (7, 512)):
        cost = bottleneck_cost(side, side, b, 16)
        assert cost.se_flops_share < 0.01 and round(100 * cost.se_params_share) == 12, (side, b)
        for narrower in (bottleneck_cost(side, side, 16, 16), bottleneck_cost(side, side, b, 4)):
            assert narrower.se_flops_share > cost.se_flops_share and narrower.se_params_share > cost.se_params_share
    assert bottleneck_cost(56, 56, 16, 16).se_flops_share > 0.01  # "under 1 %" is not true of every block
