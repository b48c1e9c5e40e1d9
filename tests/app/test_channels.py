"""The convolution-over-channels lesson: shapes, steps, counts and code come from the engine (checked against torch
in tests/engine/test_channels.py)."""
import re

import numpy as np
import pytest

from engine.ops.channels import small_integer_layer, trace_channels
from engine.ops.connectivity import layer_counts
from engine.ops.layouts import element_strides
from pages.shell.lesson_page import LessonPage, lesson
from tests.app.checks import assert_clean, assert_link_note, go_to_step, step_label, step_of, step_view, stepper

PAGE = "channels"
LAYER_KEYS = ("ch_cin", "ch_cout", "ch_n", "ch_k", "ch_s", "ch_p", "ch_seed")


def _trace(at):
    c_in, c_out, size, k, s, p, seed = (at.slider(key=key).value for key in LAYER_KEYS)
    x, weight, bias = small_integer_layer(c_in, c_out, size, k, seed)
    return trace_channels(x, weight, bias, s, p)


def _click(at, preset):
    at.button(key=LessonPage.preset_key(preset)).click().run()
    assert_clean(at)
    return at


def _markdown(at, start):
    return next(m.value for m in at.markdown if m.value.startswith(start))


def test_defaults_are_the_cs231n_layout_and_every_step_adds_up(open_page):
    at = open_page(PAGE)
    assert_clean(at)
    trace = _trace(at)
    assert trace.padded.shape == (3, 7, 7) and trace.output.shape == (2, 3, 3)
    assert stepper(at, "ch_step")["n"] == len(trace.steps) == 18
    shapes = _markdown(at, "**Weight**")
    assert "= 2 \\times 3 \\times 3 \\times 3$ = 54 numbers" in shapes and "**56 parameters**" in shapes
    assert any(r"\underbrace{3 \times 5 \times 5}" in l.value and r"\underbrace{2 \times 3 \times 3}" in l.value
               for l in at.latex)
    for n in (0, 9, 17):
        step = trace.steps[n]
        label = step_label(at, "ch_step", n)
        assert label.startswith(f"y[{', '.join(map(str, step.index))}] = ") and label.endswith(f"= {step.value:g}")
        html = step_view(at, "ch_step", n)
        assert html.count("X padded, channel") == 3 and html.count("Output Y, channel") == 2
        assert f"+ bias b[{step.index[0]}] = {step.bias:g}<br>= <b>{step.value:g}</b>" in html


def test_every_preset_runs_and_shows_the_engines_shapes(open_page):
    at = open_page(PAGE)
    for preset in lesson(PAGE).presets:
        _click(at, preset.name)
        trace = _trace(at)
        assert stepper(at, "ch_step")["n"] == trace.output.size
        assert step_of(at, "ch_step") == 0
        c_out, c_in, k, _ = trace.weight.shape
        assert f"**{trace.weight.size + c_out} parameters**" in _markdown(at, "**Weight**")


def test_stepping_reaches_the_second_filter(open_page):
    at = open_page(PAGE)
    go_to_step(at, "ch_step", 9)
    assert_clean(at)
    assert step_of(at, "ch_step") == 9
    trace = _trace(at)
    assert trace.steps[9].index == (1, 0, 0)
    assert step_label(at, "ch_step").startswith("y[1, 0, 0] = ")
    assert 'W[1], channel 2' in step_view(at, "ch_step")


def test_controls_change_shapes_and_steps(open_page):
    at = open_page(PAGE)
    at.slider(key="ch_cin").set_value(1).run()
    at.slider(key="ch_cout").set_value(4).run()
    at.slider(key="ch_s").set_value(1).run()
    assert_clean(at)
    trace = _trace(at)
    assert trace.output.shape == (4, 5, 5) and stepper(at, "ch_step")["n"] == 100
    assert "= 4 \\times 1 \\times 3 \\times 3$ = 36 numbers" in _markdown(at, "**Weight**")
    assert step_view(at, "ch_step", 0).count("X padded, channel") == 1


