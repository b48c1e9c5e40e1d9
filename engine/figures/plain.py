"""Figures as plain dicts in Plotly's JSON form: what graph_objects would give, without its validation.

Building a go.Figure checks every property of every trace (most of a hot figure's build time); the
builders on hot paths use these helpers instead and give the same to_dict() (tests/engine/test_plain_figures.py
compares them with the graph_objects versions). Arrays are encoded as Plotly does (typed-array specs).
"""
from __future__ import annotations

import functools

from _plotly_utils.basevalidators import ColorscaleValidator
from _plotly_utils.utils import convert_to_base64


@functools.lru_cache(maxsize=32)
def _colorscale(name):
    return ColorscaleValidator("colorscale", "heatmap").validate_coerce(name)


def colorscale(scale):
    """A named scale ("Cividis") as the [[position, colour], ...] list Plotly writes; a list as lists."""
    if isinstance(scale, str):
        return [list(stop) for stop in _colorscale(scale)]
    return [list(stop) for stop in scale]


def subplots_layout(titles, column_widths=None, horizontal_spacing=0.2, title_size=16):
    """make_subplots(rows=1, cols=len(titles), ...)'s layout: axes x, x2, ... with their domains, titles."""
    cols = len(titles)
    room = 1.0 - horizontal_spacing * (cols - 1)
    if column_widths is None:
        widths = [room / cols] * cols
    else:
        total = sum(column_widths)
        widths = [room * (w / total) for w in column_widths]
    layout, annotations = {}, []
    for c in range(cols):
        start = sum(widths[:c]) + c * horizontal_spacing
        domain = [start, start + widths[c]]
        n = "" if c == 0 else str(c + 1)
        layout[f"xaxis{n}"] = {"anchor": f"y{n}", "domain": domain}
        layout[f"yaxis{n}"] = {"anchor": f"x{n}", "domain": [0.0, 1.0]}
        if titles[c] is not None:
            annotations.append({"font": {"size": title_size}, "showarrow": False, "text": titles[c],
                                "x": sum(domain) / 2.0, "xanchor": "center", "xref": "paper", "y": 1.0,
                                "yanchor": "bottom", "yref": "paper"})
    layout["annotations"] = annotations
    return layout


def axes(layout, letter):
    """The layout's x (letter "x") or y axes, in order."""
    return [value for key, value in layout.items() if key.startswith(f"{letter}axis")]


def base_layout(layout, height, font_size=14, square_cells=True):
    """engine.figures.style.base_layout on a layout dict (changed in place and returned)."""
    layout.update(margin={"l": 10, "r": 10, "t": 60, "b": 10}, font={"size": font_size}, height=height,
                  plot_bgcolor="white", dragmode=False, showlegend=False)
    for annotation in layout.get("annotations", ()):
        annotation["font"] = {**annotation.get("font", {}), "size": font_size}
    for axis in axes(layout, "x"):
        axis.update(tickfont={"size": 11}, showgrid=False, zeroline=False, constrain="domain")
        if square_cells:
            axis["scaleanchor"] = axis["anchor"]
    for axis in axes(layout, "y"):
        axis.update(tickfont={"size": 11}, showgrid=False, zeroline=False, autorange="reversed", constrain="domain")
    return layout


def on_axes(trace, col):
    """The trace placed in subplot `col` (1-based) of a one-row grid."""
    n = "" if col == 1 else str(col)
    return {**trace, "xaxis": f"x{n}", "yaxis": f"y{n}"}


def finished(data, layout, **rest):
    """{"data", "layout", ...} with numpy arrays in data and layout encoded as Plotly's to_dict() does."""
    figure = {"data": data, "layout": layout}
    convert_to_base64(figure)
    return {**figure, **rest}
