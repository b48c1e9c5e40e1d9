"""The transposed-convolution lesson: sizes, stamps, the equivalent conv, C^T, code and count maps
come from the engine."""
import re

import numpy as np
import pytest

from engine.data.matrix_text import parse_matrix
from engine.figures.transposed_figures import resize_conv_counts, stacked_counts
from engine.lessons.schema import LESSONS_DIR, load_lesson
from engine.ops.conv_matrix import conv_matrix
from engine.ops.conv_transpose import conv_transpose_single, equivalent_conv_input, overlap_counts, trace_conv_transpose
from pages.shell.lesson_page import LessonPage
from tests.app.checks import assert_clean, assert_link_note, go_to_step, step_label, step_of, step_view, stepper

PAGE = "transposed_convolution.py"
MATRIX = "<h3>The same step as a matrix: C<sup>T</sup></h3>"


def _stamp(at):
    """The scatter step as the step view states it (its text alternative)."""
    return step_label(at, "tc_step")


def _grid(table):
    return np.array([[float(c) for c in re.findall(r"<td[^>]*>([^<]*)</td>", row)]
                     for row in re.findall(r"<tr>(.*?)</tr>", table)])


def _canvas_and_output(at):
    """The last two grids of the stamp view (above its C^T part): the running canvas and the output so far."""
    stamp, matrix = step_view(at, "tc_step").split(MATRIX)
    assert "Canvas so far" in stamp
    tables = re.findall(r'<table class="cl-grid">(.*?)</table>', stamp)
    assert len(tables) == 4  # input, stamp, canvas, output
    return [_grid(t) for t in tables[2:]]


def _settings(at):
    nd = 1 if at.session_state["tc_dim"] == "1D" else 2
    suffix = "" if nd == 2 else "1"
    x = parse_matrix(at.text_input(key=f"tc_x{suffix}").value)
    k = parse_matrix(at.text_input(key=f"tc_k{suffix}").value)
    x, k = (x, k) if nd == 2 else (x[0], k[0])
    return dict(input=x, kernel=k, stride=at.slider(key="tc_s").value, padding=at.slider(key="tc_p").value,
                output_padding=at.slider(key="tc_op").value)


def _run_preset(at, name):
    at.button(key=LessonPage.preset_key(name)).click().run()
    assert_clean(at)
    return _settings(at)


def test_lecture_1d_example_stamps_ax_then_ay_plus_bx(open_page):
    at = open_page(PAGE)
    tc = _run_preset(at, "lecture-1d")
    np.testing.assert_array_equal(conv_transpose_single(tc["input"], tc["kernel"], 1), [1, 12, 123, 234, 340, 400])
    go_to_step(at, "tc_step", step_of(at, "tc_step") + 1)  # Next
    assert step_of(at, "tc_step") == 1
    assert _stamp(at).startswith("x[1] = 2 stamps 2 × K onto cells 1–3")
    canvas, output = _canvas_and_output(at)
    np.testing.assert_array_equal(output[0], trace_conv_transpose(**tc).steps[1].output)  # (ax, ay + bx, ...)
    np.testing.assert_array_equal(output[0], [1, 12, 120, 200, 0, 0])
    go_to_step(at, "tc_step", 4)  # past the last of the 4 input cells: the last
    assert step_of(at, "tc_step") == 3
    assert _stamp(at).startswith("x[3] = 4 stamps 4 × K onto cells 3–5")
    np.testing.assert_array_equal(_canvas_and_output(at)[1][0], trace_conv_transpose(**tc).output)
    go_to_step(at, "tc_step", -1)  # before the first: the first
    assert step_of(at, "tc_step") == 0 and _stamp(at).startswith("x[0] = 1 stamps 1 × K onto cells 0–2")
    assert any(r"= (4 - 1) \cdot 1 - 2 \cdot 0 + 1 \cdot (3 - 1) + 0 + 1 = 6" in l.value for l in at.latex)


