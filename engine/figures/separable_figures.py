"""Figures of separable kernels and of convolution as a matrix: singular values as bars (a plain Plotly dict),
and C with one row linked to the output cell it computes (light HTML; every string made from numbers here)."""
from __future__ import annotations

from html import escape

import numpy as np

from engine.figures import plain
from engine.figures.grid import to_display_bytes
from engine.figures.plain import colorscale
from engine.figures.step_view import GRID_CSS, panel
from engine.figures.style import HIGHLIGHT, fmt
from engine.ops.separable_kernel import RANK_TOLERANCE

BAR = "#9aa7b8"


def singular_values_figure(values, height=260, font_size=14):
    """Bars s_1 >= s_2 >= ...; the ones counted in the rank in the highlight colour, the zero ones grey."""
    s = np.asarray(values, dtype=float)
    counted = s > RANK_TOLERANCE * (s[0] or 1.0)
    data = [{"type": "bar", "x": [f"s{i + 1}" for i in range(len(s))], "y": s.tolist(),
             "marker": {"color": [HIGHLIGHT if c else BAR for c in counted]},
             "text": [fmt(round(v, 4)) for v in s], "textposition": "outside", "cliponaxis": False,
             "hovertemplate": "%{x} = %{y:.6g}<extra></extra>"}]
    layout = {"height": height, "margin": {"l": 10, "r": 10, "t": 30, "b": 10}, "plot_bgcolor": "white",
              "font": {"size": font_size}, "dragmode": False, "showlegend": False,
              "yaxis": {"title": {"text": "singular value"}, "gridcolor": "#eee", "rangemode": "tozero"},
              "xaxis": {"title": {"text": f"rank = {int(counted.sum())} (orange bars)"}}}
    return plain.finished(data, layout)


def compared_images_figure(shared, own, height=330, font_size=14):
    """Signed images side by side: `shared` = [(title, image), ...] on one colour scale, so equal images look
    equal; then `own` = (title, image) on its own scale (a difference)."""
    m = max(float(np.abs(img).max()) for _, img in shared) or 1.0
    panels = [(t, img, m) for t, img in shared] + [(own[0], own[1], None)]
    layout = plain.subplots_layout([t for t, _, _ in panels], horizontal_spacing=0.03)
    data = []
    for col, (_, img, bound) in enumerate(panels, start=1):
        z = to_display_bytes(img, True) if bound is None else np.round((img + m) / (2 * m) * 255).astype(np.uint8)
        data.append(plain.on_axes({"colorscale": colorscale("RdBu_r"), "hoverinfo": "skip", "showscale": False,
                                   "z": z, "zmax": 255, "zmin": 0, "type": "heatmap"}, col))
    plain.base_layout(layout, height, font_size)
    for axis in plain.axes(layout, "x") + plain.axes(layout, "y"):
        axis["visible"] = False
    return plain.finished(data, layout)


_TAP_CSS = """<style>
.cl-grid td.tap { font-weight: 600; }
.cl-grid td.zero { color: #bbb; background: #fafafa; }
.cl-grid th { font-weight: 400; font-size: .7em; color: #777; }
.gc-matrix .cl-grid td { min-width: 1.6em; height: 1.5em; font-size: .8em; padding: 0 .1em; }
</style>"""


def _tap_style(tap, taps):
    """A light background per kernel tap (hue), so the same weight can be followed along C's band."""
    return f' style="background: hsl({round(360 * (tap - 1) / max(taps, 1))}, 70%, 88%)"'


def _grid(values, classes, taps=None, n_taps=0, header=False):
    m = np.atleast_2d(values)
    rows = []
    if header:
        rows.append("<tr><th></th>" + "".join(f"<th>{c}</th>" for c in range(m.shape[1])) + "</tr>")
    for r, row in enumerate(m):
        cells = []
        for c, v in enumerate(row):
            tap = 0 if taps is None else int(taps[r, c])
            style = _tap_style(tap, n_taps) if tap else ""
            cls = classes.get((r, c), "tap" if tap else ("zero" if taps is not None else ""))
            cells.append(f'<td class="{cls}"{style}>{escape(fmt(v))}</td>')
        rows.append(("<tr><th>" + str(r) + "</th>" if header else "<tr>") + "".join(cells) + "</tr>")
    return f'<table class="cl-grid">{"".join(rows)}</table>'


def matrix_row_view(x, kernel, C, taps, output):
    """view(n) -> HTML: the input with the cells row n of C reads marked, the kernel (one colour per tap),
    C with row n marked and every non-zero coloured by its tap, and the output with cell n marked.

    x (H, W); C (H_out W_out, H W); taps: C's shape, the 1-based tap index of every non-zero (0: zero)."""
    x, kernel, output = np.atleast_2d(x), np.atleast_2d(kernel), np.atleast_2d(output)
    n_taps = kernel.size
    kernel_taps = np.arange(1, n_taps + 1).reshape(kernel.shape)

    def view(n):
        n = int(n) % C.shape[0]
        r, c = divmod(n, output.shape[1])
        read = {tuple(map(int, divmod(j, x.shape[1]))): "win" for j in np.flatnonzero(taps[n])}
        terms = " + ".join(f"{fmt(C[n, j])}·{fmt(x.flat[j])}" for j in np.flatnonzero(taps[n])) or "0"
        text = f"Row {n} of C computes output cell ({r}, {c}): y[{r}, {c}] = {terms} = {fmt(output[r, c])}"
        rows = {(n, j): "win" for j in range(C.shape[1])}
        matrix = _grid(C, rows, taps, n_taps, header=True)
        return (GRID_CSS + _TAP_CSS + f'<div aria-label="{escape(text)}"><p class="cl-sum">{escape(text)}</p>'
                f'<div class="cl-step">{panel("Input X (cells row " + str(n) + " reads)", x, read)}'
                f'<figure class="cl-panel"><figcaption>Kernel K (one colour per weight)</figcaption>'
                f'{_grid(kernel, {}, kernel_taps, n_taps)}</figure>'
                f'{panel(f"Output y (cell {r}, {c} = row {n})", output, {(r, c): "cur"})}</div>'
                f'<figure class="cl-panel"><figcaption>C ({C.shape[0]} × {C.shape[1]}): row {n} outlined; rows are '
                f'output cells, columns input cells</figcaption><div class="gc-matrix" style="overflow-x:auto">{matrix}</div></figure></div>')
    return view
