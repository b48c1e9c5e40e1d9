"""The step-through of a conv layer over channels: its shapes (live), the stepper, and the PyTorch code."""
from __future__ import annotations

import streamlit as st

from engine.figures.channel_view import channel_view
from engine.ops.channels import small_integer_layer, trace_channels
from engine.pytorch_code import channel_conv_code
from pages.shell.caching import shared


@shared(max_entries=64)
def layer_trace(c_in, c_out, size, k, stride, padding, seed):
    """The seeded example layer's trace (read-only, shared by all sessions)."""
    x, weight, bias = small_integer_layer(c_in, c_out, size, k, seed)
    return trace_channels(x, weight, bias, stride, padding)


def channel_views(*settings):
    """view(n) -> step n's HTML (for the stepper); settings as layer_trace takes them."""
    return channel_view(layer_trace(*settings))


def _shape(*sizes):
    return r" \times ".join(map(str, sizes))


def shapes(trace):
    """Input, weight, bias and output shapes with the current numbers (st.latex), and the parameter count."""
    c_out, c_in, k, _ = trace.weight.shape
    _, h, w = trace.input.shape
    _, h_out, w_out = trace.output.shape
    p, s = trace.padding, trace.stride
    st.latex(rf"\underbrace{{{_shape(c_in, h, w)}}}_{{C_\text{{in}} \times H \times W}}"
             rf"\xrightarrow[\text{{stride }} {s},\ \text{{padding }} {p}]{{\ {c_out} \text{{ filters of }} "
             rf"{_shape(c_in, k, k)}\ }}"
             rf"\underbrace{{{_shape(c_out, h_out, w_out)}}}_{{C_\text{{out}} \times H_\text{{out}} \times W_\text{{out}}}}")
    st.latex(rf"H_\text{{out}} = \left\lfloor \frac{{H + 2p - k}}{{s}} \right\rfloor + 1 = "
             rf"\left\lfloor \frac{{{h} + 2 \cdot {p} - {k}}}{{{s}}} \right\rfloor + 1 = {h_out}"
             + ("" if h == w else rf",\quad W_\text{{out}} = {w_out}"))
    weights = trace.weight.size
    st.markdown(f"**Weight** $C_\\text{{out}} \\times C_\\text{{in}} \\times k \\times k = {_shape(*trace.weight.shape)}$ "
                f"= {weights} numbers, **bias** {c_out} (one per filter): **{weights + c_out} parameters**. "
                f"The padded input is ${_shape(*trace.padded.shape)}$; the output holds "
                f"${_shape(c_out, h_out, w_out)} = {trace.output.size}$ numbers, one step each below.")


def pytorch_code(trace):
    st.code(channel_conv_code(trace.input, trace.weight, trace.bias, trace.stride, trace.padding), language="python")
