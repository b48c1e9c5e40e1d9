"""Figure helpers several lessons share: percentages, the feature-map palette and PNG data URIs, and
the bars of a digit classifier's ten class probabilities."""
from __future__ import annotations

import base64
import io

import numpy as np

from engine.figures import plain
from engine.figures.spec import SpecFigure
from engine.figures.style import DIVERGING, HIGHLIGHT


def percent(fraction, digits=1):
    """0.951 -> '95.1 %'; shares too small to show at `digits` -> '< 0.1 %' (digits=1)."""
    value = 100.0 * float(fraction)
    if 0 < value < 0.5 * 10.0 ** -digits:
        return f"< {10.0 ** -digits:.{digits}f} %"
    return f"{value:.{digits}f} %"


LEVELS = 255  # colour levels of a map; palette index 255 is the white background of the mosaic


def map_levels(maps):
    """(C, H, W) float -> (signed, (C, H, W) uint8 palette indices 0..254), each map on its own scale.

    Signed (any value < 0): [-m, m] -> 0..254 with 0 at the middle index 127, m = max |map|.
    Otherwise: [0, m] -> 0..254 (black to white). An all-zero map is all 127 (signed) or all 0.
    """
    x = np.asarray(maps, dtype=np.float64)
    if x.ndim != 3 or 0 in x.shape:
        raise ValueError(f"Feature maps must have shape (C, H, W) with no empty axis, got {x.shape}.")
    signed = bool((x < 0).any())
    scale = np.abs(x).max(axis=(1, 2), keepdims=True)
    t = x / np.where(scale > 0, scale, 1.0)  # (C, H, W) in [-1, 1] or [0, 1]
    if signed:
        t = (t + 1) / 2
    return signed, np.round(np.clip(t, 0, 1) * (LEVELS - 1)).astype(np.uint8)


def palette(signed):
    """(256, 3) uint8: LEVELS colours of the scale, then white. Signed: the diverging blue - white - red
    of engine.figures.style (white at 0); unsigned: black to white."""
    scale = sample_scale(DIVERGING if signed else _BLACK_TO_WHITE, np.linspace(0, 1, LEVELS))
    return np.vstack([np.round(scale), [[255, 255, 255]]]).astype(np.uint8)


_BLACK_TO_WHITE = [[0.0, "#000000"], [1.0, "#ffffff"]]


def sample_scale(scale, t):
    """A Plotly colour scale (a name or [[position, colour], ...]) at positions t in [0, 1]: t.shape + (3,)
    floats in 0..255, linear between stops as Plotly draws it."""
    stops = plain.colorscale(scale)
    where = np.array([float(p) for p, _ in stops])
    rgb = np.array([_rgb(c) for _, c in stops], dtype=float)  # (stops, 3)
    return np.stack([np.interp(t, where, rgb[:, i]) for i in range(3)], axis=-1)


def scale_palette(scale):
    """(256, 3) uint8: colour i is what a heatmap with zmin 0, zmax 255 and this scale draws for the byte i."""
    return np.round(sample_scale(scale, np.arange(256) / 255)).astype(np.uint8)


def _rgb(colour):
    """'#rrggbb' or 'rgb(r, g, b)' -> (r, g, b)."""
    if colour.startswith("#"):
        return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return tuple(float(v) for v in colour[colour.index("(") + 1:colour.index(")")].split(",")[:3])


def png_data_uri(indices, colours, compress_level=6):
    """(H, W) palette indices and a (256, 3) palette -> 'data:image/png;base64,...' (a Plotly Image's
    `source`). An 8-bit palette PNG: one byte a pixel before compression, a third of RGB. compress_level: zlib's
    (a photo's noise barely compresses more at 6 than at 1, which takes half the time)."""
    from PIL import Image  # imported here: only pages that draw feature maps pay for it

    image = Image.fromarray(np.ascontiguousarray(indices, dtype=np.uint8), mode="P")
    image.putpalette(np.asarray(colours, dtype=np.uint8).ravel().tolist())
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=compress_level)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def class_bars_figure(probabilities, title="", height=260, font_size=15, true_class=None):
    """Vertical bars of the 10 digit probabilities (percent on top); the predicted class highlighted and
    labelled "predicted", the true class (if given) labelled "true", so no reading depends on colour."""
    probs = np.asarray(probabilities, dtype=float)
    if probs.shape != (10,) or not np.all((probs >= 0) & (probs <= 1)):
        raise ValueError(f"Need 10 probabilities between 0 and 1, got shape {probs.shape}.")
    best = int(probs.argmax())
    names = [f"{c}" + ("<br>predicted" if c == best else "") + ("<br>true" if c == true_class else "")
             for c in range(10)]
    bars = {"cliponaxis": False, "hovertemplate": "class %{x}: %{y:.1f} %<extra></extra>",
            "marker": {"color": ["#9aa7b8" if c != best else HIGHLIGHT for c in range(10)]},
            "text": [f"{100 * p:.0f}%" if p >= 0.005 else "" for p in probs], "textposition": "outside",
            "x": names, "y": 100 * probs, "type": "bar"}
    layout = {"height": height, "margin": {"l": 10, "r": 10, "t": 45 if title else 15, "b": 10},
              "plot_bgcolor": "white", "font": {"size": font_size}, "dragmode": False, "showlegend": False,
              "bargap": 0.2, "yaxis": {"range": [0, 112], "ticksuffix": " %", "showgrid": True, "gridcolor": "#eee",
                                       "zeroline": False},
              "xaxis": {"type": "category", "tickfont": {"size": font_size - 1}},
              "title": {"text": title, "font": {"size": font_size}} if title else {}}
    return SpecFigure(plain.finished([bars], layout))  # a plain dict: no graph_objects validation
