"""The pooling lesson: sizes, steps, un-pooling and every network number come from the engine."""
import json
import re

import numpy as np
import pytest

import engine
from engine.data.digits import typical
from engine.data.matrix_text import parse_matrix
from engine.figures.style import fmt
from engine.nets import digit_loading
from engine.nets.invariance import pooling_shift_demo, shift_response, translate
from tests.app.checks import assert_clean, assert_link_note, go_to_step, step_equation, step_label, step_of, stepper

PAGE = "pooling_invariance.py"
torch = pytest.importorskip("torch")


def _step_label(at):
    """The step's max or mean written above its grids (the grids' text alternative says the same)."""
    text = step_equation(at, "pl_step")
    assert step_label(at, "pl_step") == text
    return text


def _caption(at, start):
    return next(c.value for c in at.caption if c.value.startswith(start))


def test_default_step_view_and_size_match_torch(open_page):
    at = open_page(PAGE)
    assert_clean(at)
    x = parse_matrix(at.text_input(key="pl_x").value)
    y = torch.nn.functional.max_pool2d(torch.tensor(x)[None], 2)[0].numpy()
    assert _step_label(at) == f"y[0, 0] = max(1, 1, 5, 6) = {y[0, 0]:g}"
    assert any(l.value.strip().endswith(f"= {y.shape[0]}\n$$") or f"= {y.shape[0]}" in l.value for l in at.latex)
    assert stepper(at, "pl_step")["n"] == y.size
    go_to_step(at, "pl_step", 3)
    assert step_of(at, "pl_step") == 3
    assert _step_label(at).startswith("y[1, 1] = ") and _step_label(at).endswith(f"= {y[1, 1]:g}")


def test_average_and_ceil_mode_follow_torch(open_page):
    at = open_page(PAGE, {"pl_mode": "Average", "pl_x": "1 0 2 3 1; 4 6 5 1 0; 0 2 8 3 2; 1 1 0 4 7; 3 2 1 0 5",
                          "pl_ceil": "Ceil"})
    assert_clean(at)
    x = parse_matrix(at.text_input(key="pl_x").value)
    y = torch.nn.functional.avg_pool2d(torch.tensor(x)[None], 2, ceil_mode=True)[0].numpy()
    assert stepper(at, "pl_step")["n"] == y.size
    go_to_step(at, "pl_step", y.size - 1)
    assert step_of(at, "pl_step") == y.size - 1
    assert _step_label(at).endswith(f"= {fmt(y[-1, -1])}")
    assert any("Max" in i.value for i in at.info)  # un-pooling asks for max pooling


def test_unpooling_puts_values_back_at_the_switches(open_page):
    at = open_page(PAGE)
    x = parse_matrix(at.text_input(key="pl_x").value)
    pooled, idx = torch.nn.functional.max_pool2d(torch.tensor(x)[None], 2, return_indices=True)
    back = torch.nn.functional.max_unpool2d(pooled, idx, 2, output_size=x.shape)[0].numpy()
    unpool = next(h.value for h in at.get("html") if "max_unpool2d" in h.value)
    last_grid = re.findall(r'<table class="cl-grid">(.*?)</table>', unpool)[-1]
    numbers = [float(v) for v in re.findall(r"<td[^>]*>([^<]*)</td>", last_grid)]
    assert numbers == back.ravel().tolist()


def test_bad_window_shows_a_message_not_a_traceback(open_page):
    at = open_page(PAGE, {"pl_x": "1 2; 3 4", "pl_k": "4"})
    assert not at.exception
    assert any("does not fit" in e.value for e in at.error)


def test_malformed_link_values_fall_back_with_a_note(open_page):
    assert_link_note(open_page(PAGE, {"pl_shift": "99"}), ["pl_shift"])
    assert_link_note(open_page(PAGE, {"pl_net": "<b>x</b>"}), ["pl_net"])
    at = open_page(PAGE, {"pl_step": "4"})  # the default 4 x 4 input pools to 4 cells: steps 0 to 3
    assert_link_note(at, ["pl_step"])
    assert step_of(at, "pl_step") == 0


