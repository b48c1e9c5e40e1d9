"""Shift / rotation measurements of the digit nets (engine/nets/invariance.py)."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from engine.data.digits import example, load_split, shift
from engine.nets import digit_loading, invariance
from engine.nets.invariance import (accuracy_vs_rotation, accuracy_vs_shift, anchor_window_maxima, equivariance_error,
                                    pooling_shift_demo, relative_change, shift_response, translate)

NAMES = ("max_pool", "avg_pool", "strided", "global_pool", "se")


def torch_max_pool(image, k):
    return F.max_pool2d(torch.tensor(np.asarray(image, dtype=float))[None, None], k)[0, 0].numpy()


# --- the measures --------------------------------------------------------------------------------------

def test_relative_change():
    f = np.arange(12.0).reshape(3, 4)
    assert relative_change(f, f) == 0.0
    assert relative_change(3 * f, f) == pytest.approx(2.0)
    assert relative_change(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_change(np.ones(3), np.zeros(3)) == np.inf


@settings(max_examples=40, deadline=None)
@given(arrays(float, (2, 9, 10), elements=st.floats(0, 1)), st.integers(0, 3), st.sampled_from((1, 2, 3)),
       st.sampled_from(("x", "y", "xy")))
def test_a_map_that_moves_with_the_image_has_no_equivariance_error(f, q, stride, axis):
    moved = np.stack([translate(c, q, axis) for c in f])  # the map moved by q cells
    error = equivariance_error(moved, f, q * stride, stride, axis)
    assert error == 0.0
    if stride > 1:
        assert np.isnan(equivariance_error(moved, f, q * stride + 1, stride, axis))
    assert equivariance_error(moved, f, q, 0, axis) == relative_change(moved, f)  # 1x1 maps: plain change


def test_translate_moves_along_the_axis():
    image = np.arange(36.0).reshape(6, 6)
    np.testing.assert_array_equal(translate(image, 2, "x"), shift(image, 0, 2))
    np.testing.assert_array_equal(translate(image, 2, "y"), shift(image, 2, 0))
    np.testing.assert_array_equal(translate(image, -1, "xy"), shift(image, -1, -1))
    with pytest.raises(ValueError, match="axis"):
        translate(image, 1, "z")


# --- one image through a net ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", NAMES)
def test_shift_response_is_zero_at_shift_zero_and_conv1_is_equivariant(name):
    r = shift_response(name, example(2), max_shift=5, axis="x")
    assert list(r.shifts) == [0, 1, 2, 3, 4, 5]
    assert r.layers[-1] == "probs" and set(r.change) == set(r.layers) == set(r.equivariance_error)
    for layer in r.layers:
        assert r.change[layer][0] == 0.0 and r.equivariance_error[layer][0] == 0.0
    # the digit has a 6-pixel margin of zeros, as wide as the zero padding: conv1 moves with it exactly
    np.testing.assert_allclose(r.equivariance_error["conv1"], 0.0, atol=1e-6)
    assert np.all(r.change["conv1"][1:] > 0.1)  # ... so it is not invariant
    assert r.roles["last"] == r.layers[-2]


def test_shift_response_probability_change_is_measured_on_the_shifted_images():
    image = example(7, 3)
    r = shift_response("strided", image, max_shift=4, axis="xy")
    for d in range(5):
        expected = relative_change(digit_loading.predict("strided", shift(image, d, d))[0],
                                   digit_loading.predict("strided", image)[0])
        assert r.change["probs"][d] == pytest.approx(expected, rel=1e-6, abs=1e-12)
        assert r.predicted[d] == np.argmax(r.probs[d])
    assert r.strides == {"conv1": 1, "stride1": 2, "conv2": 2, "stride2": 4, "probs": 0}
    assert np.isnan(r.equivariance_error["stride1"][1]) and not np.isnan(r.equivariance_error["stride1"][2])


def test_the_global_pool_feature_is_far_more_stable_than_the_flattened_pooled_maps():
    """What the lesson shows: local 2x2 pooling leaves the classifier's input almost as shift-sensitive as the
    first convolution, global average pooling removes most of the change."""
    image = example(3)
    last_pooled = shift_response("max_pool", image, 3).role_change("last")
    last_global = shift_response("global_pool", image, 3).role_change("last")
    assert np.all(last_global[1:] < 0.5 * last_pooled[1:])
    assert np.all(np.isnan(shift_response("global_pool", image, 1).role_change("first_downsampled")))


def test_se_gates_barely_move_with_a_shift():
    """The squeeze is a global average: shifting a digit on its empty canvas leaves block 1's gates equal."""
    r = shift_response("se", example(5), 3, "y")
    np.testing.assert_allclose(r.change["gate1"], 0.0, atol=1e-5)


