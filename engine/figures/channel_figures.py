"""Figures of the convolution-over-channels lesson: parameter counts as the image grows (a plain Plotly dict),
and the two tensor layouts' memory order (light HTML)."""
from __future__ import annotations

from html import escape

import numpy as np

from engine.figures.plain import finished
from engine.ops.connectivity import LAYERS, parameter_curves
from engine.ops.layouts import LAYOUTS, memory_order

_DASHES = {LAYERS[0]: "solid", LAYERS[1]: "dash", LAYERS[2]: "dot"}
_COLOURS = {LAYERS[0]: "#b2182b", LAYERS[1]: "#e66100", LAYERS[2]: "#5d3a9b"}
_CHANNEL_COLOURS = ("#fde7d4", "#dbe9f6", "#e3f1dc", "#f3e1f0", "#fff4c2", "#e4e4e4", "#d9f2f2", "#f6dada")


def parameter_curves_figure(sizes, c_in, c_out, k, current, font_size=15):
    """Parameters (log scale) of the three layers for square images of each size in `sizes`; the current size
    marked. meta: {layer name: params at `current`}."""
    sizes = sorted(set(sizes) | {current})
    curves = parameter_curves(sizes, c_in, c_out, k)
    data = [{"type": "scatter", "mode": "lines+markers", "name": name, "x": sizes, "y": values,
             "line": {"color": _COLOURS[name], "dash": _DASHES[name], "width": 3},
             "hovertemplate": f"{name}<br>H = W = %{{x}}<br>%{{y:,}} parameters<extra></extra>"}
            for name, values in curves.items()]
    at = {name: values[sizes.index(current)] for name, values in curves.items()}
    data.append({"type": "scatter", "mode": "markers+text", "x": [current] * 3, "y": list(at.values()),
                 "text": [f"{v:,}" for v in at.values()], "textposition": "middle right", "showlegend": False,
                 "marker": {"size": 12, "color": "black", "symbol": "circle-open", "line": {"width": 2}},
                 "hoverinfo": "skip", "textfont": {"size": font_size}})
    layout = {"height": 420, "margin": {"l": 10, "r": 10, "t": 30, "b": 10}, "font": {"size": font_size},
              "plot_bgcolor": "white", "dragmode": False, "showlegend": True,
              "legend": {"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
              "xaxis": {"title": {"text": f"image size H = W (input H × W × {c_in})"}, "showgrid": True,
                        "gridcolor": "#eee", "range": [0, max(sizes) * 1.25]},
              "yaxis": {"title": {"text": "parameters (log scale)"}, "type": "log", "showgrid": True,
                        "gridcolor": "#eee", "exponentformat": "power"}}
    return finished(data, layout, meta={"at": at})


def layout_html(shape):
    """The numbers 0 .. N·C·H·W - 1 of an (N, C, H, W) tensor, numbered in NCHW memory order, as each
    layout lays them out in memory: one cell a number, labelled with its (c, h, w) and shaded by channel."""
    rows = []
    for layout in LAYOUTS:
        order = memory_order(shape, layout)
        values = np.ravel_multi_index(order.T, shape)  # the NCHW address of each element
        cells = "".join(
            f'<td style="background:{_CHANNEL_COLOURS[c % len(_CHANNEL_COLOURS)]}"><b>{v}</b>'
            f'<br><small>c{c} ({h},{w})</small></td>' for v, (_, c, h, w) in zip(values, order))
        rows.append(f"<tr><th>{escape(layout)}</th>{cells}</tr>")
    return ("<style>.ch-mem { border-collapse: separate; border-spacing: 2px; font-variant-numeric: tabular-nums; }"
            ".ch-mem td { min-width: 2.6em; text-align: center; padding: .2em .3em; border: 1px solid #ccc; }"
            ".ch-mem th { padding-right: .5em; text-align: right; }</style>"
            f'<table class="ch-mem" aria-label="Memory order of a {" x ".join(map(str, shape))} tensor in '
            f'NCHW and in NHWC">{"".join(rows)}</table>')