@pytest.mark.parametrize("preset,size", [("back-to-5", 5), ("back-to-6", 6)])
def test_output_padding_picks_the_size(open_page, preset, size):
    at = open_page(PAGE)
    tc = _run_preset(at, preset)
    assert trace_conv_transpose(**tc).output.shape == (size,)
    assert any(l.value.strip("$\n ").endswith(f"= {size}") for l in at.latex)
    table = next(m.value for m in at.markdown if "| conv input | conv output = transposed input i |" in m.value)
    assert "| 5 | 3 | 0 | 5 | none |" in table and "| 6 | 3 | 1 | 6 | 1 the crop would have cut (stamps) |" in table
    assert "(/strides" in table
    values = next(m.value for m in at.markdown if m.value.startswith("This input (X = `1 2 3`)"))
    for op in (0, 1):  # x = 1 2 3, k = 1 1 1, s = 2, p = 1: 1 3 2 5 3 and 1 3 2 5 3 3 (the extra 3 is a stamp)
        y = conv_transpose_single(tc["input"], tc["kernel"], 2, 1, op)
        assert f"- output_padding = {op}: `{' '.join(f'{v:g}' for v in y)}`" in values


def test_output_padding_with_stride_3_picks_one_of_three_sizes(open_page):
    at = open_page(PAGE)
    _run_preset(at, "back-to-6")
    at.slider(key="tc_s").set_value(3).run()
    at.slider(key="tc_p").set_value(0).run()
    assert_clean(at)
    table = next(m.value for m in at.markdown if "| conv input | conv output = transposed input i |" in m.value)
    assert "maps **3** input sizes" in table
    rows = [r for r in table.splitlines() if re.match(r"\| \d", r)]
    assert len(rows) == 3
    for op, row in enumerate(rows):  # i = 3, k = 3, s = 3, p = 0: sizes 9, 10, 11; extra cells past the stamps
        size = conv_transpose_single(np.ones(3), np.ones(3), 3, 0, op).shape[0]
        assert row.startswith(f"| {size} | 3 | {op} | {size} |")
        assert ("past the last stamp" in row) == (op > 0) and "crop" not in row


def test_equivalent_convolution_equals_the_transposed_one(open_page):
    at = open_page(PAGE)
    for preset in ("two-by-two", "back-to-6", "even-k4-s2"):
        _run_preset(at, preset)
        assert any(m.value.startswith("Both results, computed separately: **equal**") for m in at.markdown)
    assert stepper(at, "tc_cstep")["n"] == 6 * 6  # even-k4-s2: 3x3 input -> 6x6 output (p = 1)
    assert stepper(at, "tc_cstep")["label"] == "Convolution step"


def test_matrix_view_reports_c_shape_and_the_column_of_the_step(open_page):
    at = open_page(PAGE)
    tc = _run_preset(at, "two-by-two")
    go_to_step(at, "tc_step", 2)
    assert step_of(at, "tc_step") == 2
    C = conv_matrix(trace_conv_transpose(**tc).output.shape, tc["kernel"], tc["stride"], tc["padding"])
    assert C.shape == (4, 25)
    np.testing.assert_array_equal(C.T @ tc["input"].ravel(), trace_conv_transpose(**tc).output.ravel())
    _, matrix = step_view(at, "tc_step").split(MATRIX)
    assert "<strong>C is 4 × 25</strong>" in matrix and "<strong>column 2</strong> of C<sup>T</sup>" in matrix
    (table,) = re.findall(r'<table class="cl-grid">(.*?)</table>', matrix)
    rows = re.findall(r"<tr><th>\d+</th>(.*?)</tr>", table)
    np.testing.assert_array_equal(_grid("".join(f"<tr>{r}</tr>" for r in rows)), C.T)  # C^T, all 25 x 4
    marked = [[c for c, cls in enumerate(re.findall(r'<td class="([^"]*)">', r)) if cls == "win"] for r in rows]
    assert marked == [[2]] * 25, "column 2 outlined in every row"
    assert any("equals the output" in c.value for c in at.caption)


