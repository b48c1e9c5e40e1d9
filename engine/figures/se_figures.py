"""Figures of a squeeze-and-excitation block: gates against their class mean as bars, gates per class as a heatmap."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from engine.figures.style import HIGHLIGHT, SEQUENTIAL

BAR = "#9aa7b8"
COMPARE = "#5d3a9b"


def _layout(fig, title, height, font_size, y_title, y_range):
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=50, b=10), plot_bgcolor="white", dragmode=False,
                      font=dict(size=font_size), title=dict(text=title, font=dict(size=font_size)), bargap=0.15,
                      legend=dict(orientation="h", yanchor="bottom", y=1.0, x=1, xanchor="right"))
    fig.update_yaxes(title_text=y_title, range=y_range, showgrid=True, gridcolor="#eee", zeroline=True,
                     zerolinecolor="#999")
    fig.update_xaxes(title_text="channel", dtick=1 if fig.data and len(fig.data[0].x) <= 16 else 2)
    return fig


def gates_figure(gates, class_mean, predicted, height=300, font_size=15, forced=None):
    """Gates s for this image next to the mean gates of the predicted class (grouped bars, also told apart by
    pattern); `forced` marks a channel whose gate was set by hand."""
    gates, class_mean = np.asarray(gates, dtype=float), np.asarray(class_mean, dtype=float)
    x = list(range(len(gates)))
    fig = go.Figure([
        go.Bar(x=x, y=gates.tolist(), name="this image", marker_color=HIGHLIGHT,
               hovertemplate="channel %{x}: s = %{y:.3f}<extra>this image</extra>"),
        go.Bar(x=x, y=class_mean.tolist(), name=f"mean over test images of class {predicted}",
               marker=dict(color=COMPARE, pattern=dict(shape="/")),
               hovertemplate="channel %{x}: mean s = %{y:.3f}<extra>class mean</extra>")])
    if forced is not None:
        fig.add_annotation(x=forced, y=1.02, text="forced", showarrow=False, yanchor="bottom",
                           font=dict(size=font_size - 2))
    return _layout(fig, "Gates s (0 = channel off, 1 = passed on unchanged)", height, font_size, "gate s", [0, 1.12])


def class_gates_figure(means, height=330, font_size=15):
    """Mean gate per class (rows 0..9) and channel (columns) as a heatmap with a colour bar (values on hover)."""
    means = np.asarray(means, dtype=float)
    fig = go.Figure(go.Heatmap(z=means.tolist(), colorscale=SEQUENTIAL, zmin=float(means.min()), zmax=float(means.max()),
                               colorbar=dict(title=dict(text="mean s"), thickness=14),
                               hovertemplate="class %{y}, channel %{x}: %{z:.3f}<extra></extra>", xgap=1, ygap=1))
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=50, b=10), plot_bgcolor="white", dragmode=False,
                      font=dict(size=font_size), title=dict(text="Mean gate per class", font=dict(size=font_size)))
    fig.update_yaxes(title_text="class", dtick=1, autorange="reversed")
    fig.update_xaxes(title_text="channel", dtick=2)
    return fig
