"""Figures on the page: built once per content (cached as Plotly JSON dicts), shown without re-checks."""
from __future__ import annotations

import streamlit as st

from engine.figures import SpecFigure

CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d"]}


def spec(build, *args, **kwargs):
    """build(*args, **kwargs) as a Plotly dict, cached by the builder's name and its arguments."""
    return _cached_spec(f"{build.__module__}.{build.__qualname__}", build, *args, **kwargs)


@st.cache_data(max_entries=128, show_spinner=False)
def _cached_spec(name, _build, *args, **kwargs):  # `_build` is not hashed: `name` stands for it
    figure = _build(*args, **kwargs)
    return figure if isinstance(figure, dict) else figure.to_dict()


def show(figure_spec, key, alt):
    """Render a cached spec (dict) or SpecFigure; `alt` is the text alternative for screen readers."""
    figure = figure_spec if isinstance(figure_spec, SpecFigure) else SpecFigure(figure_spec)
    st.plotly_chart(figure, key=key, alt=alt, config=CONFIG)