def test_large_matrix_shows_its_shape_and_a_note(open_page):
    at = open_page(PAGE)
    at.text_input(key="tc_x").set_value("1 2 3 4 5 6; 1 2 3 4 5 6; 1 2 3 4 5 6; 1 2 3 4 5 6").run()  # C^T 117 x 24
    assert_clean(at)
    assert any("too many to draw" in i.value for i in at.info)


def test_controls_change_the_results(open_page):
    at = open_page(PAGE)
    before = _canvas_and_output(at)[1]
    at.slider(key="tc_s").set_value(1).run()
    go_to_step(at, "tc_step", 3)
    assert_clean(at)
    assert step_of(at, "tc_step") == 3
    tc = _settings(at)
    after = _canvas_and_output(at)[1]
    assert after.shape != before.shape
    np.testing.assert_array_equal(after, trace_conv_transpose(**tc).output)
    at.slider(key="tc_p").set_value(1).run()
    assert_clean(at)
    np.testing.assert_array_equal(_canvas_and_output(at)[1], trace_conv_transpose(**_settings(at)).output)


@pytest.mark.parametrize("preset,k,s", [("checkerboard-k3-s2", 3, 2), ("even-k4-s2", 4, 2)])
def test_checkerboard_counts_come_from_the_engine(open_page, preset, k, s):
    at = open_page(PAGE)
    _run_preset(at, preset)
    text = next(m.value for m in at.markdown if m.value.startswith("Every output cell counts"))
    line = " ".join(map(str, overlap_counts((6,), (k,), s)))
    assert f"`{line}`" in text
    assert ("uneven: a checkerboard" in text) == (k % s != 0)
    stack = stacked_counts((4, 4), (k, k), s, 3)
    m = stack.shape[0] // 2
    assert (len(np.unique(stack[m - 3:m + 3, m - 3:m + 3])) > 1) == (k % s != 0)  # the centre of the stack
    assert len(np.unique(resize_conv_counts((4, 4), (k, k), s))) == 1
    stamps = np.unique(overlap_counts((4, 4), (k, k), s))
    words = ", ".join(map(str, stamps[:-1])) + f" or {stamps[-1]}"
    assert any(m.value.startswith(f"In 2D (4 × 4 input) an output cell gets {words} stamps.") for m in at.markdown)


def test_checkerboard_demo_step_states_the_counts_of_its_preset():
    """The demo's 'one stamp, some two, some four' is the preset's own count map."""
    lesson = load_lesson(LESSONS_DIR / "transposed_convolution.md")
    step = next(s for s in lesson.demo if s.preset == "checkerboard-k3-s2")
    values = lesson.preset("checkerboard-k3-s2").values
    x, k = parse_matrix(values["tc_x"]), parse_matrix(values["tc_k"])
    counts = np.unique(overlap_counts(x.shape, k.shape, values["tc_s"], values["tc_p"], values["tc_op"]))
    assert list(counts) == [1, 2, 4] and "one stamp, some two, some four" in step.say


def test_pytorch_code_computes_the_output_and_is_the_backward_pass(open_page):
    torch = pytest.importorskip("torch")
    at = open_page(PAGE)
    for preset in ("lecture-1d", "back-to-6", "two-by-two", "even-k4-s2"):
        tc = _run_preset(at, preset)
        code = next(c.value for c in at.code if "conv_transpose" in c.value)
        scope = {}
        exec(code.replace("print(y)", "").replace("print(same)  # True", ""), scope)
        assert isinstance(scope["y"], torch.Tensor)
        np.testing.assert_allclose(scope["y"].numpy(), trace_conv_transpose(**tc).output)
        assert scope["same"] is True


