"""Figures for the invariance lessons: curves per network against a shift or an angle, and class bars.

Lines are told apart by marker symbol and dash as well as colour (colour-blind safe, readable in print).
"""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from engine.figures.style import HIGHLIGHT

LINE_STYLES = [("#0072b2", "circle", "solid"), ("#e69f00", "square", "dash"), ("#009e73", "diamond", "dot"),
               ("#cc79a7", "triangle-up", "dashdot"), ("#56b4e9", "x", "longdash"), ("#d55e00", "cross", "solid")]
# Okabe-Ito colours: distinguishable with every common colour-vision deficiency


def curves_figure(panels, x, current=None, x_title="", height=340, font_size=15):
    """Side-by-side line charts sharing x. panels: [(title, y_title, {label: (len(x),) values}, y_range)].

    Every panel draws the same labels in the same style; `current` is marked by a vertical line.
    """
    fig = make_subplots(rows=1, cols=len(panels), subplot_titles=[p[0] for p in panels], horizontal_spacing=0.1)
    for col, (_, y_title, curves, y_range) in enumerate(panels, start=1):
        for (label, values), (colour, symbol, dash) in zip(curves.items(), LINE_STYLES):
            fig.add_trace(go.Scatter(
                x=list(np.asarray(x).tolist()), y=[None if not np.isfinite(v) else float(v) for v in values],
                name=label, legendgroup=label, showlegend=col == 1, mode="lines+markers",
                line=dict(color=colour, dash=dash, width=3), marker=dict(symbol=symbol, size=9, color=colour),
                hovertemplate=f"{label}<br>%{{x}}: %{{y:.3g}}<extra></extra>"), row=1, col=col)
        fig.update_yaxes(title_text=y_title, range=y_range, row=1, col=col)
        if current is not None:
            fig.add_vline(x=current, line=dict(color=HIGHLIGHT, width=2, dash="dot"), row=1, col=col)
    fig.update_xaxes(title_text=x_title, showgrid=True, gridcolor="#eee", zeroline=False, dtick=_tick(x))
    fig.update_yaxes(showgrid=True, gridcolor="#eee", zeroline=False)
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=50, b=10), plot_bgcolor="white",
                      font=dict(size=font_size), dragmode=False,
                      legend=dict(orientation="h", yanchor="top", y=-0.22, x=0, font=dict(size=font_size - 1)))
    fig.update_annotations(font_size=font_size)
    return fig


def _tick(x):
    span = float(np.max(x) - np.min(x)) if len(x) else 1.0
    return 1 if span <= 14 else None