@pytest.mark.parametrize("bad", [dict(max_shift=-1), dict(max_shift=2.5), dict(max_shift=28), dict(axis="z")])
def test_shift_response_rejects_bad_arguments(bad):
    with pytest.raises(ValueError):
        shift_response("max_pool", example(0), **{"max_shift": 2, **bad})
    with pytest.raises(ValueError, match="28x28"):
        shift_response("max_pool", np.zeros((8, 8)))


# --- whole test split ----------------------------------------------------------------------------------

def test_accuracy_vs_shift_is_the_test_accuracy_at_zero_and_drops_for_the_pooled_net():
    curve = accuracy_vs_shift("strided", 3, "x")
    assert list(curve.amounts) == [-3, -2, -1, 0, 1, 2, 3] and curve.transform == "shift x"
    assert curve.accuracy[3] == pytest.approx(digit_loading.test_accuracy("strided"), abs=1e-9)
    assert curve.accuracy[0] < curve.accuracy[3] - 0.2 and curve.accuracy[-1] < curve.accuracy[3] - 0.2
    assert accuracy_vs_shift("strided", 3, "x") is curve  # cached
    with pytest.raises(ValueError):
        curve.accuracy[0] = 1.0  # read-only
    split = load_split()
    moved = np.stack([shift(x, 0, 2) for x in split.test_x])
    direct = np.mean(digit_loading.predict("strided", moved).argmax(axis=1) == split.test_y)
    assert curve.accuracy[5] == pytest.approx(direct, abs=1e-12)


def test_accuracy_vs_rotation():
    curve = accuracy_vs_rotation("strided", 40, 20)
    assert list(curve.amounts) == [-40, -20, 0, 20, 40] and curve.transform == "rotation"
    assert curve.accuracy[2] == pytest.approx(digit_loading.test_accuracy("strided"), abs=1e-9)
    assert curve.accuracy[0] < curve.accuracy[2] and curve.accuracy[-1] < curve.accuracy[2]
    with pytest.raises(ValueError):
        accuracy_vs_rotation("strided", 30, 0)


# --- the max-pooling demonstration ---------------------------------------------------------------------

@pytest.mark.parametrize("k, axis", [(2, "x"), (2, "y"), (3, "x"), (2, "xy")])
def test_pooling_demo_on_a_digit(k, axis):
    digit = example(0)
    demo = pooling_shift_demo(digit, k, axis)
    assert demo.constructed  # a smooth digit has maxima at every position: some always cross a boundary
    assert demo.same_shift == k - 1 and demo.broken_shift == k
    np.testing.assert_array_equal(demo.pooled, torch_max_pool(demo.image, k))
    np.testing.assert_array_equal(demo.pooled_same, torch_max_pool(translate(demo.image, k - 1, axis), k))
    np.testing.assert_array_equal(demo.pooled_same, demo.pooled)
    np.testing.assert_array_equal(demo.pooled_broken, torch_max_pool(translate(demo.image, k, axis), k))
    assert demo.changed.any() and np.array_equal(demo.changed, demo.pooled_broken != demo.pooled)
    np.testing.assert_array_equal(torch_max_pool(demo.image, k), torch_max_pool(digit, k))  # same pooled digit


def test_pooling_demo_keeps_an_image_that_already_works():
    image = np.zeros((8, 8))
    image[2:6, 2] = 1.0  # a vertical line in the left column of its 2x2 windows: a shift by 1 stays inside
    demo = pooling_shift_demo(image, 2, "x")
    assert not demo.constructed and demo.same_shift == 1 and demo.broken_shift == 2
    np.testing.assert_array_equal(demo.image, image)
    line = np.zeros((8, 8))
    line[2:6, 3] = 1.0  # right column: the first shift crosses the boundary
    assert pooling_shift_demo(line, 2, "x").constructed


