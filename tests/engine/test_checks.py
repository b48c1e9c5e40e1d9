"""The shared argument checks (engine/ops/checks.py) and the defects of issue 13 they fix, items 7-9, 11, 12:
where torch raises, the engine raises ValueError with a message; what would exceed the budget is refused."""
from __future__ import annotations

import doctest
import time

import numpy as np
import pytest

import engine
from engine.figures import at_step, pool_step_html, step_html
from engine.figures.animation import animation_spec
from engine.figures.transposed_figures import stamp_html
from engine.ops import arithmetic, checks
from engine.ops.conv_matrix import conv_matrix
from engine.ops.coverage import participation_counts

torch = pytest.importorskip("torch")
F = torch.nn.functional


def test_docstring_examples_run():
    for module in (checks, arithmetic):
        assert doctest.testmod(module).failed == 0


def _torch_raises(call):
    with pytest.raises((RuntimeError, ValueError, TypeError, OverflowError)):
        call()


@pytest.mark.parametrize("helper, args, torch_call, phrase", [
    # item 7: the size helpers validate like torch's layers do
    (engine.conv_output_size, (5, 3, 0), lambda: F.conv1d(torch.ones(1, 1, 5), torch.ones(1, 1, 3), stride=0),
     "s must be a whole number of at least 1, got 0"),
    (engine.conv_output_size, (3, 5), lambda: F.conv1d(torch.ones(1, 1, 3), torch.ones(1, 1, 5)),
     "kernel covers 5 cells but the padded input is only 3"),
    (engine.conv_output_size, (4, 0), lambda: F.conv1d(torch.ones(1, 1, 4), torch.ones(1, 1, 0)),
     "k must be a whole number of at least 1, got 0"),
    (engine.pool_output_size, (3, 7, 1, 0), lambda: F.max_pool1d(torch.ones(1, 1, 3), 7, 1, 0),
     "7-cell window does not fit in 3 cells"),
    (engine.effective_kernel_size, (3, 0), lambda: F.conv1d(torch.ones(1, 1, 5), torch.ones(1, 1, 3), dilation=0),
     "d must be a whole number of at least 1, got 0"),
    (engine.conv_output_size, (5, 3, 1, -1), lambda: F.conv1d(torch.ones(1, 1, 5), torch.ones(1, 1, 3), padding=-1),
     "p must be a whole number of at least 0"),
])
def test_size_helpers_raise_where_torch_raises(helper, args, torch_call, phrase):
    _torch_raises(torch_call)
    with pytest.raises(ValueError, match=phrase):
        helper(*args)


@pytest.mark.parametrize("i, k, s, p, d", [(5, 3, 1, 0, 1), (7, 3, 2, 1, 1), (9, 2, 3, 0, 2), (4, 4, 1, 2, 1)])
def test_size_helpers_agree_with_torch_when_valid(i, k, s, p, d):
    y = F.conv1d(torch.ones(1, 1, i), torch.ones(1, 1, k), stride=s, padding=p, dilation=d)
    assert engine.conv_output_size(i, k, s, p, d) == y.shape[-1]
    assert engine.effective_kernel_size(k, d) == d * (k - 1) + 1
    if p <= k // 2:
        assert engine.pool_output_size(i, k, s, p, d) == F.max_pool1d(torch.ones(1, 1, i), k, s, p, d).shape[-1]


X, W = np.ones((1, 5, 5)), np.ones((1, 1, 3, 3))


