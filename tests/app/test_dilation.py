"""The dilation lesson: numbers on the page come from the engine and change as a student acts."""
import contextlib
import io

import numpy as np
import pytest

import engine
from engine.data.matrix_text import parse_matrix
from engine.notation import sym
from engine.ops.receptive_field import Layer, input_range, layer_lengths, parse_layers, receptive_cells, receptive_field
from tests.app.checks import assert_clean, assert_link_note, go_to_step, step_of, step_sum, step_view, stepper

PAGE = "dilation.py"


def _markdown(at, start):
    return next(m.value for m in at.markdown if m.value.startswith(start))


def _tables(at, column):
    """The dataframes on the page with `column` (the matrix controls' grids are dataframes too)."""
    return [d.value for d in at.dataframe if column in d.value.columns]


def _trace(at):
    x, k = parse_matrix(at.text_input(key="dl_x").value), parse_matrix(at.text_input(key="dl_k").value)
    return engine.trace_conv(x, k, padding=at.segmented_control(key="dl_pad").value,
                             dilation=at.slider(key="dl_d").value)


def test_defaults_show_the_engine_numbers(open_page):
    at = open_page(PAGE)
    assert_clean(at)
    assert r"= 3 + (3 - 1)(2 - 1) = 5" in at.latex[0].value
    assert r"\right\rfloor + 1 = 3" in at.latex[0].value  # o = 7 - 5 + 1
    assert "X(i + 2m,\\; j + 2n)" in at.latex[1].value
    trace = _trace(at)
    assert step_sum(at, "dl_step").endswith(f"= {trace.steps[0].value:g}")
    layers = parse_layers(at.text_input(key="dl_stack").value)
    index = at.slider(key="dl_out").value
    first, last = input_range(layers, index)
    size = receptive_field(layers)[-1].size
    assert f"receptive field of **{size}** input cells: cells **{first} to {last}**" in _markdown(at, "Output **")


def test_dilation_slider_changes_the_kernel_and_the_sum(open_page):
    at = open_page(PAGE)
    before = step_sum(at, "dl_step")
    at.slider(key="dl_d").set_value(1).run()
    assert_clean(at)
    assert r"= 3 + (3 - 1)(1 - 1) = 3" in at.latex[0].value
    assert "X(i + m,\\; j + n)" in at.latex[1].value
    assert step_sum(at, "dl_step") != before
    assert step_sum(at, "dl_step").endswith(f"= {_trace(at).steps[0].value:g}")
    at.slider(key="dl_d").set_value(3).run()
    assert_clean(at)
    assert r"= 3 + (3 - 1)(3 - 1) = 7" in at.latex[0].value
    assert "X(i + 3m,\\; j + 3n)" in at.latex[1].value


def _shown_step(at, key):
    """The step's view wherever the page shows it: in stepper `key`, or (a one-step trace has no stepper) in
    the one st.html holding a step sum."""
    if any(e.proto.id.endswith(f"-{key}_ui") for e in at.get("bidi_component")):
        return step_view(at, key)
    views = [h.value for h in at.get("html") if 'class="cl-eq"' in h.value]
    assert len(views) == 1, f"{len(views)} step views on the page"
    return views[0]


def test_a_one_step_trace_still_shows_its_sum_and_grids(open_page):
    at = open_page(PAGE)
    at.slider(key="dl_d").set_value(3).run()  # the 7 x 7 input, a 3 x 3 kernel spread to 7 x 7: one output cell
    assert_clean(at)
    trace = _trace(at)
    assert len(trace.steps) == 1
    view = _shown_step(at, "dl_step")
    assert f'<p class="cl-eq">y[0, 0] = ' in view and f"= {trace.steps[0].value:g}</p>" in view
    assert view.count('<table class="cl-grid">') == 4  # padded input, kernel, products, output


def test_stepping_moves_along_the_output(open_page):
    at = open_page(PAGE)
    go_to_step(at, "dl_step", step_of(at, "dl_step") + 1)  # Next
    assert step_of(at, "dl_step") == 1
    assert step_sum(at, "dl_step") == f"y[0, 1] = " + step_sum(at, "dl_step").split(" = ", 1)[1]
    assert step_sum(at, "dl_step").endswith(f"= {_trace(at).steps[1].value:g}")
    trace = _trace(at)
    assert stepper(at, "dl_step")["n"] == len(trace.steps)
    go_to_step(at, "dl_step", len(trace.steps))  # past the end: the last step
    assert step_of(at, "dl_step") == len(trace.steps) - 1
    assert step_sum(at, "dl_step").endswith(f"= {trace.steps[-1].value:g}")
    go_to_step(at, "dl_step", -1)  # before the start: the first step
    assert step_of(at, "dl_step") == 0
    assert step_sum(at, "dl_step").startswith("y[0, 0] = ") and step_sum(at, "dl_step").endswith(f"= {trace.steps[0].value:g}")


