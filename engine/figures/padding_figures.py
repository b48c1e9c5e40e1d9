"""What the padding lesson draws: padded grids with each cell's source, the output-size formula with
the numbers written in, the PyTorch code (F.pad then F.conv2d), and a photo's corner in every mode.

Every string in the HTML is made here from numbers (fmt), so no user text reaches it. Marks do not rely
on colour: padding cells have a dotted border, italic numbers and a "← r, c" label naming the input cell
they copy ("fill" for the constant); input cells carry their own "r, c".
"""
from __future__ import annotations

from html import escape

import numpy as np
from engine.data.photos import photo
from engine.figures import plain
from engine.figures.style import fmt
from engine.notation import AXES, sym
from engine.ops.arithmetic import conv_output_size
from engine.ops.conv import correlate2d
from engine.ops.padding import PADDING_MODES, pad
from engine.ops.padding_sources import CONSTANT, pad_sources
from engine.pytorch_code import torch_pad


_CSS = """<style>
.pd-row { display: flex; flex-wrap: wrap; gap: 1.2em; align-items: flex-start; margin: .5em 0 1em; }
.pd-panel { margin: 0; }
.pd-panel figcaption { font-weight: 600; margin-bottom: .3em; }
.pd-grid { border-collapse: separate; border-spacing: 2px; }
.pd-grid td { min-width: 2.7em; height: 2.5em; text-align: center; vertical-align: middle; line-height: 1.1;
              background: #f3f3f3; border: 2px solid transparent; padding: .1em .3em;
              font-variant-numeric: tabular-nums; }
.pd-grid td small { display: block; font-size: .7em; color: #555; white-space: nowrap; font-style: normal; }
.pd-grid td.pd-pad { background: #fff; border: 2px dotted #888; font-style: italic; color: #333; }
.pd-grid td.pd-fill { background: repeating-linear-gradient(45deg, #fff, #fff 4px, #eee 4px, #eee 8px);
                      border: 2px dotted #888; font-style: italic; color: #666; }
.pd-note { max-width: 14em; color: #555; }
</style>"""


def _cell(value, css, label, title):
    return f'<td class="{css}" title="{escape(title)}">{escape(fmt(value))}<small>{escape(label)}</small></td>'


def _index(rc):
    return ", ".join(str(int(v)) for v in rc)


def _grid(values, labels):
    rows = ["<tr>" + "".join(labels(r, c, v) for c, v in enumerate(row)) + "</tr>"
            for r, row in enumerate(np.atleast_2d(values))]
    return f'<table class="pd-grid">{"".join(rows)}</table>'


def _panel(title, body):
    return f'<figure class="pd-panel"><figcaption>{escape(title)}</figcaption>{body}</figure>'


def input_panel(x):
    """The input X, each cell labelled with its own (row, col)."""
    return _panel("Input X", _grid(x, lambda r, c, v: _cell(v, "", f"{r}, {c}", f"input ({r}, {c})")))


def padded_panel(padded, sources, pads, title):
    """The padded grid: input cells with their index, padding cells with '← r, c' (or 'fill')."""
    (top, _), (left, _) = pads

    def label(r, c, v):
        src = sources[r, c]
        if src[0] == CONSTANT:
            return _cell(v, "pd-fill", "fill", f"padded ({r}, {c}): the constant {fmt(v)}")
        if (r - top, c - left) == tuple(int(s) for s in src):
            return _cell(v, "", _index(src), f"padded ({r}, {c}) = input ({_index(src)})")
        return _cell(v, "pd-pad", f"← {_index(src)}", f"padded ({r}, {c}) copies input ({_index(src)})")
    return _panel(title, _grid(padded, label))


def sources_html(x, padded, sources, pads, mode):
    """Input X next to its padded grid in `mode`, every padding cell naming the input cell it copies."""
    return _CSS + f'<div class="pd-row">{input_panel(x)}{padded_panel(padded, sources, pads, f"Padded, {mode}")}</div>'