@pytest.mark.parametrize("call, phrase", [
    # item 8: errors other than ValueError before
    (lambda: engine.trace_conv(np.ones(3), np.ones(0)), "at least one cell in the input and in the kernel"),
    (lambda: engine.conv2d(X, W, stride=float("inf")), "stride must be a whole number of at least 1, got inf"),
    (lambda: engine.conv2d(X, W, padding=float("nan")), "Padding must be a whole number of at least 0, got nan"),
    (lambda: engine.conv2d(X, W, dilation=float("-inf")), "dilation must be a whole number"),
    (lambda: engine.conv2d(X, W, dilation=None), "dilation must be a whole number of at least 1, got None"),
    (lambda: engine.conv2d(X, W, stride=1j), "stride must be a whole number"),
    (lambda: engine.conv2d(X, W, stride="2"), "stride must be a whole number of at least 1, got '2'"),
    (lambda: engine.conv2d(X, W, groups=None), "groups must be a whole number"),
    (lambda: engine.conv2d(X, W, padding_mode=None), "Unknown padding_mode None"),
    (lambda: engine.conv2d(np.full((1, 5, 5), "a"), W), "needs numbers .* got an array of <U1"),
    (lambda: engine.conv1d(np.ones((1, 5)), np.array([[[None, 1, 2]]])), "needs numbers .* array of object"),
    (lambda: engine.conv2d(X, W, bias=["b"]), "needs numbers .* in its bias"),
    (lambda: engine.conv_transpose2d(X, W, stride=float("nan")), "stride must be a whole number"),
    (lambda: engine.max_pool2d(X, None), "kernel_size must be a whole number"),
    (lambda: engine.avg_pool2d(X, 2, divisor_override="x"), "divisor_override must be a non-zero whole number"),
    (lambda: engine.adaptive_avg_pool2d(X, "a"), "output_size must be whole numbers"),
    (lambda: engine.pad(X, None), "pad is a tuple of whole numbers"),
    (lambda: engine.pad(X, (1, float("inf"))), "Padding must be whole numbers of at least 0"),
    (lambda: engine.resolve_padding(None, (3,)), "Padding must be a whole number of at least 0, got None"),
    (lambda: step_html(engine.trace_conv(np.ones(4), np.ones(2)), 1.5), "step number must be a whole number"),
    (lambda: pool_step_html(engine.trace_pool(np.ones(4), 2), "1"), "step number must be a whole number"),
    (lambda: at_step(animation_spec(engine.trace_conv(np.ones(4), np.ones(2))), None), "step number"),
    (lambda: stamp_html(engine.trace_conv_transpose(np.ones(3), np.ones(2)), float("nan")), "step number"),
    # item 12: messages that named the wrong problem
    (lambda: engine.trace_conv_transpose(np.ones((0, 3)), np.ones((2, 2))), "at least one cell in the input"),
    (lambda: engine.resolve_padding("same", (0, 0)), "kernel_size must be a whole number of at least 1"),
    (lambda: engine.resolve_padding("full", (3,), 0), "dilation must be a whole number of at least 1"),
])
def test_bad_arguments_raise_value_error(call, phrase):
    with pytest.raises(ValueError, match=phrase):
        call()


@pytest.mark.parametrize("trace", [engine.trace_conv, engine.trace_conv_transpose])
def test_bias_none_means_no_bias_in_both_traces(trace):
    """conv2d's own default, bias=None, is accepted by the traces (it broke both)."""
    x, k = np.arange(12.0).reshape(3, 4), np.array([[1.0, -1.0], [2.0, 0.5]])
    assert np.array_equal(trace(x, k, bias=None).output, trace(x, k, bias=0.0).output)
    with pytest.raises(ValueError, match="its bias is one number"):
        trace(x, k, bias=[1.0, 2.0])


@pytest.mark.parametrize("call, phrase", [
    # item 9: what cannot fit in the budget is refused before anything is allocated or computed
    (lambda: engine.conv1d(np.ones((1, 5)), np.ones((1, 1, 3)), padding=2**31), "padding 2147483648 is more than"),
    (lambda: engine.conv1d(np.ones((1, 5)), np.ones((1, 1, 3)), padding=2**23), "output would hold"),
    (lambda: conv_matrix((5,), np.ones(2), stride=2**63), "stride 9223372036854775808 is more than"),
    (lambda: conv_matrix((200, 200), np.ones((3, 3))), "conv_matrix's matrix would hold 39204 x 40000"),
    (lambda: engine.trace_conv_transpose(np.ones((100, 100)), np.ones((3, 3))), "would record 10,000 steps"),
    (lambda: engine.trace_conv(np.ones((1000, 1000)), np.ones((3, 3))), "would record 996,004 steps"),
    (lambda: engine.trace_pool(np.ones((1000, 1000)), 2), "would record 250,000 steps"),
    (lambda: engine.trace_conv_transpose(np.ones((60, 60)), np.ones((9, 9)), stride=9), "would keep"),
    (lambda: engine.conv2d(np.ones((1, 1000, 1000)), np.ones((1, 1, 999, 999)), padding="same"), "multiply-adds"),
    (lambda: engine.conv_transpose2d(np.ones((1, 10, 10)), np.ones((1, 1, 3, 3)), stride=10**6), "canvas"),
    (lambda: engine.pad(np.ones((2, 2)), (0, 0, 10**9, 0)), "padded array would hold"),
    (lambda: engine.max_unpool2d(np.ones((1, 2, 2)), np.zeros((1, 2, 2), np.int64), 10**5), "output would hold"),
    (lambda: engine.adaptive_avg_pool2d(np.ones((1, 2, 2)), 10**5), "output would hold"),
    (lambda: engine.overlap_counts((10**5, 10**5), (3, 3), 1), "input_shape would hold"),
    (lambda: participation_counts((4000, 4000), (1000, 1000)), "multiply-adds"),
])
def test_what_exceeds_the_budget_is_refused_quickly(call, phrase):
    start = time.perf_counter()
    with pytest.raises(ValueError, match=phrase):
        call()
    assert time.perf_counter() - start < 1.0