def test_a_kernel_larger_than_the_padded_input_is_explained(open_page):
    at = open_page(PAGE)
    at.slider(key="ch_n").set_value(3).run()
    at.slider(key="ch_p").set_value(0).run()
    at.slider(key="ch_k").set_value(5).run()
    assert not at.exception
    assert "padded input is only 3 x 3" in at.error[0].value
    at.slider(key="ch_p").set_value(1).run()
    assert_clean(at)


def test_the_lecture_150_preset_gives_the_engines_counts(open_page):
    at = _click(open_page(PAGE), "lecture-150")
    fc, lc, conv = layer_counts(150, 150, 3, 3, 5)
    assert (fc.params, lc.params, conv.params) == (4_556_317_500, 5_130_000, 228)
    # what the demo script says of them: billions, millions, a few hundred
    assert 1e9 <= fc.params < 1e10 and 1e6 <= lc.params < 1e7 and 100 <= conv.params < 1000
    table = _markdown(at, "| Layer |")
    for count in (fc, lc, conv):
        assert f"| {count.name} |" in table and f"**{count.params:,}**" in table
    assert "= **67,500 numbers**" in _markdown(at, "Input $150")
    ratio = _markdown(at, "The fully connected layer has about")
    assert f"**{fc.params / conv.params:,.0f} times**" in ratio and f"**{lc.params / conv.params:,.0f} times**" in ratio
    caption = next(c.value for c in at.caption if c.value.startswith("Parameters for square images"))
    assert "H = W = 150" in caption


def test_a_window_as_large_as_the_image_is_said_to_save_nothing(open_page):
    at = open_page(PAGE, {"ch_hw": "4", "ch_fk": "5"})
    assert_clean(at)
    fc, lc, _ = layer_counts(4, 4, 3, 3, 5)
    assert lc.params > fc.params
    assert "locality saves nothing" in _markdown(at, "The fully connected layer has about")


def test_tensor_layouts_show_both_orders_and_the_strides(open_page):
    at = open_page(PAGE)
    html = next(h.proto.body for h in at.get("html") if "ch-mem" in h.proto.body)
    assert "<th>NCHW</th>" in html and "<th>NHWC</th>" in html
    code = next(c.value for c in at.code if "channels_last" in c.value)
    assert f"strides {element_strides((1, 3, 2, 2), 'NHWC')}" in code and "permute(0, 2, 3, 1)" in code


def test_pytorch_code_computes_what_the_page_shows(open_page):
    pytest.importorskip("torch")
    at = open_page(PAGE)
    for preset in ("cs231n", "two-in-three-out"):
        _click(at, preset)
        code = next(c.value for c in at.code if "nn.Conv2d" in c.value)
        scope = {}
        exec(code.replace("print(", "(lambda *a: None)("), scope)
        np.testing.assert_array_equal(scope["y"].numpy(), _trace(at).output)


@pytest.mark.parametrize("query", [{"ch_cin": "9"}, {"ch_k": "x"}, {"ch_s": "0"}, {"ch_seed": "-1"},
                                   {"ch_hw": "100000"}, {"ch_fk": "4"}, {"ch_fk": "<b>5</b>"},
                                   {"ch_step": "99"}, {"ch_step": "-1"}])
def test_malformed_links_fall_back_with_a_note(open_page, query):
    assert_link_note(open_page(PAGE, query), query)


def test_a_link_reproduces_the_view(open_page):
    query = {"ch_cin": "2", "ch_cout": "3", "ch_n": "4", "ch_k": "2", "ch_s": "1", "ch_p": "0", "ch_seed": "5",
             "ch_step": "13"}
    at = open_page(PAGE, query)
    assert_clean(at)
    assert not at.warning
    trace = _trace(at)
    assert trace.output.shape == (3, 3, 3) and step_of(at, "ch_step") == 13
    step = trace.steps[13]
    assert step_label(at, "ch_step") == re.sub(r"\s+", " ", step_label(at, "ch_step"))
    assert step_label(at, "ch_step").endswith(f"= {step.value:g}") and step.index == (1, 1, 1)