def test_output_padding_too_large_is_explained(open_page):
    at = open_page(PAGE)
    at.slider(key="tc_s").set_value(1).run()
    at.slider(key="tc_op").set_value(1).run()
    assert not at.exception
    assert "output_padding must be smaller than the stride" in at.error[0].value
    at.slider(key="tc_s").set_value(2).run()
    assert_clean(at)


def test_padding_that_crops_everything_is_explained(open_page):
    at = open_page(PAGE)
    at.button(key=LessonPage.preset_key("lecture-1d")).click().run()
    at.text_input(key="tc_x1").set_value("1").run()
    at.text_input(key="tc_k1").set_value("1").run()
    at.slider(key="tc_p").set_value(1).run()
    assert not at.exception
    assert "use less padding" in at.error[0].value


@pytest.mark.parametrize("text", ["", "1 2; 3", "a b", "1 2 3 4 5"])
def test_bad_kernel_text_shows_a_message(open_page, text):
    at = open_page(PAGE)
    at.text_input(key="tc_k").set_value(text).run()
    assert not at.exception
    assert at.error and "Showing the default instead" in at.error[0].value


@pytest.mark.parametrize("query", [{"tc_s": "0"}, {"tc_p": "x"}, {"tc_op": "9"}, {"tc_dim": "3D"},
                                   {"tc_x": "1 2; 3"}, {"tc_k": "<b>1</b>"}, {"tc_step": "-4"}])
def test_malformed_links_fall_back_with_a_note(open_page, query):
    assert_link_note(open_page(PAGE, query), query)


def test_a_link_reproduces_the_view(open_page):
    query = {"tc_x": "1 2 3; 4 5 6", "tc_k": "1 0; 0 2", "tc_s": "3", "tc_p": "0", "tc_op": "2", "tc_step": "4"}
    at = open_page(PAGE, query)
    assert_clean(at)
    assert not at.warning
    trace = trace_conv_transpose(parse_matrix(query["tc_x"]), parse_matrix(query["tc_k"]), stride=3,
                                 output_padding=2)
    assert step_of(at, "tc_step") == 4
    assert _stamp(at).startswith("x[1, 1] = 5 stamps")
    np.testing.assert_array_equal(_canvas_and_output(at)[1], trace.steps[4].output)


@pytest.mark.parametrize("k,s", [(3, 2), (4, 2), (2, 3), (3, 3)])
def test_count_maps_match_torch(k, s):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    ones, w = torch.ones(1, 1, 4, 4, dtype=torch.float64), torch.ones(1, 1, k, k, dtype=torch.float64)
    for mode in ("nearest", "bilinear"):  # an all-ones input upsamples to all ones either way
        up = F.interpolate(ones, scale_factor=s, mode=mode)
        np.testing.assert_array_equal(F.conv2d(up, w)[0, 0].numpy(), resize_conv_counts((4, 4), (k, k), s))
    y = ones
    for _ in range(3):
        y = F.conv_transpose2d(y, w, stride=s)
    np.testing.assert_array_equal(y[0, 0].numpy(), stacked_counts((4, 4), (k, k), s, 3))


