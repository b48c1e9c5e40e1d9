"""Self-check kinds about grouped, depthwise and depthwise-separable convolution.

Answers come from the engine: output channels from engine.conv2d run on zeros, multiply-adds from
engine/ops/grouped.py (checked against torch's FlopCounterMode in tests/engine/test_grouped.py).
"""
from __future__ import annotations

import numpy as np

import engine
from engine.lessons.question_model import OneOf, Whole, ask, kind
from engine.lessons.question_text import worked
from engine.ops.grouped import grouped_cost, separable_cost

_CHANNELS = (1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 512)


@kind("depthwise_output_channels", c_in=OneOf((3, 8, 16, 32, 64), _CHANNELS), m=OneOf((1, 2, 3), (1, 2, 3, 4)),
      k=Whole(3, 5, 1, 7))
def depthwise_output_channels(draw):
    """Output channels of a depthwise layer with depth multiplier m: C_out = m C_in."""
    c, m, k = draw("c_in"), draw("m"), draw("k")
    y = engine.conv2d(np.zeros((c, k, k)), np.zeros((m * c, 1, k, k)), groups=c)  # (C_out, 1, 1)
    prompt = (f"A depthwise convolution (groups = in_channels) with kernel_size={k} takes an input of shape "
              f"$(1, {c}, 32, 32)$, so in_channels={c}, and has depth multiplier $m = {m}$: m filters for every input "
              "channel. How many output channels does it produce?")
    explanation = (f"Depthwise: each of the $C_{{in}} = {c}$ channels is its own group and gets {m} filter"
                   f"{'s that see' if m > 1 else ' that sees'} only it, so $C_{{out}} = m \\cdot C_{{in}} = {m} \\cdot {c} "
                   f"= {m * c}$.")
    worked(m * c, y.shape[0])
    return ask(prompt, y.shape[0], explanation, given=dict(c_in=c, m=m, k=k))


@kind("grouped_conv_macs", c_in=OneOf((8, 16, 32), _CHANNELS), c_out=OneOf((8, 16, 32), _CHANNELS),
      k=OneOf((1, 3, 5), (1, 3, 5, 7)), groups=OneOf((2, 4, 8), _CHANNELS), h=Whole(4, 8, 1, 64))
def grouped_conv_macs(draw):
    """Multiply-adds of a grouped conv (stride 1, padding k // 2): C_out C_in k^2 H W / G."""
    c_in, c_out, k, g, h = draw("c_in"), draw("c_out"), draw("k"), draw("groups"), draw("h")
    if c_in % g or c_out % g:
        return None
    cost = grouped_cost(c_in, c_out, k, g, h, h)
    if cost.macs >= 10 ** 6:
        return None  # a number a student can type and read back
    prompt = (f"How many multiply-adds does `nn.Conv2d(in_channels={c_in}, out_channels={c_out}, kernel_size={k}, "
              f"padding={k // 2}, groups={g}, bias=False)` do on one input with $H = W = {h}$?")
    shown = c_out * c_in * k * k * h * h // g
    explanation = (f"The output is ${c_out} \\times {h} \\times {h}$. Each output value takes one filter's "
                   f"$C_{{in}}/G \\cdot k^2 = {c_in // g} \\cdot {k * k}$ weights, so "
                   f"$\\dfrac{{C_{{out}} C_{{in}} k^2 H_{{out}} W_{{out}}}}{{G}} = \\dfrac{{{c_out} \\cdot {c_in} \\cdot {k}^2 "
                   f"\\cdot {h} \\cdot {h}}}{{{g}}} = {shown}$.")
    worked(shown, cost.macs)
    return ask(prompt, cost.macs, explanation, given=dict(c_in=c_in, c_out=c_out, k=k, groups=g, h=h))


@kind("separable_macs", c_in=OneOf((8, 16, 32), _CHANNELS), c_out=OneOf((16, 32, 64), _CHANNELS),
      k=OneOf((3, 5), (3, 5, 7)), h=Whole(4, 8, 1, 64))
def separable_macs(draw):
    """Multiply-adds of depthwise k x k then pointwise 1x1 (stride 1, 'same'): H W C_in (k^2 + C_out)."""
    c_in, c_out, k, h = draw("c_in"), draw("c_out"), draw("k"), draw("h")
    cost = separable_cost(c_in, c_out, k, h, h)
    if cost.macs >= 10 ** 6:
        return None
    prompt = (f"A depthwise separable layer: `nn.Conv2d(in_channels={c_in}, out_channels={c_in}, kernel_size={k}, "
              f"padding='same', groups={c_in}, bias=False)`, then `nn.Conv2d({c_in}, out_channels={c_out}, kernel_size=1, "
              f"bias=False)`, on one input with $H = W = {h}$. How many multiply-adds does it do?")
    dw, pw = h * h * c_in * k * k, h * h * c_in * c_out
    explanation = (f"Depthwise: $H W C_{{in}} k^2 = {h} \\cdot {h} \\cdot {c_in} \\cdot {k * k} = {dw}$; pointwise: "
                   f"$H W C_{{in}} C_{{out}} = {h} \\cdot {h} \\cdot {c_in} \\cdot {c_out} = {pw}$; together "
                   f"${dw} + {pw} = {dw + pw}$. The standard {k}×{k} convolution would do "
                   f"$H W C_{{in}} C_{{out}} k^2 = {cost.standard.macs}$, {cost.speedup:.2f} times as many.")
    worked(dw + pw, cost.macs)
    return ask(prompt, cost.macs, explanation, given=dict(c_in=c_in, c_out=c_out, k=k, h=h))
