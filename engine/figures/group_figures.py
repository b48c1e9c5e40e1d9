"""Views of the grouped-convolution lesson: which input channels each filter sees (SVG), a 1x1 convolution
at one pixel as a matrix product (HTML), and the depthwise-separable speedup (a plain Plotly dict).

Every string here is made from numbers, so no user text reaches the HTML. Groups are told apart by colour
and by their label (g0, g1, ...), never by colour alone.
"""
from __future__ import annotations

import base64
from html import escape

import numpy as np

from engine.figures import plain
from engine.figures.step_view import GRID_CSS, panel
from engine.figures.style import HIGHLIGHT, SECONDARY, fmt
from engine.ops.grouped import group_inputs, pointwise_as_matmul, separable_speedup

GROUP_COLOURS = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#000000")  # Okabe-Ito
MAX_DRAWN = (16, 32)  # the connection view draws up to 16 input channels and 32 filters


def can_draw_groups(in_channels, out_channels):
    return in_channels <= MAX_DRAWN[0] and out_channels <= MAX_DRAWN[1]


def groups_svg(in_channels, out_channels, groups):
    """Input channels (top row) joined to the filters (bottom row) that see them, one colour per group: an <img>
    of an SVG (data URI) whose alt text says what it shows."""
    sees = group_inputs(in_channels, out_channels, groups)
    per_out = out_channels // groups
    step = 26
    width = max(max(in_channels, out_channels) * step + 40, 330)
    x_in = (width - in_channels * step) / 2 + step / 2
    x_out = (width - out_channels * step) / 2 + step / 2
    lines, boxes = [], []
    for o, inputs in enumerate(sees):
        colour = GROUP_COLOURS[(o // per_out) % len(GROUP_COLOURS)]
        for c in inputs:
            lines.append(f'<line x1="{x_in + c * step:.1f}" y1="46" x2="{x_out + o * step:.1f}" y2="144" '
                         f'stroke="{colour}" stroke-width="1.4" stroke-opacity="0.7"/>')
    for c in range(in_channels):
        colour = GROUP_COLOURS[(c // (in_channels // groups)) % len(GROUP_COLOURS)]
        boxes.append(_box(x_in + c * step, 34, colour, str(c)))
    for o in range(out_channels):
        colour = GROUP_COLOURS[(o // per_out) % len(GROUP_COLOURS)]
        boxes.append(_box(x_out + o * step, 156, colour, str(o)))
    for g in range(groups):
        colour = GROUP_COLOURS[g % len(GROUP_COLOURS)]
        middle = x_out + (g * per_out + (per_out - 1) / 2) * step
        boxes.append(f'<text x="{middle:.1f}" y="186" font-size="11" text-anchor="middle" fill="{colour}">g{g}</text>')
    labels = [f'<text x="4" y="14" font-size="12" fill="#444">input channels (C_in = {in_channels})</text>',
              f'<text x="4" y="206" font-size="12" fill="#444">filters = output channels (C_out = {out_channels}) in '
              f'{groups} group{"s" if groups > 1 else ""} (g0, g1, …)</text>']
    label = (f"{out_channels} filters in {groups} groups; each sees {in_channels // groups} of the {in_channels} "
             "input channels, those of its own group.")
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} 214" font-family="sans-serif">'
           f'{"".join(lines)}{"".join(boxes)}{"".join(labels)}</svg>')
    # st.html's sanitizer drops inline <svg>; an <img> of it as a data URI stays (and scales to the column)
    source = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
    return (f'<img class="gc-groups" src="{source}" alt="{escape(label)}" '
            f'style="width:100%;max-width:{width * 1.3:.0f}px;height:auto">')


def _box(x, y, colour, text):
    return (f'<rect x="{x - 10:.1f}" y="{y - 12:.1f}" width="20" height="24" rx="3" fill="white" stroke="{colour}" '
            f'stroke-width="2.5"/><text x="{x:.1f}" y="{y + 4:.1f}" font-size="11" text-anchor="middle">{text}</text>')


def pixel_view(x, w):
    """view(n) -> HTML for pixel n (reading order): the input channels with the pixel marked, W, and
    W · x[:, i, j] = y[:, i, j] with the output channels. x (C_in, H, W), w (C_out, C_in)."""
    x, w = np.asarray(x, float), np.asarray(w, float)
    y = pointwise_as_matmul(x, w)  # (C_out, H, W)
    h, wd = x.shape[1:]

    def view(n):
        i, j = divmod(int(n) % (h * wd), wd)
        cur = {(i, j): "cur"}
        ins = "".join(panel(f"x channel {c}", x[c], cur) for c in range(x.shape[0]))
        column = x[:, i, j][:, None]
        out = y[:, i, j][:, None]
        rows = " ".join(f"y<sub>{o}</sub> = " + " + ".join(f"{fmt(w[o, c])}·{fmt(x[c, i, j])}" for c in range(w.shape[1]))
                        + f" = {fmt(out[o, 0])}<br>" for o in range(w.shape[0]))
        outs = "".join(panel(f"y channel {o}", y[o], cur) for o in range(y.shape[0]))
        text = f"Pixel ({i}, {j}): y[:, {i}, {j}] = W · x[:, {i}, {j}]"
        return (GRID_CSS + f'<div aria-label="{escape(text)}"><div class="cl-step">{ins}</div>'
                f'<p><strong>{escape(text)}</strong> (W is C_out × C_in = {w.shape[0]} × {w.shape[1]})</p>'
                f'<div class="cl-step">{panel("W", w, {})}<span style="align-self:center">·</span>'
                f'{panel(f"x[:, {i}, {j}]", column, {})}<span style="align-self:center">=</span>'
                f'{panel(f"y[:, {i}, {j}]", out, {})}</div><p class="cl-sum">{rows}</p>'
                f'<div class="cl-step">{outs}</div></div>')
    return view


def speedup_figure(out_channels, kernel, c_max=512, height=320, font_size=14):
    """standard / depthwise-separable multiply-adds, k^2 C_out / (k^2 + C_out), against C_out for k = 3, 5, 7;
    the current (C_out, k) marked."""
    c = np.unique(np.round(np.geomspace(1, c_max, 120)).astype(int))
    data = []
    for k, dash in ((3, "solid"), (5, "dash"), (7, "dot")):
        data.append({"type": "scatter", "mode": "lines", "x": c.tolist(), "y": separable_speedup(c, k).tolist(),
                     "name": f"k = {k} (tends to k² = {k * k})", "line": {"dash": dash, "width": 2.5,
                                                                           "color": SECONDARY if k == kernel else "#888"},
                     "hovertemplate": "C_out = %{x}: %{y:.2f}×<extra>k = " + str(k) + "</extra>"})
    mark = float(separable_speedup(out_channels, kernel))
    data.append({"type": "scatter", "mode": "markers", "x": [out_channels], "y": [mark], "name": "on screen",
                 "marker": {"size": 13, "color": HIGHLIGHT, "symbol": "diamond"},
                 "hovertemplate": f"C_out = {out_channels}, k = {kernel}: {mark:.2f}×<extra></extra>"})
    layout = {"height": height, "margin": {"l": 10, "r": 10, "t": 40, "b": 10}, "plot_bgcolor": "white",
              "font": {"size": font_size}, "dragmode": False, "showlegend": True,
              "legend": {"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
              "xaxis": {"type": "log", "title": {"text": "output channels C_out"}, "gridcolor": "#eee",
                        "tickvals": [2 ** i for i in range(int(np.log2(c_max)) + 1)]},  # 1, 2, 4, ...: full-size labels
              "yaxis": {"title": {"text": "times fewer multiply-adds"}, "gridcolor": "#eee", "rangemode": "tozero"}}
    return plain.finished(data, layout)