def test_network_numbers_come_from_the_engine(open_page):
    at = open_page(PAGE, {"pl_digit": "3", "pl_shift": "2"})
    assert_clean(at)
    response = shift_response("max_pool", typical(3), 6)
    text = _caption(at, "Max pooling 2x2, shift 2")
    assert f"changed by **{response.change['conv1'][2]:.0%}**" in text
    assert f"after it by **{response.change['pool1'][2]:.0%}**" in text
    assert f"prediction is **{response.predicted[2]}**" in text
    demo = pooling_shift_demo(typical(3), 2)
    claim = _caption(at, f"Moved by {demo.same_shift} px")
    assert f"**{int(demo.changed.sum())} of {demo.changed.size}**" in claim


def test_equivariance_difference_is_zero_away_from_the_border(open_page):
    at = open_page(PAGE, {"pl_digit": "5", "pl_shift": "3"})
    text = _caption(at, "Difference = conv1(moved)")
    assert "(columns 4 to 27): **0**" in text


def test_difference_panel_has_a_scale_centred_on_zero_and_its_largest_value(open_page):
    at = open_page(PAGE, {"pl_digit": "5", "pl_shift": "3"})
    image = typical(5)
    maps = digit_loading.activations("max_pool", image)[1]["conv1"]
    c = int(maps.mean(axis=(1, 2)).argmax())
    moved = digit_loading.activations("max_pool", translate(image, 3))[1]["conv1"][c]
    diff = moved - translate(maps[c], 3)
    m = float(np.abs(diff).max())
    spec = json.loads(next(e.proto.spec for e in at.get("plotly_chart") if "pl_equi_fig" in e.proto.id))
    bar = spec["data"][-1]
    assert bar["showscale"] and bar["colorscale"][0][1] != bar["colorscale"][-1][1]  # a diverging bar
    assert bar["colorbar"]["tickvals"] == [0, 127.5, 255]  # -m, 0, m of to_display_bytes(diff, signed=True)
    assert bar["colorbar"]["ticktext"] == [fmt(-(m or 1.0)), "0", fmt(m or 1.0)]
    text = _caption(at, "Difference = conv1(moved)")
    assert f"Anywhere: **{m:.2g}**" in text and "(columns 4 to 27): **0**" in text
    assert ("all of it in the 3 columns the shift filled" in text) == (m > 0)
    at.session_state["pl_shift"] = 1
    assert _caption(at.run(), "The digit 5 moved").startswith("The digit 5 moved 1 pixel right,")  # not "1 pixels"


def test_rotation_prediction_is_the_networks(open_page):
    at = open_page(PAGE, {"pl_digit": "7", "pl_angle": "45", "pl_net": "Average pooling 2x2"})
    assert_clean(at)
    from pages.pooling_invariance.robustness_views import transformed
    probs = digit_loading.predict("avg_pool", transformed(7, 45, 1.0, 0, 0))[0]
    assert f"says **{int(probs.argmax())}** ({probs.max():.0%})" in _caption(at, "Average pooling 2x2 says")


def test_pytorch_code_runs_and_matches(open_page):
    at = open_page(PAGE)
    x = parse_matrix(at.text_input(key="pl_x").value)
    scope = {}
    exec(at.code[0].value, scope)  # noqa: S102 - our own generated code
    np.testing.assert_array_equal(scope["y"][0].numpy(), engine.max_pool2d(x[None], 2)[0])
    np.testing.assert_array_equal(scope["back"][0].numpy().shape, x.shape)


def _markdown(at, start):
    return next(m.value for m in at.markdown if m.value.startswith(start))


