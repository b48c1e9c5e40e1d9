"""Views of the pooling lesson's first half: the output size, pooling step by step, and un-pooling."""
from __future__ import annotations

import streamlit as st

from engine import trace_pool
from engine.figures import at_step, pool_animation_spec, pool_equation, unpool_html
from engine.figures.narrow import stacked
from engine.figures.pool_figures import pool_step_view, upsampling_methods_html
from pages.shell.figures import show, spec


def formula_size(i, k, s, p, ceil_mode):
    """The formula's o = floor((i + 2p - k) / s) + 1, or ceil (before PyTorch drops a window in the padding)."""
    n = i + 2 * p - k
    return -(-n // s) + 1 if ceil_mode else n // s + 1


def size_latex(axis, i, k, s, p, ceil_mode):
    """o = floor((i + 2p - k) / s) + 1 (or ceil) with the numbers written in."""
    left, right = (r"\left\lceil", r"\right\rceil") if ceil_mode else (r"\left\lfloor", r"\right\rfloor")
    o = formula_size(i, k, s, p, ceil_mode)
    return (rf"o_{axis} = {left} \frac{{i_{axis} + 2p - k}}{{s}} {right} + 1"
            rf" = {left} \frac{{{i} + 2 \cdot {p} - {k}}}{{{s}}} {right} + 1 = {o}")


def output_size(trace):
    """The size formula per axis, and a note when ceil_mode drops a window that would start in the padding."""
    for axis, i, o, (p, _), k, s in zip("hw", trace.input.shape, trace.output.shape, trace.pads,
                                          trace.kernel_size, trace.stride):
        st.latex(size_latex(axis, i, k, s, p, trace.ceil_mode))
        if formula_size(i, k, s, p, trace.ceil_mode) != o:
            st.caption(f"Along {axis}, the last window would start in the padding, so PyTorch drops it: "
                       f"o_{axis} = {o}.")


@st.fragment
def step_through(page, pool, key):
    """Stepper with each step's max or mean and grids (drawn in the browser); returns the step the server knows."""
    return page.stepper(len(trace_pool(**pool).steps), key, views=(pool_views, pool))


def pool_views(pool):
    """view(n) -> step n's HTML (for the stepper)."""
    return pool_step_view(trace_pool(**pool))


def _animation(font_size, pool):
    return pool_animation_spec(trace_pool(**pool), font_size=font_size)


def _phone_animation(font_size, pool):
    return stacked(_animation(font_size, pool))


def play_animation(page, pool, key, start=0):
    """Every window in turn as a Plotly animation that plays in the browser (the server stays idle)."""
    trace = trace_pool(**pool)
    start = min(max(int(start), 0), len(trace.steps) - 1)
    st.caption("Press ▶ to play every window in your browser; drag the slider under it to scrub.")
    show(at_step(spec(_animation, page.font_size, pool), start), key=key,
         phone=lambda: at_step(spec(_phone_animation, page.font_size, pool), start),  # as a column (cached)
         alt="Animation: the window moves over the input; the maximum (or mean) fills the output cell.",
         caption=f"Shown: step {start + 1} of {len(trace.steps)}, {pool_equation(trace, start)}.")


def unpooling(pool):
    """Max unpooling with the switches, next to nearest-neighbour and bed-of-nails upsampling."""
    if pool["mode"] != "max":
        st.info("Un-pooling needs the switches of **max** pooling: choose Max above.", icon=":material/info:")
        return
    trace = trace_pool(**pool)
    st.html(unpool_html(trace))
    k, s = trace.kernel_size, trace.stride
    if k == s and trace.pads[0][0] == 0 and not trace.ceil_mode:
        st.markdown("The same pooled values brought back to the input's size by three upsampling methods. Only "
                    "un-pooling remembers **where** each maximum was; nearest neighbour smears it over the window, "
                    "bed of nails puts it in a fixed corner.")
        st.html(upsampling_methods_html(trace))
    else:
        st.caption("With windows that tile the input (stride = kernel size, no padding) this section also "
                   "compares un-pooling with nearest-neighbour and bed-of-nails upsampling.")
