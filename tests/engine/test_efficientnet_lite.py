"""EfficientNet-Lite0 (engine/nets/efficientnet_lite.py): 'SAME' padding, strict loading of the shipped
weights, real photos, and a second computation path (the engine's numpy conv2d) for stem and blocks."""
import math
from dataclasses import FrozenInstanceError

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

import engine
from engine.data.photos import rgb_photo
from engine.nets.efficientnet_lite import (LITE0, Conv2dSame, EfficientNetLiteConfig, build, same_padding)
from engine.nets.imagenet import classify, load, preprocess, weights_path


def tf_same_total(size, k, s):
    """TensorFlow's documented 'SAME' rule (nn_ops conv2d docs), written independently of same_padding."""
    return max(k - s, 0) if size % s == 0 else max(k - size % s, 0)


@pytest.fixture(scope="module")
def state():
    return torch.load(weights_path(), map_location="cpu", weights_only=True)


# --- 'SAME' padding ------------------------------------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(size=st.integers(1, 300), k=st.integers(1, 7), s=st.integers(1, 4))
def test_same_padding_follows_tensorflows_formula(size, k, s):
    before, after = same_padding(size, k, s)
    assert before + after == tf_same_total(size, k, s)
    assert before == (before + after) // 2 and after - before in (0, 1)  # the extra cell goes after
    assert (size + before + after - k) // s + 1 == math.ceil(size / s)  # o = ceil(i / s)


@pytest.mark.parametrize("size, k, s, expected", [
    (224, 3, 2, (0, 1)), (225, 3, 2, (1, 1)), (112, 5, 2, (1, 2)), (113, 5, 2, (2, 2)),
    (56, 3, 1, (1, 1)), (7, 1, 1, (0, 0)), (1, 3, 2, (1, 1)),
])
def test_same_padding_examples_for_odd_and_even_sizes(size, k, s, expected):
    assert same_padding(size, k, s) == expected


@pytest.mark.parametrize("bad", [dict(size=0, kernel_size=3), dict(size=5, kernel_size=3, stride=0),
                                 dict(size=5.5, kernel_size=3)])
def test_same_padding_rejects_nonsense(bad):
    with pytest.raises(ValueError):
        same_padding(**bad)


@settings(max_examples=30, deadline=None)
@given(h=st.integers(1, 20), w=st.integers(1, 20), k=st.sampled_from([1, 3, 5]), s=st.sampled_from([1, 2]))
def test_conv2d_same_output_is_ceil_of_input_over_stride_and_matches_tf_padding(h, w, k, s):
    conv = Conv2dSame(2, 3, k, stride=s)
    x = torch.randn(1, 2, h, w)
    with torch.no_grad():
        y = conv(x)
        top, left = tf_same_total(h, k, s) // 2, tf_same_total(w, k, s) // 2
        # same result as zero-padding by hand with TF's amounts and a padding-free convolution
        xp = F.pad(x, (left, tf_same_total(w, k, s) - left, top, tf_same_total(h, k, s) - top))
        expected = F.conv2d(xp, conv.weight, stride=s)
    assert y.shape == (1, 3, math.ceil(h / s), math.ceil(w / s))
    torch.testing.assert_close(y, expected)


# --- architecture and strict loading -------------------------------------------------------------------

def test_block_table_is_efficientnet_b0():
    blocks = LITE0.blocks()
    assert len(blocks) == 16
    assert [b.kernel_size for b in blocks] == [3, 3, 3, 5, 5, 3, 3, 3, 5, 5, 5, 5, 5, 5, 5, 3]
    assert [i for i, b in enumerate(blocks) if b.stride == 2] == [1, 3, 5, 11]
    assert blocks[0].expand_ratio == 1 and all(b.expand_ratio == 6 for b in blocks[1:])
    assert blocks[-1].out_channels == 320
    assert all(a.out_channels == b.in_channels for a, b in zip(blocks, blocks[1:]))
    assert sum(b.has_skip for b in blocks) == 9
    with pytest.raises(FrozenInstanceError):
        LITE0.stem_channels = 16  # frozen


def test_shipped_weights_load_strictly_into_our_definition(state):
    assert len(state) == 296
    model = build()
    result = model.load_state_dict(state, strict=True)
    assert not result.missing_keys and not result.unexpected_keys
    assert sum(p.numel() for p in model.parameters()) == 4_652_008  # "4.65M parameters"
    assert all(m.eps == 1e-3 for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d))
    assert not any("_se_" in key for key in state)  # Lite has no squeeze-excitation


def test_strict_loading_catches_a_wrong_architecture(state):
    with pytest.raises(RuntimeError):
        build(EfficientNetLiteConfig(stem_channels=24)).load_state_dict(state, strict=True)


def test_served_model_is_read_only_and_in_eval_mode():
    model = load()
    assert model is load()  # cached
    assert not model.training
    assert not any(p.requires_grad for p in model.parameters())


# --- real photos ---------------------------------------------------------------------------------------

