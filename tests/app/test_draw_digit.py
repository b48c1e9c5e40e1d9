"""The "Draw a digit" lesson through AppTest (which cannot draw): a blank canvas asks for a drawing; an
example digit (its pen strokes rendered on the server, as the canvas shows them) gives the prediction,
the preprocessing, every layer's maps and, for the SE network only, its gates; the numbers on the page
are the engine's."""
from __future__ import annotations

import base64
import json
import re

import numpy as np
import pytest
import torch

from engine.data.digits import CANVAS, DIGIT, MARGIN
from engine.data.drawing import STROKES, preprocess_drawing, render_strokes
from engine.figures.common import percent
from engine.figures.digit_figures import map_layers
from engine.nets import digit_loading
from engine.nets.digit_nets import COMPARED
from pages.shell.lesson_page import LessonPage
from tests.app.checks import assert_clean, assert_link_note

PAGE = "draw_digit.py"
LABELS = {name: digit_loading.label(name) for name in COMPARED}
READS = re.compile(r"^The network reads \*\*(\d)\*\* \((.+?)\); next comes (\d) \((.+?)\)\.$")
torch.set_num_threads(1)


def engine_view(name, digit):
    """What the page should show for example `digit` on network `name`: (steps, probs, maps)."""
    steps = preprocess_drawing(render_strokes(STROKES[digit]))
    probs, maps = digit_loading.activations(name, steps.network_input)
    return steps, probs, maps


def reading(at):
    return next((c.value for c in at.caption if READS.match(c.value)), None)


def expected_reading(probs):
    best, second = np.argsort(probs)[::-1][:2]
    return f"The network reads **{best}** ({percent(probs[best])}); next comes {second} ({percent(probs[second])})."


def values(data):
    """A trace's array as Plotly's JSON holds it: a list, or {"dtype", "bdata" (base64), "shape"}."""
    if isinstance(data, dict):
        flat = np.frombuffer(base64.b64decode(data["bdata"]), dtype=data["dtype"])
        return flat.reshape([int(n) for n in str(data.get("shape", len(flat))).split(",")])
    return np.asarray(data)


def charts(at):
    return {e.proto.id.rsplit("-", 1)[-1]: json.loads(e.proto.spec) for e in at.get("plotly_chart")}


def prompt_shown(at):
    return any("Draw a digit" in e.value for e in at.info)


def open_example(open_page, digit, net="max_pool", query=None):
    return open_page(PAGE, {"dd_example": str(digit), "dd_net": LABELS[net], **(query or {})})


def test_a_blank_canvas_asks_for_a_drawing(open_page):
    at = open_page(PAGE)
    assert_clean(at)
    assert not at.warning
    assert prompt_shown(at)
    assert reading(at) is None
    shown = charts(at)
    assert "dd_probs_fig" not in shown and "dd_steps_fig" not in shown
    assert "dd_kernels_fig" in shown  # the first layer's kernels do not need a drawing


@pytest.mark.parametrize("name", COMPARED)
def test_every_network_reads_the_example(open_page, name):
    at = open_example(open_page, 7, name)
    assert_clean(at)
    assert not prompt_shown(at)
    steps, probs, maps = engine_view(name, 7)
    assert reading(at) == expected_reading(probs)
    bars = charts(at)["dd_probs_fig"]["data"][0]
    np.testing.assert_allclose(values(bars["y"]), 100 * probs, rtol=1e-5)
    layers = map_layers({layer: m.shape for layer, m in maps.items()})
    assert [t.label for t in at.tabs] == [f"{layer} · {' × '.join(map(str, maps[layer].shape))}" for layer in layers]
    shown = charts(at)
    for layer in layers:
        assert shown[f"dd_maps_{layer}_fig"]["meta"]["shape"] == list(maps[layer].shape)
    assert ("dd_gates_fig" in shown) == (name == "se")  # the SE gates only for the SE network
    kernels = shown["dd_kernels_fig"]
    weight = digit_loading.load(name).conv1.weight.numpy()[:, 0]  # (16, 3, 3)
    cells = np.array([[np.nan if v is None else v for v in row] for row in kernels["data"][0]["z"]])
    np.testing.assert_allclose(cells[:3, :3], weight[0], rtol=1e-6)  # kernel 0 in the top-left corner
    np.testing.assert_allclose(cells[4:7, 4 * 7:4 * 7 + 3], weight[15], rtol=1e-6)  # kernel 15: row 2, column 8


