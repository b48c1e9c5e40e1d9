"""The strides lesson: sizes, unreached cells, the known example and the code come from the engine."""
import re

import numpy as np
import pytest

import engine
from engine.data.matrix_text import parse_matrix
from engine.data.photos import photo
from engine.ops.coverage import participation_counts
from engine.ops.pooling import avg_pool2d, pool_output_size
from pages.shell.lesson_page import LessonPage
from tests.app.checks import assert_clean, assert_link_note, go_to_step, step_of, step_sum, step_view, stepper

PAGE = "strides.py"


def _hatched(at, n=None):
    """How many cells the view of step n (default: the step on screen) hatches as never reached."""
    return len(re.findall(r'<td class="skip">', step_view(at, "sd_step", n)))


def _size_latex(at):
    return [l.value for l in at.latex if "o_h" in l.value or "o_w" in l.value]


def _settings(at):
    x, k = parse_matrix(at.text_input(key="sd_x").value), parse_matrix(at.text_input(key="sd_k").value)
    stride = (at.slider(key="sd_sh").value, at.slider(key="sd_sw").value)
    return x, k, stride, at.slider(key="sd_p").value


def test_known_example_matches_the_engine_and_names_the_misprinted_cells(open_page):
    at = open_page(PAGE)
    at.button(key=LessonPage.preset_key("known-example")).click().run()
    assert_clean(at)
    x, k, stride, p = _settings(at)
    expected = engine.correlate2d(x, k, stride=stride, padding=p)
    np.testing.assert_array_equal(expected, [[1, 5, 6], [7, 8, 3], [3, 10, 4]])
    go_to_step(at, "sd_step", 8)
    assert step_of(at, "sd_step") == 8
    assert step_sum(at, "sd_step").startswith("y[2, 2] = ") and step_sum(at, "sd_step").endswith(f"= {expected[2, 2]:g}")
    note = next(m.value for m in at.markdown if "conv_arithmetic issue #17" in m.value)
    assert "**6 of 9 cells**" in note
    assert "(1, 2): printed 9, correct 3" in note and "(0, 0)" not in note  # (0, 0) is printed right
    grids = next(h.proto.body for h in at.get("html") if "Printed in the figure" in h.proto.body)
    engine_panel, printed = grids[grids.index('class="cl-grids"'):].split("Printed in the figure")
    assert len(re.findall(r'class="[^"]*\bmark\b', printed)) == 6, "the six misprinted cells marked"
    assert "mark" not in engine_panel


def test_the_figure_comparison_only_shows_for_the_known_example(open_page):
    at = open_page(PAGE)
    at.button(key=LessonPage.preset_key("i5-k3-s2-p1")).click().run()
    assert_clean(at)
    assert not any("conv_arithmetic issue #17" in m.value for m in at.markdown)


def test_what_to_notice_places_the_known_example_where_it_is(open_page):
    """The default input is the known example: its comparison is drawn under "Step by step", above the notes."""
    at = open_page(PAGE)
    heads = [h.value for h in at.subheader]
    assert heads.index("Step by step") < heads.index("The known example vs a well-known figure") < heads.index(
        "What to notice")
    notes = next(m.value for m in at.markdown if "known 5 × 5 example" in m.value)
    assert "under the step-by-step view" in notes and "below" not in notes


def test_output_size_formula_with_the_dropped_remainder(open_page):
    at = open_page(PAGE)
    at.button(key=LessonPage.preset_key("unequal-strides")).click().run()
    assert_clean(at)
    o_h, o_w = _size_latex(at)
    assert r"\frac{5 + 2 \cdot 0 - 3}{1}" in o_h and r"\bmod s_h = 2 \bmod 1 = 0" in o_h
    assert r"\left\lfloor \frac{4}{3} \right\rfloor + 1 = 2" in o_w and r"\bmod s_w = 4 \bmod 3 = 1" in o_w
    x, k, stride, p = _settings(at)
    assert engine.correlate2d(x, k, stride=stride, padding=p).shape == (3, 2)


@pytest.mark.parametrize("preset,hatched", [("i6-k3-s2-p1", 15), ("i5-k3-s2-p1", 0), ("unequal-strides", 5)])
def test_unreached_cells_are_hatched_as_the_engine_counts_them(open_page, preset, hatched):
    at = open_page(PAGE)
    at.button(key=LessonPage.preset_key(preset)).click().run()
    assert_clean(at)
    x, k, stride, p = _settings(at)
    assert int((participation_counts(x.shape, k.shape, stride, p) == 0).sum()) == hatched
    n = stepper(at, "sd_step")["n"]
    assert n == engine.correlate2d(x, k, stride=stride, padding=p).size
    assert [_hatched(at, i) for i in range(n)] == [hatched] * n  # the same cells, whichever step is shown


def test_sliders_change_strides_and_the_result(open_page):
    at = open_page(PAGE)
    before = step_sum(at, "sd_step")
    at.slider(key="sd_sw").set_value(3).run()
    go_to_step(at, "sd_step", 1)
    assert_clean(at)
    assert step_of(at, "sd_step") == 1
    x, k, stride, p = _settings(at)
    assert stride == (2, 3)
    trace = engine.trace_conv(x, k, stride=stride, padding=p)
    assert trace.output.shape == (3, 2)
    assert step_sum(at, "sd_step").startswith("y[0, 1] = ")
    assert step_sum(at, "sd_step").endswith(f"= {trace.steps[1].value:g}") and step_sum(at, "sd_step") != before
    assert _hatched(at) == int((participation_counts(x.shape, k.shape, stride, p) == 0).sum()) > 0