def test_stack_table_and_output_cell_follow_the_engine(open_page):
    at = open_page(PAGE)
    at.button(key="preset_syllabus-dilations").click().run()
    assert_clean(at)
    table = _tables(at, "k_eff")[0]
    assert list(table["receptive field"]) == [3, 7, 15, 31]
    assert list(table["jump"]) == [1, 1, 1, 1]
    at.slider(key="dl_out").set_value(3).run()
    layers = [Layer(3, 1, d, d) for d in (1, 2, 4, 8)]
    seen = int(receptive_cells(layers, 40, 3)[0].sum())
    text = _markdown(at, "Output **3**")
    assert "cells **-12 to 18** (part of it lies in the padding)" in text
    assert f"**{seen}** of the input's 40 cells" in text


def test_editing_the_stack_changes_the_receptive_field(open_page):
    at = open_page(PAGE)
    at.text_input(key="dl_stack").set_value("3 1 1 1; 3 2 1 1; 3 1 1 1").run()
    assert_clean(at)
    fields = receptive_field(parse_layers("3 1 1 1; 3 2 1 1; 3 1 1 1"))
    assert list(_tables(at, "k_eff")[0]["receptive field"]) == [f.size for f in fields] == [3, 5, 9]
    assert "are **2** input cells apart" in _markdown(at, "Output **")


@pytest.mark.parametrize("text, message", [
    ("3 1 1 1 1", "1 to 4 whole numbers"), ("3 1 1.5 1", "1 to 4 whole numbers"),
    ("3 1 1 20", "d from 1 to 16"), ("9 1 0 9", "kernel spans 73 cells"), ("abc", "Showing the default"),
])
def test_bad_stack_shows_a_message_not_a_traceback(open_page, text, message):
    at = open_page(PAGE)
    at.text_input(key="dl_stack").set_value(text).run()
    assert not at.exception
    assert any(message in e.value for e in at.error), [e.value for e in at.error]
    assert _markdown(at, "With k = 2")  # the rest of the lesson still works
    at.text_input(key="dl_stack").set_value("3 1 0 1").run()
    assert_clean(at)


@pytest.mark.parametrize("query, stack", [({}, "9 1 0 2; 8 1 0 1"), ({"dl_n": "4", "dl_stack": "4 1 0 1"}, None)])
def test_a_stack_with_one_output_cell_shows_it_without_a_slider(open_page, query, stack):
    at = open_page(PAGE, query)
    if stack is not None:
        at.text_input(key="dl_stack").set_value(stack).run()
    layers = parse_layers(stack or query["dl_stack"])
    n = int(query.get("dl_n", 24))
    assert layer_lengths(layers, n)[-1] == 1  # the case: the stack leaves exactly one output cell
    assert_clean(at)
    assert not [s for s in at.slider if s.key == "dl_out"]
    assert any("Output cell: 0, the only one" in c.value for c in at.caption)
    seen = int(receptive_cells(layers, n, 0)[0].sum())
    assert f"**{seen}** of the input's {n} cells" in _markdown(at, "Output **0**")


def test_kernel_wider_than_the_input_is_explained(open_page):
    at = open_page(PAGE)
    at.text_input(key="dl_x").set_value("1 2 3; 4 5 6; 7 8 9").run()
    assert not at.exception
    assert "The kernel covers 5 x 5 cells but the padded input is only 3 x 3" in at.error[0].value
    expected = rf"{sym('k_eff')} = 5 > {sym('i')} + 2{sym('p')} = 3\text{{: no output}}"  # not o = -1
    assert any(expected in latex.value for latex in at.latex), [latex.value for latex in at.latex]
    at.segmented_control(key="dl_pad").set_value("same").run()
    assert_clean(at)


