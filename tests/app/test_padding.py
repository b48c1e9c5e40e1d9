"""The padding lesson: the numbers on the page are the engine's and change as a student acts."""
import html
import re

import numpy as np
import pytest

import engine
from engine.data.matrix_text import parse_matrix
from engine.figures.padding_figures import border_figure
from engine.ops.arithmetic import conv_output_size
from engine.ops.coverage import participation_counts
from engine.ops.padding_sources import CONSTANT, pad_sources
from pages.shell.lesson_page import LessonPage
from tests.app.checks import assert_clean, step_of, step_sum

PAGE = "padding.py"
RAMP = "1 2 3 4 5; 1 2 3 4 5; 1 2 3 4 5; 1 2 3 4 5"


def _html(at, marker):
    return next(h.value for h in at.get("html") if marker in h.value)


def _padded_grid(at):
    """The padded panel of 'Where each padded value comes from': values and labels, row by row."""
    body = _html(at, "Padded, ")
    table = body.split("Padded, ", 1)[1]
    rows = re.findall(r"<tr>(.*?)</tr>", table)
    cells = [re.findall(r"<td [^>]*>(.*?)<small>(.*?)</small></td>", row) for row in rows]
    values = np.array([[float(v) for v, _ in row] for row in cells])
    labels = [[html.unescape(label) for _, label in row] for row in cells]
    return values, labels


def _inputs(at):
    return parse_matrix(at.text_input(key="pd_x").value), parse_matrix(at.text_input(key="pd_k").value)


def _check_sources_on_page(at, pads, mode):
    """Every padded cell's number is engine.pad's, and its label names pad_sources' cell."""
    x, _ = _inputs(at)
    torch_pad = [q for pair in reversed(pads) for q in pair]
    values, labels = _padded_grid(at)
    np.testing.assert_array_equal(values, engine.pad(x, torch_pad, mode="constant" if mode == "zeros" else mode))
    sources = pad_sources(x.shape, torch_pad, mode)
    (top, _), (left, _) = pads
    for r, c in np.ndindex(values.shape):
        src = tuple(int(v) for v in sources[r, c])
        inside = src == (r - top, c - left)
        expected = "fill" if src[0] == CONSTANT else ("" if inside else "← ") + f"{src[0]}, {src[1]}"
        assert labels[r][c] == expected, (r, c)


def _output_sizes(at):
    """The output sizes the formula ends in, per axis."""
    latex = next(l.value for l in at.latex if r"\lfloor" in l.value)
    return [int(n) for n in re.findall(r"= (\d+)\s*(?:\\\\|\\end)", latex)]


def test_default_view_numbers_come_from_the_engine(open_page):
    at = open_page(PAGE)
    assert_clean(at)
    x, k = _inputs(at)
    assert at.segmented_control(key="pd_size").value == "same"
    _check_sources_on_page(at, ((1, 1), (1, 1)), "zeros")
    trace = engine.trace_conv(x, k, padding="same")
    assert _output_sizes(at) == list(trace.output.shape) == list(x.shape)
    assert step_sum(at, "pd_step").endswith(f"= {trace.steps[0].value:g}")


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_each_mode_labels_its_sources_and_changes_the_result(open_page, mode):
    at = open_page(PAGE)
    at.button(key=LessonPage.preset_key("ramp-zeros")).click().run()
    zeros_sum = step_sum(at, "pd_step")
    at.segmented_control(key="pd_mode").set_value(mode).run()
    assert_clean(at)
    _check_sources_on_page(at, ((1, 1), (1, 1)), mode)
    x, k = _inputs(at)
    expected = engine.correlate2d(x, k, padding="same", padding_mode=mode)[0, 0]
    assert step_sum(at, "pd_step").endswith(f"= {expected:g}") and step_sum(at, "pd_step") != zeros_sum
    assert "fill" not in _padded_grid(at)[1][0]


