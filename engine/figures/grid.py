"""Small matrices drawn as heatmaps with every number written in its cell."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from engine.figures.style import DIVERGING, NUMBER_TEMPLATE, SEQUENTIAL, base_layout, symmetric_range


def grid_trace(values, signed=False, zrange=None, coloraxis=None, show_numbers=True, name=""):
    """A heatmap trace of a 1D or 2D array, numbers in cells; row 0 at the top."""
    z = np.atleast_2d(np.asarray(values, dtype=float))  # (rows, cols)
    zmin, zmax = zrange or (symmetric_range(z) if signed else (float(z.min()), float(z.max()) or 1.0))
    return go.Heatmap(
        z=z, texttemplate=NUMBER_TEMPLATE if show_numbers else None,
        colorscale=DIVERGING if signed else SEQUENTIAL, zmin=zmin, zmax=zmax, showscale=False,
        xgap=2, ygap=2, name=name, hovertemplate="row %{y}, col %{x}: %{z}<extra>" + name + "</extra>")


def grids_figure(panels, height=320, font_size=16):
    """Side-by-side grids. panels: list of (title, values, signed) -> one figure, one subplot each."""
    widths = [max(np.atleast_2d(v).shape[1], 2) for _, v, _ in panels]
    fig = make_subplots(rows=1, cols=len(panels), subplot_titles=[t for t, _, _ in panels],
                        column_widths=widths, horizontal_spacing=0.06)
    for col, (title, values, signed) in enumerate(panels, start=1):
        fig.add_trace(grid_trace(values, signed, name=title), row=1, col=col)
    base_layout(fig, height, font_size)
    fig.update_xaxes(dtick=1)
    fig.update_yaxes(dtick=1)
    return fig


def to_display_bytes(image, signed):
    """An image as uint8 for display (4x less to send than float32): [min, max] or [-m, m] -> [0, 255]."""
    img = np.asarray(image, dtype=float)
    lo, hi = symmetric_range(img) if signed else (float(img.min()), float(img.max()))
    return np.round((img - lo) / ((hi - lo) or 1.0) * 255).astype(np.uint8)


def images_figure(panels, height=360, font_size=14):
    """Side-by-side images, panels = [(title, (H, W) array, signed)]: gray, or red/blue when signed."""
    fig = make_subplots(rows=1, cols=len(panels), subplot_titles=[t for t, _, _ in panels],
                        horizontal_spacing=0.03)
    for col, (_, img, signed) in enumerate(panels, start=1):
        fig.add_trace(go.Heatmap(z=to_display_bytes(img, signed), colorscale="RdBu_r" if signed else "Gray",
                                 zmin=0, zmax=255, showscale=False, hoverinfo="skip"), row=1, col=col)
    base_layout(fig, height, font_size)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig
