"""Bottleneck and squeeze-and-excitation costs: the lecture's numbers, torch modules' parameter counts,
and torch's FlopCounterMode (which counts 2 FLOPs per multiply-accumulate)."""
from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import BlockCost, CostRow, bottleneck_cost

torch = pytest.importorskip("torch")
nn = torch.nn


def _bottleneck(c):
    """ResNet's bottleneck convolutions (bias=False: batch norm follows each in ResNet)."""
    return nn.Sequential(nn.Conv2d(4 * c, c, 1, bias=False), nn.Conv2d(c, c, 3, padding=1, bias=False),
                         nn.Conv2d(c, 4 * c, 1, bias=False))


def _excitation(c, r):
    """SE's two FC layers with biases (as in SENet)."""
    return nn.Sequential(nn.Linear(4 * c, 4 * c // r), nn.ReLU(), nn.Linear(4 * c // r, 4 * c), nn.Sigmoid())


def _macs(module, x):
    from torch.utils.flop_counter import FlopCounterMode
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        module(x)
    assert counter.get_total_flops() % 2 == 0
    return counter.get_total_flops() // 2


def test_lecture_numbers_56_by_56_with_64_channels():
    cost = bottleneck_cost(56, 56, 64, reduction=16)
    assert cost.block_flops == 56 * 56 * (256 * 64 + 9 * 64 * 64 + 64 * 256)
    assert round(cost.block_flops / 1e6, 1) == 218.4
    squeeze, fc1, fc2, scale = (r for r in cost.rows if r.part == "SE")
    assert round(squeeze.flops / 1e6, 2) == round(scale.flops / 1e6, 2) == 0.80
    assert round(cost.se_flops / 1e6, 1) == 1.6
    assert cost.se_flops == squeeze.flops + scale.flops + fc1.flops + fc2.flops
    assert cost.se_flops_share < 0.01
    assert cost.flops == cost.block_flops + cost.se_flops
    assert cost.params == cost.block_params + cost.se_params


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 9), st.integers(1, 9), st.sampled_from([1, 2, 4, 8]), st.sampled_from([None, 1, 2, 4]))
def test_counts_agree_with_torch_modules(h, w, c, r):
    cost = bottleneck_cost(h, w, c, reduction=r)
    block = _bottleneck(c)
    assert cost.block_params == sum(p.numel() for p in block.parameters())
    x = torch.zeros(1, 4 * c, h, w)
    assert cost.block_flops == _macs(block, x)
    rows = {row.part: [] for row in cost.rows}
    for row in cost.rows:
        rows[row.part].append(row)
    assert [row.flops for row in rows["bottleneck"]] == [_macs(layer, y) for layer, y in
                                                         zip(block, (x, block[0](x), block[1](block[0](x))))]
    if r is None:
        assert "SE" not in rows and cost.se_flops == cost.se_params == 0 and cost.se_flops_share == 0
        return
    excitation = _excitation(c, r)
    assert cost.se_params == sum(p.numel() for p in excitation.parameters())
    squeeze, fc1, fc2, scale = rows["SE"]
    assert fc1.flops + fc2.flops == _macs(excitation, torch.zeros(1, 4 * c))
    assert squeeze.flops == scale.flops == x.numel()  # one add (squeeze), one multiply (scale) per cell


def test_rows_carry_formulas_with_the_numbers_written_in():
    cost = bottleneck_cost(7, 14, 32, reduction=8)
    names = [r.name for r in cost.rows]
    assert names[:3] == ["1×1 conv, 128 → 32", "3×3 conv, 32 → 32", "1×1 conv, 32 → 128"]
    assert "FC 128 → 16" in names[4] and "FC 16 → 128" in names[5]
    assert cost.rows[1].formula == "H·W·3·3·B·B = 7·14·9·32·32"
    for row in cost.rows:  # each formula's numbers multiply out to the count
        for text, count in ((row.formula, row.flops), (row.params_formula, row.params)):
            numbers = text.split(" = ")[-1]
            assert sum(_product(term) for term in numbers.split(" + ")) == count


@pytest.mark.parametrize("h, w, b, r", [(56, 56, 64, 16), (7, 14, 32, 8), (3, 5, 4, 2)])
def test_formula_symbols_have_one_meaning(h, w, b, r):
    """In every formula B is the bottleneck width and C = 4B the channels SE acts on: the symbolic side,
    evaluated with those values, gives the count."""
    cost = bottleneck_cost(h, w, b, reduction=r)
    values = {"H": h, "W": w, "B": b, "C": 4 * b, "r": r}
    for row in cost.rows:
        for text, count in ((row.formula, row.flops), (row.params_formula, row.params)):
            symbolic = text.split(" = ")[0]
            assert "4C" not in symbolic
            expression = "".join(str(values.get(ch, ch)) for ch in symbolic.replace("·", "*"))
            assert eval(expression) == count, (text, count)  # noqa: S307 (our own formula strings)


def _product(term):
    value = 1
    for factor in term.split("·"):
        value *= int(factor)
    return value


def test_records_are_frozen():
    cost = bottleneck_cost(56, 56, 64)
    assert isinstance(cost, BlockCost) and all(isinstance(r, CostRow) for r in cost.rows)
    with pytest.raises(dataclasses.FrozenInstanceError):
        cost.channels = 1
    with pytest.raises(dataclasses.FrozenInstanceError):
        cost.rows[0].flops = 1


@pytest.mark.parametrize("kwargs, phrase", [
    (dict(height=0, width=56, channels=64), "height must be a whole number of at least 1, got 0"),
    (dict(height=56, width=5.5, channels=64), "width must be a whole number"),
    (dict(height=56, width=56, channels=-1), "channels must be a whole number"),
    (dict(height=56, width=56, channels=64, reduction=0), "reduction must be a whole number"),
    (dict(height=56, width=56, channels=64, reduction=3), "r = 3 must divide the block's C = 4B = 256 channels"),
])
def test_bad_settings_are_explained(kwargs, phrase):
    with pytest.raises(ValueError, match=phrase):
        bottleneck_cost(**kwargs)
