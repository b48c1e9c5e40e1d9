"""The ImageNet serving path (engine/nets/imagenet.py): preprocessing, classify, class names, feature maps,
the layer table's arithmetic, and the colour sample photos (engine/data/photos.py)."""
import re

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.utils.flop_counter import FlopCounterMode

from engine.data.photos import PHOTOS, SAMPLE_PHOTOS, photo, rgb_photo
from engine.nets.imagenet import (KINDS, activation_names, center_crop, class_names, classify, feature_maps,
                                  layer_table, load, preprocess)


@pytest.fixture(scope="module")
def table():
    return layer_table()


# --- preprocessing -------------------------------------------------------------------------------------

def coordinate_image(h, w):
    """uint8 (H, W, 3) whose pixels say where they are: R, G = row, column % 256; B = 16 (row // 256) + column // 256."""
    i, j = np.indices((h, w))
    return np.stack([i % 256, j % 256, 16 * (i // 256) + j // 256], axis=-1).astype(np.uint8)


def position(pixel):
    r, g, b = (int(v) for v in pixel)
    return r + 256 * (b // 16), g + 256 * (b % 16)


@settings(max_examples=40, deadline=None)
@given(h=st.integers(2, 600), w=st.integers(2, 600))
def test_center_crop_is_a_centred_square_of_224_256_of_the_short_side(h, w):
    crop = center_crop(coordinate_image(h, w))
    c = int(224 / 256 * min(h, w))
    assert crop.shape == (c, c, 3)
    (top, left), (bottom, right) = position(crop[0, 0]), position(crop[-1, -1])
    assert (bottom - top, right - left) == (c - 1, c - 1)  # contiguous
    # centred: margins before and after differ by at most one pixel (TF's offset (i - c + 1) // 2 puts it before)
    for before, after in ((top, h - 1 - bottom), (left, w - 1 - right)):
        assert before - after in (0, 1)


def test_a_256_square_photo_is_cropped_to_its_central_224_without_resampling():
    rgb = np.random.default_rng(0).integers(0, 256, size=(256, 256, 3), dtype=np.uint8)
    display, x = preprocess(rgb)
    np.testing.assert_array_equal(display, rgb[16:240, 16:240])
    np.testing.assert_array_equal(x[0].transpose(1, 2, 0) * 128 + 127, rgb[16:240, 16:240].astype(np.float32))


def test_preprocess_shape_range_and_scaling():
    display, x = preprocess(rgb_photo("Cat (Chelsea)"))
    assert display.shape == (224, 224, 3) and display.dtype == np.uint8
    assert x.shape == (1, 3, 224, 224) and x.dtype == np.float32
    assert x.min() >= -127 / 128 and x.max() <= 128 / 128 and x.min() < -0.5 < 0.5 < x.max()
    np.testing.assert_allclose(x[0], (display.transpose(2, 0, 1).astype(np.float32) - 127) / 128)
    flat = preprocess(np.full((300, 451, 3), 200, np.uint8))[1]
    np.testing.assert_allclose(flat, (200 - 127) / 128)


def test_preprocess_resizes_bicubically_not_by_nearest_neighbour():
    rgb = np.zeros((512, 512, 3), np.uint8)
    rgb[:, ::2] = 255  # one-pixel stripes: a 2x downscale by bicubic blurs them to grey levels
    display = preprocess(rgb)[0]
    assert len(np.unique(display)) > 2


@pytest.mark.parametrize("bad", [np.zeros((10, 10, 3), float), np.zeros((10, 10, 2), np.uint8),
                                 np.zeros((1, 9, 3), np.uint8), np.zeros((4, 4, 4, 3), np.uint8)])
def test_preprocess_rejects_what_is_not_an_rgb_photo(bad):
    with pytest.raises(ValueError):
        preprocess(bad)


def test_gray_and_rgba_photos_are_accepted_as_rgb():
    gray = np.random.default_rng(1).integers(0, 256, size=(40, 60), dtype=np.uint8)
    a = preprocess(gray)[0]
    assert a.shape == (224, 224, 3) and (a[..., 0] == a[..., 2]).all()
    rgba = np.concatenate([coordinate_image(40, 60), np.zeros((40, 60, 1), np.uint8)], axis=-1)
    np.testing.assert_array_equal(preprocess(rgba)[0], preprocess(coordinate_image(40, 60))[0])


# --- classify and class names --------------------------------------------------------------------------

def test_class_names_are_1000_distinct_readable_names():
    names = class_names()
    assert len(names) == 1000 and len(set(names)) == 1000
    assert names[967] == "espresso" and "tabby" in names[281] and "shark" in names[2]
    assert all(re.fullmatch(r"[\w' ,.()/-]+", n) for n in names)


def test_classify_returns_sorted_probabilities_and_the_image_it_saw():
    rgb = rgb_photo("Coffee")
    result = classify(rgb, k=7)
    probs = [p.probability for p in result.top]
    assert len(result.top) == 7 and probs == sorted(probs, reverse=True)
    assert 0 < sum(probs) <= 1 + 1e-6 and result.top[0].probability > 0.5
    assert [p.name for p in result.top] == [class_names()[p.index] for p in result.top]
    np.testing.assert_array_equal(result.image, preprocess(rgb)[0])
    with torch.inference_mode():
        full = torch.softmax(load()(torch.from_numpy(preprocess(rgb)[1])), 1)[0]
    assert result.top[0].probability == pytest.approx(float(full.max()), rel=1e-6)
    assert len(classify(rgb).top) == 5


@pytest.mark.parametrize("k", [0, 1001, 2.5])
def test_classify_rejects_a_bad_k(k):
    with pytest.raises(ValueError):
        classify(rgb_photo("Coffee"), k=k)


def test_feature_maps_are_numpy_activations_of_the_named_layers():
    maps = feature_maps(rgb_photo("Cat (Chelsea)"), ["stem", "blocks.5", "head"])
    assert list(maps) == ["stem", "blocks.5", "head"]
    assert maps["stem"].shape == (32, 112, 112) and maps["blocks.5"].shape == (80, 14, 14)
    assert maps["head"].shape == (1280, 7, 7) and all(m.dtype == np.float32 for m in maps.values())
    assert maps["stem"].min() >= 0 and maps["stem"].max() <= 6  # after ReLU6
    assert "blocks.15" in activation_names() and len(activation_names()) == 18
    with pytest.raises(ValueError, match="blocks.16"):
        feature_maps(rgb_photo("Cat (Chelsea)"), ["blocks.16"])


# --- the layer table -----------------------------------------------------------------------------------

def kind_of_parameter(name):
    """'_blocks.3._expand_conv.weight' -> 'pointwise-expand' (bn0/bn1/bn2 follow expand/depthwise/project)."""
    top = {"_conv_stem": "stem", "_bn0": "stem", "_conv_head": "head", "_bn1": "head", "_fc": "classifier"}
    module = name.split(".")[-2]
    if name.startswith("_blocks."):
        return {"_expand_conv": "pointwise-expand", "_bn0": "pointwise-expand", "_depthwise_conv": "depthwise",
                "_bn1": "depthwise", "_project_conv": "pointwise-project", "_bn2": "pointwise-project"}[module]
    return top[module]


def test_parameter_totals_equal_the_models_numel_sums(table):
    model = load()
    assert table.params == sum(p.numel() for p in model.parameters()) == 4_652_008
    assert sum(t.params for t in table.totals) == table.params
    by_kind = {t.kind: t.params for t in table.totals}
    numel = {kind: 0 for kind in KINDS}
    for name, p in model.named_parameters():  # grouped by module name, independently of the table
        numel[kind_of_parameter(name)] += p.numel()
    assert by_kind == numel


def test_macs_match_torchs_flop_counter(table):
    with FlopCounterMode(display=False) as counter, torch.inference_mode():
        load()(torch.zeros(1, 3, 224, 224))
    assert 2 * table.macs == counter.get_total_flops()  # torch counts a multiply-add as 2 FLOPs
    assert 0.35e9 < table.macs < 0.45e9  # EfficientNet-Lite0: ~0.4 GMAC


def test_output_shapes_match_the_running_network(table):
    with torch.inference_mode():
        _, acts = load().forward_with_activations(torch.zeros(1, 3, 224, 224))
    rows = {r.name: r for r in table.rows}
    assert rows["stem"].output_shape == tuple(acts["stem"].shape[1:])
    assert rows["head"].output_shape == tuple(acts["head"].shape[1:])
    for i in range(16):
        assert rows[f"blocks.{i}.project"].output_shape == tuple(acts[f"blocks.{i}"].shape[1:])
    assert rows["classifier"].output_shape == (1000,)
    assert [t.layers for t in table.totals] == [1, 16, 15, 16, 1, 1]


def test_depthwise_convolutions_are_cheap_and_pointwise_ones_dominate(table):
    t = {x.kind: x for x in table.totals}
    pointwise = t["pointwise-expand"].macs + t["pointwise-project"].macs
    assert t["depthwise"].params < 0.05 * table.params and t["depthwise"].macs < 0.1 * table.macs
    assert pointwise > 0.8 * table.macs and pointwise > 7 * t["depthwise"].macs
    dw = next(r for r in table.rows if r.name == "blocks.3.depthwise")  # 144 channels, 5x5, stride 2
    assert dw.params == 144 * 25 + 2 * 144 and dw.macs == 144 * 28 * 28 * 25


def test_layer_table_for_another_input_size_scales_the_macs_not_the_params(table):
    small = layer_table(image_size=112)
    assert small.params == table.params
    assert small.rows[0].output_shape == (32, 56, 56) and small.rows[-2].output_shape == (1280, 4, 4)
    with pytest.raises(ValueError):
        layer_table(image_size=0)


# --- colour sample photos ------------------------------------------------------------------------------

@pytest.mark.parametrize("label", list(SAMPLE_PHOTOS))
def test_sample_photos_are_rgb_uint8_and_ship_with_scikit_image(label):
    image = rgb_photo(label)
    assert image.dtype == np.uint8 and image.ndim == 3 and image.shape[2] == 3 and min(image.shape[:2]) >= 256
    assert image.std() > 10 and np.abs(image[..., 0].astype(int) - image[..., 2]).mean() > 1  # real colour


def test_unknown_colour_photo_is_a_value_error_and_grey_photos_are_unchanged():
    with pytest.raises(ValueError, match="Coffee"):
        rgb_photo("Dog")
    grey = photo("Coffee")
    assert grey.ndim == 2 and max(grey.shape) == 256 and 0 <= grey.min() and grey.max() <= 1
    assert "Cameraman" in PHOTOS
