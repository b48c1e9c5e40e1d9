"""The effective receptive field of the trained digit nets (engine/nets/effective_rf.py): exactly zero outside the
theoretical field the engine computes, equal to finite differences, and the shared model left untouched."""
import copy
import functools

import numpy as np
import pytest
import torch

from engine.data.digits import CANVAS
from engine.nets.digit_loading import load
from engine.nets.effective_rf import (NETS, central_shares, digits, effective_field, gaussian, gaussian_fit,
                                      input_gradients, layer_stack, map_layers, smallest_window)
from engine.ops.receptive_field import receptive_cells, receptive_field

field = functools.lru_cache(effective_field)  # each (net, map) measured once in this module
MAPS = [(name, layer) for name in NETS for layer in map_layers(name)]


@pytest.mark.parametrize("name, layer", MAPS)
def test_gradient_is_zero_outside_the_theoretical_field(name, layer):
    erf = field(name, layer)
    mask = receptive_cells(layer_stack(name, layer), CANVAS, erf.cell)[0]  # (28,) input cells feeding the cell
    inside = np.outer(mask, mask)
    assert erf.map[~inside].max(initial=0.0) == 0.0  # exactly: no path from these pixels to the cell
    first, last = erf.span
    assert inside.sum() == (min(last, CANVAS - 1) - max(first, 0) + 1) ** 2  # the span is a square of pixels
    if first >= 0 and last < CANVAS:  # the bound is reached: every pixel of the field moves the cell
        assert (erf.map > 0).sum() == inside.sum()
    assert central_shares(erf)[-1] == (erf.size, pytest.approx(1.0))


def test_field_sizes_come_from_the_engine():
    sizes = {layer: field("global_pool", layer).size for layer in map_layers("global_pool")}
    assert sizes == {"conv1": 3, "conv2": 7, "conv3": 15, "conv4": 31}
    stack = layer_stack("max_pool", "pool2")
    assert receptive_field(stack)[-1].size == field("max_pool", "pool2").size == 10
    assert field("strided", "stride2").side == 7


@pytest.mark.parametrize("name, layer", [("global_pool", "conv3"), ("max_pool", "pool2"), ("strided", "stride2")])
def test_gradient_equals_finite_differences(name, layer):
    model = copy.deepcopy(load(name)).double()
    image = digits(3)[2].astype(float)
    erf = field(name, layer)
    grad = input_gradients(model, layer, image[None], erf.cell)[0]

    def unit(x):
        with torch.no_grad():
            _, acts = model.forward_with_activations(torch.tensor(x[None, None]))
        return float(acts[layer][0, :, erf.cell, erf.cell].sum())

    rng = np.random.default_rng(0)
    first, last = erf.span
    pixels = [tuple(p) for p in np.argwhere(np.abs(grad) == np.abs(grad).max())[:1]]
    pixels += [tuple(rng.integers(max(first, 0), min(last, CANVAS - 1) + 1, size=2)) for _ in range(3)]
    pixels += [(0, 0)]  # outside every field here
    eps = 1e-6
    for i, j in pixels:
        step = np.zeros_like(image)
        step[i, j] = eps
        fd = (unit(image + step) - unit(image - step)) / (2 * eps)
        assert grad[i, j] == pytest.approx(fd, rel=1e-5, abs=1e-8), (i, j)


def test_the_shared_model_is_not_changed():
    model = load("global_pool")
    before = {k: v.clone() for k, v in model.state_dict().items()}
    effective_field("global_pool", "conv2", n_digits=5)
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    assert all(p.grad is None and not p.requires_grad for p in model.parameters())
    assert not model.training


def test_shares_grow_with_the_window_and_the_field_is_smaller_than_theory():
    erf = field("global_pool", "conv4")
    shares = central_shares(erf)
    assert [k for k, _ in shares] == list(range(1, 32, 2))
    assert all(a <= b for (_, a), (_, b) in zip(shares, shares[1:]))
    k50, k90 = smallest_window(erf, 0.5), smallest_window(erf, 0.9)
    assert k50 <= k90 < erf.size  # the known result: much of the theoretical field carries little gradient
    assert dict(shares)[k50] >= 0.5 > dict(shares).get(k50 - 2, 0.0)


def test_gaussian_fit_recovers_a_gaussian():
    x = np.arange(28)
    a, mu, sigma, r2 = gaussian_fit(gaussian(x, 2.0, 13.3, 3.1))
    assert (a, mu, sigma, r2) == pytest.approx((2.0, 13.3, 3.1, 1.0), rel=1e-6)


def test_unknown_map_is_refused():
    with pytest.raises(ValueError, match="no map 'gap'"):
        layer_stack("global_pool", "gap")
