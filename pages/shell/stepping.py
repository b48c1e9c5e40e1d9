"""Step through a convolution trace and play it as an animation, both in the browser, for any lesson.

`conv` holds engine.trace_conv's arguments: input, kernel and any of bias, stride, padding,
dilation, padding_mode, flip.
"""
from __future__ import annotations

import streamlit as st

import engine
from engine.figures import animation_spec, at_step, formula_latex
from engine.figures.narrow import stacked
from engine.figures.step_view import step_view
from engine.figures.text import step_equation
from pages.shell.caching import shared
from pages.shell.figures import show, spec


@shared(max_entries=256)
def cached_trace(conv):
    """engine.trace_conv(**conv), computed once for every session (read-only; a ValueError is not cached)."""
    return engine.trace_conv(**conv)


def formula(conv):
    """The defining sum with the current settings written in (st.latex)."""
    st.latex(formula_latex(cached_trace(conv)))


@st.fragment
def step_through(page, conv, key, unreached=None, label="Step", shortcuts=True):
    """Stepper with each step's sum and grids (drawn in the browser); returns the step the server knows.

    unreached: optional bool array (padded input's shape) of cells no window covers, hatched.
    label, shortcuts: for a second stepper on a page (the Left / Right keys belong to the first).
    """
    return page.stepper(_n_steps(conv), key, label, shortcuts, views=(conv_views, conv, unreached))


def _n_steps(conv):
    return len(cached_trace(conv).steps)


def conv_views(conv, unreached):
    """view(n) -> step n's HTML (for the stepper)."""
    return step_view(cached_trace(conv), unreached)


def _animation(font_size, conv):
    return animation_spec(cached_trace(conv), font_size=font_size)


def _phone_animation(font_size, conv):
    return stacked(_animation(font_size, conv))


def play_animation(page, conv, key, start=0):
    """The whole computation as a Plotly animation that plays in the browser (the server stays idle)."""
    st.caption("Press ▶ to play the whole computation in your browser; drag the slider under it to scrub.")
    steps = cached_trace(conv)
    start = min(max(int(start), 0), len(steps.steps) - 1)
    show(at_step(spec(_animation, page.font_size, conv), start), key=key,
         phone=lambda: at_step(spec(_phone_animation, page.font_size, conv), start),  # as a column (cached)
         alt="Animation: the window moves over the padded input; products and the output cell are shown.",
         caption=f"Shown: step {start + 1} of {len(steps.steps)}, {step_equation(steps.step(start), steps.bias)}.")