@settings(max_examples=40, deadline=None)
@given(arrays(float, st.tuples(st.integers(4, 12), st.integers(4, 12)), elements=st.floats(0, 1)),
       st.sampled_from((2, 3)), st.sampled_from(("x", "y", "xy")))
def test_anchored_maxima_keep_the_pooled_map_for_shifts_inside_a_window(image, k, axis):
    anchored = anchor_window_maxima(image, k, axis)
    h, w = image.shape[0] // k * k, image.shape[1] // k * k
    if h == 0 or w == 0:
        return
    np.testing.assert_array_equal(torch_max_pool(anchored, k), torch_max_pool(image, k))
    assert np.count_nonzero(anchored) <= (h // k) * (w // k)
    for d in range(1, k):
        np.testing.assert_array_equal(torch_max_pool(translate(anchored, d, axis), k), torch_max_pool(image, k))


@pytest.mark.parametrize("bad, message", [(np.zeros((8, 8)), "blank"), (-np.ones((8, 8)), ">= 0"),
                                          (np.ones((3, 3)), "at least"), (np.full((8, 8), np.nan), "finite")])
def test_pooling_demo_rejects_unsuitable_input(bad, message):
    with pytest.raises(ValueError, match=message):
        pooling_shift_demo(bad)


def test_module_exports():
    assert invariance.AXES == ("x", "y", "xy")


# --- what global average pooling does and does not remove (the lesson's sentences) -----------------------

def _circular(name):
    """The trained net with circular instead of zero padding (same weights, a copy)."""
    import copy

    model = copy.deepcopy(digit_loading.load(name))
    for module in model.modules():
        if isinstance(module, torch.nn.Conv2d):
            module.padding_mode = "circular"
    return model


@pytest.mark.parametrize("name, period", [("global_pool", 1), ("strided_gap", 4), ("max_pool_gap", 4)])
def test_gap_is_exactly_invariant_to_wraparound_shifts_by_multiples_of_the_total_stride(name, period):
    """With circular padding a GAP net's output ignores a wrap-around shift by a multiple of its total stride
    (any shift without downsampling); with zero padding, or in between for the strided nets, it does not."""
    x = torch.tensor(np.array(load_split().test_x[:20]))[:, None]
    model, zero_padded = _circular(name), digit_loading.load(name)
    with torch.inference_mode():
        base = model(x)
        for d in (period, 2 * period, 5 * period if period == 1 else period):
            torch.testing.assert_close(model(torch.roll(x, d, dims=3)), base, rtol=1e-4, atol=1e-4)
        if period > 1:
            assert not torch.allclose(model(torch.roll(x, period // 2, dims=3)), base, atol=1e-3)
        d = min(period, 4) if period > 1 else 6  # the digits' 6-pixel margin: rolling is a plain shift here
        moved = zero_padded(torch.roll(x, d, dims=3))
        assert not torch.allclose(moved, zero_padded(x), atol=1e-3)  # zero padding: the border tells


@settings(max_examples=150, deadline=None)
@given(arrays(np.float64, (4, 8), elements=st.integers(0, 9).map(float)))
def test_a_2x2_max_stays_when_its_maximum_stays_inside_and_nothing_larger_moves_in(x):
    """The pooling lesson's rule for a shift by one column (zeros come in on the left): a pooled cell keeps its
    value when the window's maximum stays inside the window and the column moving in holds nothing larger."""
    import engine

    moved = np.zeros_like(x)
    moved[:, 1:] = x[:, :-1]
    before, after = engine.max_pool2d(x[None], 2)[0], engine.max_pool2d(moved[None], 2)[0]
    for r in range(2):
        for c in range(4):
            window = x[2 * r:2 * r + 2, 2 * c:2 * c + 2]
            coming_in = moved[2 * r:2 * r + 2, 2 * c]  # the window's left column after the move
            if window[:, 0].max() == window.max() and coming_in.max() <= window.max():
                assert after[r, c] == before[r, c]
    # the second condition is needed: the maximum 1 stays in its window, yet the 8 moving in replaces it
    row = np.array([[9.0, 8, 1, 0]] * 2)
    moved = np.concatenate([np.zeros((2, 1)), row[:, :-1]], axis=1)
    assert engine.max_pool2d(row[None], 2)[0, 0, 1] == 1 and engine.max_pool2d(moved[None], 2)[0, 0, 1] == 8
