"""The browser-side stepper (pages/shell/stepper), from the server's side: the views it hands over hold every
step's sum as the engine computes it, and the step comes from a preset, the browser, the session or the link."""
import numpy as np
import pytest

import engine
from engine.data.matrix_text import parse_matrix
from engine.figures.pool_figures import pool_equation
from engine.figures.step_patches import unpack
from engine.figures.text import step_equation as engine_step_equation
from pages.shell.lesson_page import LessonPage
from tests.app.checks import assert_clean, go_to_step, step_equation, step_label, step_of, stepper

XC, POOL = "cross_correlation.py", "pooling_invariance.py"


def _conv_settings(at):
    """The cross-correlation page's trace arguments, read from its widgets, and the output computed directly."""
    suffix = "1" if at.session_state["xc_dim"] == "1D" else ""
    x, k = parse_matrix(at.text_input(key=f"xc_x{suffix}").value), parse_matrix(at.text_input(key=f"xc_k{suffix}").value)
    if suffix:
        x, k = x[0], k[0]
    flip = at.session_state["xc_op"] == "Convolution"
    padding = at.session_state["xc_pad"]
    direct = {(1, False): engine.correlate1d, (1, True): engine.convolve1d,
              (2, False): engine.correlate2d, (2, True): engine.convolve2d}[x.ndim, flip]
    return dict(input=x, kernel=k, padding=padding, flip=flip), direct(x, k, padding=padding)


@pytest.mark.parametrize("preset", ["lecture-convolution", "sobel-edge", "commutativity", "one-d"])
def test_every_packed_conv_view_states_its_steps_sum(open_page, preset):
    at = open_page(XC)
    at.button(key=LessonPage.preset_key(preset)).click().run()
    assert_clean(at)
    conv, y = _conv_settings(at)
    trace = engine.trace_conv(**conv)
    data = stepper(at, "xc_step")
    assert data["n"] == len(trace.steps) == y.size
    assert (data["lo"], data["hi"]) == (0, y.size - 1), "a small trace is packed whole"
    views = [unpack(data, n) for n in range(y.size)]
    assert len(set(views)) == y.size, "every step has its own view"
    for n, (view, value) in enumerate(zip(views, y.ravel())):
        text = engine_step_equation(trace.step(n), trace.bias)
        assert step_equation(at, "xc_step", n) == step_label(at, "xc_step", n) == text, n
        assert text.endswith(f"= {value:g}"), (n, text)  # the engine's sum ends in the directly computed cell
        assert view.count('class="cl-eq"') == 1 and view.index('class="cl-eq"') < view.index('class="cl-step"')


@pytest.mark.parametrize("preset", ["max-2x2", "avg-2x2", "overlapping", "ceil-mode"])
def test_every_packed_pooling_view_states_its_steps_max_or_mean(open_page, preset):
    torch = pytest.importorskip("torch")
    at = open_page(POOL)
    at.button(key=LessonPage.preset_key(preset)).click().run()
    assert_clean(at)
    x = parse_matrix(at.text_input(key="pl_x").value)
    k, s, p = (at.slider(key=name).value for name in ("pl_k", "pl_s", "pl_p"))
    mode = "max" if at.session_state["pl_mode"] == "Max" else "avg"
    ceil = at.session_state["pl_ceil"] == "Ceil"
    pool = getattr(torch.nn.functional, f"{mode}_pool2d")
    y = pool(torch.tensor(x)[None], k, s, p, ceil_mode=ceil)[0].numpy()
    trace = engine.trace_pool(x, k, s, p, mode=mode, ceil_mode=ceil)
    data = stepper(at, "pl_step")
    assert data["n"] == len(trace.steps) == y.size
    assert (data["lo"], data["hi"]) == (0, y.size - 1)
    for n, value in enumerate(y.ravel()):
        text = pool_equation(trace, n)
        assert step_equation(at, "pl_step", n) == step_label(at, "pl_step", n) == text, n
        assert np.isclose(float(text.rsplit("= ", 1)[1]), value, atol=1e-3), (n, text, value)


