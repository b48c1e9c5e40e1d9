"""Load the trained digit networks from assets/models and run them on numpy images (for serving).

    from engine.nets.digit_loading import predict, activations, se_gates
    probs = predict("max_pool", images)                  # (N, 28, 28) in [0, 1] -> (N, 10)
    probs, maps = activations("se", image)               # (10,), {"conv1": (16, 28, 28), "gate1": (16, 1, 1), ...}
    gates = se_gates(image, gate_override={(1, 3): 0.0}) # {1: (16,), 2: (32,)} with channel 3 of block 1 off

Numpy in, numpy out; torch is imported only when a model is loaded, runs on one thread
(torch.set_num_threads(1)) and under torch.inference_mode(). Models are cached and never changed.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from engine.data.digits import CANVAS, load_split
from engine.nets.digit_nets import CLASSES, CONFIGS, LABELS, build, config
from engine.nets.weights import MODELS_DIR, load_weights, read_manifest

MANIFEST_KEY = "digits"  # the digit nets' entry of assets/models/manifest.json (written by train_digits)

SE_NET = "se"


def names():
    return tuple(CONFIGS)


def label(name):
    """A short human-readable name, e.g. "Max pooling 2x2"."""
    return LABELS[config(name).name]


def manifest():
    """The digit networks' entry of assets/models/manifest.json (data, training, models)."""
    return read_manifest(MODELS_DIR)[MANIFEST_KEY]


@lru_cache(maxsize=None)
def load(name):
    """The trained model `name` in eval mode; weights loaded with strict=True (cached, read-only)."""
    return load_weights(build(config(name)), MODELS_DIR / f"digits_{name}.pt")


def check_images(images, what="images"):
    """(N, 28, 28) or (28, 28) finite values in [0, 1] -> float32 (N, 28, 28); else a ValueError."""
    x = np.asarray(images)
    if x.dtype == object or not (np.issubdtype(x.dtype, np.number) or x.dtype == bool):
        raise ValueError(f"The {what} must be numbers, got an array of {x.dtype}.")
    x = x.astype(np.float32)
    if x.ndim == 2:
        x = x[None]
    if x.ndim != 3 or x.shape[1:] != (CANVAS, CANVAS) or len(x) == 0:
        raise ValueError(f"The digit networks take {CANVAS}x{CANVAS} grayscale images, shape ({CANVAS}, {CANVAS}) "
                         f"or (N, {CANVAS}, {CANVAS}); got shape {np.shape(images)}.")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"The {what} contain NaN or infinite values: every pixel must be a finite number.")
    if x.min() < 0.0 or x.max() > 1.0:
        raise ValueError(f"Pixel values must lie in [0, 1] (got {x.min():.3g} .. {x.max():.3g}); "
                         "divide 8-bit images by 255.")
    return x


def _check_image(image):
    x = np.asarray(image)
    if x.ndim != 2:
        raise ValueError(f"Give one {CANVAS}x{CANVAS} image, shape ({CANVAS}, {CANVAS}); got shape {x.shape}.")
    return check_images(x, "image")


def predict(name, images, batch_size=512):
    """Class probabilities (N, 10) (softmax of the logits) for images (N, 28, 28) or one (28, 28) -> (1, 10)."""
    import torch

    model = load(name)
    x = torch.from_numpy(check_images(images))[:, None]  # (N, 1, 28, 28)
    with torch.inference_mode():
        logits = torch.cat([model(x[i:i + batch_size]) for i in range(0, len(x), batch_size)])
        return torch.softmax(logits, dim=1).numpy().astype(float)


def activations(name, image, gate_override=None):
    """(probs (10,), {layer: (C, H, W)}) for one image (28, 28); layers as in digit_nets (SE gates (C, 1, 1)).

    gate_override {(block, channel): value} forces SE gates (se net only), see DigitNet.forward_with_activations."""
    import torch

    model = load(name)
    x = torch.from_numpy(_check_image(image))[:, None]
    with torch.inference_mode():
        logits, acts = model.forward_with_activations(x, gate_override=gate_override)
        probs = torch.softmax(logits, dim=1)[0].numpy().astype(float)
        return probs, {layer: a[0].numpy().astype(float) for layer, a in acts.items()}


def batch_activations(name, images, gate_override=None, batch_size=256):
    """(probs (N, 10), {layer: (N, C, H, W)}) for images (N, 28, 28), in batches (for whole-split measurements)."""
    import torch

    model = load(name)
    x = torch.from_numpy(check_images(images))[:, None]
    probs, acts = [], {}
    with torch.inference_mode():
        for i in range(0, len(x), batch_size):
            logits, a = model.forward_with_activations(x[i:i + batch_size], gate_override=gate_override)
            probs.append(torch.softmax(logits, dim=1).numpy())
            for layer, value in a.items():
                acts.setdefault(layer, []).append(value.numpy())
    return np.concatenate(probs).astype(float), {k: np.concatenate(v).astype(float) for k, v in acts.items()}


def se_gates(image, gate_override=None, name=SE_NET):
    """An SE net's gates s for one image: {block: (C,)} (block 1 has 16 channels, block 2 has 32)."""
    _, acts = activations(name, image, gate_override=gate_override)
    return {block: acts[f"gate{block}"][:, 0, 0] for block in range(1, config(name).stages + 1)}


@lru_cache(maxsize=4)
def _mean_gates_per_class(name):
    split = load_split()
    _, acts = batch_activations(name, split.test_x)
    out = {}
    for block in range(1, config(name).stages + 1):
        gates = acts[f"gate{block}"][:, :, 0, 0]  # (N, C)
        means = np.stack([gates[split.test_y == c].mean(axis=0) for c in range(CLASSES)])  # (10, C)
        means.flags.writeable = False
        out[block] = means
    return out


def mean_gates_per_class(name=SE_NET):
    """Mean SE gate per true class over the test split: {block: (10, C)} (cached; arrays are read-only)."""
    return dict(_mean_gates_per_class(name))


@lru_cache(maxsize=None)
def test_accuracy(name):
    """Fraction of the 450 test digits the trained `name` classifies correctly (measured, cached)."""
    split = load_split()
    return float(np.mean(predict(name, split.test_x).argmax(axis=1) == split.test_y))
