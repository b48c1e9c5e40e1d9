"""Figures of a network's arithmetic (engine.ops.network_arithmetic rows), as plain Plotly dicts.

    cost_profile_figure(rows)      parameters, multiply-adds and activations of every layer, in % of the total,
                                   along the depth (layers without any of the three are left out)
    families_figure(points, name)  parameters (x) vs multiply-adds (y), log-log, one marker per network
"""
from __future__ import annotations

from engine.figures.plain import finished
from engine.figures.style import HIGHLIGHT, SECONDARY

_DECADES = {"dtick": 1, "tickformat": "~s", "gridcolor": "#e5e5e5"}  # log axes: 1M, 10M, 100M, 1G
SERIES = (("params", "parameters", SECONDARY, "circle"), ("macs", "multiply-adds", HIGHLIGHT, "diamond"),
          ("activations", "activations (outputs kept)", "#1b7837", "square"))


def profile_rows(rows):
    """The rows drawn in the profile: every layer with parameters, multiply-adds or a new map size."""
    return [r for r in rows if r.params or r.macs or r.kind.startswith(("max pool", "avg pool", "residual"))]


def shares(rows, field):
    """Each row's `field` in % of the network's total (rows: all of them, so the total is the network's)."""
    total = sum(getattr(r, field) for r in rows) or 1
    return [100 * getattr(r, field) / total for r in rows]


def cost_profile_figure(rows, font_size=14):
    """Three lines over the layers (x = position in depth order): % of parameters, MACs and activations."""
    shown = profile_rows(rows)
    names = [r.name for r in shown]
    data = []
    for field, label, colour, symbol in SERIES:
        total = sum(getattr(r, field) for r in rows) or 1
        data.append({"type": "scatter", "mode": "lines+markers", "name": label, "x": list(range(1, len(shown) + 1)),
                     "y": [round(100 * getattr(r, field) / total, 3) for r in shown],
                     "line": {"color": colour, "width": 2}, "marker": {"color": colour, "symbol": symbol, "size": 7},
                     "customdata": names, "hovertemplate": "%{customdata}: %{y:.2f} %<extra>" + label + "</extra>"})
    layout = {"height": 360, "margin": {"l": 10, "r": 10, "t": 30, "b": 10}, "font": {"size": font_size},
              "plot_bgcolor": "white", "dragmode": False, "hovermode": "closest",
              "legend": {"orientation": "h", "y": 1.12, "x": 0, "font": {"size": font_size}},
              "xaxis": {"title": {"text": "layer (in depth order)"}, "showgrid": False, "zeroline": False,
                        "tickfont": {"size": font_size - 2}},
              "yaxis": {"title": {"text": "% of the network's total"}, "gridcolor": "#e5e5e5", "zeroline": False,
                        "rangemode": "tozero", "tickfont": {"size": font_size - 2}}}
    return finished(data, layout)


def families_figure(points, selected, font_size=14):
    """points: [(label, params, macs), ...]; the network labelled `selected` is drawn larger, in orange."""
    others = [p for p in points if p[0] != selected]
    chosen = [p for p in points if p[0] == selected]

    def trace(pts, colour, size):
        return {"type": "scatter", "mode": "markers+text", "x": [p[1] for p in pts], "y": [p[2] for p in pts],
                "text": [p[0] for p in pts], "textposition": "top center", "cliponaxis": False,
                "textfont": {"size": font_size - 2}, "marker": {"color": colour, "size": size},
                "hovertemplate": "%{text}<br>%{x:.3s} parameters<br>%{y:.3s} multiply-adds<extra></extra>"}

    data = [trace(others, SECONDARY, 10)] + ([trace(chosen, HIGHLIGHT, 16)] if chosen else [])
    layout = {"height": 400, "margin": {"l": 10, "r": 30, "t": 30, "b": 10}, "font": {"size": font_size},
              "plot_bgcolor": "white", "dragmode": False, "showlegend": False,
              "xaxis": {"type": "log", "title": {"text": "parameters"}, **_DECADES, "tickfont": {"size": font_size - 2}},
              "yaxis": {"type": "log", "title": {"text": "multiply-adds per image"}, **_DECADES,
                        "tickfont": {"size": font_size - 2}}}
    return finished(data, layout)
