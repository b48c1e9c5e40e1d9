"""Fuzz every public engine op and size helper (engine/__init__.py) with invalid shapes, dtypes and parameters:
each call returns torch's answer (compared where torch answers too) or raises ValueError with a message, within
the time and memory budget of fuzz_support.guarded. The traces and step figures: test_fuzz_traces.py.

FUZZ_EXAMPLES examples per test in the normal suite; CONVLAB_FUZZ_EXAMPLES=2000 for a long run.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import engine
from engine.ops.conv_matrix import conv_matrix
from engine.ops.coverage import participation_counts
from tests.engine.fuzz_support import (FUZZ, array_or_hostile, assert_agrees, guarded, hostile_array, input_and_kernel,
                                       mostly, param, spatial, t, torch_conv, torch_or_none, values)
from tests.engine.fuzz_support import bounded_memory  # noqa: F401 (the fixture, used by pytestmark)

torch = pytest.importorskip("torch")
F = torch.nn.functional
pytestmark = [pytest.mark.filterwarnings("ignore::RuntimeWarning"),  # NaN and inf in, NaN and inf out, as in torch
              pytest.mark.usefixtures("bounded_memory")]

# --- convolutions ------------------------------------------------------------------------------------------

@st.composite
def conv_case(draw, nd, transposed=False):
    groups = draw(st.integers(1, 2))
    c_in, c_out = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    size, k = draw(spatial(nd, 1, 7)), draw(spatial(nd, 1, 3))
    lead = (draw(st.integers(1, 2)), c_in) if draw(st.booleans()) else (c_in,)
    w_shape = (c_in, c_out // groups, *k) if transposed else (c_out, c_in // groups, *k)
    x, w = draw(array_or_hostile((*lead, *size))), draw(array_or_hostile(w_shape))
    bias = draw(mostly(st.none() | values((c_out,)), one_in=8))
    kwargs = dict(stride=draw(param(st.integers(1, 3))), dilation=draw(param(st.integers(1, 2))),
                  groups=draw(mostly(st.just(groups), st.sampled_from([0, 3, -1, None, 1.5, "2"]))))
    if transposed:
        kwargs.update(padding=draw(param(st.integers(0, 2))), output_padding=draw(param(st.integers(0, 1))))
    else:
        kwargs.update(padding=draw(param(st.integers(0, 2) | st.sampled_from(["valid", "same", "full"]))),
                      padding_mode=draw(param(st.sampled_from(engine.PADDING_MODES))))
    return x, w, bias, kwargs


@FUZZ
@given(st.sampled_from([1, 2]).flatmap(lambda nd: st.tuples(st.just(nd), conv_case(nd))))
def test_conv(case):
    nd, (x, w, bias, kwargs) = case
    got = guarded(getattr(engine, f"conv{nd}d"), x, w, bias, **kwargs)
    if got is not None:
        assert_agrees(got, torch_or_none(lambda: torch_conv(x, w, bias, nd, **kwargs)))


@FUZZ
@given(st.sampled_from([1, 2]).flatmap(lambda nd: st.tuples(st.just(nd), conv_case(nd, transposed=True))))
def test_conv_transpose(case):
    nd, (x, w, bias, kwargs) = case
    got = guarded(getattr(engine, f"conv_transpose{nd}d"), x, w, bias, **kwargs)
    if got is not None:
        f = getattr(F, f"conv_transpose{nd}d")
        assert_agrees(got, torch_or_none(lambda: f(t(x), t(w), None if bias is None else t(bias), **kwargs).numpy()))


@FUZZ
@given(st.sampled_from(["correlate1d", "convolve1d", "correlate2d", "convolve2d"]), st.data())
def test_single_channel_convolutions(name, data):
    nd = int(name[-2])
    x, k = input_and_kernel(data, nd)
    kwargs = dict(stride=data.draw(param(st.integers(1, 3))), padding=data.draw(param(st.integers(0, 2))),
                  dilation=data.draw(param(st.integers(1, 2))),
                  padding_mode=data.draw(param(st.sampled_from(engine.PADDING_MODES))))
    got = guarded(getattr(engine, name), x, k, **kwargs)
    if got is not None:
        kernel = np.flip(np.asarray(k, dtype=float)) if name.startswith("convolve") else k
        assert_agrees(got, torch_or_none(lambda: torch_conv(np.asarray(x)[None], np.asarray(kernel)[None, None],
                                                            None, nd, **kwargs)[0]))


# --- pooling -----------------------------------------------------------------------------------------------

@st.composite
def pool_case(draw, nd):
    lead = (draw(st.integers(1, 2)), 2) if draw(st.booleans()) else (draw(st.integers(1, 2)),)
    x = draw(array_or_hostile((*lead, *draw(spatial(nd, 1, 7)))))
    k = draw(param(st.integers(1, 3)))
    kwargs = dict(stride=draw(mostly(st.none() | st.integers(1, 3), one_in=8)),
                  padding=draw(param(st.integers(0, 1))), ceil_mode=draw(st.booleans()))
    return x, k, kwargs


@FUZZ
@given(st.sampled_from([1, 2]), st.booleans(), st.data())
def test_max_pool_and_unpool(nd, indices, data):
    x, k, kwargs = data.draw(pool_case(nd))
    kwargs["dilation"] = data.draw(param(st.integers(1, 2)))
    got = guarded(getattr(engine, f"max_pool{nd}d"), x, k, return_indices=indices, **kwargs)
    if got is None:
        return
    want = torch_or_none(lambda: getattr(F, f"max_pool{nd}d")(t(x), k, return_indices=indices, **kwargs))
    if want is not None and indices:
        assert_agrees(got[0], want[0].numpy())
        assert_agrees(got[1], want[1].numpy())
    elif want is not None:
        assert_agrees(got, want.numpy())
    if indices:  # unpool with these switches, or with hostile ones
        switches = data.draw(mostly(st.just(got[1]), hostile_array(), one_in=4))
        args = (kwargs["stride"], kwargs["padding"])
        back = guarded(getattr(engine, f"max_unpool{nd}d"), got[0], switches, k, *args)
        if back is not None:
            assert_agrees(back, torch_or_none(lambda: getattr(F, f"max_unpool{nd}d")(
                t(got[0]), torch.from_numpy(np.asarray(switches)), k, *args).numpy()))


@FUZZ
@given(st.sampled_from([1, 2]), st.data())
def test_avg_pool(nd, data):
    x, k, kwargs = data.draw(pool_case(nd))
    kwargs["count_include_pad"] = data.draw(st.booleans())
    if nd == 2:
        kwargs["divisor_override"] = data.draw(mostly(st.none(), st.sampled_from([3, 0, -2, 1.5, "x", None])))
    got = guarded(getattr(engine, f"avg_pool{nd}d"), x, k, **kwargs)
    if got is not None:
        assert_agrees(got, torch_or_none(lambda: getattr(F, f"avg_pool{nd}d")(t(x), k, **kwargs).numpy()))


@FUZZ
@given(st.sampled_from(["adaptive_avg_pool2d", "adaptive_max_pool2d"]), st.data())
def test_adaptive_pool(name, data):
    x = data.draw(array_or_hostile((data.draw(st.integers(1, 2)), *data.draw(spatial(2, 1, 7)))))
    size = data.draw(param(st.integers(1, 8) | st.tuples(st.integers(1, 8) | st.none(), st.integers(1, 8))))
    got = guarded(getattr(engine, name), x, size)
    if got is not None:
        assert_agrees(got, torch_or_none(lambda: getattr(F, name)(t(x), size).numpy()))


# --- padding and sizes -------------------------------------------------------------------------------------

@FUZZ
@given(st.data())
def test_pad(data):
    shape = data.draw(st.lists(st.integers(1, 4), min_size=1, max_size=4).map(tuple))
    x = data.draw(mostly(values(shape), hostile_array(shape), one_in=3))
    amounts = data.draw(param(st.lists(st.integers(0, 3), min_size=0, max_size=2 * len(shape)).filter(
        lambda p: len(p) % 2 == 0).map(tuple)))
    mode = data.draw(param(st.sampled_from(["constant", "zeros", "reflect", "replicate", "circular"])))
    bad_fills = st.sampled_from([300, -1, np.inf, np.nan, "1", 1j])
    value = data.draw(mostly(st.integers(-3, 3) | st.floats(-2, 2), bad_fills))
    got = guarded(engine.pad, x, amounts, mode=mode, value=value)
    if got is not None and isinstance(x, np.ndarray) and x.dtype.kind in "biuf":
        torch_mode = "constant" if mode == "zeros" else mode
        want = torch_or_none(lambda: F.pad(torch.from_numpy(x), amounts, torch_mode, value).numpy())
        assert want is None or got.dtype == want.dtype
        assert_agrees(got, want)
    sources = guarded(engine.pad_sources, shape, amounts, mode)
    if sources is not None and got is not None:
        assert sources.shape[:-1] == got.shape


@FUZZ
@given(st.data())
def test_size_helpers(data):
    small = st.integers(0, 9)
    i, k, s, p, d = (data.draw(param(small)) for _ in range(5))
    ceil = data.draw(st.booleans())
    sizes = [guarded(engine.conv_output_size, i, k, s, p, d), guarded(engine.effective_kernel_size, k, d),
             guarded(engine.pool_output_size, i, k, s, p, d, ceil)]
    kernel = guarded(engine.resolve_padding, data.draw(param(small | st.sampled_from(["valid", "same", "full"]))),
                     data.draw(param(st.tuples(st.integers(1, 4), st.integers(1, 4)))), d)
    assert kernel is None or all(0 <= q for pair in kernel for q in pair)
    if all(type(v) is int and v < 100 for v in (i, k, s, p, d)):  # torch's answer, on a small enough input
        conv = torch_or_none(lambda: F.conv1d(torch.ones(1, 1, i), torch.ones(1, 1, k), None, s, p, d).shape[-1])
        pool = torch_or_none(lambda: F.max_pool1d(torch.ones(1, 1, i), k, s, p, d, ceil).shape[-1])
        assert sizes[0] == conv and sizes[1] == (d * (k - 1) + 1 if k >= 1 and d >= 1 else None)
        assert sizes[2] == pool or (pool is None and p > k // 2)  # pooling's own rule p <= k / 2 is not a size's


@FUZZ
@given(st.data())
def test_matrices_and_counts(data):
    nd = data.draw(st.sampled_from([1, 2]))
    shape = data.draw(mostly(spatial(nd), st.sampled_from([(0,), (10**5, 10**5), (2, 2, 2), None, "ab", (1.5,)])))
    kernel = data.draw(array_or_hostile(data.draw(spatial(nd, 1, 3))))
    s, p, d = (data.draw(param(st.integers(lo, 2))) for lo in (1, 0, 1))
    C = guarded(conv_matrix, shape, kernel, s, p, d)
    if C is not None and np.isfinite(kernel).all():  # C drops taps on padding: NaN * 0 is not added there
        x = np.arange(float(np.prod(shape))).reshape(shape)
        want = torch_or_none(lambda: F.__dict__[f"conv{nd}d"](t(x)[None, None], t(kernel)[None, None], None, s, p, d))
        assert_agrees(C @ x.ravel(), None if want is None else want.numpy().ravel())
    k_shape = np.shape(kernel) if isinstance(kernel, np.ndarray) else kernel
    counts = guarded(engine.overlap_counts, shape, k_shape, s, p, 0, d)
    if counts is not None:
        ones = torch_or_none(lambda: F.__dict__[f"conv_transpose{nd}d"](
            torch.ones(1, 1, *shape), torch.ones(1, 1, *k_shape), None, s, p, 0, 1, d)[0, 0].numpy())
        assert_agrees(counts, ones)
    guarded(participation_counts, shape, k_shape, s, p, d)


@FUZZ
@given(st.lists(st.tuples(*[param(st.integers(lo, 3)) for lo in (1, 1, 0, 1)]), max_size=4),
       param(st.integers(1, 40)), param(st.integers(0, 10)))
def test_receptive_fields(rows, length, index):
    layers = [guarded(engine.Layer, *row) for row in rows]
    if any(layer is None for layer in layers):
        return
    guarded(engine.receptive_field, layers)
    guarded(engine.input_range, layers, index)
    masks = guarded(engine.receptive_cells, layers, length, index)
    assert masks is None or len(masks) == len(layers) + 1


@FUZZ
@given(*[param(st.integers(1, 64)) for _ in range(3)], mostly(st.none() | st.integers(1, 16)))
def test_bottleneck_cost(h, w, c, reduction):
    cost = guarded(engine.bottleneck_cost, h, w, c, reduction)
    assert cost is None or cost.block_flops == h * w * (4 * c * c + 9 * c * c + 4 * c * c)