def test_same_output_size_shows_two_inputs(open_page):
    at = open_page(PAGE)
    at.button(key=LessonPage.preset_key("i5-k3-s2-p1")).click().run()
    texts = [m.value for m in at.markdown]
    assert any(t.startswith("**i = 5**") and "**o = 3**" in t for t in texts)
    assert any(t.startswith("**i = 6**") and "**o = 3**" in t for t in texts)
    assert any("output_padding" in t for t in texts)
    at.button(key=LessonPage.preset_key("i4-k3-s1-p0")).click().run()
    assert any("With stride 1 every input size" in i.value for i in at.info)


def test_kernel_larger_than_padded_input_is_explained(open_page):
    at = open_page(PAGE)
    at.text_input(key="sd_x").set_value("1 2; 3 4").run()
    at.slider(key="sd_p").set_value(0).run()
    assert not at.exception
    assert "padded input is only 2 x 2" in at.error[0].value
    assert "dilation" not in at.error[0].value  # no dilation control on this page
    at.slider(key="sd_p").set_value(1).run()
    assert_clean(at)


@pytest.mark.parametrize("text", ["", "1 2; 3", "a b", "1e9"])
def test_bad_matrix_text_shows_a_message(open_page, text):
    at = open_page(PAGE)
    at.text_input(key="sd_k").set_value(text).run()
    assert not at.exception
    assert at.error and "Showing the default instead" in at.error[0].value


@pytest.mark.parametrize("query", [{"sd_sh": "0"}, {"sd_sw": "x"}, {"sd_p": "9"}, {"sd_x": "1 2; 3"},
                                   {"sd_photo": "<b>nope</b>"}, {"sd_f": "7"},
                                   {"sd_step": "9"}, {"sd_step": "-1"}])
def test_malformed_links_fall_back_with_a_note(open_page, query):
    assert_link_note(open_page(PAGE, query), query)


def test_a_link_reproduces_the_view(open_page):
    query = {"sd_x": "1 2 3 4 5 6; 7 8 9 10 11 12; 13 14 15 16 17 18; 19 20 21 22 23 24; 25 26 27 28 29 30; "
                     "31 32 33 34 35 36", "sd_k": "1 1; 1 1", "sd_sh": "3", "sd_sw": "2", "sd_p": "0", "sd_step": "4"}
    at = open_page(PAGE, query)
    assert_clean(at)
    assert not at.warning
    trace = engine.trace_conv(parse_matrix(query["sd_x"]), np.ones((2, 2)), stride=(3, 2))
    assert step_of(at, "sd_step") == 4
    assert step_sum(at, "sd_step").startswith("y[1, 1] = ") and step_sum(at, "sd_step").endswith(f"= {trace.steps[4].value:g}")


def test_pytorch_code_computes_what_the_page_shows(open_page):
    torch = pytest.importorskip("torch")
    at = open_page(PAGE)
    for preset in ("known-example", "unequal-strides", "i5-k4-s1-p2"):
        at.button(key=LessonPage.preset_key(preset)).click().run()
        scope = {}
        exec(at.code[0].value.replace("print(y)", ""), scope)
        x, k, stride, p = _settings(at)
        assert isinstance(scope["y"], torch.Tensor)
        np.testing.assert_array_equal(scope["y"].numpy(), engine.correlate2d(x, k, stride=stride, padding=p))


def test_photo_section_reports_the_four_output_sizes(open_page):
    at = open_page(PAGE)
    at.slider(key="sd_f").set_value(4).run()
    assert_clean(at)
    sizes = next(c.value for c in at.caption if c.value.startswith("Sizes: "))
    # the 256×256 brick wall, downsampled by 4 in each of the four ways
    assert sizes.startswith("Sizes: Brick wall 256×256 → conv 3×3 fixed blur 64×64, subsample 64×64, max pool 4×4 "
                            "64×64, avg pool 4×4 64×64. ")
    at.selectbox(key="sd_photo").set_value("Coins").run()
    assert_clean(at)
    h, w = photo("Coins").shape
    conv = f"{engine.conv_output_size(h, 3, 4, 1)}×{engine.conv_output_size(w, 3, 4, 1)}"
    pool = f"{pool_output_size(h, 4)}×{pool_output_size(w, 4)}"
    assert conv != pool  # 202 rows: the padded blur keeps one more row than the pooling
    assert next(c.value for c in at.caption if c.value.startswith("Sizes: ")).startswith(
        f"Sizes: Coins {h}×{w} → conv 3×3 fixed blur {conv}, subsample {conv}, max pool 4×4 {pool}, avg pool 4×4 {pool}. ")


@pytest.mark.parametrize("f", [2, 3])
def test_photo_caption_says_the_blur_is_fixed_and_avg_pool_is_a_depthwise_conv(open_page, f):
    at = open_page(PAGE)
    at.slider(key="sd_f").set_value(f).run()
    assert_clean(at)
    caption = next(c.value for c in at.caption if c.value.startswith("Sizes: "))
    assert "fixed blur (every weight 1/9)" in caption and "learns its kernel" in caption
    image = photo(at.selectbox(key="sd_photo").value)
    as_conv = engine.conv2d(image[None], np.full((1, 1, f, f), 1 / f ** 2), stride=f)[0]
    gap = float(np.abs(as_conv - avg_pool2d(image[None], f)[0]).max())
    assert gap < 1e-6 and f"depthwise stride-{f} convolution (groups = C) with every weight 1/{f * f}" in caption
    assert f"differ by at most {gap:.1e}" in caption


def test_the_animation_is_built_only_while_watch_it_play_is_open(open_page):
    at = open_page("strides")
    charts = lambda: [c.proto.id.rsplit("-", 1)[-1] for c in at.get("plotly_chart")]
    assert "sd_anim" not in charts()
    at.session_state["sd_anim_open"] = True  # what opening the expander sets
    at.run()
    assert "sd_anim" in charts() and not at.exception
