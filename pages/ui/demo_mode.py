"""Instructor demo mode (first cut): `?demo=1` or the sidebar toggle; projector-sized type."""
from __future__ import annotations

import streamlit as st

from pages.ui.controls import set_values

_STYLE = """<style>
html { font-size: 21px; }
[data-testid="stMainBlockContainer"] { max-width: 100%; padding-top: 2.5rem; }
</style>"""  # a constant: no user text ever reaches this HTML


def is_on():
    """Demo mode is on when the URL says demo=1 (kept in the session across page switches)."""
    if st.query_params.get("demo") in ("1", "true"):
        st.session_state["demo_on"] = True
    return bool(st.session_state.get("demo_on", False))


def _toggled():
    st.session_state["demo_on"] = st.session_state["demo_toggle"]


def sidebar_toggle():
    """The toggle, and the URL kept in step with it so a shared link keeps demo mode."""
    on = is_on()
    st.sidebar.toggle("Instructor demo mode", value=on, key="demo_toggle", on_change=_toggled,
                      help="Projector-sized type, controls folded away; Left / Right step the animation.")
    if on:
        st.query_params["demo"] = "1"
        st.html(_STYLE)
    elif "demo" in st.query_params:
        del st.query_params["demo"]
    return on


DEMO_KEY = "demo_step"  # index of the current step of the lesson's demo script; -1 before it starts


def script_bar(lesson):
    """The lesson's demo script: Page Down / Page Up (what clickers send) walk its steps."""
    steps = lesson.demo
    if not steps:
        return
    index = st.session_state.setdefault(DEMO_KEY, -1)
    with st.container(horizontal=True, vertical_alignment="center", key="demo_bar"):
        st.button("◀ Back", key="demo_back", on_click=_go_to, args=(lesson, index - 1), shortcut="PageUp",
                  disabled=index <= 0)
        st.button("Next ▶", key="demo_next", on_click=_go_to, args=(lesson, index + 1), shortcut="PageDown",
                  disabled=index >= len(steps) - 1)
        if index < 0:
            st.markdown(f"**Demo script: {len(steps)} steps.** Press Page Down or Next to start.")
        else:
            st.markdown(f"**Step {index + 1} / {len(steps)}** · {steps[index].say}")  # text from lessons/*.md


def _go_to(lesson, index):
    """Apply demo step `index`: its preset's widget values, then its animation frame."""
    step = lesson.demo[index]
    values = dict(lesson.preset(step.preset).values)
    if step.step is not None:
        values.update({key: step.step for key in values if key.endswith("_step")})
    set_values({**values, DEMO_KEY: index})
