"""Self-check kinds about squeeze-and-excitation: its parameters and its share of a block's compute.

Answers come from engine.bottleneck_cost (the SE rows of a ResNet bottleneck whose output has 4C channels).
"""
from __future__ import annotations

import engine
from engine.lessons.question_model import OneOf, Whole, ask, kind
from engine.lessons.question_text import worked

_WIDTHS = (16, 32, 64, 128, 256, 512, 1024, 2048)


@kind("se_parameter_count", C=OneOf((64, 128, 256, 512), _WIDTHS), reduction=OneOf((4, 8, 16), (2, 4, 8, 16, 32)))
def se_parameter_count(draw):
    """Weights and biases of an SE block's two FC layers on C channels with reduction r."""
    c, r = draw("C"), draw("reduction")
    if c % 4 or c % r:
        return None
    count = engine.bottleneck_cost(1, 1, c // 4, r).se_params  # the SE rows act on the block's 4C = c channels
    hidden = c // r
    prompt = (f"A squeeze-and-excitation block acts on a feature map with $C = {c}$ channels, reduction $r = {r}$. "
              "How many learnable parameters do its two fully connected layers have (weights and biases)?")
    explanation = (f"FC $C \\to C/r$: ${c} \\cdot {hidden} + {hidden}$; FC $C/r \\to C$: ${hidden} \\cdot {c} + {c}$. "
                   f"Together $2C^2/r + C/r + C = {2 * c * hidden} + {hidden} + {c} = {2 * c * hidden + hidden + c}$. "
                   "Squeeze and scale have no parameters.")
    worked(2 * c * hidden + hidden + c, count)
    return ask(prompt, count, explanation, given=dict(C=c, reduction=r))


@kind("se_added_flops", H=Whole(7, 28, 1, 28), C=OneOf((64, 128, 256), _WIDTHS[:6]), reduction=OneOf((16,), (2, 4, 8, 16, 32)))
def se_added_flops(draw):
    """Multiply-adds SE adds on an H x H x C map: squeeze (HWC adds), two FCs (2C^2/r), scale (HWC)."""
    h, c, r = draw("H"), draw("C"), draw("reduction")
    if c % 4 or c % r:
        return None
    flops = engine.bottleneck_cost(h, h, c // 4, r).se_flops
    prompt = (f"An SE block (reduction $r = {r}$) sits on a feature map of $H = W = {h}$ with $C = {c}$ channels. How many "
              "operations does it add? Count the squeeze's additions, the two FC layers' multiply-adds and the "
              "scale's multiplications.")
    explanation = (f"Squeeze $HWC = {h} \\cdot {h} \\cdot {c} = {h * h * c}$, FCs $2C^2/r = 2 \\cdot {c}^2/{r} = "
                   f"{2 * c * c // r}$, scale $HWC = {h * h * c}$: in all ${h * h * c} + {2 * c * c // r} + {h * h * c} = {2 * h * h * c + 2 * c * c // r}$.")
    worked(2 * h * h * c + 2 * c * c // r, flops)
    return ask(prompt, flops, explanation, given=dict(H=h, C=c, reduction=r))
