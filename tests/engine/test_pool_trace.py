"""Pooling traces against the direct computation (max_pool*/avg_pool*) and against PyTorch."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import PoolStep, PoolTrace, avg_pool1d, avg_pool2d, max_pool1d, max_pool2d, trace_pool

torch = pytest.importorskip("torch")
F = torch.nn.functional


@st.composite
def trace_cases(draw, nd):
    k = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    stride = draw(st.one_of(st.none(), st.tuples(*[st.integers(1, 3)] * nd)))
    padding = tuple(draw(st.integers(0, kk // 2)) for kk in k)
    sizes = tuple(draw(st.integers(max(1, kk - 2 * p), max(1, kk - 2 * p) + 4)) for kk, p in zip(k, padding))
    x = np.random.default_rng(draw(st.integers(0, 2**32 - 1))).integers(-2, 3, sizes).astype(float)  # ties
    return x, dict(kernel_size=k, stride=stride, padding=padding, ceil_mode=draw(st.booleans()))


def _direct(x, args, mode, count_include_pad):
    """The op on a (C=1, *spatial) input, and torch's (values, indices) for max."""
    nd = x.ndim
    kwargs = {n: v for n, v in args.items() if v is not None}
    if mode == "max":
        ours = (max_pool1d if nd == 1 else max_pool2d)(x[None], **kwargs)
        theirs = (F.max_pool1d if nd == 1 else F.max_pool2d)(torch.from_numpy(x)[None], **kwargs, return_indices=True)
        return ours[0], theirs[0][0].numpy(), theirs[1][0].numpy()
    ours = (avg_pool1d if nd == 1 else avg_pool2d)(x[None], **kwargs, count_include_pad=count_include_pad)
    theirs = (F.avg_pool1d if nd == 1 else F.avg_pool2d)(torch.from_numpy(x)[None], **kwargs,
                                                         count_include_pad=count_include_pad)
    return ours[0], theirs[0].numpy(), None


@settings(max_examples=60, deadline=None)
@given(st.sampled_from([1, 2]).flatmap(trace_cases), st.sampled_from(["max", "avg"]), st.booleans())
def test_trace_matches_pooling_and_every_step_reproduces_its_window(case, mode, count_include_pad):
    x, args = case
    t = trace_pool(x, **args, mode=mode, count_include_pad=count_include_pad)
    ours, torch_values, torch_indices = _direct(x, args, mode, count_include_pad)
    np.testing.assert_array_equal(t.output, ours)
    np.testing.assert_array_equal(t.output, torch_values)
    assert len(t.steps) == t.output.size
    assert [s.index for s in t.steps] == list(np.ndindex(*t.output.shape))  # reading order
    lo = np.array([p for p, _ in t.pads])
    for step in t.steps:
        cells = step.cells.reshape(-1, x.ndim)
        np.testing.assert_array_equal(t.padded[tuple(cells.T)], step.values.ravel())  # values are at the cells
        assert ((cells >= 0) & (cells < t.padded.shape)).all()
        start = np.array(step.index) * np.array(t.stride)
        np.testing.assert_array_equal(cells[0], start)  # the window starts at s * index
        inside = ((cells >= lo) & (cells < lo + x.shape)).all(-1)
        if mode == "max":
            assert step.value == step.values.max() and step.divisor is None
            assert step.value == t.padded[step.argmax]
            at = np.ravel_multi_index(tuple(np.array(step.argmax) - lo), x.shape)
            assert at == torch_indices[step.index]  # the cell torch's return_indices points to
            first = next(tuple(c) for c, v, i in zip(cells, step.values.ravel(), inside) if i and v == step.value)
            assert step.argmax == first
        else:
            assert step.argmax is None
            assert step.divisor == (len(cells) if count_include_pad else inside.sum())
            assert step.value == step.values.sum() / step.divisor


def test_padding_is_minus_infinity_for_max_and_zero_for_average():
    x = np.array([[-3.0, -1.0], [-2.0, -4.0]])
    t_max = trace_pool(x, 2, stride=1, padding=1)
    assert t_max.padded.shape == (4, 4) and t_max.pads == ((1, 1), (1, 1))
    assert (t_max.padded[0] == -np.inf).all() and (t_max.output < 0).all()  # padding never wins
    np.testing.assert_array_equal(t_max.output, F.max_pool2d(torch.from_numpy(x)[None], 2, 1, 1)[0].numpy())
    t_avg = trace_pool(x, 2, stride=1, padding=1, mode="avg")
    assert (t_avg.padded[0] == 0).all() and t_avg.steps[0].divisor == 4


def test_ceil_mode_window_is_clipped_to_the_padded_input():
    t = trace_pool(np.arange(5.0), 2, ceil_mode=True, mode="avg")  # windows 0-1, 2-3, 4 (one cell)
    assert [s.cells.shape for s in t.steps] == [(2, 1), (2, 1), (1, 1)]
    assert t.steps[-1].divisor == 1 and t.steps[-1].value == 4
    np.testing.assert_array_equal(t.output, F.avg_pool1d(torch.arange(5.0)[None], 2, ceil_mode=True)[0].numpy())


def test_records_are_frozen_and_step_is_clamped():
    t = trace_pool(np.arange(16.0).reshape(4, 4), 2)
    assert isinstance(t, PoolTrace) and all(isinstance(s, PoolStep) for s in t.steps)
    with pytest.raises(dataclasses.FrozenInstanceError):
        t.mode = "avg"
    with pytest.raises(dataclasses.FrozenInstanceError):
        t.steps[0].value = 0.0
    assert t.step(-3) is t.steps[0] and t.step(99) is t.steps[-1]
    assert t.steps[0].argmax == (1, 1) and t.steps[0].value == 5


@pytest.mark.parametrize("call, phrase", [
    (lambda: trace_pool(np.ones((1, 3, 3)), 2), r"1D \(L,\) or 2D \(H, W\) input; got shape \(1, 3, 3\)"),
    (lambda: trace_pool(np.ones((3, 3)), 2, mode="min"), "mode must be 'max' or 'avg', got 'min'"),
    (lambda: trace_pool(np.ones((3, 3)), 2, padding=2), "more than half the kernel size 2"),
    (lambda: trace_pool(np.ones((3, 3)), 4), "does not fit"),
    (lambda: trace_pool(np.ones(3), 4), "The 4-cell window does not fit in the 3-cell padded input"),
    (lambda: trace_pool(np.ones(3), 2, stride=0), "stride must be a whole number"),
])
def test_bad_arguments_are_explained(call, phrase):
    with pytest.raises(ValueError, match=phrase):
        call()
