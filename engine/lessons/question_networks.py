"""Self-check kinds about whole networks: the parameters of a VGG block and the multiply-adds of one layer.

Answers come from engine.ops.network_arithmetic.analyse (checked against torch in the tests); the explanation
works the same number out with the lecture formula, and `worked` checks that the two agree.
"""
from __future__ import annotations

from engine.lessons.question_model import OneOf, Whole, ask, kind
from engine.lessons.question_text import worked
from engine.ops.network_arithmetic import Conv, analyse

_CHANNELS = (3, 16, 32, 64, 128, 256, 512)


@kind("vgg_block_parameters", c_in=OneOf((3, 16, 32, 64), _CHANNELS), c_out=OneOf((32, 64, 128), _CHANNELS),
      convs=Whole(2, 3, 1, 3))
def vgg_block_parameters(draw):
    """Weights and biases of a VGG block: `convs` 3x3 convolutions (padding 1), C_in -> C, then C -> C."""
    c_in, c, n = draw("c_in"), draw("c_out"), draw("convs")
    count = analyse([Conv(c, 3, padding=1)] * n, (c_in, 32, 32)).params
    if count >= 1_000_000:  # answers are typed in full
        return None
    then = "then" if n == 2 else f"then {n - 1} ×"
    prompt = (f"A VGG block of {n} convolutions: `nn.Conv2d(in_channels={c_in}, out_channels={c}, kernel_size=3, "
              f"padding=1)`, {then} `nn.Conv2d(in_channels={c}, out_channels={c}, kernel_size=3, padding=1)`, all "
              "with biases. How many learnable parameters does the block have?")
    first, rest = 9 * c_in * c + c, 9 * c * c + c
    explanation = (f"First: $3^2 \\cdot {c_in} \\cdot {c} + {c} = {first}$. Each further one: $3^2 \\cdot {c} \\cdot {c} "
                   f"+ {c} = {rest}$. In all ${first} + {n - 1} \\cdot {rest} = {first + (n - 1) * rest}$. The map size "
                   "does not matter: the same weights slide over every position.")
    worked(first + (n - 1) * rest, count)
    return ask(prompt, count, explanation, given=dict(c_in=c_in, c_out=c, convs=n))


@kind("conv_multiply_adds", h=OneOf((4, 7, 8, 14), (4, 7, 8, 14, 16)), c_in=OneOf((3, 8, 16), _CHANNELS),
      c_out=OneOf((8, 16, 32), _CHANNELS), k=OneOf((1, 3), (1, 3, 5)), s=Whole(1, 2, 1, 2))
def conv_multiply_adds(draw):
    """Multiply-adds of one k x k convolution (padding k // 2, stride s) on an h x h x C_in map."""
    h, c_in, c_out, k, s = draw("h"), draw("c_in"), draw("c_out"), draw("k"), draw("s")
    row = analyse([Conv(c_out, k, s, k // 2)], (c_in, h, h)).rows[0]
    if row.macs >= 1_000_000:  # answers are typed in full
        return None
    o = row.output_shape[1]
    prompt = (f"`nn.Conv2d(in_channels={c_in}, out_channels={c_out}, kernel_size={k}, stride={s}, "
              f"padding={k // 2}, bias=False)` runs on one {c_in}-channel image of $H = W = {h}$. How many "
              "multiply-adds does it do?")
    explanation = (f"The output is ${o} \\times {o} \\times {c_out}$; each output cell takes $k^2 C_{{in}} = {k}^2 "
                   f"\\cdot {c_in} = {k * k * c_in}$ multiply-adds: ${o}^2 \\cdot {c_out} \\cdot {k * k * c_in} = "
                   f"{o * o * c_out * k * k * c_in}$. (Counted as 2 floating-point operations each, that is "
                   f"{2 * row.macs} FLOPs.)")
    worked(o * o * c_out * k * k * c_in, row.macs)
    return ask(prompt, row.macs, explanation, given=dict(h=h, c_in=c_in, c_out=c_out, k=k, s=s))
