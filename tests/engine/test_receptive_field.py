"""Receptive fields against PyTorch autograd: the input cells with a non-zero gradient for one output."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.ops.receptive_field import (Layer, connections, format_layers, input_range, layer_lengths,
                                        parameter_count, parse_layers, receptive_cells, receptive_field)

torch = pytest.importorskip("torch")
F = torch.nn.functional


def torch_cells(layers, n, index, nd=1):
    """Input cells whose gradient is non-zero for output `index` (1D; in 2D along the diagonal (i, i))."""
    x = torch.ones((1, 1) + (n,) * nd, dtype=torch.float64, requires_grad=True)
    y, conv = x, (F.conv1d if nd == 1 else F.conv2d)
    for layer in layers:
        w = torch.ones((1, 1) + (layer.kernel_size,) * nd, dtype=torch.float64)
        y = conv(y, w, stride=layer.stride, padding=layer.padding, dilation=layer.dilation)
    y[(0, 0) + (index,) * nd].backward()
    return (x.grad[0, 0] != 0).numpy(), y.shape[-1]


layer_st = st.builds(Layer, kernel_size=st.integers(1, 5), stride=st.integers(1, 3), padding=st.integers(0, 2),
                     dilation=st.integers(1, 3))


def _fits(layers, n):
    try:
        return layer_lengths(layers, n)
    except ValueError:
        return None


@settings(max_examples=200, deadline=None)
@given(layers=st.lists(layer_st, min_size=1, max_size=4), n=st.integers(1, 40), data=st.data())
def test_cells_with_a_gradient_are_the_predicted_cells(layers, n, data):
    lengths = _fits(layers, n)
    if lengths is None:  # PyTorch refuses too: the kernel does not fit
        with pytest.raises(RuntimeError):
            torch_cells(layers, n, 0)
        return
    index = data.draw(st.integers(0, lengths[-1] - 1))
    expected, out_len = torch_cells(layers, n, index)
    assert out_len == lengths[-1]
    masks = receptive_cells(layers, n, index)
    np.testing.assert_array_equal(masks[0], expected)
    # the span from the recurrences, clipped to the input, holds every cell seen; unclipped ends are seen
    first, last = input_range(layers, index)
    seen = np.flatnonzero(expected)
    assert last - first + 1 == receptive_field(layers)[-1].size
    if seen.size == 0:  # an output over padding only sees no input cell
        return
    assert seen.min() >= max(first, 0) and seen.max() <= min(last, n - 1)
    if first >= 0:
        assert seen.min() == first
    if last <= n - 1:
        assert seen.max() == last


@settings(max_examples=60, deadline=None)
@given(layers=st.lists(layer_st, min_size=1, max_size=3), n=st.integers(1, 16))
def test_two_d_stack_sees_the_square_of_the_one_d_field(layers, n):
    lengths = _fits(layers, n)
    if lengths is None:
        return
    index = lengths[-1] // 2
    grad2d, _ = torch_cells(layers, n, index, nd=2)
    mask = receptive_cells(layers, n, index)[0]
    np.testing.assert_array_equal(grad2d, np.outer(mask, mask))


@settings(max_examples=100, deadline=None)
@given(layers=st.lists(layer_st, min_size=1, max_size=4))
def test_recurrences(layers):
    fields = receptive_field(layers)
    assert len(fields) == len(layers)
    size, jump, start = 1, 1, 0.0
    for layer, field in zip(layers, fields):
        k_eff = layer.dilation * (layer.kernel_size - 1) + 1
        size, start = size + (k_eff - 1) * jump, start + ((k_eff - 1) / 2 - layer.padding) * jump
        jump *= layer.stride
        assert (field.size, field.jump, field.start) == (size, jump, start)
    # neighbouring outputs are `jump` input cells apart
    a, b = fields[-1].span(0), fields[-1].span(1)
    assert b[0] - a[0] == fields[-1].jump


def test_syllabus_dilated_stack_grows_3_7_15_31():
    assert [f.size for f in receptive_field([Layer(3, dilation=d) for d in (1, 2, 4, 8)])] == [3, 7, 15, 31]


def test_wavenet_stack_doubles_and_undilated_grows_linearly():
    dilated = receptive_field([Layer(2, dilation=2 ** l) for l in range(6)])
    plain = receptive_field([Layer(2)] * 6)
    assert [f.size for f in dilated] == [2 ** (l + 1) for l in range(6)]
    assert [f.size for f in plain] == [1 + (l + 1) * 1 for l in range(6)]


def test_two_3x3_see_what_one_5x5_sees_with_fewer_parameters():
    two, one = [Layer(3), Layer(3)], [Layer(5)]
    assert receptive_field(two)[-1].size == receptive_field(one)[-1].size == 5
    c = 7
    assert parameter_count(two, channels=c, nd=2) == 18 * c * c
    assert parameter_count(one, channels=c, nd=2) == 25 * c * c
    torch_two = sum(p.numel() for k in (3, 3) for p in torch.nn.Conv2d(c, c, k, bias=False).parameters())
    assert parameter_count(two, channels=c, nd=2) == torch_two
    with_bias = sum(p.numel() for p in torch.nn.Conv1d(c, c, 3).parameters())
    assert parameter_count([Layer(3)], channels=c, bias=True) == with_bias


def test_connections_end_on_seen_cells():
    layers = [Layer(2, dilation=d) for d in (1, 2, 4)]
    masks = receptive_cells(layers, 10, 2)
    edges = connections(layers, 10, 2)
    assert len(edges) == 2 + 4 + 8  # a binary tree: every cell seen once
    for l, cell, below in edges:
        assert masks[l][cell] and masks[l - 1][below]


def test_parse_and_format_layers():
    layers = parse_layers("3 1 1 1; 3 2 1, 1\n 2")
    assert layers == [Layer(3, 1, 1, 1), Layer(3, 2, 1, 1), Layer(2)]
    assert parse_layers(format_layers(layers)) == layers


@pytest.mark.parametrize("text, message", [
    ("", "empty"), ("3 1 1 1 1", "1 to 4 whole numbers"), ("a", "1 to 4 whole numbers"), ("-3", "1 to 4"),
    ("0", "k from 1 to 9"), ("3 0", "s from 1"), ("; ".join(["3"] * 9), "at most 8"), ("3 1 1 99", "d from 1"),
])
def test_bad_stack_text_is_explained(text, message):
    with pytest.raises(ValueError, match=message):
        parse_layers(text)


def test_bad_layers_and_indices_are_explained():
    with pytest.raises(ValueError, match="stride"):
        Layer(3, stride=0)
    with pytest.raises(ValueError, match="kernel spans 5 cells"):
        layer_lengths([Layer(3, dilation=2)], 4)
    with pytest.raises(ValueError, match="no output 2"):
        receptive_cells([Layer(3)], 4, 2)