@pytest.mark.parametrize("digit", sorted(STROKES))
def test_every_example_shows_the_engine_s_prediction(open_page, digit):
    at = open_example(open_page, digit)
    assert_clean(at)
    steps, probs, _ = engine_view("max_pool", digit)
    assert reading(at) == expected_reading(probs)
    titles = [a["text"] for a in charts(at)["dd_steps_fig"]["layout"]["annotations"]]
    assert f"r = {steps.pen_radius:.1f} px" in titles[2]
    counts = np.array(charts(at)["dd_steps_fig"]["data"][4]["z"])
    np.testing.assert_array_equal(counts, np.rint(steps.small * 16))  # the 8x8 block counts on the page


def test_se_gates_are_the_engine_s_and_compared_with_the_class_mean(open_page):
    at = open_example(open_page, 3, "se")
    assert_clean(at)
    steps, probs, maps = engine_view("se", 3)
    best = int(np.argmax(probs))
    figure = charts(at)["dd_gates_fig"]
    bars = [t for t in figure["data"] if t["type"] == "bar"]
    marks = [t for t in figure["data"] if t["type"] == "scatter"]
    means = digit_loading.mean_gates_per_class()
    for block, (bar, mark) in enumerate(zip(bars, marks), start=1):
        np.testing.assert_allclose(bar["y"], maps[f"gate{block}"][:, 0, 0], rtol=1e-5)
        np.testing.assert_allclose(mark["y"], means[block][best], rtol=1e-6)
    caption = next(c.value for c in at.caption if c.value.startswith("Each block averages"))
    gap = np.abs(maps["gate1"][:, 0, 0] - means[1][best]).mean()
    assert f"differ from them by {gap:.3f} and " in caption and f"of class {best}, the predicted class" in caption


def test_clear_empties_the_canvas(open_page):
    at = open_example(open_page, 7)
    assert reading(at) is not None
    at.button(key="dd_clear").click().run()
    assert_clean(at)
    assert at.selectbox(key="dd_example").value == "Blank"
    assert prompt_shown(at) and reading(at) is None


def test_a_preset_shows_its_example(open_page):
    at = open_page(PAGE)
    at.button(key=LessonPage.preset_key("three-se")).click().run()
    assert_clean(at)
    assert reading(at) == expected_reading(engine_view("se", 3)[1])
    assert "dd_gates_fig" in charts(at)
    steps = next(c.value for c in at.caption if c.value.startswith("1 Crop:"))
    assert steps.endswith(f"5 Input: enlarged to {DIGIT} × {DIGIT} and centred on {CANVAS} × {CANVAS} (a margin of "
                          f"{MARGIN}), like every training digit.")


@pytest.mark.parametrize("query", [{"dd_example": "<b>12</b>"}, {"dd_net": "ResNet-152"}])
def test_malformed_links_fall_back_with_a_note(open_page, query):
    at = open_page(PAGE, query)
    assert_link_note(at, query)
    assert prompt_shown(at)  # the defaults: a blank canvas
    assert at.selectbox(key="dd_net").value == LABELS["max_pool"]


def test_the_canvas_and_its_buttons_can_be_hidden(open_page):
    at = open_page(PAGE, {"hide": "dd_canvas,dd_clear,dd_example"})
    assert_clean(at)
    assert not at.warning  # every name is a key of this page
    assert ".st-key-dd_canvas" in "".join(h.proto.body for h in at.get("html"))


def test_demo_mode_draws_larger_type(open_page):
    at = open_example(open_page, 7, query={"demo": "1"})
    assert_clean(at)
    shown = charts(at)
    assert shown["dd_probs_fig"]["layout"]["font"]["size"] == 20
    assert shown["dd_steps_fig"]["layout"]["font"]["size"] == 20
    assert shown["dd_kernels_fig"]["layout"]["font"]["size"] == 20
