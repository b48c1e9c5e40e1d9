"""Shared look of every figure: colour-blind-safe scales, number format, fonts."""
from __future__ import annotations

import numpy as np

SEQUENTIAL = "Cividis"  # perceptually uniform and colour-blind safe: inputs and outputs
DIVERGING = [[0.0, "#2166ac"], [0.5, "#f7f7f7"], [1.0, "#b2182b"]]  # signed values: kernels, products
HIGHLIGHT = "#e66100"  # window / current cell (orange, distinct from both scales)
SECONDARY = "#5d3a9b"  # second highlight (purple)


def fmt(value):
    """A number as a student would write it: 3, -0.25, 1.5e+03; "" for NaN."""
    v = float(value)
    if not np.isfinite(v):
        return ""  # a cell not computed yet
    if v == int(v) and abs(v) < 1e6:
        return str(int(v))
    return f"{v:.4g}" if abs(v) >= 1e-3 else f"{v:.2e}"


NUMBER_TEMPLATE = "%{z:.4~g}"  # numbers in cells, formatted in the browser (d3: 3, 0.25, 1.235e+4)


def symmetric_range(values):
    """(zmin, zmax) centred on 0 so that white means zero on the diverging scale."""
    m = float(np.max(np.abs(values))) if np.size(values) else 1.0
    return -(m or 1.0), (m or 1.0)


def base_layout(fig, height, font_size=14, square_cells=True):
    """Common layout: white background, readable fonts, no zoom clutter, square matrix cells."""
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=60, b=10), plot_bgcolor="white",
                      font=dict(size=font_size), dragmode=False, showlegend=False)
    fig.update_annotations(font_size=font_size)  # subplot titles
    fig.update_xaxes(showgrid=False, zeroline=False, constrain="domain", tickfont=dict(size=11))
    fig.update_yaxes(showgrid=False, zeroline=False, autorange="reversed", constrain="domain",
                     tickfont=dict(size=11))
    if square_cells:
        for axis in fig.select_xaxes():
            axis.scaleanchor = axis.anchor
    return fig
