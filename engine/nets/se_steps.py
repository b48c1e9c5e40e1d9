"""One squeeze-and-excitation block of a trained digit net, taken apart step by step (numpy).

    steps = se_block_steps("se", image, block=1)
    steps.u (C, H, W) -> steps.z (C,) -> steps.hidden (C/r,) -> steps.gates (C,) -> steps.scaled (C, H, W)

    squeeze:     z_c = (1 / HW) sum_{i,j} u_c(i, j)
    excitation:  h = ReLU(W1 z + b1)   (W1: C/r x C),   s = sigmoid(W2 h + b2)   (W2: C x C/r)
    scale:       u~_c = s_c u_c
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.nets import digit_loading
from engine.nets.digit_nets import config


@dataclass(frozen=True)
class SEBlockSteps:
    net: str
    block: int  # 1-based, as in "gate1"
    reduction: int  # r
    u: np.ndarray  # (C, H, W) the block's input: the conv stage's output after ReLU
    z: np.ndarray  # (C,) squeeze
    w1: np.ndarray  # (C/r, C)
    b1: np.ndarray  # (C/r,)
    hidden: np.ndarray  # (C/r,) ReLU(W1 z + b1)
    w2: np.ndarray  # (C, C/r)
    b2: np.ndarray  # (C,)
    gates: np.ndarray  # (C,) sigmoid(W2 hidden + b2)
    scaled: np.ndarray  # (C, H, W)
    probs: np.ndarray  # (10,) the network's class probabilities for the image

    @property
    def parameters(self):
        """Weights and biases of the excitation network: 2C^2/r + C/r + C."""
        return self.w1.size + self.b1.size + self.w2.size + self.b2.size


def se_block_steps(name, image, block=1):
    """Squeeze, excitation and scale of SE block `block` of the trained net `name` on `image` (28, 28)."""
    cfg = config(name)
    if not cfg.se_reduction:
        raise ValueError(f"{name!r} has no squeeze-and-excitation blocks.")
    if block not in range(1, cfg.stages + 1):
        raise ValueError(f"Block must be 1 to {cfg.stages}, got {block}.")
    probs, acts = digit_loading.activations(name, image)
    se = getattr(digit_loading.load(name), f"se{block}")
    w1, b1 = (t.detach().numpy().astype(float) for t in (se.fc1.weight, se.fc1.bias))
    w2, b2 = (t.detach().numpy().astype(float) for t in (se.fc2.weight, se.fc2.bias))
    u = acts[f"conv{block}"]
    z = u.mean(axis=(1, 2))  # (C,)
    hidden = np.maximum(w1 @ z + b1, 0.0)  # (C/r,)
    gates = 1.0 / (1.0 + np.exp(-(w2 @ hidden + b2)))  # (C,)
    return SEBlockSteps(name, block, cfg.se_reduction, u, z, w1, b1, hidden, w2, b2, gates,
                        gates[:, None, None] * u, probs)
