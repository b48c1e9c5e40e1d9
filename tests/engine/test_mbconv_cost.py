"""The MBConv block's weights and multiply-adds (engine/ops/mbconv_cost.py, read from the layer table) against
the real EfficientNet-Lite0 modules and torch's FlopCounterMode; the block's code runs in torch; the lesson's
statements about the blocks hold for the real network."""
from __future__ import annotations

import pytest

from engine.figures.classifier_figures import block_cost, blocks_total
from engine.lessons.schema import LESSONS_DIR, load_lesson
from engine.ops.mbconv_cost import mbconv_cost

torch = pytest.importorskip("torch")
from engine.nets.efficientnet_lite import LITE0, build  # noqa: E402  (torch first)
from engine.nets.imagenet import layer_table  # noqa: E402
from engine.pytorch_code import mbconv_block_code

BLOCKS = range(len(LITE0.blocks()))


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(0)
    return build().eval()


@pytest.fixture(scope="module")
def table(model):
    return layer_table(model)


def _macs(module, x):
    from torch.utils.flop_counter import FlopCounterMode
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        module(x)
    return counter.get_total_flops() // 2  # torch counts 2 FLOPs per multiply-add


def _conv_weights(module):
    return sum(m.weight.numel() for m in module.modules() if isinstance(m, torch.nn.Conv2d))


@pytest.mark.parametrize("block", BLOCKS)
def test_block_cost_is_the_real_block(model, table, block):
    cost, module = block_cost(table, block), model._blocks[block]
    cfg = module.cfg
    assert (cost.in_channels, cost.out_channels, cost.kernel, cost.stride, cost.expand_ratio, cost.has_skip) == (
        cfg.in_channels, cfg.out_channels, cfg.kernel_size, cfg.stride, cfg.expand_ratio, cfg.has_skip)
    assert cost.weights == _conv_weights(module)  # convolution weights; BatchNorm not counted
    x = torch.zeros(1, *cost.input_shape)
    assert cost.macs == _macs(module, x)
    assert [l.name for l in cost.layers] == (["expand"] if cfg.expand_ratio != 1 else []) + ["depthwise", "project"]
    assert module(x).shape[1:] == cost.layers[-1].output_shape == cost.plain.output_shape
    plain = torch.nn.Conv2d(cost.in_channels, cost.out_channels, cost.kernel, cost.stride, cost.kernel // 2, bias=False)
    assert cost.plain.weights == plain.weight.numel() and cost.plain.macs == _macs(plain, x)
    assert plain(x).shape[1:] == cost.plain.output_shape


@pytest.mark.parametrize("block", [0, 3, 4, 15])
def test_block_code_runs_and_states_the_engine_counts(table, block, capsys):
    cost = block_cost(table, block)
    scope = {}
    exec(mbconv_block_code(cost, block), scope)
    block_module, plain = scope["block"], scope["plain"]
    assert sum(p.numel() for p in block_module.parameters()) == cost.weights
    assert plain.weight.numel() == cost.plain.weights
    assert _macs(block_module, scope["x"]) == cost.macs and _macs(plain, scope["x"]) == cost.plain.macs
    printed = capsys.readouterr().out.splitlines()
    shape = f"torch.Size([1, {', '.join(map(str, cost.plain.output_shape))}])"
    assert printed == [f"{shape} {shape}", f"{cost.weights} {cost.plain.weights}"]


def test_the_lesson_s_statements_about_the_blocks(table):
    """Six-fold expansion except the first block; the MBConv cost is of the same order as the plain conv, below it
    for some blocks and above it for others; all blocks together cost less than plain convolutions would."""
    lesson = load_lesson(LESSONS_DIR / "classify_photo.md")
    idea, notice = lesson.sections["Idea"], lesson.sections["What to notice"]
    assert "16 blocks" in idea and len(BLOCKS) == 16
    assert "expands* the channels six-fold (the first block\nskips this)" in idea
    assert [b.expand_ratio for b in LITE0.blocks()] == [1] + [6] * 15
    ratios = [block_cost(table, b).macs_ratio for b in BLOCKS]
    assert "fewer for some blocks, more for others" in notice
    assert min(ratios) < 1 < max(ratios) and all(0.1 < r < 10 for r in ratios)
    built, plain = blocks_total(table)
    assert built < plain and "16 blocks together do fewer multiply-adds" in lesson.sections["Summary"]


def test_mbconv_cost_formulas_by_hand():
    cost = mbconv_cost(24, 40, 6, 5, 2, 56, 56)  # EfficientNet-B0's block 3
    assert [l.weights for l in cost.layers] == [24 * 144, 25 * 144, 144 * 40]
    assert [l.macs for l in cost.layers] == [56 * 56 * 24 * 144, 28 * 28 * 25 * 144, 28 * 28 * 144 * 40]
    assert cost.plain.weights == 25 * 24 * 40 and cost.plain.macs == 28 * 28 * 25 * 24 * 40
    with pytest.raises(ValueError, match="expand_ratio must be a whole number"):
        mbconv_cost(24, 40, 0, 5, 2, 56, 56)