def test_same_with_an_even_kernel_puts_the_extra_cell_after(open_page):
    at = open_page(PAGE)
    at.button(key=LessonPage.preset_key("same-even")).click().run()
    assert_clean(at)
    _check_sources_on_page(at, ((0, 1), (0, 1)), "zeros")
    latex = next(l.value for l in at.latex if r"\lfloor" in l.value)
    assert r"\frac{4 + 0 + 1 - 2}{1}" in latex and _output_sizes(at) == [4, 4]
    values, labels = _padded_grid(at)
    assert labels[-1] == ["fill"] * 5 and labels[0][0] == "0, 0"  # padding below, none above


def test_custom_padding_per_side_sets_the_output_size(open_page):
    at = open_page(PAGE)
    at.button(key=LessonPage.preset_key("asymmetric")).click().run()
    assert_clean(at)
    x, k = _inputs(at)
    pads = ((2, 0), (0, 1))
    _check_sources_on_page(at, pads, "replicate")
    sizes = [conv_output_size(i, kk, 2, p) for i, kk, p in zip(x.shape, k.shape, pads)]
    assert _output_sizes(at) == sizes
    at.slider(key="pd_bottom").set_value(3).run()
    assert_clean(at)
    trace = engine.trace_conv(x, k, stride=2, padding=((2, 3), (0, 1)), padding_mode="replicate")
    assert _output_sizes(at) == list(trace.output.shape) and trace.output.shape != tuple(sizes)
    _check_sources_on_page(at, ((2, 3), (0, 1)), "replicate")


def test_full_padding_count_map_is_uniform(open_page):
    at = open_page(PAGE)
    at.button(key=LessonPage.preset_key("full-counts")).click().run()
    assert_clean(at)
    caption = next(c.value for c in at.caption if c.value.startswith("Outputs each input cell"))
    # 3x3 input, 3x3 kernel: 'valid' has one output, which uses every cell once
    assert "**full**: every cell 9" in caption and "**valid**: every cell 1" in caption
    at.text_input(key="pd_x").set_value(RAMP).run()
    caption = next(c.value for c in at.caption if c.value.startswith("Outputs each input cell"))
    valid = participation_counts((4, 5), (3, 3))  # no padding: the counts are over the input itself
    assert valid[0, 0] == 1 and f"**valid**: 1 to {valid.max()}" in caption
    assert "**full**: every cell 9" in caption


def test_photo_borders_zero_padding_darkens_the_band(open_page):
    at = open_page(PAGE)
    at.slider(key="pd_blur").set_value(6).run()
    assert_clean(at)
    caption = next(c.value for c in at.caption if "border band" in c.value)
    meta = border_figure(at.selectbox(key="pd_photo").value, 6, 48)["meta"]
    for name in ("zeros", "reflect", "replicate", "circular"):
        assert f"{name} **{meta[name]['band']:.2f}**" in caption
    assert meta["zeros"]["band"] < meta["reflect"]["band"] - 0.1  # the dark frame
    assert abs(meta["reflect"]["band"] - meta["no blur"]["band"]) < 0.05


@pytest.mark.parametrize("change,message", [
    (dict(pd_stride=2), "padding='same' only works with stride 1"),
    (dict(pd_size="custom", pd_top=4, pd_mode="reflect"), "Reflect padding of 4"),
    (dict(pd_size="valid", pd_k="1 2 3 4 5; 1 2 3 4 5; 1 2 3 4 5; 1 2 3 4 5; 1 2 3 4 5"), "padded input is only"),
])
def test_impossible_settings_are_explained(open_page, change, message):
    at = open_page(PAGE)
    for key, value in change.items():
        if key in ("pd_stride", "pd_top"):
            at.slider(key=key).set_value(value).run()
        elif key in ("pd_x", "pd_k"):
            at.text_input(key=key).set_value(value).run()
        else:
            at.segmented_control(key=key).set_value(value).run()
    assert not at.exception
    assert at.error and message in at.error[0].value
    at.segmented_control(key="pd_mode").set_value("zeros").run()
    at.segmented_control(key="pd_size").set_value("full").run()
    if "pd_stride" in change:
        at.slider(key="pd_stride").set_value(1).run()
    assert_clean(at)  # the session goes on


