"""Figures for the invariance lessons: curves per network against a shift or an angle, and class bars.

Lines are told apart by marker symbol and dash as well as colour (colour-blind safe, readable in print).
"""
from __future__ import annotations

import numpy as np
from engine.figures import plain
from engine.figures.style import HIGHLIGHT

LINE_STYLES = [("#0072b2", "circle", "solid"), ("#e69f00", "square", "dash"), ("#009e73", "diamond", "dot"),
               ("#cc79a7", "triangle-up", "dashdot"), ("#56b4e9", "x", "longdash"), ("#d55e00", "cross", "solid")]
# Okabe-Ito colours: distinguishable with every common colour-vision deficiency


def curves_figure(panels, x, current=None, x_title="", height=340, font_size=15):
    """Side-by-side line charts sharing x. panels: [(title, y_title, {label: (len(x),) values}, y_range)].

    Every panel draws the same labels in the same style; `current` is marked by a vertical line.
    A plain dict (engine.figures.plain).
    """
    layout = plain.subplots_layout([p[0] for p in panels], horizontal_spacing=0.1, title_size=font_size)
    xs, data, shapes = list(np.asarray(x).tolist()), [], []
    grid = {"showgrid": True, "gridcolor": "#eee", "zeroline": False}
    dtick = _tick(x)
    for col, (_, y_title, curves, y_range) in enumerate(panels, start=1):
        for (label, values), (colour, symbol, dash) in zip(curves.items(), LINE_STYLES):
            data.append(plain.on_axes({
                "hovertemplate": f"{label}<br>%{{x}}: %{{y:.3g}}<extra></extra>", "legendgroup": label,
                "line": {"color": colour, "dash": dash, "width": 3}, "marker": {"color": colour, "size": 9, "symbol": symbol},
                "mode": "lines+markers", "name": label, "showlegend": col == 1, "type": "scatter", "x": xs,
                "y": [None if not np.isfinite(v) else float(v) for v in values]}, col))
        n = "" if col == 1 else str(col)
        layout[f"xaxis{n}"].update(title={"text": x_title}, **grid, **({"dtick": dtick} if dtick else {}))
        layout[f"yaxis{n}"].update(title={"text": y_title}, **({"range": y_range} if y_range is not None else {}), **grid)
        if current is not None:
            shapes.append({"line": {"color": HIGHLIGHT, "dash": "dot", "width": 2}, "type": "line", "x0": current,
                           "x1": current, "xref": f"x{n}", "y0": 0, "y1": 1, "yref": f"y{n} domain"})
    if shapes:
        layout["shapes"] = shapes
    layout.update(margin={"l": 10, "r": 10, "t": 50, "b": 10}, font={"size": font_size}, height=height,
                  plot_bgcolor="white", dragmode=False,
                  legend={"font": {"size": font_size - 1}, "orientation": "h", "yanchor": "top", "y": -0.22, "x": 0})
    return plain.finished(data, layout)


def _tick(x):
    span = float(np.max(x) - np.min(x)) if len(x) else 1.0
    return 1 if span <= 14 else None
