"""Figures of the dilation lesson: a dilated kernel with its holes, stacks of layers as trees, growth curves.

Every number drawn comes from engine.ops.receptive_field (pure: no Streamlit).
"""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from engine.figures import plain
from engine.figures.grid import grid_heatmap
from engine.figures.style import HIGHLIGHT, SECONDARY, base_layout, fmt, symmetric_range
from engine.ops.receptive_field import Layer, connections, parameter_count, receptive_cells, receptive_field

MUTED = "#b8b8b8"
MAX_SPREAD_CELLS = 1024  # cells of a dilated kernel the figure draws (the page allows 5 x 5 with d = 4: 17 x 17)


def spread_kernel(kernel, dilation):
    """The kernel on its k_eff x k_eff grid: weights at every d-th cell, NaN in the holes between them."""
    w = np.atleast_2d(np.asarray(kernel, dtype=float))  # (k_h, k_w)
    d = int(dilation)
    out = np.full(((w.shape[0] - 1) * d + 1, (w.shape[1] - 1) * d + 1), np.nan)
    out[::d, ::d] = w
    return out


def dilated_kernel_figure(kernel, dilation, height=340, font_size=16):
    """Left: the k x k kernel as stored. Right: the same weights spread with dilation d, holes drawn empty.

    The holes are one dotted-outline trace whatever their number (a Plotly shape each made a 5 x 5 kernel
    with d = 4 take ~17 s); a spread kernel of more than MAX_SPREAD_CELLS cells is refused (ValueError).
    A plain dict (engine.figures.plain).
    """
    w = np.atleast_2d(np.asarray(kernel, dtype=float))
    spread = spread_kernel(w, dilation)
    if spread.size > MAX_SPREAD_CELLS:
        raise ValueError(f"A {w.shape[0]} x {w.shape[1]} kernel with dilation {dilation} spans {spread.shape[0]} x "
                         f"{spread.shape[1]} cells; at most {MAX_SPREAD_CELLS} cells can be drawn.")
    kh, kw = w.shape
    eh, ew = spread.shape
    layout = plain.subplots_layout([f"Kernel: {kh} x {kw} = {w.size} weights",
                                    f"Dilation {dilation}: a {eh} x {ew} kernel, the {w.size} weights and "
                                    f"{spread.size - w.size} fixed zeros"],
                                   column_widths=[max(kw, 2), max(ew, 2)], horizontal_spacing=0.08)
    zrange = symmetric_range(w)
    data = [plain.on_axes(grid_heatmap(w, True, zrange, name="kernel"), 1),
            plain.on_axes(grid_heatmap(spread, True, zrange, name="dilated kernel"), 2)]
    holes = np.argwhere(np.isnan(spread))
    if len(holes):  # a hole is an empty dotted cell: a fixed 0, not a learned weight
        data += [plain.on_axes({"hoverinfo": "skip", "line": {"color": MUTED, "dash": "dot", "width": 1.5},
                                "mode": "lines", "name": "hole outlines", "showlegend": False, "type": "scatter",
                                "x": _outlines(holes[:, 1]), "y": _outlines(holes[:, 0], rows=True)}, 2),
                 plain.on_axes({"hovertemplate": "hole: a fixed 0, not learned<extra></extra>",
                                "marker": {"color": MUTED, "size": 8, "symbol": "circle-open"}, "mode": "markers",
                                "name": "hole", "type": "scatter", "x": holes[:, 1], "y": holes[:, 0]}, 2)]
    plain.base_layout(layout, height, font_size)
    for axis in plain.axes(layout, "x") + plain.axes(layout, "y"):
        axis["dtick"] = 1
    return plain.finished(data, layout)


def _outlines(centres, rows=False):
    """x (or, rows=True, y) of the corners of a square of side 0.84 around each centre, each square closed
    and followed by None (a break): every outline in one Scatter trace."""
    corners = np.array([-1, 1, 1, -1, -1] if not rows else [-1, -1, 1, 1, -1]) * 0.42
    path = np.asarray(centres, dtype=float)[:, None] + corners  # (holes, 5)
    return [v for square in path.tolist() for v in (*square, None)]


def _positions(field, n, align):
    """x of each of a layer's n cells, in input coordinates: the centre (or right end) of its field."""
    shift = (field.size - 1) / 2 if align == "right" else 0.0
    return field.start + shift + np.arange(n) * field.jump


def layer_label(layer):
    return f"k={layer.kernel_size} s={layer.stride} p={layer.padding} d={layer.dilation}"


