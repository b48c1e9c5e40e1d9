"""The effective receptive field of a digit net (engine.nets.effective_rf) as a plain Plotly dict: the mean
|gradient| over the input with the theoretical field outlined, and its profile through the centre against a
Gaussian fit."""
from __future__ import annotations

import numpy as np

from engine.data.digits import CANVAS
from engine.figures.plain import colorscale, finished, subplots_layout
from engine.nets.effective_rf import gaussian, gaussian_fit, profile, smallest_window, window

THEORY, CENTRAL = "#b2182b", "#e66100"


def _box(first, last, colour, dash, axes=("x", "y")):
    """A square outline over pixels first..last on both axes of a heatmap."""
    return {"type": "rect", "xref": axes[0], "yref": axes[1], "x0": first - 0.5, "x1": last + 0.5,
            "y0": first - 0.5, "y1": last + 0.5, "line": {"color": colour, "width": 3, "dash": dash}}


def effective_field_figure(erf, share=0.9, font_size=15):
    """Left: erf.map (28, 28) as a heatmap, the theoretical field (red) and the central k x k window holding
    `share` of the mass (orange, dashed). Right: the row through the centre and its least-squares Gaussian."""
    first, last = erf.span
    k = smallest_window(erf, share)
    lo_k, hi_k = window(erf.centre, k)
    values = profile(erf)
    a, mu, sigma, _ = gaussian_fit(values)
    fine = np.linspace(0, CANVAS - 1, 221)
    rows = f"row {erf.centre:g}" if erf.centre == int(erf.centre) else f"rows {erf.centre - .5:g} and {erf.centre + .5:g}"
    layout = subplots_layout(["Mean |gradient| over the input", f"Profile along {rows}"], column_widths=[1, 1.15],
                             horizontal_spacing=0.12)
    data = [
        {"type": "heatmap", "z": erf.map, "colorscale": colorscale("Blues"), "showscale": False,
         "hovertemplate": "row %{y}, column %{x}<br>mean |gradient| %{z:.3g}<extra></extra>", "xaxis": "x", "yaxis": "y"},
        {"type": "scatter", "mode": "markers", "x": [erf.centre], "y": [erf.centre], "xaxis": "x", "yaxis": "y",
         "marker": {"symbol": "x-thin", "size": 12, "line": {"width": 2, "color": THEORY}}, "hoverinfo": "skip",
         "name": "centre of the field"},
        {"type": "bar", "x": np.arange(CANVAS), "y": values, "marker": {"color": "#6baed6"}, "name": "measured",
         "xaxis": "x2", "yaxis": "y2", "hovertemplate": "column %{x}: %{y:.3g}<extra>measured</extra>"},
        {"type": "scatter", "mode": "lines", "x": fine, "y": gaussian(fine, a, mu, sigma), "xaxis": "x2",
         "yaxis": "y2", "line": {"color": "black", "width": 2}, "name": f"Gaussian fit, σ = {sigma:.2f} px",
         "hoverinfo": "skip"},
    ]
    edge = [min(first, 0) - 1, max(last, CANVAS - 1) + 1]
    shapes = [{"type": "rect", "xref": "x", "yref": "y", "x0": -0.5, "x1": CANVAS - 0.5, "y0": -0.5,
               "y1": CANVAS - 0.5, "line": {"color": "#888", "width": 1}},
              _box(first, last, THEORY, "solid"), _box(lo_k, hi_k, CENTRAL, "dash")]
    for x, colour, dash in ((first - 0.5, THEORY, "solid"), (last + 0.5, THEORY, "solid"),
                            (lo_k - 0.5, CENTRAL, "dash"), (hi_k + 0.5, CENTRAL, "dash")):
        shapes.append({"type": "line", "xref": "x2", "yref": "y2 domain", "x0": x, "x1": x, "y0": 0, "y1": 1,
                       "line": {"color": colour, "width": 2, "dash": dash}})
    layout.update(height=430, margin={"l": 10, "r": 10, "t": 40, "b": 10}, font={"size": font_size},
                  plot_bgcolor="white", dragmode=False, shapes=shapes, showlegend=True,
                  legend={"orientation": "h", "x": 1, "xanchor": "right", "y": -0.12, "yanchor": "top"})
    layout["xaxis"].update(range=[edge[0] - 0.5, edge[1] + 0.5], showgrid=False, zeroline=False,
                           scaleanchor="y", constrain="domain", title={"text": "column"})
    layout["yaxis"].update(range=[edge[1] + 0.5, edge[0] - 0.5], showgrid=False, zeroline=False,
                           constrain="domain", title={"text": "row"})
    layout["xaxis2"].update(range=[edge[0] - 0.5, edge[1] + 0.5], showgrid=False, zeroline=False,
                            title={"text": "column"})
    layout["yaxis2"].update(showgrid=True, gridcolor="#eee", zeroline=False, title={"text": "mean |gradient|"},
                            rangemode="tozero")
    for annotation in layout["annotations"]:
        annotation["font"] = {"size": font_size}
    layout["annotations"] += [
        {"text": f"theoretical {erf.size} × {erf.size}", "x": last + 0.5, "y": first - 0.5, "xref": "x",
         "yref": "y", "xanchor": "right", "yanchor": "bottom", "showarrow": False,
         "font": {"color": THEORY, "size": font_size - 2}},
        {"text": f"{share:.0%} in {k} × {k}", "x": hi_k + 0.5, "y": hi_k + 0.5, "xref": "x", "yref": "y",
         "xanchor": "right", "yanchor": "top", "showarrow": False,
         "font": {"color": CENTRAL, "size": font_size - 2}}]
    return finished(data, layout, meta={"k": k, "sigma": sigma})
