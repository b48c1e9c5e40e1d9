"""The dilation lesson's growth facts, from the engine's receptive-field arithmetic and checked in torch."""
from __future__ import annotations

import pytest

from engine import conv_output_size
from engine.ops.receptive_field import Layer, receptive_field

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("k", [2, 3, 4])
def test_doubling_dilations_grow_the_receptive_field_as_the_lesson_says(k):
    sizes = [f.size for f in receptive_field([Layer(k, dilation=2 ** l) for l in range(5)])]
    layers = range(1, 6)
    assert sizes == [(k - 1) * (2 ** L - 1) + 1 for L in layers]  # L layers: k = 2 gives 2^L, k = 3 gives 2^(L+1) - 1
    if k == 2:
        assert sizes[:4] == [2, 4, 8, 16]
    if k == 3:
        assert sizes[:4] == [3, 7, 15, 31]


@pytest.mark.parametrize("k", [2, 3, 5])
def test_undilated_stride_1_layers_add_k_minus_1(k):
    assert [f.size for f in receptive_field([Layer(k)] * 4)] == [1 + L * (k - 1) for L in range(1, 5)]


@pytest.mark.parametrize("k,d", [(3, 1), (3, 2), (3, 4), (5, 3), (2, 2), (4, 2)])
def test_padding_d_k_minus_1_over_2_keeps_the_length_at_stride_1(k, d):
    assert d * (k - 1) % 2 == 0
    p = d * (k - 1) // 2
    assert conv_output_size(20, k, 1, p, d) == 20
    y = torch.nn.functional.conv1d(torch.ones(1, 1, 20), torch.ones(1, 1, k), padding=p, dilation=d)
    assert y.shape[-1] == 20