def test_the_largest_trace_within_the_budget_runs():
    side = int(checks.MAX_TRACE_STEPS ** 0.5)  # 64 x 64 outputs
    trace = engine.trace_conv(np.ones((side + 2, side + 2)), np.ones((3, 3)))
    assert len(trace.steps) == checks.MAX_TRACE_STEPS and np.all(trace.output == 9)


@pytest.mark.parametrize("dtype, value", [(np.uint8, 300), (np.uint8, -1), (np.uint8, float("inf")),
                                          (np.int64, float("nan")), (np.int32, 2**40), (np.float32, 1e300),
                                          (np.uint8, "1"), (np.float64, 1j)])
def test_pad_refuses_a_fill_value_the_array_cannot_hold_like_torch(dtype, value):
    """Item 11: uint8 300 used to wrap to 44, -1 to 255, inf to 0."""
    if not isinstance(value, (str, complex)):
        _torch_raises(lambda: F.pad(torch.from_numpy(np.zeros(3, dtype)), (1, 1), value=value))
    with pytest.raises(ValueError, match="fill value"):
        engine.pad(np.zeros(3, dtype), (1, 1), value=value)


@pytest.mark.parametrize("dtype, value", [(np.uint8, 255), (np.uint8, 1.5), (np.int64, -7.9), (bool, 2),
                                          (np.float32, float("inf")), (np.float64, float("nan")), (np.int16, None)])
def test_pad_fill_values_that_fit_match_torch(dtype, value):
    x = np.arange(3).astype(dtype)
    want = F.pad(torch.from_numpy(x), (2, 1), value=value).numpy()
    got = engine.pad(x, (2, 1), value=value)
    assert got.dtype == want.dtype and np.array_equal(got, want, equal_nan=got.dtype.kind == "f")


@pytest.mark.parametrize("value, expected", [(3, 3), (np.int64(3), 3), (3.0, 3), (np.float32(2), 2), (True, None),
                                             (2.5, None), (float("inf"), None), (float("nan"), None), (None, None),
                                             ("3", None), (3j, None), (10**30, 10**30)])
def test_whole_number(value, expected):
    assert checks.whole_number(value) == expected


def test_per_axis_and_positive():
    assert checks.per_axis(2, 2, "stride") == (2, 2)
    assert checks.per_axis(np.array(2), 2, "stride") == (2, 2)
    assert checks.positive((1, 3), 2, "stride") == (1, 3)
    assert checks.non_negative([0, 2.0], 2, "padding") == (0, 2)
    with pytest.raises(ValueError, match=r"stride needs 2 value\(s\), one per spatial axis; got 3"):
        checks.positive((1, 1, 1), 2, "stride")
    with pytest.raises(ValueError, match=r"got 'x+\.\.\.\.$") as error:
        checks.positive("x" * 1000, 1, "stride")  # a hostile value is shortened in the message
    assert len(str(error.value)) < 100


@pytest.mark.parametrize("call, phrase", [
    # found by the engine fuzzer
    (lambda: engine.input_range([engine.Layer(3)], None), "output index is a whole number, got None"),
    (lambda: engine.receptive_cells([engine.Layer(3)], 9, 1.5), "there is no output 1.5"),
    (lambda: engine.receptive_cells([engine.Layer(3)], 2**31, 0), "input_length 2147483648 is more than the engine's"),
    (lambda: engine.receptive_cells([engine.Layer(10**6, 1, 10**6)] * 2, 9, 10**6), "multiply-adds"),
    (lambda: engine.receptive_field([3, 1]), "A stack is a list of Layer"),
    (lambda: engine.bottleneck_cost(None, 1, 1), "height must be a whole number of at least 1, got None"),
    (lambda: engine.bottleneck_cost(2, 2, 2, "x"), "reduction must be a whole number"),
    (lambda: engine.pad(np.float64(3.0), ()), "at least one axis"),
    (lambda: engine.pool_output_size(0, 1), "i must be a whole number of at least 1"),
])
def test_fuzzer_findings_raise_value_error(call, phrase):
    with pytest.raises(ValueError, match=phrase):
        call()
