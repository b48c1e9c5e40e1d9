"""Question kinds about sizes and counts: output sizes, receptive fields, kernel spans, parameters.

Every answer comes from the engine (conv_output_size, resolve_padding, effective_kernel_size,
receptive_field, conv_transpose's argument check, pool_output_size, conv2d); the explanation
works the same number out with the lecture formula, and `worked` checks that the two agree.
"""
from __future__ import annotations

import numpy as np

import engine
from engine.lessons.question_model import OneOf, Whole, ask, kind
from engine.lessons.question_text import worked
from engine.ops.conv_transpose import transpose_arguments
from engine.notation import count


def _span_latex(k, d):
    """'d(k - 1)' written with numbers: '(3 - 1)' when d == 1, else '2 \\cdot (3 - 1)'."""
    return f"({k} - 1)" if d == 1 else f"{d} \\cdot ({k} - 1)"


@kind("conv_output_size", i=Whole(5, 16, 1, 64), k=Whole(2, 5, 1, 11), s=Whole(1, 3, 1, 8),
      p=Whole(0, 2, 0, 8), d=Whole(1, 1, 1, 8))
def conv_output_size(draw):
    """Output size of a convolution along one axis."""
    i, k, s, p, d = draw("i"), draw("k"), draw("s"), draw("p"), draw("d")
    span = engine.effective_kernel_size(k, d)
    if span > i + 2 * p or p > span - 1:  # no position fits, or outputs that see only padding
        return None
    o = engine.conv_output_size(i, k, s, p, d)
    dilation = f" and dilation $d = {d}$" if d != 1 else ""
    prompt = (f"A convolution has input size $i = {i}$, kernel size $k = {k}$, stride $s = {s}$, padding "
              f"$p = {p}$ (on each side){dilation}. How many outputs does it give along this axis?")
    top = i + 2 * p - d * (k - 1) - 1
    worked(top // s + 1, o)
    if s == 1:  # no floor at stride 1
        worked(top + 1, o)
        d_text = "(k - 1)" if d == 1 else "d(k - 1)"
        explanation = f"$o = i + 2p - {d_text} = {i} + 2 \\cdot {p} - {_span_latex(k, d)} = {o}$."
        return ask(prompt, o, explanation, given=dict(i=i, k=k, s=s, p=p, d=d))
    if d == 1:
        formula = (rf"o = \left\lfloor \dfrac{{i + 2p - k}}{{s}} \right\rfloor + 1 = "
                   rf"\left\lfloor \dfrac{{{i} + 2 \cdot {p} - {k}}}{{{s}}} \right\rfloor + 1")
    else:
        formula = (rf"o = \left\lfloor \dfrac{{i + 2p - d(k - 1) - 1}}{{s}} \right\rfloor + 1 = \left\lfloor "
                   rf"\dfrac{{{i} + 2 \cdot {p} - {_span_latex(k, d)} - 1}}{{{s}}} \right\rfloor + 1")
    explanation = f"${formula} = \\lfloor {top} / {s} \\rfloor + 1 = {o}$."
    if top % s:
        dropped = "the last cell" if top % s == 1 else f"the last {top % s} cells"
        explanation += (f" The floor drops {dropped} of the padded input: no whole window at a multiple of the "
                        "stride covers them.")
    return ask(prompt, o, explanation, given=dict(i=i, k=k, s=s, p=p, d=d))


_PADDING_WORDS = {
    "valid": "'valid' adds no padding",
    "same": "'same' pads $d(k - 1) = {total}$ cells in all, {before} before and {after} after",
    "full": "'full' pads $d(k - 1) = {before}$ cells on each side, so every position where the kernel touches "
            "the input counts",
}


@kind("padding_output_size", padding=OneOf(("same", "full"), ("valid", "same", "full")),
      i=Whole(4, 12, 1, 64), k=Whole(2, 5, 1, 11), d=Whole(1, 1, 1, 8))
def padding_output_size(draw):
    """Output size at stride 1 for padding 'valid', 'same' or 'full'."""
    padding, i, k, d = draw("padding"), draw("i"), draw("k"), draw("d")
    (before, after), = engine.resolve_padding(padding, (k,), d)
    if engine.effective_kernel_size(k, d) > i + before + after:
        return None
    o = engine.conv_output_size(i, k, 1, (before, after), d)
    dilation = f" and dilation $d = {d}$" if d != 1 else ""
    written = (f"`padding='{padding}'`" if padding != "full" else
               f"'full' padding (PyTorch has no 'full': write the number, `padding={before}`)")
    prompt = (f"A stride-1 convolution with kernel size $k = {k}${dilation} and {written} runs over an "
              f"input of size $i = {i}$. How many outputs does it give along this axis?")
    total = d * (k - 1)
    worked(i + before + after - total, o)
    words = _PADDING_WORDS[padding].format(total=total, before=before, after=after)
    if padding == "same" and before != after:
        words += " (an odd total puts the extra cell after, as in PyTorch)"
    explanation = (f"{words}: $o = i + p_{{before}} + p_{{after}} - d(k - 1) = {i} + {before} + {after} - "
                   f"{_span_latex(k, d)} = {o}$.")
    return ask(prompt, o, explanation, given=dict(padding=padding, i=i, k=k, d=d))


@kind("stride_same_output", i=Whole(5, 12, 2, 64), k=Whole(2, 4, 1, 11), s=Whole(2, 3, 2, 8),
      p=Whole(0, 1, 0, 8))
def stride_same_output(draw):
    """The floor at work: the largest input size that gives the same output size as i."""
    i, k, s, p = draw("i"), draw("k"), draw("s"), draw("p")
    if k > i + 2 * p or p > k - 1:
        return None
    o = engine.conv_output_size(i, k, s, p)
    sizes = [j for j in range(max(1, i - s + 1), i + s) if k <= j + 2 * p and engine.conv_output_size(j, k, s, p) == o]
    largest = max(sizes)
    if largest == i:
        return None
    ask_for = ("Exactly one other input size gives the same number of outputs. Which one?" if len(sizes) == 2 else
               f"Other input sizes give {count(o, 'output')} too. What is the largest input size that still gives {o}?")
    prompt = (f"A convolution with kernel size $k = {k}$, stride $s = {s}$ and padding $p = {p}$ turns an input of "
              f"size $i = {i}$ into $o = {o}$ outputs. {ask_for}")
    top, over = largest + 2 * p - k, largest + 1 + 2 * p - k
    after = engine.conv_output_size(largest + 1, k, s, p)
    worked(top // s + 1, o)
    worked(over // s + 1, after)
    explanation = (rf"$o = \lfloor (i + 2p - k) / s \rfloor + 1$ stays {o} for input sizes {min(sizes)} to "
                   rf"{largest}: $\lfloor ({largest} + 2 \cdot {p} - {k}) / {s} \rfloor + 1 = \lfloor {top} / {s} "
                   rf"\rfloor + 1 = {o}$. One more cell gives $\lfloor {over} / {s} \rfloor + 1 = {after}$. "
                   f"The floor drops up to $s - 1 = {s - 1}$ {'cell' if s == 2 else 'cells'} a stride cannot reach, "
                   f"so the answer is $i = {largest}$.")
    return ask(prompt, largest, explanation, given=dict(i=i, k=k, s=s, p=p, o=o))


@kind("dilated_kernel_size", k=Whole(2, 5, 1, 11), d=Whole(2, 4, 1, 16))
def dilated_kernel_size(draw):
    """How many cells a dilated kernel spans."""
    k, d = draw("k"), draw("d")
    span = engine.effective_kernel_size(k, d)
    prompt = (f"A kernel of size $k = {k}$ has dilation $d = {d}$. How many input cells does it span "
              "from its first weight to its last (its effective size)?")
    worked(k + (k - 1) * (d - 1), span)
    explanation = (f"$k_{{eff}} = k + (k - 1)(d - 1) = {k} + {k - 1} \\cdot {d - 1} = {span}$: $d - 1 = {d - 1}$ "
                   f"{'hole sits' if d == 2 else 'holes sit'} between each of the $k - 1 = {k - 1}$ pairs of "
                   "neighbouring weights.")
    return ask(prompt, span, explanation, given=dict(k=k, d=d))


@kind("receptive_field", layers=Whole(2, 3, 1, 6), k=Whole(2, 5, 1, 9), s=Whole(1, 2, 1, 4), d=Whole(1, 1, 1, 16))
def receptive_field(draw):
    """Receptive field size of one output of a stack of convolutions."""
    layers = [engine.Layer(draw("k"), draw("s"), 0, draw("d")) for _ in range(draw("layers"))]
    fields = engine.receptive_field(layers)
    size = fields[-1].size
    rows = "\n".join(f"| {n} | {l.kernel_size} | {l.stride} | {l.dilation} |" for n, l in enumerate(layers, 1))
    prompt = ("A stack of convolutions, layer 1 applied first (padding does not change the receptive field):"
              f"\n\n| layer | $k$ | $s$ | $d$ |\n|---|---|---|---|\n{rows}\n\n"
              "How many input cells (along one axis) does one output of the last layer see: its receptive field?")
    steps, r, j = [], 1, 1
    for n, (layer, field) in enumerate(zip(layers, fields), 1):
        k_eff = layer.effective_kernel_size
        worked(r + (k_eff - 1) * j, field.size)
        worked(j * layer.stride, field.jump)
        steps.append(f"layer {n}: $r_{n} = {r} + ({k_eff} - 1) \\cdot {j} = {field.size}$, "
                     f"$j_{n} = {j} \\cdot {layer.stride} = {field.jump}$")
        r, j = field.size, field.jump
    explanation = ("Start from one input cell, $r_0 = 1$, with jump $j_0 = 1$ (input cells between neighbouring "
                   "outputs). Each layer adds $(k_{eff} - 1)$ times the jump so far, with $k_{eff} = d(k - 1) + 1$, "
                   "then multiplies the jump by its stride: " + "; ".join(steps) + f". So $r = {size}$.")
    stack = tuple((l.kernel_size, l.stride, l.dilation) for l in layers)
    return ask(prompt, size, explanation, given=dict(layers=stack))


@kind("transposed_output_size", i=Whole(2, 8, 1, 64), k=Whole(2, 5, 1, 11), s=Whole(1, 3, 1, 8),
      p=Whole(0, 2, 0, 8), output_padding=Whole(0, 1, 0, 7), d=Whole(1, 1, 1, 8))
def transposed_output_size(draw):
    """Output size of a transposed convolution, output_padding included."""
    i, k, s, p, op, d = draw("i"), draw("k"), draw("s"), draw("p"), draw("output_padding"), draw("d")
    if op >= max(s, d) or p > d * (k - 1):
        return None
    try:
        o = transpose_arguments((i,), (k,), s, p, op, d)[-1][0]
    except ValueError:  # the padding crops away everything
        return None
    dilation = f", dilation $d = {d}$" if d != 1 else ""
    prompt = (f"A transposed convolution (`ConvTranspose1d`) has input size $i = {i}$, kernel size $k = {k}$, "
              f"stride $s = {s}$, padding $p = {p}${dilation} and `output_padding` $= {op}$. "
              "How many outputs does it give along this axis?")
    worked((i - 1) * s - 2 * p + d * (k - 1) + op + 1, o)
    d_text = "d(k - 1)" if d != 1 else "(k - 1)"
    explanation = (f"$o = (i - 1)s - 2p + {d_text} + \\mathrm{{op}} + 1 = ({i} - 1) \\cdot {s} - 2 \\cdot {p} + "
                   f"{_span_latex(k, d)} + {op} + 1 = {o}$ (op = `output_padding`): each input cell stamps the "
                   f"kernel $s$ cells further on, $p$ cells are cropped from each end, and `output_padding` adds "
                   "cells at the end.")
    return ask(prompt, o, explanation, given=dict(i=i, k=k, s=s, p=p, output_padding=op, d=d))


_CHANNELS = tuple(range(1, 1025))


@kind("conv_parameter_count", c_in=OneOf((1, 3, 8, 16, 32, 64), _CHANNELS),
      c_out=OneOf((8, 16, 32, 64, 128), _CHANNELS), k=Whole(1, 5, 1, 11), bias=OneOf((True, False), (True, False)),
      groups=OneOf((1,), _CHANNELS))
def conv_parameter_count(draw):
    """Learnable parameters of an nn.Conv2d layer."""
    c_in, c_out, k, bias, g = draw("c_in"), draw("c_out"), draw("k"), draw("bias"), draw("groups")
    if c_in % g or c_out % g:
        return None
    count = conv2d_parameter_count(c_in, c_out, k, bias, g)
    groups = f", groups={g}" if g != 1 else ""
    prompt = (f"How many learnable parameters does `nn.Conv2d(in_channels={c_in}, out_channels={c_out}, "
              f"kernel_size={k}{groups}, bias={bias})` have?")
    weights = c_out * (c_in // g) * k * k
    per_filter = rf"\dfrac{{C_{{in}}}}{{g}} \cdot k^2 = {c_in // g} \cdot {k}^2" if g != 1 else \
        rf"C_{{in}} \cdot k^2 = {c_in} \cdot {k}^2"
    explanation = (f"Each of the $C_{{out}} = {c_out}$ filters has ${per_filter} = {c_in // g * k * k}$ weights, so "
                   f"${c_out} \\cdot {c_in // g * k * k} = {weights}$ weights")
    if bias:
        explanation += f", plus one bias per filter: ${weights} + {c_out} = {weights + c_out}$."
    else:
        explanation += " and no bias."
    worked(weights + (c_out if bias else 0), count)
    return ask(prompt, count, explanation, given=dict(c_in=c_in, c_out=c_out, k=k, bias=bias, groups=g))


def conv2d_parameter_count(in_channels, out_channels, kernel_size, bias=True, groups=1):
    """Numbers in the weight (C_out, C_in / groups, k, k) and bias (C_out,) that engine.conv2d takes for this layer.

    The shapes are run through engine.conv2d once (a 1 x 1 output), so a shape it would reject raises here.
    """
    weight = np.zeros((out_channels, in_channels // groups, kernel_size, kernel_size), np.float32)
    b = np.zeros(out_channels, np.float32) if bias else None
    engine.conv2d(np.zeros((in_channels, kernel_size, kernel_size), np.float32), weight, b, groups=groups)
    return weight.size + (b.size if bias else 0)


@kind("pool_output_size", i=Whole(4, 16, 1, 64), k=Whole(2, 4, 1, 8), s=Whole(1, 3, 1, 8), p=Whole(0, 1, 0, 4),
      ceil_mode=OneOf((False, True), (False, True)))
def pool_output_size(draw):
    """Output size of a pooling layer, with ceil_mode (and PyTorch's rule for a last window in the padding)."""
    i, k, s, p, ceil = draw("i"), draw("k"), draw("s"), draw("p"), draw("ceil_mode")
    top = i + 2 * p - k
    if p > k // 2 or top < 0 or (ceil and top % s == 0):  # PyTorch's padding limit; no fit; a ceil that does nothing
        return None
    o = engine.pool_output_size(i, k, s, p, 1, ceil)
    prompt = (f"`nn.MaxPool2d(kernel_size={k}, stride={s}, padding={p}, ceil_mode={ceil})` runs over an input of "
              f"size $i = {i}$ (per axis). How many outputs does it give along each axis?")
    if not ceil:
        worked(top // s + 1, o)
        explanation = (rf"$o = \left\lfloor \dfrac{{i + 2p - k}}{{s}} \right\rfloor + 1 = \left\lfloor \dfrac{{{i} + "
                       rf"2 \cdot {p} - {k}}}{{{s}}} \right\rfloor + 1 = \lfloor {top} / {s} \rfloor + 1 = {o}$.")
        return ask(prompt, o, explanation, given=dict(i=i, k=k, s=s, p=p, ceil_mode=ceil))
    up = -(-top // s) + 1
    explanation = (rf"With `ceil_mode=True` the size rounds up: "
                   rf"$o = \left\lceil \dfrac{{i + 2p - k}}{{s}} \right\rceil + 1 = \left\lceil \dfrac{{{i} + 2 \cdot "
                   rf"{p} - {k}}}{{{s}}} \right\rceil + 1 = \lceil {top} / {s} \rceil + 1 = {up}$")
    if (up - 1) * s >= i + p:
        worked(up - 1, o)
        explanation += (f", but that last window would start at padded cell ${up - 1} \\cdot {s} = {(up - 1) * s}$, "
                        f"past the input's last cell $i + p - 1 = {i + p - 1}$ (padded numbering): PyTorch drops "
                        f"a window that sees only padding, so $o = {o}$.")
    else:
        worked(up, o)
        explanation += ": the last window hangs over the end of the input and still counts."
    return ask(prompt, o, explanation, given=dict(i=i, k=k, s=s, p=p, ceil_mode=ceil))
