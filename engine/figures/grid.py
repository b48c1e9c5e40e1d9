"""Small matrices drawn as heatmaps with every number written in its cell (Plotly, or light HTML tables)."""
from __future__ import annotations

import functools
from html import escape

import numpy as np
import plotly.graph_objects as go

from engine.figures import plain
from engine.figures.common import png_data_uri, sample_scale, scale_palette
from engine.figures.plain import colorscale
from engine.figures.spec import SpecFigure
from engine.figures.step_view import GRID_CSS
from engine.figures.style import DIVERGING, HIGHLIGHT, NUMBER_TEMPLATE, SEQUENTIAL, fmt, symmetric_range


def grid_heatmap(values, signed=False, zrange=None, coloraxis=None, show_numbers=True, name=""):
    """A heatmap trace (plain dict) of a 1D or 2D array, numbers in cells; row 0 at the top."""
    z = np.atleast_2d(np.asarray(values, dtype=float))  # (rows, cols)
    zmin, zmax = zrange or (symmetric_range(z) if signed else (float(z.min()), float(z.max()) or 1.0))
    trace = {"colorscale": colorscale(DIVERGING if signed else SEQUENTIAL), "hovertemplate":
             "row %{y}, col %{x}: %{z}<extra>" + name + "</extra>", "name": name, "showscale": False,
             "texttemplate": NUMBER_TEMPLATE if show_numbers else None, "xgap": 2, "ygap": 2, "z": z,
             "zmax": zmax, "zmin": zmin, "type": "heatmap"}
    return {k: v for k, v in trace.items() if v is not None}


def grid_trace(values, signed=False, zrange=None, coloraxis=None, show_numbers=True, name=""):
    """grid_heatmap as a go.Heatmap (for figures still built with graph_objects)."""
    return go.Heatmap({k: v for k, v in grid_heatmap(values, signed, zrange, coloraxis, show_numbers, name).items()
                       if k != "type"})


def grids_figure(panels, height=320, font_size=16):
    """Side-by-side grids. panels: list of (title, values, signed) -> one figure (a SpecFigure of a plain dict), one subplot each."""
    widths = [max(np.atleast_2d(v).shape[1], 2) for _, v, _ in panels]
    layout = plain.subplots_layout([t for t, _, _ in panels], column_widths=widths, horizontal_spacing=0.06)
    data = [plain.on_axes(grid_heatmap(values, signed, name=title), col)
            for col, (title, values, signed) in enumerate(panels, start=1)]
    plain.base_layout(layout, height, font_size)
    for axis in plain.axes(layout, "x") + plain.axes(layout, "y"):
        axis["dtick"] = 1
    return SpecFigure(plain.finished(data, layout))


HEAT_CSS = """<style>
.cl-grids { display: flex; flex-wrap: wrap; gap: 1.5em; align-items: flex-start; margin: .5em 0; }
.cl-grids .cl-grid td { color: #111; min-width: 2.6em; height: 2.4em; font-size: 1.1em; }
.cl-grids .cl-grid td.dark { color: #fff; }
.cl-grids .cl-grid td.mark { outline: 4px dashed %s; outline-offset: -4px; font-weight: 700; }
</style>""" % HIGHLIGHT


def cell_colours(values, signed=False):
    """(rows, cols) values -> (rows, cols) '#rrggbb' on grids_figure's scales: Cividis from min to max, or
    blue-white-red over [-m, m] when signed (white = 0); NaN -> white. Also (rows, cols) bool: white text reads
    better than black there (relative luminance L < 0.179, where the two contrasts 1.05 / (L + .05) and
    (L + .05) / .05 meet)."""
    z = np.atleast_2d(np.asarray(values, dtype=float))
    finite = np.where(np.isfinite(z), z, 0.0)
    lo, hi = symmetric_range(finite) if signed else (float(finite.min()), float(finite.max()))
    t = np.clip((finite - lo) / ((hi - lo) or 1.0), 0.0, 1.0)
    cells = sample_scale(DIVERGING if signed else SEQUENTIAL, t)
    cells[~np.isfinite(z)] = 255.0
    linear = np.where(cells / 255 <= 0.03928, cells / 255 / 12.92, ((cells / 255 + 0.055) / 1.055) ** 2.4)
    dark = linear @ np.array([0.2126, 0.7152, 0.0722]) < 0.179
    hexes = np.vectorize(lambda r, g, b: f"#{int(round(r)):02x}{int(round(g)):02x}{int(round(b)):02x}")(
        cells[..., 0], cells[..., 1], cells[..., 2])
    return hexes, dark