@pytest.mark.parametrize("networks", ["Trained", "Untrained"])
def test_trained_upsamplers_section_states_the_measured_ranking(open_page, networks):
    from engine.nets.artifacts import checkerboard_score
    from engine.nets.loading import manifest, names, upsample, upsample_untrained
    from engine.nets.train_upsamplers import downsample
    from engine.data.photos import photo
    at = open_page(PAGE, {"tc_nets": networks, "tc_photo": "Cameraman"})
    assert not at.exception and not at.error
    assert at.selectbox(key="tc_photo").value == "Cameraman"  # a link's value wins even where it is option 0
    target = photo("Cameraman", max_side=128)
    small = downsample(target[: target.shape[0] // 2 * 2, : target.shape[1] // 2 * 2])
    run = upsample if networks == "Trained" else upsample_untrained
    scores = {n: checkerboard_score(run(n, small), 4) for n in names()}
    worst, best = max(scores, key=scores.get), min(scores, key=scores.get)
    caption = next(c.value for c in at.caption if c.value.startswith("Measured on this photo"))
    assert f"strongest checkerboard is **{manifest()['models'][worst]['label']}**" in caption
    assert f"weakest **{manifest()['models'][best]['label']}**" in caption
    if networks == "Untrained":  # random weights: the transposed layers' checkerboard dominates
        assert best == "resize_conv" and scores[worst] > 100 * scores[best]
    from pages.transposed_convolution.upsampler_views import SHORT
    untrained = {n: checkerboard_score(upsample_untrained(n, small), 4) for n in names()}
    trained = {n: checkerboard_score(upsample(n, small), 4) for n in names()}
    for n in names():  # the training effect is reported per network, not claimed for all
        assert f"{SHORT[n]} {untrained[n]:.2e} → {trained[n]:.2e}" in caption
    from engine.nets.artifacts import checkerboard_rms
    rms = {n: 255 * checkerboard_rms(run(n, small), 4) for n in names()}  # grey levels of 255, per pixel
    own = checkerboard_score(target[: target.shape[0] // 2 * 2, : target.shape[1] // 2 * 2], 4)
    table = at.dataframe[0].value
    assert list(table.columns) == ["network", "checkerboard score", "pattern (grey levels)", "× photo's own",
                                   "flat-input spread"]
    np.testing.assert_allclose(table["pattern (grey levels)"], [rms[n] for n in names()])
    np.testing.assert_allclose(table["× photo's own"], [scores[n] / own for n in names()])
    from engine.nets.artifacts import phase_spread
    np.testing.assert_allclose(table["flat-input spread"],
                               [255 * phase_spread(run(n, np.full((16, 16), 0.5))) for n in names()])
    before = {n: 255 * checkerboard_rms(upsample_untrained(n, small), 4) for n in names()}
    after = {n: 255 * checkerboard_rms(upsample(n, small), 4) for n in names()}
    for n in names():
        assert f"({before[n]:.2f} → {after[n]:.2f} grey levels)" in caption
    assert "Untrained networks show the pattern plainly" not in caption


def test_output_padding_at_stride_1_has_nothing_to_choose(open_page):
    at = open_page(PAGE)
    _run_preset(at, "lecture-1d")  # s = 1
    assert any(m.value.startswith("With k = 3, s = 1, p = 0 only one conv input size gives an output of 4 cells")
               for m in at.markdown)
    assert not any("| conv input | conv output = transposed input i |" in m.value for m in at.markdown)


@pytest.mark.parametrize("kernel, p, words", [
    ("1 1 1; 1 1 1", 1, "then along each axis k − 1 − p: rows pad by **0**, columns pad by **1**"),
    ("1", 1, "crop **p − (k − 1) = 1** from each end (k − 1 − p < 0)"),
    ("1 1 1; 1 1 1; 1 1 1", 1, "pad by **k − 1 − p = 1**")])
def test_equivalent_convolution_states_the_border_of_each_axis(open_page, kernel, p, words):
    at = open_page(PAGE)
    tc = _run_preset(at, "two-by-two")
    at.text_input(key="tc_k").set_value(kernel).run()
    at.slider(key="tc_p").set_value(p).run()
    assert_clean(at)
    text = next(m.value for m in at.markdown if m.value.startswith("Insert **s − 1"))
    assert words in text
    tc = _settings(at)
    z = equivalent_conv_input(tc["input"], tc["stride"], tc["kernel"].shape, tc["padding"], tc["output_padding"])
    zeros_inserted = [(i - 1) * tc["stride"] + 1 for i in tc["input"].shape]
    assert [a - b for a, b in zip(z.shape, zeros_inserted)] == [2 * (k - 1 - p) for k in tc["kernel"].shape]
    assert any(m.value.startswith("Both results, computed separately: **equal**") for m in at.markdown)
