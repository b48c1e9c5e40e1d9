"""The grouped-convolution lesson: every number on the page comes from the engine (checked here against the
engine's cost functions and outputs, themselves checked against torch in tests/engine/test_grouped.py)."""
import re

import numpy as np
import pytest

from engine.lessons.schema import LESSONS_DIR, load_lesson
from engine.ops.grouped import grouped_cost, pointwise_as_matmul, separable_cost
from pages.grouped_convolution.channel_views import PIXELS, example_tensors
from pages.shell.lesson_page import LessonPage
from tests.app.checks import assert_clean, assert_link_note, go_to_step, step_of, step_view

PAGE = "grouped_convolution.py"
LESSON = load_lesson(LESSONS_DIR / PAGE.replace(".py", ".md"))


def _channels(at):
    return (at.slider(key="gc_cin").value, at.slider(key="gc_cout").value, at.slider(key="gc_g").value,
            int(at.session_state["gc_k"]), at.slider(key="gc_h").value)


def _latex(at, start):
    return next(l.value.strip("$\n ") for l in at.latex if start in l.value)


def test_defaults_show_the_engines_parameters_and_multiply_adds(open_page):
    at = open_page(PAGE)
    assert_clean(at)
    c_in, c_out, g, k, h = _channels(at)
    cost = grouped_cost(c_in, c_out, k, g, h, h)
    assert _latex(at, "weight").rstrip().endswith(f"= {cost.weights:,}".replace(",", "{,}"))
    assert _latex(at, "multiply-adds").rstrip().endswith(f"= {cost.macs:,}".replace(",", "{,}"))
    assert any(h.value.startswith("<img") and f"each sees {c_in // g} of the {c_in}" in h.value for h in at.get("html"))


@pytest.mark.parametrize("preset", [p.name for p in LESSON.presets])
def test_every_preset_shows_the_engines_costs(open_page, preset):
    at = open_page(PAGE)
    at.button(key=LessonPage.preset_key(preset)).click().run()
    assert_clean(at)
    c_in, c_out, g, k, h = _channels(at)
    cost = separable_cost(c_in, c_out, k, h, h)
    texts = [m.value for m in at.markdown]
    assert any(f"= **{cost.standard.weights:,}**" in t and t.startswith("**Standard") for t in texts)
    assert any(f"= **{cost.weights:,}**" in t and f"= **{cost.macs:,}**" in t for t in texts)
    assert any(f"{cost.speedup:.2f} times fewer" in t for t in texts)


def test_the_lectures_64_to_128_example(open_page):
    at = open_page(PAGE)
    at.button(key=LessonPage.preset_key("lecture-64-128")).click().run()
    assert_clean(at)
    assert any("too many lines to draw" in i.value for i in at.info)
    cost = separable_cost(64, 128, 5, 8, 8)
    assert any(f"5·5·64·128 = **{cost.standard.weights:,}**" in m.value for m in at.markdown)
    assert any(f"5·5·64 + 64·128 = 1,600 + 8,192 = **{cost.weights:,}**" in m.value for m in at.markdown)


def test_groups_that_do_not_divide_give_a_message_and_the_page_goes_on(open_page):
    at = open_page(PAGE)
    at.slider(key="gc_cin").set_value(6).run()
    at.slider(key="gc_cout").set_value(9).run()
    at.slider(key="gc_g").set_value(2).run()
    assert not at.exception and not at.error
    assert "use one of 1, 3" in at.warning[0].value
    assert any(m.value.startswith("**Depthwise 3×3 (groups = 6)") for m in at.markdown)  # the next section is there
    at.slider(key="gc_g").set_value(3).run()
    assert_clean(at)
    assert not at.warning


def test_the_pixel_stepper_shows_w_times_the_pixels_channels(open_page):
    at = open_page(PAGE)
    at.button(key=LessonPage.preset_key("pixel-mixing")).click().run()
    assert_clean(at)
    assert step_of(at, "gc_step") == 6
    x, w = example_tensors(at.slider(key="gc_mi").value, at.slider(key="gc_mo").value, PIXELS)
    y = pointwise_as_matmul(x, w)
    for n in (0, 6, 15):
        i, j = divmod(n, PIXELS)
        sums = re.findall(r"y<sub>(\d+)</sub> = [^<]*= (-?\d+)<br>", step_view(at, "gc_step", n))
        assert [(int(o), float(v)) for o, v in sums] == [(o, y[o, i, j]) for o in range(w.shape[0])]
    go_to_step(at, "gc_step", 15)
    assert step_of(at, "gc_step") == 15
    assert "largest difference 0" in next(m.value for m in at.markdown if m.value.startswith("All 16 pixels"))


def test_the_bottleneck_table_and_ratio(open_page):
    from engine.ops.block_cost import bottleneck_cost
    at = open_page(PAGE)
    at.session_state["gc_bc"] = "64"
    at.slider(key="gc_bh").set_value(14).run()
    assert_clean(at)
    block = bottleneck_cost(14, 14, 16)
    ratio = 9 * 64 * 64 / block.block_params
    assert any(f"**{ratio:.1f} times fewer**" in m.value and f"({block.block_params:,} vs {9 * 64 * 64:,} weights)"
               in m.value for m in at.markdown)