def grids_html(panels, label=""):
    """grids_figure as light HTML: panels = [(title, (rows, cols) values, signed)] side by side, each number
    written in a cell coloured as the heatmap would colour it. Text is in rem, so demo mode's larger root
    font makes it projector-sized; wide grids wrap below (a phone) or scroll in their own box. A panel may
    add a 4th item, a (rows, cols) bool array of cells to mark (a thick dashed border and bold, not colour alone).

    >>> html = grids_html([("K", [[1, -2]], True)], label="a kernel")
    >>> html.count("<td"), 'aria-label="a kernel"' in html
    (2, True)
    """
    tables = []
    for title, values, signed, *marked in panels:
        z = np.atleast_2d(np.asarray(values, dtype=float))
        colours, dark = cell_colours(z, signed)
        mark = np.atleast_2d(marked[0]) if marked else np.zeros(z.shape, bool)
        rows = ["<tr>" + "".join(f'<td class="{_classes(dark[r, c], mark[r, c])}" style="background:{colours[r, c]}">'
                                 f"{escape(fmt(v))}</td>" for c, v in enumerate(row)) + "</tr>"
                for r, row in enumerate(z)]
        tables.append(f'<figure class="cl-panel"><figcaption>{escape(title)}</figcaption>'
                      f'<table class="cl-grid">{"".join(rows)}</table></figure>')
    return (GRID_CSS + HEAT_CSS + f'<div class="cl-grids" role="group" aria-label="{escape(label)}">'
            + "".join(tables) + "</div>")


def _classes(dark, mark):
    return " ".join(name for name, on in (("dark", dark), ("mark", mark)) if on)


def to_display_bytes(image, signed):
    """An image as uint8 for display (4x less to send than float32): [min, max] or [-m, m] -> [0, 255]."""
    img = np.asarray(image, dtype=float)
    lo, hi = symmetric_range(img) if signed else (float(img.min()), float(img.max()))
    return np.round((img - lo) / ((hi - lo) or 1.0) * 255).astype(np.uint8)


def images_figure(panels, height=360, font_size=14, colorbar=False):
    """Side-by-side images, panels = [(title, (H, W) array, signed)]: gray, or red/blue when signed (SpecFigure).

    colorbar: the last panel gets a colour bar labelled in its own values (signed: -m, 0, m, m = max |value|).
    """
    layout = plain.subplots_layout([t for t, _, _ in panels], horizontal_spacing=0.03)
    data = [plain.on_axes(_picture(img, signed), col) for col, (_, img, signed) in enumerate(panels, start=1)]
    if colorbar:  # a colour bar belongs to a heatmap: the last panel is one (the same colours, sent as bytes)
        _, img, signed = panels[-1]
        data[-1] = plain.on_axes({"colorscale": colorscale(_PICTURE_SCALES[signed]), "hoverinfo": "skip",
                                  "showscale": True, "colorbar": _value_bar(img, signed, font_size),
                                  "z": to_display_bytes(img, signed), "zmax": 255, "zmin": 0, "type": "heatmap"},
                                 len(panels))
    plain.base_layout(layout, height, font_size)
    for axis in plain.axes(layout, "x") + plain.axes(layout, "y"):
        axis["visible"] = False
    return SpecFigure(plain.finished(data, layout))


_PICTURE_SCALES = {False: "Gray", True: "RdBu_r"}


def _picture(image, signed):
    """An image trace of a PNG (palette, one byte a pixel): the browser decodes it natively, ~3x faster to draw
    than a heatmap of the same bytes and about half the JSON for a photo."""
    shown = to_display_bytes(image, signed)
    return {"hoverinfo": "skip", "source": _png(shown.tobytes(), shown.shape, signed), "type": "image"}


@functools.lru_cache(maxsize=64)  # the same picture in many figures (a photo beside each kernel's result): once
def _png(data, shape, signed):
    indices = np.frombuffer(data, dtype=np.uint8).reshape(shape)
    return png_data_uri(indices, scale_palette(_PICTURE_SCALES[signed]), compress_level=1)


def _value_bar(image, signed, font_size):
    """A colour bar for to_display_bytes(image, signed): ticks at the bytes of -m, 0, m (or min, max), in values."""
    img = np.asarray(image, dtype=float)
    lo, hi = symmetric_range(img) if signed else (float(img.min()), float(img.max()))
    ticks = [(0, lo), (127.5, 0.0), (255, hi)] if signed else [(0, lo), (255, hi)]
    return {"tickvals": [t for t, _ in ticks], "ticktext": [fmt(v) for _, v in ticks], "thickness": 12,
            "len": 0.8, "tickfont": {"size": font_size}, "outlinewidth": 1}