def test_accuracy_comparison_sentences_are_the_measured_curves(open_page):
    """Every number of the same-head comparison and of the global-pooling paragraph is read from the shipped
    curves, which tests/engine/test_digit_curves.py re-measures from the weights."""
    from engine.nets.digit_curves import shift_accuracy, worst_shift
    from engine.nets.digit_nets import GAP_HEAD

    at = open_page(PAGE)
    assert_clean(at)
    caption = _caption(at, "All networks were trained on centred digits only")
    for flat, gap in GAP_HEAD.items():
        assert f"{digit_loading.label(flat).lower()} {worst_shift(flat)[1]:.0%}" in caption
        assert f" {worst_shift(gap)[1]:.0%}" in caption.split("global-average-pool head")[1]
    worst = {n: worst_shift(n)[1] for n in (*GAP_HEAD, *GAP_HEAD.values())}
    gain = min(worst[GAP_HEAD[n]] - worst[n] for n in GAP_HEAD)
    spread = max(max(worst[n] for n in g) - min(worst[n] for n in g) for g in (GAP_HEAD, GAP_HEAD.values()))
    assert gain > spread  # what the page then says in words
    head = _markdown(at, "Changing the head (with the one more convolution of the twins) moves")
    assert f"at least **{100 * gain:.0f} percentage points**" in head and f"at most **{100 * spread:.0f}**" in head
    gp = _markdown(at, "**Global average pooling removes where")
    assert (f"{shift_accuracy('global_pool', 0):.0%} on centred digits, {shift_accuracy('global_pool', 6):.0%} at "
            f"+6 px and {shift_accuracy('global_pool', -6):.0%} at −6 px") in gp
    assert shift_accuracy("global_pool", 6) < shift_accuracy("global_pool", 0) - 0.2  # not invariant
    at2 = {d: (shift_accuracy("strided_gap", d) + shift_accuracy("strided_gap", -d)) / 2 for d in (2, 4)}
    assert at2[4] > at2[2] and f"({at2[4]:.0%} on average over ±4)" in gp and f"({at2[2]:.0%} over ±2)" in gp


def test_relative_change_chart_compares_nets_with_the_chosen_head(open_page):
    at = open_page(PAGE, {"pl_net": digit_loading.label("strided_gap"), "pl_shift": "2"})
    assert_clean(at)
    assert "(global average pool → linear)" in _caption(at, "The networks with the same head")
    response = shift_response("strided_gap", typical(7), 6)
    text = _caption(at, f"{digit_loading.label('strided_gap')}, shift 2")
    assert f"after it by **{response.change['stride1'][2]:.0%}**" in text
    flat = open_page(PAGE)
    assert "(flatten → linear)" in _caption(flat, "The networks with the same head")


def _layers(name):
    """The net's convolutions and poolings as receptive-field layers (3×3 'same' convs, 2×2 pools)."""
    from engine.nets.digit_nets import config
    from engine.ops.receptive_field import Layer

    cfg, layers = config(name), []
    for i in range(1, cfg.stages + 1):
        d, down = cfg.dilation(i - 1), cfg.downsamples(i)
        layers.append(Layer(3, 2 if cfg.downsampling == "stride" and down else 1, d, d))
        if cfg.downsampling in ("max", "avg") and down:
            layers.append(Layer(2, 2))
    return layers


def test_map_sides_stride_counts_and_the_twins_view_come_from_the_nets(open_page):
    """The 7×7 of the captions, the stride-2 layers and one pixel in 4, and "a window about as wide as a digit"
    (the twins' last cells see 18 pixels with pooling, 15 with stride-2 convolutions; a digit is 16)."""
    from engine.data.digits import CANVAS, DIGIT
    from engine.lessons.schema import LESSONS_DIR, load_lesson
    from engine.nets.digit_nets import GAP_HEAD
    from engine.ops.receptive_field import receptive_field

    at = open_page(PAGE)
    assert_clean(at)
    for name in (*GAP_HEAD, *GAP_HEAD.values()):
        jump = receptive_field(_layers(name))[-1].jump
        side = CANVAS // jump
        assert side == 7  # the nets as shipped; the page computes it
    caption = _caption(at, "All networks were trained on centred digits only")
    assert f"plus one 3×3 convolution at {side}×{side}:" in caption
    assert f"every cell of the {side}×{side} map" in _markdown(at, "Changing the head")
    strided = [l for l in _layers("strided_gap") if l.stride == 2]
    gp = _markdown(at, "**Global average pooling removes where")
    assert (f"After two stride-2 layers the map keeps one pixel in {2 ** len(strided)} along each axis" in gp
            and len(strided) == 2)
    assert "with dilations 1, 2, 4, 8)" in gp
    notice = load_lesson(LESSONS_DIR / "pooling_invariance.md").sections["What to notice"]
    assert "each cell they\n  average sees a window about as wide as a digit" in notice
    for name in GAP_HEAD.values():
        assert abs(receptive_field(_layers(name))[-1].size - DIGIT) <= DIGIT // 4, name
