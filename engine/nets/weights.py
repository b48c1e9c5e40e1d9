"""Shared by every trained network: counting parameters, and loading shipped weights for serving.

    model = load_weights(build(config), MODELS_DIR / "digits_max_pool.pt")   # strict, eval, read-only

torch is imported only inside load_weights.
"""
from __future__ import annotations

import json
from pathlib import Path

MODELS_DIR = Path(__file__).resolve().parents[2] / "assets" / "models"  # weights + manifest.json


def read_manifest(models_dir=MODELS_DIR):
    """assets/models/manifest.json as a dict ({} when there is none yet)."""
    path = Path(models_dir) / "manifest.json"
    return json.loads(path.read_text()) if path.exists() else {}


def parameter_count(model):
    """Learnable numbers in a torch module: sum of p.numel() over its parameters."""
    return sum(p.numel() for p in model.parameters())


def load_weights(model, source):
    """Load a plain state_dict (a path or a binary file) into `model` with strict=True; return it in eval
    mode with gradients off (models are shared read-only by all sessions). Serving uses one thread."""
    import torch

    torch.set_num_threads(1)
    state = torch.load(source, map_location="cpu", weights_only=True)
    model.load_state_dict(state, strict=True)
    return model.eval().requires_grad_(False)