def stack_figure(layers, input_length, index, align="centre", height=None, font_size=16, title=None):
    """The stack as rows of cells (input at the bottom), the cells feeding output `index` filled,
    with the connections from that output down to the input (a plain dict, engine.figures.plain).

    align="centre" places a cell over the centre of its receptive field; "right" over its newest input
    (the look of a causal stack such as WaveNet's).
    """
    masks = receptive_cells(layers, input_length, index)
    fields = [receptive_field(layers[:l])[-1] if l else None for l in range(len(layers) + 1)]
    xs = [np.arange(len(masks[0]), dtype=float)] + [_positions(f, len(m), align) for f, m in zip(fields[1:], masks[1:])]
    data = []
    edges = connections(layers, input_length, index)
    if edges:  # one trace, segments broken by None: a trace per edge cost ~1.6 s for the 2,000 edges a link can ask for
        data.append({"hoverinfo": "skip", "line": {"color": HIGHLIGHT, "width": 2}, "mode": "lines",
                     "name": "connections", "showlegend": False, "type": "scatter",
                     "x": [v for l, cell, below in edges for v in (xs[l][cell], xs[l - 1][below], None)],
                     "y": [v for l, _, _ in edges for v in (l, l - 1, None)]})
    for l, (x, mask) in enumerate(zip(xs, masks)):
        seen = int(mask.sum())
        name = "input" if l == 0 else f"layer {l}"
        data.append({"customdata": np.arange(len(x)),
                     "hovertemplate": f"{name}, cell %{{customdata}}<extra>{seen} cell(s) feed the output</extra>",
                     "marker": {"color": np.where(mask, HIGHLIGHT, "white").tolist(),
                                "line": {"color": np.where(mask, HIGHLIGHT, MUTED).tolist(), "width": 2},
                                "size": np.where(mask, 15, 10)},
                     "mode": "markers", "name": name, "type": "scatter", "x": x, "y": np.full(len(x), l)})
    data.append({"hoverinfo": "skip", "marker": {"color": "rgba(0,0,0,0)", "line": {"color": SECONDARY, "width": 3},
                                                 "size": 26},
                 "mode": "markers", "type": "scatter", "x": [xs[-1][index]], "y": [len(layers)]})
    labels = ["input"] + [f"{l}: {layer_label(layer)}" for l, layer in enumerate(layers, start=1)]
    counts = [f"  ({int(m.sum())} seen)" if l == 0 else "" for l, m in enumerate(masks)]
    layout = plain.base_layout({"xaxis": {}, "yaxis": {}}, height or 120 + 62 * len(layers), font_size,
                               square_cells=False)
    layout["yaxis"].update(autorange=True, tickvals=list(range(len(layers) + 1)), range=[-0.5, len(layers) + 0.5],
                           ticktext=[a + b for a, b in zip(labels, counts)], tickfont={"size": font_size - 2})
    lo = min(float(x.min()) for x in xs if len(x))
    hi = max(float(x.max()) for x in xs if len(x))
    layout["xaxis"].update(range=[lo - 0.8, hi + 0.8], tickfont={"size": 11},
                           title={"font": {"size": font_size - 2}, "text": "position in input cells"})
    layout["margin"]["t"] = 50 if title else 20
    layout["title"] = {} if title is None else {"text": title}
    return plain.finished(data, layout)


def growth_figure(max_layers=6, k=2, height=360, font_size=16):
    """Receptive field and weights against depth: dilations 1, 2, 4, ... against no dilation (k fixed)."""
    depth = np.arange(1, max_layers + 1)
    dilated = [Layer(k, dilation=2 ** l) for l in range(max_layers)]
    plain = [Layer(k)] * max_layers
    rf_dilated = [f.size for f in receptive_field(dilated)]
    rf_plain = [f.size for f in receptive_field(plain)]
    params = [parameter_count(dilated[:n]) for n in depth]  # the same for both stacks
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.12,
                        subplot_titles=["Receptive field (input cells)", "Weights per channel pair"])
    for name, values, colour, dash, where in (("dilated: d = 1, 2, 4, …", rf_dilated, HIGHLIGHT, "solid", "top left"),
                                              ("undilated: d = 1", rf_plain, SECONDARY, "dash", "bottom right")):
        fig.add_trace(go.Scatter(x=depth, y=values, name=name, mode="lines+markers+text", text=[fmt(v) for v in values],
                                 textposition=where, textfont=dict(color=colour),
                                 line=dict(color=colour, dash=dash, width=3)), row=1, col=1)
    fig.add_trace(go.Scatter(x=depth, y=params, name="weights (both stacks)", mode="lines+markers+text",
                             text=[fmt(v) for v in params], textposition="top left",
                             line=dict(color="#444", width=3)), row=1, col=2)
    base_layout(fig, height, font_size, square_cells=False)
    fig.update_yaxes(autorange=False, showgrid=True, gridcolor="#eee")
    fig.update_yaxes(range=[-0.08 * max(rf_dilated), 1.15 * max(rf_dilated)], row=1, col=1)
    fig.update_yaxes(range=[-0.08 * max(params), 1.15 * max(params)], row=1, col=2)
    fig.update_xaxes(title_text="layers L", dtick=1, showgrid=True, gridcolor="#eee",
                     title_font=dict(size=font_size - 2))
    fig.update_layout(showlegend=True, legend=dict(orientation="h", y=-0.3, x=0))
    return fig
