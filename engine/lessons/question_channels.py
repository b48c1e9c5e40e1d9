"""Question kinds about convolution over channels: output volumes, one cell summed over channels, and the
parameters of a fully connected or locally connected layer next to a convolution.

Answers come from the engine (conv2d, trace_channels, layer_counts); the explanation works the same
number out by the lecture's formula, and `worked` checks that the two agree.
"""
from __future__ import annotations

import numpy as np

import engine
from engine.figures.style import fmt
from engine.lessons.question_model import OneOf, Shown, Whole, ask, kind
from engine.lessons.question_text import as_shown, num, products, worked
from engine.ops.channels import trace_channels
from engine.ops.connectivity import layer_counts

_CHANNELS = tuple(range(1, 1025))


@kind("channel_conv_output_count", c_in=OneOf((1, 3, 8, 16), _CHANNELS), c_out=OneOf((2, 4, 8, 16, 32), _CHANNELS),
      i=Whole(5, 32, 1, 256), k=Whole(1, 5, 1, 11), s=Whole(1, 2, 1, 8), p=Whole(0, 2, 0, 8))
def channel_conv_output_count(draw):
    """How many numbers a conv layer's output volume holds: C_out · H_out · W_out."""
    c_in, c_out, i, k, s, p = draw("c_in"), draw("c_out"), draw("i"), draw("k"), draw("s"), draw("p")
    if k > i + 2 * p or p > k - 1:
        return None
    shape = engine.conv2d(np.zeros((c_in, i, i)), np.zeros((c_out, c_in, k, k)), stride=s, padding=p).shape
    o = (i + 2 * p - k) // s + 1
    worked(c_out * o * o, np.prod(shape))
    prompt = (f"An input of shape ${c_in} \\times {i} \\times {i}$ ($C_{{in}} \\times H \\times W$, so $H = W = {i}$) "
              f"goes through `nn.Conv2d(in_channels={c_in}, out_channels={c_out}, kernel_size={k}, stride={s}, "
              f"padding={p})`. How many numbers does the output hold?")
    explanation = (f"Each of the $C_{{out}} = {c_out}$ filters gives one map of "
                   f"$o = \\lfloor ({i} + 2 \\cdot {p} - {k}) / {s} \\rfloor + 1 = {o}$ rows and columns, so the "
                   f"output is ${c_out} \\times {o} \\times {o}$: ${c_out} \\cdot {o} \\cdot {o} = {c_out * o * o}$ "
                   f"numbers. $C_{{in}}$ does not change it: every filter sums over all {c_in} input channels.")
    return ask(prompt, int(np.prod(shape)), explanation, given=dict(c_in=c_in, c_out=c_out, i=i, k=k, s=s, p=p))


@kind("channel_conv_cell", c_in=Whole(2, 3, 1, 4), k=Whole(2, 3, 1, 3))
def channel_conv_cell(draw):
    """One output cell of a conv layer: the window in every input channel times the filter's slices, plus b."""
    c_in, k = draw("c_in"), draw("k")
    window = draw.integers(0, 3, (c_in, k, k)).astype(float)
    taps = draw.integers(-1, 1, (c_in, k, k)).astype(float)
    bias = draw.integers(-2, 2)
    step = trace_channels(window, taps[None], [bias]).steps[0]
    if np.count_nonzero(step.products) < 2 * c_in:  # every channel adds something to work out
        return None
    sums = step.channel_sums
    worked(sums.sum() + bias, step.value)
    matrices = [m for c in range(c_in) for m in (Shown(f"Window in channel {c}", as_shown(window[c])),
                                                  Shown(f"Filter, channel {c}", as_shown(taps[c])))]
    prompt = (f"The layer `nn.Conv2d(in_channels={c_in}, out_channels=1, kernel_size={k})` has one filter of shape "
              f"${c_in} \\times {k} \\times {k}$ and the bias $b = {bias}$. Below: the window it sits on in each input "
              "channel, and the filter's slice for that channel. What output value does it compute?")
    lines = [f"channel {c}: ${products(window[c], taps[c])} = {fmt(sums[c])}$" for c in range(c_in)]
    explanation = ("Multiply each channel's window by the filter's slice for it and add up, then add the "
                   "channel sums and the bias:\n\n" + "\n\n".join(f"- {line}" for line in lines) +
                   f"\n\n${' + '.join(num(v) for v in sums)} + {num(bias)} = {fmt(step.value)}$")
    return ask(prompt, step.value, explanation, matrices=matrices, given=dict(c_in=c_in, k=k, b=bias))


@kind("layer_parameter_count", layer=OneOf(("fully connected", "locally connected"),
                                           ("fully connected", "locally connected", "convolution")),
      h=OneOf((6, 8, 12, 16), tuple(range(1, 513))), c_in=OneOf((1, 3), _CHANNELS), c_out=OneOf((1, 2, 4), _CHANNELS),
      k=OneOf((3, 5), (1, 3, 5, 7, 9, 11)))
def layer_parameter_count(draw):
    """Parameters (with biases) of a layer from an H x H x C_in image to H x H x C_out units."""
    layer, h, c_in, c_out, k = draw("layer"), draw("h"), draw("c_in"), draw("c_out"), draw("k")
    count = next(c for c in layer_counts(h, h, c_in, c_out, k) if c.name.lower() == layer)
    window = f"its own $k \\times k \\times C_{{in}}$ window with $k = {k}$ (stride 1, zero padding {(k - 1) // 2})"
    sees = {"fully connected": "every input", "locally connected": window + " with its own weights",
            "convolution": window + ", with one set of weights shared by all units of a channel"}[layer]
    bias = "Each output channel has one bias." if layer == "convolution" else "Each unit has its own bias."
    prompt = (f"A **{layer}** layer takes an image of $H = W = {h}$ pixels and $C_{{in}} = {c_in}$ channels to "
              f"$C_{{out}} = {c_out}$ channels of the same size (${h} \\times {h} \\times {c_out}$ units); each unit "
              f"sees {sees}. {bias} How many parameters does it have?")
    explanation = f"${_latex(count.formula)} = {_latex(count.numbers)} = {count.params}$"
    worked(count.weights + count.biases, count.params)
    given = dict(layer=layer, h=h, c_in=c_in, c_out=c_out) | ({} if layer == "fully connected" else {"k": k})
    return ask(prompt, count.params, explanation, given=given)


def _latex(text):
    """A count's plain-text formula as LaTeX: '·' -> \\cdot, 'k²' -> k^2, C_in -> C_{in}, 1,000 -> 1{,}000."""
    for plain, latex in (("·", r" \cdot "), ("²", "^2"), ("_in", "_{in}"), ("_out", "_{out}"), (",", "{,}")):
        text = text.replace(plain, latex)
    return text
