"""Fuzz the step traces (trace_conv, trace_pool, trace_conv_transpose) and the figure builders that show one
step, with invalid inputs, parameters and step numbers: each call returns (the trace's output is torch's) or
raises ValueError with a message, within the time and memory budget of fuzz_support.guarded.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import engine
from engine.figures import (at_step, formula_latex, pool_animation_spec, pool_equation, pool_step_html, step_equation,
                            step_html, unpool_html)
from engine.figures.animation import animation_spec
from engine.figures.transposed_figures import stamp_html
from tests.engine.fuzz_support import (FUZZ, array_or_hostile, assert_agrees, guarded, input_and_kernel, mostly, param,
                                       spatial, t, torch_conv, torch_or_none)
from tests.engine.fuzz_support import bounded_memory  # noqa: F401 (the fixture, used by pytestmark)

torch = pytest.importorskip("torch")
F = torch.nn.functional
pytestmark = [pytest.mark.filterwarnings("ignore::RuntimeWarning"), pytest.mark.usefixtures("bounded_memory")]

STEP = mostly(st.integers(-3, 40), one_in=3)


@FUZZ
@given(st.sampled_from([1, 2]), st.data())
def test_trace_conv_and_its_figures(nd, data):
    x, k = input_and_kernel(data, nd)
    bias = data.draw(mostly(st.none() | st.floats(-2, 2), one_in=6))
    kwargs = dict(stride=data.draw(param(st.integers(1, 2))), padding=data.draw(param(st.integers(0, 2))),
                  dilation=data.draw(param(st.integers(1, 2))),
                  padding_mode=data.draw(param(st.sampled_from(engine.PADDING_MODES))), flip=data.draw(st.booleans()))
    trace = guarded(engine.trace_conv, x, k, bias, **kwargs)
    if trace is None:
        return
    flip = kwargs.pop("flip")
    kernel = np.flip(np.asarray(k, dtype=float)) if flip else np.asarray(k, dtype=float)
    want = torch_or_none(lambda: torch_conv(np.asarray(x)[None], kernel[None, None], None, nd, **kwargs)[0])
    assert_agrees(trace.output, None if want is None else want + (bias or 0.0))
    guarded(step_html, trace, data.draw(STEP))
    guarded(step_equation, trace.steps[0], bias or 0.0)
    guarded(formula_latex, trace)


SPECS = (animation_spec(engine.trace_conv(np.arange(12.0).reshape(3, 4), np.ones((2, 2)))),  # 6 frames each:
         pool_animation_spec(engine.trace_pool(np.arange(12.0).reshape(3, 4), 2, 1)))  # conv_, pool_animation


@FUZZ
@given(st.sampled_from(SPECS), STEP)
def test_animation_at_a_step(spec, n):
    figure = guarded(at_step, spec, n)
    assert figure is None or figure.to_dict()["layout"]["sliders"][0]["active"] == min(max(n, 0), 5)


@FUZZ
@given(st.sampled_from([1, 2]), st.sampled_from(["max", "avg"]), st.data())
def test_trace_pool_and_its_figures(nd, mode, data):
    x = data.draw(array_or_hostile(data.draw(spatial(nd, 1, 6))))
    k, stride, padding = data.draw(param(st.integers(1, 3))), data.draw(param(st.none() | st.integers(1, 3))), \
        data.draw(param(st.integers(0, 1)))
    mode = data.draw(mostly(st.just(mode), st.sampled_from(["min", None, 1])))
    ceil, include = data.draw(st.booleans()), data.draw(st.booleans())
    trace = guarded(engine.trace_pool, x, k, stride, padding, mode, ceil, include)
    if trace is None:
        return
    pool = getattr(F, f"{mode}_pool{nd}d")
    extra = dict(count_include_pad=include) if mode == "avg" else {}
    want = torch_or_none(lambda: pool(t(x)[None], k, stride, padding, ceil_mode=ceil, **extra)[0].numpy())
    assert_agrees(trace.output, want)
    n = data.draw(STEP)
    guarded(pool_step_html, trace, n)
    guarded(pool_equation, trace, n)
    if mode == "max" and nd == 2:
        guarded(unpool_html, trace)


@FUZZ
@given(st.sampled_from([1, 2]), st.data())
def test_trace_conv_transpose_and_its_figure(nd, data):
    x, k = input_and_kernel(data, nd, 5)
    bias = data.draw(mostly(st.none() | st.floats(-2, 2), one_in=6))
    s, p, op, d = (data.draw(param(st.integers(lo, hi))) for lo, hi in ((1, 3), (0, 2), (0, 1), (1, 2)))
    trace = guarded(engine.trace_conv_transpose, x, k, bias, s, p, op, d)
    if trace is None:
        return
    f = getattr(F, f"conv_transpose{nd}d")
    want = torch_or_none(lambda: f(t(x)[None, None], t(k)[None, None], None, s, p, op, 1, d)[0, 0].numpy())
    assert_agrees(trace.output, None if want is None else want + (bias or 0.0))
    guarded(stamp_html, trace, data.draw(STEP))
