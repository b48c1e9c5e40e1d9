"""Grouped, depthwise, 1x1 and depthwise-separable convolution (engine/ops/grouped.py) against torch: outputs
(hypothesis), parameter counts of nn.Conv2d and multiply-adds of torch's FlopCounterMode; the lectures' examples;
the PyTorch code the lesson shows runs and agrees."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import engine
from engine.ops.grouped import (check_groups, depthwise_separable, group_inputs, grouped_cost, pointwise_as_matmul,
                                separable_cost, separable_speedup, valid_groups)
from engine.pytorch_code import grouped_conv_code, separable_conv_code

torch = pytest.importorskip("torch")
F = torch.nn.functional
SETTINGS = settings(max_examples=60, deadline=None)


def _macs(module, x):
    from torch.utils.flop_counter import FlopCounterMode
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        module(x)
    return counter.get_total_flops() // 2  # torch counts 2 FLOPs per multiply-add


@st.composite
def grouped_layers(draw):
    """(x, w, groups, padding): G groups of 1-3 input and 1-3 output channels each; G = C_in is depthwise."""
    g = draw(st.integers(1, 4))
    c_in, c_out = g * draw(st.integers(1, 3)), g * draw(st.integers(1, 3))
    k = draw(st.sampled_from([1, 2, 3]))
    h, w = draw(st.integers(k, 7)), draw(st.integers(k, 7))
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 16)))
    return (rng.integers(-3, 4, (2, c_in, h, w)).astype(float), rng.integers(-3, 4, (c_out, c_in // g, k, k)).astype(float),
            g, draw(st.integers(0, k // 2)))


@SETTINGS
@given(grouped_layers())
def test_grouped_conv_equals_torch(case):
    x, w, g, p = case
    expected = F.conv2d(torch.from_numpy(x), torch.from_numpy(w), padding=p, groups=g).numpy()
    np.testing.assert_array_equal(engine.conv2d(x, w, padding=p, groups=g), expected)  # whole numbers: exact


@SETTINGS
@given(st.integers(1, 6), st.integers(1, 4), st.sampled_from([1, 3]), st.integers(0, 2 ** 16))
def test_depthwise_with_a_multiplier_equals_torch(c, multiplier, k, seed):
    rng = np.random.default_rng(seed)
    x, w = rng.standard_normal((c, 6, 5)), rng.standard_normal((c * multiplier, 1, k, k))
    y = engine.conv2d(x, w, padding=k // 2, groups=c)
    assert y.shape[0] == c * multiplier
    np.testing.assert_allclose(y, F.conv2d(torch.from_numpy(x), torch.from_numpy(w), padding=k // 2, groups=c).numpy(),
                               atol=1e-12)


@SETTINGS
@given(st.integers(1, 6), st.integers(1, 6), st.integers(1, 5), st.integers(0, 2 ** 16))
def test_a_1x1_conv_is_a_matrix_product_at_every_pixel(c_in, c_out, h, seed):
    rng = np.random.default_rng(seed)
    x, w = rng.standard_normal((c_in, h, h + 1)), rng.standard_normal((c_out, c_in))
    by_torch = F.conv2d(torch.from_numpy(x), torch.from_numpy(w[:, :, None, None])).numpy()
    np.testing.assert_allclose(pointwise_as_matmul(x, w), by_torch, atol=1e-12)
    np.testing.assert_allclose(engine.conv2d(x, w[:, :, None, None]), by_torch, atol=1e-12)
    i, j = h - 1, h  # one pixel: W times that pixel's channel vector
    np.testing.assert_allclose(by_torch[:, i, j], w @ x[:, i, j], atol=1e-12)


@SETTINGS
@given(st.integers(1, 5), st.integers(1, 6), st.sampled_from([1, 3, 5]), st.integers(0, 2 ** 16))
def test_depthwise_separable_equals_torch(c_in, c_out, k, seed):
    rng = np.random.default_rng(seed)
    x, dw, pw = rng.standard_normal((c_in, 7, 7)), rng.standard_normal((c_in, 1, k, k)), rng.standard_normal((c_out, c_in, 1, 1))
    middle, out = depthwise_separable(x, dw, pw, padding=k // 2)
    module = torch.nn.Sequential(torch.nn.Conv2d(c_in, c_in, k, padding=k // 2, groups=c_in, bias=False),
                                 torch.nn.Conv2d(c_in, c_out, 1, bias=False)).double()
    with torch.no_grad():
        module[0].weight.copy_(torch.from_numpy(dw))
        module[1].weight.copy_(torch.from_numpy(pw))
        np.testing.assert_allclose(out, module(torch.from_numpy(x)[None])[0].numpy(), atol=1e-10)
    assert middle.shape == (c_in, 7, 7)


@settings(max_examples=15, deadline=None)  # FlopCounterMode is slow: fewer examples
@given(st.integers(1, 5), st.integers(1, 6), st.sampled_from([1, 3, 5]))
def test_depthwise_separable_cost_equals_flop_counter(c_in, c_out, k):
    module = torch.nn.Sequential(torch.nn.Conv2d(c_in, c_in, k, padding=k // 2, groups=c_in, bias=False),
                                 torch.nn.Conv2d(c_in, c_out, 1, bias=False)).double()
    cost = separable_cost(c_in, c_out, k, 7, 7)
    standard = torch.nn.Conv2d(c_in, c_out, k, padding=k // 2, bias=False).double()
    x_t = torch.zeros(1, c_in, 7, 7, dtype=torch.float64)
    assert cost.weights == sum(p.numel() for p in module.parameters())
    assert cost.macs == _macs(module, x_t)
    assert (cost.standard.weights, cost.standard.macs) == (standard.weight.numel(), _macs(standard, x_t))
    assert cost.speedup == pytest.approx(float(separable_speedup(c_out, k)))


@SETTINGS
@given(st.integers(1, 12), st.integers(1, 12), st.integers(1, 12), st.sampled_from([1, 2, 3, 5]), st.integers(1, 9))
def test_grouped_cost_equals_torch_parameters_and_flop_counter(c_in, c_out, g, k, h):
    if g not in valid_groups(c_in, c_out):
        with pytest.raises(ValueError, match="must divide both"):
            grouped_cost(c_in, c_out, k, g, h, h)
        return
    cost = grouped_cost(c_in, c_out, k, g, h, h)
    conv = torch.nn.Conv2d(c_in, c_out, k, padding=k // 2, groups=g, bias=False)
    x = torch.zeros(1, c_in, h, h)
    assert cost.weights == conv.weight.numel() and tuple(conv.weight.shape) == (c_out, c_in // g, k, k)
    assert cost.output_shape == tuple(conv(x).shape[1:])
    assert cost.macs == _macs(conv, x) == c_out * c_in * k * k * cost.output_shape[1] * cost.output_shape[2] // g


def test_group_inputs_follow_torch_channel_order():
    """Filter o of group g sees input channels g*C_in/G .. (g+1)*C_in/G - 1: zeroing the others changes nothing."""
    c_in, c_out, g = 6, 4, 2
    rng = np.random.default_rng(0)
    w = torch.from_numpy(rng.standard_normal((c_out, c_in // g, 3, 3)))
    x = rng.standard_normal((1, c_in, 5, 5))
    full = F.conv2d(torch.from_numpy(x), w, groups=g)
    for o, seen in enumerate(group_inputs(c_in, c_out, g)):
        kept = np.zeros_like(x)
        kept[:, list(seen)] = x[:, list(seen)]
        np.testing.assert_allclose(F.conv2d(torch.from_numpy(kept), w, groups=g)[0, o], full[0, o])


def test_groups_that_do_not_divide_name_the_usable_ones():
    assert valid_groups(8, 12) == [1, 2, 4]
    with pytest.raises(ValueError, match="use one of 1, 2, 4"):
        check_groups(8, 12, 3)
    with pytest.raises(ValueError):
        engine.conv2d(np.zeros((8, 3, 3)), np.zeros((12, 8 // 3, 1, 1)), groups=3)


@pytest.mark.parametrize("c_in,c_out,k", [(3, 5, 3), (64, 128, 5)])
def test_the_lectures_examples_against_torch(c_in, c_out, k):
    """The lectures' depthwise-separable examples: weights of the standard and the separable layers as torch
    counts them, and the speedup k^2 C_out / (k^2 + C_out)."""
    cost = separable_cost(c_in, c_out, k, 1, 1)
    standard = torch.nn.Conv2d(c_in, c_out, k, bias=False)
    depthwise, pointwise = torch.nn.Conv2d(c_in, c_in, k, groups=c_in, bias=False), torch.nn.Conv2d(c_in, c_out, 1, bias=False)
    assert cost.standard.weights == standard.weight.numel() == k * k * c_in * c_out
    assert cost.weights == depthwise.weight.numel() + pointwise.weight.numel() == k * k * c_in + c_in * c_out
    assert cost.speedup == pytest.approx(k * k * c_out / (k * k + c_out))


def test_the_64_to_128_example_saves_about_21_times():
    """The demo script says "about 21 times fewer" for 5x5 filters from 64 to 128 channels."""
    assert round(separable_cost(64, 128, 5, 8, 8).speedup) == 21


@pytest.mark.parametrize("c_in,c_out,k,g,h", [(4, 8, 3, 2, 8), (8, 8, 3, 8, 6), (3, 6, 5, 1, 4), (4, 8, 1, 4, 5)])
def test_grouped_code_runs_and_agrees(c_in, c_out, k, g, h):
    scope = {}
    exec(grouped_conv_code(c_in, c_out, k, g, h).replace("print(", "(lambda *a: None)("), scope)
    cost = grouped_cost(c_in, c_out, k, g, h, h)
    assert scope["conv"].weight.numel() == cost.weights
    assert tuple(scope["conv"](scope["x"]).shape[1:]) == cost.output_shape


@pytest.mark.parametrize("c_in,c_out,k,h", [(3, 5, 3, 8), (64, 128, 5, 4), (4, 8, 1, 6)])
def test_separable_code_runs_and_agrees(c_in, c_out, k, h):
    scope = {}
    exec(separable_conv_code(c_in, c_out, k, h).replace("print(", "(lambda *a: None)("), scope)
    cost = separable_cost(c_in, c_out, k, h, h)
    assert scope["count"](scope["standard"]) == cost.standard.weights
    assert scope["count"](scope["separable"]) == cost.weights
    assert scope["separable"](scope["x"]).shape == scope["standard"](scope["x"]).shape

