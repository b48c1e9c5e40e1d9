"""The cross-correlation lesson: numbers on the page come from the engine and change as a student acts."""
import json

import numpy as np
import pytest

import engine
from engine.data.matrix_text import parse_matrix
from tests.app.checks import assert_clean, assert_link_note, go_to_step, step_of, step_sum, stepper

PAGE = "cross_correlation.py"


def test_lecture_example_first_output_is_45(open_page):
    at = open_page(PAGE)
    at.button(key="preset_lecture-convolution").click().run()
    assert_clean(at)
    # 1*0 + 0.5*80 + 0.25*20 + 0*40: the kernel as applied is flipped
    assert step_sum(at, "xc_step") == "y[0, 0] = 1·0 + 0.5·80 + 0.25·20 + 0·40 = 45"
    assert len(at.latex) == 1, "the step's sum is in the step view now, not a second st.latex"
    assert r"\tilde K(m, n) = K(1 - m,\; 1 - n)" in at.latex[0].value  # the formula, with k = 2 written in


def test_next_and_previous_step_change_the_equation(open_page):
    at = open_page(PAGE)
    first = step_sum(at, "xc_step")
    assert step_of(at, "xc_step") == 0 and first.startswith("y[0, 0] = ")
    go_to_step(at, "xc_step", step_of(at, "xc_step") + 1)  # Next
    assert step_of(at, "xc_step") == 1
    assert step_sum(at, "xc_step") != first and step_sum(at, "xc_step").startswith("y[0, 1] = ")
    go_to_step(at, "xc_step", step_of(at, "xc_step") - 1)  # Previous
    assert step_of(at, "xc_step") == 0 and step_sum(at, "xc_step") == first
    go_to_step(at, "xc_step", -1)  # before the first step: stays at the first
    assert step_of(at, "xc_step") == 0 and step_sum(at, "xc_step") == first
    x, k = parse_matrix(at.text_input(key="xc_x").value), parse_matrix(at.text_input(key="xc_k").value)
    n = engine.correlate2d(x, k).size
    assert stepper(at, "xc_step")["n"] == n
    go_to_step(at, "xc_step", n)  # past the last step: stays at the last
    assert step_of(at, "xc_step") == n - 1
    y = engine.correlate2d(x, k)
    last = step_sum(at, "xc_step")
    assert last.startswith(f"y[{y.shape[0] - 1}, {y.shape[1] - 1}] = ") and last.endswith(f"= {y[-1, -1]:g}")
    assert_clean(at)


def test_operation_switch_flips_the_kernel(open_page):
    at = open_page(PAGE)
    x, k = parse_matrix(at.text_input(key="xc_x").value), parse_matrix(at.text_input(key="xc_k").value)
    at.segmented_control(key="xc_op").set_value("Convolution").run()
    assert_clean(at)
    expected = engine.convolve2d(x, k)[0, 0]
    assert step_sum(at, "xc_step").endswith(f"= {expected:g}")


def test_grid_and_text_edits_reach_the_result(open_page):
    at = open_page(PAGE)
    at.text_input(key="xc_x").set_value("1 2 3; 4 5 6; 7 8 10").run()
    at.text_input(key="xc_k").set_value("1 0; 0 -1").run()
    assert_clean(at)
    assert step_sum(at, "xc_step").endswith("= -4")  # 1*1 + 0*2 + 0*4 + (-1)*5


def test_a_matrix_grid_is_drawn_only_when_its_switch_is_on(open_page):
    at = open_page(PAGE)
    assert not at.get("dataframe")  # no DataFrame round trip on an ordinary run
    at.toggle(key="xc_x_grid_open").set_value(True).run()
    grids = at.get("dataframe")
    assert len(grids) == 1
    np.testing.assert_array_equal(grids[0].value.to_numpy(), parse_matrix(at.text_input(key="xc_x").value))
    at.text_input(key="xc_x").set_value("1 2; 3 4").run()  # the grid follows the text
    np.testing.assert_array_equal(at.get("dataframe")[0].value.to_numpy(), [[1, 2], [3, 4]])
    assert_clean(at)


def test_grid_columns_are_wide_enough_for_their_whole_numbers(open_page):
    """Glide's grid draws a number right-aligned and cuts it from the left when the column is too narrow."""
    text = "1 123456.789 2; -0.000123456789 4 -654321"
    at = open_page(PAGE, {"xc_x": text})
    at.toggle(key="xc_x_grid_open").set_value(True).run()
    columns = json.loads(at.get("dataframe")[0].proto.columns)
    rows = [row.split() for row in text.split(";")]
    for c, config in columns.items():
        longest = max(len(row[int(c)]) for row in rows)  # as typed: what "%g" shows in the browser
        assert config["type_config"]["format"] == "%g"
        assert config["width"] >= 8 * longest + 16, (c, config["width"], longest)  # 14 px digits are < 8 px wide


@pytest.mark.parametrize("text", ["", "1 2; 3", "a b", "1e9", "nan", "1/0", " ; ;", "1 " * 200])
def test_bad_matrix_text_shows_a_message_not_a_traceback(open_page, text):
    at = open_page(PAGE)
    at.text_input(key="xc_x").set_value(text).run()
    assert not at.exception
    assert at.error and "Showing the default instead" in at.error[0].value
    at.text_input(key="xc_x").set_value("1 2; 3 4").run()  # the session keeps working
    assert_clean(at)