@pytest.mark.parametrize("query", [
    {"pd_mode": "wrap"}, {"pd_size": "huge"}, {"pd_stride": "0"}, {"pd_step": "x"}, {"pd_x": "1 2; 3"},
    {"pd_blur": "99"}, {"pd_photo": "<b>nope</b>"}, {"pd_size": "custom", "pd_top": "-1"},
])
def test_malformed_links_fall_back_with_a_note(open_page, query):
    at = open_page(PAGE, query)
    assert not at.exception
    key = [k for k in query if k != "pd_size" or len(query) == 1][-1]
    assert any(f"`{key}`" in w.value for w in at.warning)
    assert "<b>" not in "".join(w.value for w in at.warning)


def test_a_link_reproduces_the_view(open_page):
    query = {"pd_size": "custom", "pd_top": "0", "pd_bottom": "2", "pd_left": "3", "pd_right": "0",
             "pd_mode": "circular", "pd_x": "1 2 3; 4 5 6; 7 8 9", "pd_k": "1 -1; 2 0", "pd_step": "3"}
    at = open_page(PAGE, query)
    assert_clean(at)
    assert not at.warning
    pads = ((0, 2), (3, 0))
    _check_sources_on_page(at, pads, "circular")
    trace = engine.trace_conv(parse_matrix("1 2 3; 4 5 6; 7 8 9"), parse_matrix("1 -1; 2 0"), padding=pads,
                              padding_mode="circular")
    assert step_of(at, "pd_step") == 3
    assert step_sum(at, "pd_step").endswith(f"= {trace.steps[3].value:g}")


@pytest.mark.parametrize("preset", ["ramp-reflect", "asymmetric", "same-even"])
def test_pytorch_code_computes_what_the_page_shows(open_page, preset):
    pytest.importorskip("torch")
    at = open_page(PAGE)
    at.button(key=LessonPage.preset_key(preset)).click().run()
    scope = {}
    exec(at.code[0].value.replace("print(y)", ""), scope)
    x, k = _inputs(at)
    values = {key: at.session_state[key] for key in ("pd_size", "pd_mode", "pd_stride")}
    padding = (((at.session_state["pd_top"], at.session_state["pd_bottom"]),
                (at.session_state["pd_left"], at.session_state["pd_right"])) if values["pd_size"] == "custom"
               else values["pd_size"])
    expected = engine.correlate2d(x, k, stride=values["pd_stride"], padding=padding, padding_mode=values["pd_mode"])
    np.testing.assert_allclose(scope["y"].numpy(), expected)


@pytest.mark.parametrize("stride", [1, 2, 3])
def test_count_maps_subheader_is_true_for_the_stride(open_page, stride):
    """The subheader says equal counts only when the engine's full-padding count map is uniform."""
    at = open_page(PAGE)
    at.button(key="preset_full-counts").click().run()
    at.text_input(key="pd_x").set_value(RAMP).run()
    at.slider(key="pd_stride").set_value(stride).run()
    assert_clean(at)
    x, k = _inputs(at)
    full = participation_counts(x.shape, k.shape, stride, "full")[2:-2, 2:-2]  # the input's cells (p = k - 1 = 2)
    titles = [h.value for h in at.subheader]
    if full.min() == full.max():
        n = full.min()
        assert f"Full padding: every input cell takes part in {n} output{'s' if n != 1 else ''}" in titles
        assert n == (k.shape[0] // stride) * (k.shape[1] // stride)  # k_h * k_w at stride 1; s divides k here
    else:
        assert f"Outputs per input cell: at stride {stride} even full padding gives {full.min()} to {full.max()}" in titles
    caption = next(c.value for c in at.caption if c.value.startswith("Outputs each input cell"))
    assert ("exactly when the padding on each side is at least k - 1" in caption) == (stride == 1)


def test_a_one_by_one_kernel_has_one_tap_not_one_taps(open_page):
    at = open_page("padding.py", {"pd_k": "2"})
    assert_clean(at)
    caption = next(c.value for c in at.caption if c.value.startswith("Outputs each input cell takes part in"))
    assert "A 1 × 1 kernel has 1 tap." in caption and "k_h · k_w = 1 output exactly" in caption