def test_a_large_trace_is_packed_around_the_step(open_page):
    at = open_page(XC, {"xc_pad": "full"})
    at.text_input(key="xc_x").set_value("; ".join(" ".join(str((r * 12 + c) % 7) for c in range(12))
                                                  for r in range(12))).run()
    at.text_input(key="xc_k").set_value("; ".join(" ".join(str(r - c) for c in range(7)) for r in range(7))).run()
    assert_clean(at)
    conv, y = _conv_settings(at)
    assert y.shape == (18, 18)
    data = stepper(at, "xc_step")
    assert data["n"] == 324 and data["lo"] == 0 and data["hi"] < 323, "too large to send whole"
    go_to_step(at, "xc_step", 323)
    data = stepper(at, "xc_step")
    assert 0 < data["lo"] <= 323 == data["hi"] and step_of(at, "xc_step") == 323
    assert step_equation(at, "xc_step").startswith("y[17, 17] = ")
    assert step_equation(at, "xc_step").endswith(f"= {y[17, 17]:g}")
    go_to_step(at, "xc_step", 0)
    assert stepper(at, "xc_step")["lo"] == 0 and step_equation(at, "xc_step").endswith(f"= {y[0, 0]:g}")


def test_a_fresh_page_takes_the_step_from_the_link_and_a_preset_resets_it(open_page):
    at = open_page(XC, {"xc_step": "2"})
    assert_clean(at)
    assert not at.warning
    assert stepper(at, "xc_step")["start"] == 2 and at.query_params["xc_step"] == "2"
    conv, y = _conv_settings(at)
    assert step_equation(at, "xc_step").startswith("y[1, 0] = ") and step_equation(at, "xc_step").endswith(
        f"= {y[1, 0]:g}")
    assert any(c.value.startswith(f"Shown: step 3 of {y.size}") for c in at.caption), "the animation starts there"
    at.query_params["xc_step"] = "1"  # the session's own step wins over a stale URL
    at.run()
    assert stepper(at, "xc_step")["start"] == 2 and at.query_params["xc_step"] == "2"
    at.button(key=LessonPage.preset_key("lecture-convolution")).click().run()
    assert stepper(at, "xc_step")["start"] == 0 and "xc_step" not in at.query_params


def test_a_preset_sets_its_own_step(open_page):
    at = open_page(XC, {"xc_step": "3"})
    assert step_of(at, "xc_step") == 3
    at.button(key=LessonPage.preset_key("sobel-edge")).click().run()  # the preset's step is 0
    assert step_of(at, "xc_step") == 0
    go_to_step(at, "xc_step", 7)
    at.button(key=LessonPage.preset_key("sobel-edge")).click().run()  # again: back to the preset's step
    assert step_of(at, "xc_step") == 0


def test_a_demo_step_shows_its_frame(open_page):
    at = open_page(XC, {"demo": "1", "demo_step": "2"})  # asymmetric-kernel, frame 4 (lessons/cross_correlation.md)
    assert_clean(at)
    assert step_of(at, "xc_step") == 4
    conv, y = _conv_settings(at)
    assert step_equation(at, "xc_step").startswith("y[1, 1] = ") and step_equation(at, "xc_step").endswith(
        f"= {y[1, 1]:g}")


def test_the_browsers_step_reaches_the_server_and_a_server_step_overrides_it(open_page):
    at = open_page(XC)
    first = stepper(at, "xc_step")
    at.session_state["xc_step_ui"] = {"step": 3}  # the browser reports a step taken there
    at.run()
    assert_clean(at)
    reported = stepper(at, "xc_step")
    assert reported["start"] == 3 and at.query_params["xc_step"] == "3"
    assert reported["override"] == first["override"], "the browser's own step: no jump ordered"
    assert any(c.value.startswith("Shown: step 4 of 4") for c in at.caption), "the rest of the page follows"
    go_to_step(at, "xc_step", 1)  # a preset, a demo step
    moved = stepper(at, "xc_step")
    assert moved["start"] == 1 and moved["override"] > reported["override"], "the browser is told to jump"
    at.run()  # the browser's old report (3) does not win back
    assert stepper(at, "xc_step")["start"] == 1


def test_a_one_step_trace_still_shows_its_sum(open_page):
    at = open_page(XC, {"xc_x": "1 2; 3 4", "xc_k": "1 0; 0 -1"})  # valid padding: one output cell
    assert_clean(at)
    conv, y = _conv_settings(at)
    assert y.shape == (1, 1)
    text = engine_step_equation(engine.trace_conv(**conv).step(0))
    assert text.endswith(f"= {y[0, 0]:g}")
    shown = [b.proto.json for b in at.get("bidi_component")] + [h.value for h in at.get("html")]
    assert any(text.replace("·", "\\u00b7") in s or text in s for s in shown), "the one step's sum is on the page"