def test_kernel_larger_than_input_is_explained(open_page):
    at = open_page(PAGE)
    at.text_input(key="xc_x").set_value("1 2; 3 4").run()
    at.text_input(key="xc_k").set_value("1 2 3; 4 5 6; 7 8 9").run()
    assert not at.exception
    assert "padded input is only 2 x 2" in at.error[0].value
    at.segmented_control(key="xc_pad").set_value("full").run()
    assert_clean(at)


@pytest.mark.parametrize("query", [
    {"xc_op": "bogus"}, {"xc_step": "-3"}, {"xc_step": "abc"}, {"xc_step": "10000"}, {"xc_dim": "3D"},
    {"xc_pad": "<script>alert(1)</script>"}, {"xc_x": "1 2; 3"}, {"xc_k": "x"}, {"xc_photo": "nope"},
])
def test_malformed_links_fall_back_with_a_note(open_page, query):
    assert_link_note(open_page(PAGE, query), query)


def test_a_link_reproduces_the_view(open_page):
    query = {"xc_op": "Convolution", "xc_pad": "full", "xc_x": "1 2; 3 4", "xc_k": "0 1; 2 3", "xc_step": "4"}
    at = open_page(PAGE, query)
    assert_clean(at)
    assert not at.warning
    trace = engine.trace_conv(parse_matrix("1 2; 3 4"), parse_matrix("0 1; 2 3"), padding="full", flip=True)
    assert step_of(at, "xc_step") == 4
    assert step_sum(at, "xc_step").endswith(f"= {trace.steps[4].value:g}")


def test_pytorch_code_computes_what_the_page_shows(open_page):
    torch = pytest.importorskip("torch")
    at = open_page(PAGE)
    at.button(key="preset_lecture-convolution").click().run()
    at.segmented_control(key="xc_pad").set_value("full").run()
    scope = {}
    exec(at.code[0].value.replace("print(y)", ""), scope)
    x, k = parse_matrix(at.text_input(key="xc_x").value), parse_matrix(at.text_input(key="xc_k").value)
    np.testing.assert_allclose(scope["y"].numpy(), engine.convolve2d(x, k, padding="full"))
    assert isinstance(scope["y"], torch.Tensor)


def test_one_d_mode(open_page):
    at = open_page(PAGE)
    at.button(key="preset_one-d").click().run()
    assert_clean(at)
    x, k = parse_matrix(at.text_input(key="xc_x1").value)[0], parse_matrix(at.text_input(key="xc_k1").value)[0]
    assert step_sum(at, "xc_step").endswith(f"= {engine.correlate1d(x, k)[0]:g}")


def test_typed_markup_is_shown_literally_in_the_message(open_page):
    at = open_page(PAGE)
    at.text_input(key="xc_x").set_value("1 [x](javascript:alert(1))").run()
    assert not at.exception
    typed = "[x](javascript:alert(1))"  # quoted cut in a code span (never a link), its length said
    assert f"`[x](javascri…` ({len(typed)} characters)" in at.error[0].value


def test_flip_caption_names_1d_sizes_as_lengths(open_page):
    at = open_page(PAGE, {"xc_dim": "1D"})
    assert_clean(at)
    x = parse_matrix(at.text_input(key="xc_x1").value)[0]
    k = parse_matrix(at.text_input(key="xc_k1").value)[0]
    out = engine.correlate1d(x, k)
    caption = next(c.value for c in at.caption if "as stored and rotated by 180°" in c.value)
    assert caption.startswith(f"The length-{k.size} kernel K") and f"a length-{out.size} output" in caption


@pytest.mark.parametrize("kernel", ["0 0.25; 0.5 1", "1 2 1; 2 4 2; 1 2 1"])
def test_photo_difference_panel_and_caption_are_computed(open_page, kernel):
    """The two photos can look alike: the figure shows corr − conv with its scale, the caption its size."""
    from engine.data.photos import PHOTOS, photo
    from engine.figures.style import fmt
    at = open_page(PAGE, {"xc_k": kernel})
    label = next(iter(PHOTOS))
    k = parse_matrix(kernel)
    padding = "same" if all(s % 2 for s in k.shape) else "full"
    diff = engine.correlate2d(photo(label), k, padding=padding) - engine.convolve2d(photo(label), k, padding=padding)
    spec = json.loads(next(e.proto.spec for e in at.get("plotly_chart") if "xc_photo_fig" in e.proto.id))
    assert [a["text"] for a in spec["layout"]["annotations"]][-1] == "Difference"
    assert spec["data"][-1]["showscale"]
    m = float(np.abs(diff).max())
    assert spec["data"][-1]["colorbar"]["ticktext"] == [fmt(-(m or 1.0)), "0", fmt(m or 1.0)]
    caption = next(c.value for c in at.caption if c.value.startswith(f"{label}: for this kernel"))
    if np.allclose(diff, 0):
        assert "**identical**: the Difference panel is 0 everywhere" in caption
    else:
        assert f"**different**: they differ by up to **{fmt(m)}**" in caption