def modes_html(x, pads):
    """The padded grid in each of PyTorch's four modes, side by side (a note where a mode cannot pad)."""
    x = np.asarray(x, dtype=float)
    panels = []
    for mode in PADDING_MODES:
        try:
            widths = torch_pad(pads)
            panels.append(padded_panel(pad(x, widths, mode), pad_sources(x.shape, widths, mode), pads, mode))
        except ValueError as err:
            panels.append(_panel(mode, f'<p class="pd-note">{escape(str(err))}</p>'))
    return _CSS + f'<div class="pd-row">{"".join(panels)}</div>'


def output_size_latex(input_shape, kernel_shape, stride, pads):
    """o = floor((i + 2p - k) / s) + 1 per axis with the numbers written in, ending in the output size.

    Asymmetric padding is written as p_before + p_after (top + bottom, left + right).
    """
    rows = []
    for axis, sides, i, k, s, (before, after) in zip(AXES, (("top", "bottom"), ("left", "right")),
                                                     input_shape, kernel_shape, stride, pads):
        o = conv_output_size(i, k, s, (before, after))
        if before == after:
            symbols = rf"{sym('i', axis)} + 2{sym('p', axis)} - {sym('k', axis)}"
            numbers = rf"{i} + 2 \cdot {before} - {k}"
        else:
            p = sym("p")
            symbols = rf"{sym('i', axis)} + {p}_{{\text{{{sides[0]}}}}} + {p}_{{\text{{{sides[1]}}}}} - {sym('k', axis)}"
            numbers = rf"{i} + {before} + {after} - {k}"
        rows.append(rf"{sym('o', axis)} &= \left\lfloor \frac{{{symbols}}}{{{sym('s', axis)}}} \right\rfloor + 1 "
                    rf"= \left\lfloor \frac{{{numbers}}}{{{s}}} \right\rfloor + 1 "
                    rf"= \left\lfloor \frac{{{i + before + after - k}}}{{{s}}} \right\rfloor + 1 = {o}")
    return r"\begin{aligned}" + r" \\ ".join(rows) + r"\end{aligned}"


def box_blur(radius):
    """The (2r + 1) x (2r + 1) box blur: the mean of the window."""
    n = 2 * radius + 1
    return np.full((n, n), 1.0 / (n * n))


def border_crops(image, radius, crop):
    """The top-left `crop` x `crop` corner of `image` box-blurred with 'same' padding in every mode."""
    kernel = box_blur(radius)
    return {mode: correlate2d(image, kernel, padding="same", padding_mode=mode)[:crop, :crop]
            for mode in PADDING_MODES}


def border_figure(label, radius, crop=48, height=300, font_size=14):
    """The photo with its top-left corner boxed, then that corner after the same box blur in every mode.

    One gray scale for all panels (0 black, 1 white), so darker really is darker. A plain dict (engine.figures.plain).
    meta: per panel ('no blur' and each mode), the corner pixel, the mean of the border band (radius wide)
    and the mean of the rest of the crop.
    """
    image = photo(label)
    crops = {"no blur": image[:crop, :crop], **border_crops(image, radius, crop)}
    titles = ["photo (corner boxed)", *[f"{mode} padding" for mode in PADDING_MODES]]
    layout = plain.subplots_layout(titles, horizontal_spacing=0.02)
    shown = [image, *[crops[mode] for mode in PADDING_MODES]]
    data = [plain.on_axes({"colorscale": plain.colorscale("Gray"), "hoverinfo": "skip", "showscale": False,
                           "type": "heatmap", "z": np.round(np.clip(values, 0, 1) * 255).astype(np.uint8),
                           "zmax": 255, "zmin": 0}, col) for col, values in enumerate(shown, start=1)]
    plain.base_layout(layout, height, font_size)
    layout["shapes"] = [{"line": {"color": "#e66100", "width": 3}, "type": "rect", "x0": -0.5, "x1": crop - 0.5,
                         "xref": "x", "y0": -0.5, "y1": crop - 0.5, "yref": "y"}]
    layout["margin"] = {"l": 0, "r": 0, "t": 40, "b": 0}
    for axis in plain.axes(layout, "x") + plain.axes(layout, "y"):
        axis["visible"] = False
    band = np.zeros((crop, crop), bool)
    band[:radius], band[:, :radius] = True, True
    meta = {name: {"corner": float(v[0, 0]), "band": float(v[band].mean()), "inside": float(v[~band].mean())}
            for name, v in crops.items()}
    return plain.finished(data, layout, meta=meta)