def test_cat_photo_is_a_cat():
    assert 281 <= classify(rgb_photo("Cat (Chelsea)")).top[0].index <= 285


def test_coffee_photo_is_espresso():
    assert classify(rgb_photo("Coffee")).top[0].index == 967


def test_pytorch_style_symmetric_padding_would_shift_the_stem():
    """padding=1 on both sides (PyTorch's habit) instead of TF 'SAME' (0 before, 1 after at 224) moves the
    stride-2 sampling grid by one pixel: same shape, different feature map."""
    model = load()
    x = torch.from_numpy(preprocess(rgb_photo("Coffee"))[1])
    with torch.inference_mode():
        stem_sym = F.relu6(model._bn0(F.conv2d(x, model._conv_stem.weight, stride=2, padding=1)))
        _, acts = model.forward_with_activations(x, keep=["stem"])
    assert stem_sym.shape == acts["stem"].shape
    assert (stem_sym - acts["stem"]).abs().max() > 0.1


# --- a second computation path: the engine's numpy conv2d ----------------------------------------------

def fold_bn(weight, bn):
    """Conv weight and bias with eval-mode BatchNorm folded in: w * g / sqrt(v + eps), b - m * g / sqrt(v + eps)."""
    scale = (bn.weight / torch.sqrt(bn.running_var + bn.eps)).double().numpy()
    shift = bn.bias.double().numpy() - bn.running_mean.double().numpy() * scale
    return weight.double().numpy() * scale[:, None, None, None], shift


def numpy_conv_bn(x, conv, bn, relu6):
    """(C, H, W) -> (C', ceil(H / s), ceil(W / s)) with engine.pad (TF amounts) + engine.conv2d."""
    k, s = conv.kernel_size[0], conv.stride[0]
    (h, w) = x.shape[-2:]
    th, tw = tf_same_total(h, k, s), tf_same_total(w, k, s)
    xp = engine.pad(x, (tw // 2, tw - tw // 2, th // 2, th - th // 2))
    weight, bias = fold_bn(conv.weight, bn)
    y = engine.conv2d(xp, weight, bias, stride=s, groups=conv.groups)
    return np.clip(y, 0, 6) if relu6 else y


def numpy_block(x, block):
    y = x
    if block.cfg.expand_ratio != 1:
        y = numpy_conv_bn(y, block._expand_conv, block._bn0, True)
    y = numpy_conv_bn(y, block._depthwise_conv, block._bn1, True)
    y = numpy_conv_bn(y, block._project_conv, block._bn2, False)
    return y + x if block.cfg.has_skip else y


@pytest.mark.parametrize("h, w", [(224, 224), (37, 50), (31, 29)])
def test_stem_matches_numpy_conv2d_with_asymmetric_same_padding(h, w):
    model = load()
    x = np.random.default_rng(h * w).uniform(-1, 1, size=(3, h, w))
    with torch.inference_mode():
        _, acts = model.forward_with_activations(torch.from_numpy(x.astype(np.float32))[None])
    expected = numpy_conv_bn(x, model._conv_stem, model._bn0, relu6=True)  # (32, ceil(h/2), ceil(w/2))
    assert acts["stem"].shape == (1, 32, math.ceil(h / 2), math.ceil(w / 2))
    np.testing.assert_allclose(acts["stem"][0].numpy(), expected, atol=1e-4, rtol=1e-4)
    assert 0 < (expected == 0).mean() < 1 and expected.max() <= 6  # ReLU6 active on both sides


@pytest.mark.parametrize("index", [0, 1, 2, 3])  # no expand; stride-2 3x3; skip; stride-2 5x5
def test_blocks_match_numpy_conv2d(index):
    model = load()
    x = torch.from_numpy(np.random.default_rng(index).uniform(-1, 1, size=(1, 3, 45, 38)).astype(np.float32))
    with torch.inference_mode():
        _, acts = model.forward_with_activations(x)
    before = acts["stem" if index == 0 else f"blocks.{index - 1}"][0].double().numpy()
    expected = numpy_block(before, model._blocks[index])
    np.testing.assert_allclose(acts[f"blocks.{index}"][0].numpy(), expected, atol=2e-4, rtol=1e-4)


def test_forward_with_activations_returns_every_stage_and_the_same_logits():
    model = load()
    x = torch.randn(2, 3, 64, 80)
    with torch.inference_mode():
        logits, acts = model.forward_with_activations(x)
        _, some = model.forward_with_activations(x, keep=["blocks.4"])
        plain = model(x)
    assert tuple(acts) == model.activation_names() and len(acts) == 18
    assert list(some) == ["blocks.4"]
    torch.testing.assert_close(logits, plain)
    torch.testing.assert_close(some["blocks.4"], acts["blocks.4"])
    assert acts["stem"].shape == (2, 32, 32, 40) and acts["head"].shape == (2, 1280, 2, 3)
    assert [acts[f"blocks.{i}"].shape[1] for i in range(16)] == [b.out_channels for b in LITE0.blocks()]
