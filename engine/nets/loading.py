"""Load the trained upsamplers from assets/models and run them on numpy images (for serving).

    from engine.nets.loading import upsample, upsample_untrained
    big = upsample("transposed_k3", image)          # (H, W) -> (2H, 2W), float
    noisy = upsample_untrained("transposed_k3", image)

torch is imported only when a model is loaded; serving uses one thread (torch.set_num_threads(1)).
"""
from __future__ import annotations

import json
from functools import lru_cache

import numpy as np

from engine.nets.upsamplers import CONFIGS, UNTRAINED_SEED, build, config, untrained_model
from engine.nets.weights import MODELS_DIR, load_weights


def names():
    return tuple(CONFIGS)


def manifest():
    return json.loads((MODELS_DIR / "manifest.json").read_text())


@lru_cache(maxsize=None)
def load(name):
    """The trained model `name` in eval mode; weights loaded with strict=True (cached)."""
    return load_weights(build(config(name)), MODELS_DIR / f"upsample_{name}.pt")


@lru_cache(maxsize=None)
def load_untrained(name, seed=UNTRAINED_SEED):
    """The same architecture with PyTorch's default random initialisation under `seed` (cached)."""
    import torch

    torch.set_num_threads(1)
    return untrained_model(config(name).name, seed)


def _apply(model, image):
    import torch

    x = np.asarray(image, dtype=np.float32)
    if x.ndim != 2 or min(x.shape) < 1:
        raise ValueError(f"upsample expects a 2D grayscale image, got shape {x.shape}.")
    if not np.all(np.isfinite(x)):
        raise ValueError("upsample expects finite pixel values.")
    with torch.inference_mode():
        return model(torch.from_numpy(x)[None, None]).numpy()[0, 0].astype(float)


def upsample(name, image):
    """`image` (H, W), values in [0, 1] like the training data, doubled to (2H, 2W) by the trained `name`."""
    return _apply(load(name), image)


def upsample_untrained(name, image):
    """Same as upsample() with the untrained (randomly initialised, fixed seed) network."""
    return _apply(load_untrained(name), image)