@pytest.mark.parametrize("query", [{"gc_cin": "0"}, {"gc_g": "x"}, {"gc_k": "4"}, {"gc_h": "99"},
                                   {"gc_step": "99"}, {"gc_bc": "<b>1</b>"}, {"gc_mi": "-1"},
                                   {"gc_sk": "1 2; 3"}, {"gc_photo": "<b>x</b>"}, {"gc_s": "5"}, {"gc_rowstep": "x"}])
def test_malformed_links_fall_back_with_a_note(open_page, query):
    assert_link_note(open_page(PAGE, query), query)


def test_a_link_reproduces_the_view(open_page):
    at = open_page(PAGE, {"gc_cin": "6", "gc_cout": "12", "gc_g": "3", "gc_k": "5", "gc_h": "10"})
    assert_clean(at)
    assert not at.warning
    cost = grouped_cost(6, 12, 5, 3, 10, 10)
    assert _latex(at, "multiply-adds").rstrip().endswith(f"= {cost.macs:,}".replace(",", "{,}"))


def test_pytorch_code_matches_the_page(open_page):
    pytest.importorskip("torch")
    at = open_page(PAGE)
    at.button(key=LessonPage.preset_key("depthwise")).click().run()
    c_in, c_out, g, k, h = _channels(at)
    scope = {}
    code = next(c.value for c in at.code if "groups=" in c.value and "Sequential" not in c.value)
    exec(code.replace("print(", "(lambda *a: None)("), scope)
    assert scope["conv"].weight.numel() == grouped_cost(c_in, c_out, k, g, h, h).weights


def _caption(at, start):
    return next(c.value for c in at.caption if c.value.startswith(start))


def test_sobel_factors_and_the_photo_both_ways(open_page):
    from engine.data.photos import photo
    import engine
    from engine.ops.separable_kernel import rank1_factors, separable_correlate, separable_count
    at = open_page(PAGE)
    assert_clean(at)
    sobel = np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]], float)
    assert any(r"\begin{bmatrix} 1 \\ 2 \\ 1 \end{bmatrix} \begin{bmatrix} 1 & 0 & -1 \end{bmatrix}" in l.value
               for l in at.latex)
    image = photo("Cameraman")
    gap = np.abs(engine.correlate2d(image, sobel) - separable_correlate(image, *rank1_factors(sobel))).max()
    caption = _caption(at, "Cameraman (256 × 256)")
    assert "give the same image" in caption and f"Largest absolute difference: {gap:.2e}" in caption
    count = separable_count(image.shape, sobel.shape)
    assert any(f"**{count.full:,}**" in m.value and f"**{count.separable:,}**" in m.value for m in at.markdown)


def test_a_rank_2_kernel_shows_what_rank_1_loses(open_page):
    at = open_page(PAGE, {"gc_sk": "0 1 0; 1 -4 1; 0 1 0", "gc_photo": "Coins"})
    assert_clean(at)
    assert any("K has **rank 2**" in m.value for m in at.markdown)
    assert "what the rank-1 approximation loses" in _caption(at, "Coins (")
    assert _caption(at, "The 3 singular values").endswith(
        "Rank 2: the ones above 1e-09·s₁ (rounding leaves the others tiny rather than exactly 0).")


def test_the_all_zero_kernel_is_explained(open_page):
    at = open_page(PAGE, {"gc_sk": "0 0; 0 0"})
    assert_clean(at)
    assert any("all zeros" in i.value for i in at.info)


def test_each_row_of_c_is_linked_to_its_output_cell(open_page):
    import engine
    from engine.data.matrix_text import parse_matrix
    from engine.ops.conv_matrix import conv_matrix
    at = open_page(PAGE, {"gc_s": "2", "gc_p": "1"})
    assert_clean(at)
    x, k = parse_matrix(at.text_input(key="gc_x").value), parse_matrix(at.text_input(key="gc_mk").value)
    y = engine.correlate2d(x, k, stride=2, padding=1)
    C = conv_matrix(x.shape, k, 2, 1)
    for n in range(C.shape[0]):
        r, c = divmod(n, y.shape[1])
        text = re.search(r'<p class="cl-sum">(.*?)</p>', step_view(at, "gc_rowstep", n)).group(1)
        assert text.startswith(f"Row {n} of C computes output cell ({r}, {c}): ") and text.endswith(f"= {y[r, c]:g}")
    note = next(m.value for m in at.markdown if m.value.startswith(f"C is {C.shape[0]} × {C.shape[1]}"))
    assert "equals the output" in note and "drop those weights" in note


def test_a_kernel_larger_than_the_padded_input_is_explained(open_page):
    at = open_page(PAGE)
    at.text_input(key="gc_x").set_value("1 2; 3 4").run()
    at.text_input(key="gc_mk").set_value("1 2 3; 4 5 6; 7 8 9").run()
    assert not at.exception
    assert at.error and "padded input is only 2 x 2" in at.error[0].value
