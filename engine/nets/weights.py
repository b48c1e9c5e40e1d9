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


def seeded_model(build, seed):
    """build() -> a torch module, its parameters drawn by seeded_init(model, seed). Built on the meta device
    first, so the process-wide generator is neither read nor advanced (concurrent sessions share it)."""
    import torch

    with torch.device("meta"):  # thread-local: other threads keep building on the CPU
        model = build()
    return seeded_init(model.to_empty(device="cpu"), seed)


def seeded_init(model, seed):
    """Draw every parameter of `model` as PyTorch's default initialisation does, from a private
    torch.Generator seeded with `seed`; return the model. Module by module in model.modules() order (the
    order nn.Sequential builds them in), the numbers equal torch.manual_seed(seed) before building, but
    the process-wide generator, which concurrent sessions share, plays no part in them.

    Linear, Conv*d, ConvTranspose*d: W and b ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (kaiming_uniform_ with
    a = sqrt(5), as their reset_parameters); BatchNorm: weight 1, bias 0, running statistics reset. Any
    other module with parameters or buffers raises ValueError.
    """
    import math

    import torch
    from torch import nn

    generator = torch.Generator().manual_seed(int(seed))
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, (nn.Linear, nn.modules.conv._ConvNd)):
                nn.init.kaiming_uniform_(module.weight, a=math.sqrt(5), generator=generator)
                if module.bias is not None:
                    fan_in, _ = nn.init._calculate_fan_in_and_fan_out(module.weight)
                    bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
                    nn.init.uniform_(module.bias, -bound, bound, generator=generator)
            elif isinstance(module, nn.modules.batchnorm._BatchNorm):
                module.reset_parameters()  # no random numbers: weight 1, bias 0, running mean 0, var 1
            elif any(True for _ in module.parameters(recurse=False)) or any(True for _ in module.buffers(False)):
                raise ValueError(f"seeded_init has no rule for {type(module).__name__}.")
    return model
