"""Instructor demo mode (first cut): `?demo=1` or the sidebar toggle; projector-sized type."""
from __future__ import annotations

import streamlit as st

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