@pytest.mark.parametrize("query", [
    {"dl_d": "9"}, {"dl_d": "two"}, {"dl_pad": "<b>x</b>"}, {"dl_stack": "3 1; 2"}, {"dl_out": "-1"},
    {"dl_wn": "bogus"}, {"dl_wn_layers": "99"}, {"dl_n": "1000"}, {"dl_step": "abc"},
])
def test_malformed_links_fall_back_with_a_note(open_page, query):
    assert_link_note(open_page(PAGE, query), query)


def test_a_link_reproduces_the_view(open_page):
    at = open_page(PAGE, {"dl_d": "3", "dl_pad": "same", "dl_step": "5", "dl_stack": "2 1 0 1; 2 1 0 2", "dl_n": "10",
                          "dl_out": "4"})
    assert_clean(at)
    assert not at.warning
    assert step_of(at, "dl_step") == 5
    assert step_sum(at, "dl_step").endswith(f"= {_trace(at).steps[5].value:g}")
    assert "cells **4 to 7**" in _markdown(at, "Output **4**")


def test_wavenet_grows_exponentially_with_dilation(open_page):
    at = open_page(PAGE)
    at.button(key="preset_wavenet").click().run()
    assert "sees the last **16** inputs, using **8** weights" in _markdown(at, "With k = 2")
    at.button(key="preset_undilated").click().run()
    assert "sees the last **5** inputs, using **8** weights" in _markdown(at, "With k = 2")
    at.slider(key="dl_wn_layers").set_value(6).run()
    assert "sees the last **7** inputs" in _markdown(at, "With k = 2")
    at.segmented_control(key="dl_wn").set_value("dilated (d = 1, 2, 4, …)").run()
    assert "sees the last **64** inputs, using **12** weights" in _markdown(at, "With k = 2")


def test_stride_keeps_less_resolution_than_dilation(open_page):
    at = open_page(PAGE)
    at.slider(key="dl_n").set_value(32).run()
    at.slider(key="dl_cmp_layers").set_value(3).run()
    table = _tables(at, "weights per channel pair")[0]
    assert list(table["output length"]) == [4, 32]
    assert list(table["receptive field"]) == [15, 15]
    at.slider(key="dl_cmp_layers").set_value(2).run()
    assert list(_tables(at, "weights per channel pair")[0]["output length"]) == [8, 32]


def test_syllabus_facts(open_page):
    at = open_page(PAGE)
    text = _markdown(at, "- Dilations 1, 2, 4, 8")
    assert "grows **3, 7, 15, 31**" in text
    assert "**18C²** weights instead of **25C²**" in text and "see **5 x 5**" in text


def test_pytorch_code_computes_what_the_page_shows(open_page):
    pytest.importorskip("torch")
    at = open_page(PAGE)
    at.slider(key="dl_d").set_value(3).run()
    at.segmented_control(key="dl_pad").set_value("same").run()
    scope = {}
    exec(at.code[0].value.replace("print(y)", ""), scope)
    x, k = parse_matrix(at.text_input(key="dl_x").value), parse_matrix(at.text_input(key="dl_k").value)
    np.testing.assert_allclose(scope["y"].numpy(), engine.correlate2d(x, k, padding="same", dilation=3))
    np.testing.assert_allclose(scope["y"].numpy(), _trace(at).output)


def test_stack_code_finds_the_cells_the_page_highlights(open_page):
    pytest.importorskip("torch")
    at = open_page(PAGE)
    at.button(key="preset_gridding").click().run()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(at.code[1].value, {})
    mask = receptive_cells(parse_layers("3 1 2 2; 3 1 2 2; 3 1 2 2"), 16, 8)[0]
    assert eval(out.getvalue()) == list(np.flatnonzero(mask)) == [2, 4, 6, 8, 10, 12, 14]


@pytest.mark.parametrize("d", [1, 2, 3])
def test_kernel_caption_counts_the_fixed_zeros(open_page, d):
    """The caption under the kernel figure: the written-out kernel's size and zeros, from the engine."""
    at = open_page(PAGE)
    at.slider(key="dl_d").set_value(d).run()
    assert_clean(at)
    k = parse_matrix(at.text_input(key="dl_k").value)
    full = engine.dilate_kernel(k, (d, d))
    caption = next(c.value for c in at.caption if "holes" in c.value)
    if d == 1:
        assert "no holes" in caption
    else:
        assert f"{full.shape[0]} × {full.shape[1]} kernel of {full.size} coefficients" in caption
        assert f"{full.size - np.count_nonzero(full)} zeros in the holes" in caption  # k has no zero weight
