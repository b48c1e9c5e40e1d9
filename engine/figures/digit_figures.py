"""What the "Draw a digit" lesson draws: the preprocessing steps, the first layer's kernels, the SE gates,
and a caption for every feature map of a digit network.

    preprocessing_figure(steps)                    # canvas -> crop -> standard pen -> 32x32 -> 8x8 -> 28x28
    kernels_figure(weight, bias)                   # (C, 1, 3, 3): small signed heatmaps, numbers in cells
    se_gates_figure({1: (16,), 2: (32,)}, reference, "mean of test 7s")
    map_layers(layer_shapes), layer_caption(cfg, "pool1", (16, 14, 14))

Pure: no Streamlit. Every string is made here from numbers and layer names, never from user input.
"""
from __future__ import annotations

import numpy as np

from engine.figures.common import LEVELS, palette, png_data_uri
from engine.figures.style import DIVERGING, HIGHLIGHT, symmetric_range

GATE = "#0072b2"  # this drawing's gates (Okabe-Ito blue); the class mean is HIGHLIGHT
STEP_TITLES = ("Drawing", "1 Crop", "2 Pen", "3 Bitmap", "4 Count", "5 Input")  # short: six panels in a row


def _gray_uri(image):
    """(H, W) values in [0, 1] (or bool) -> PNG data URI, black 0 to white 1."""
    levels = np.round(np.clip(np.asarray(image, dtype=float), 0, 1) * (LEVELS - 1)).astype(np.uint8)
    return png_data_uri(levels, palette(False))


def panel_axes(widths, gap=0.025):
    """Side-by-side panels as plain layout axes: [(x-axis name, y-axis name, (x0, x1) domain)], widths relative."""
    total = float(sum(widths))
    room = 1.0 - gap * (len(widths) - 1)
    out, x = [], 0.0
    for i, w in enumerate(widths, start=1):
        x1 = x + room * w / total
        out.append((f"x{'' if i == 1 else i}", f"y{'' if i == 1 else i}", (x, min(x1, 1.0))))
        x = x1 + gap
    return out


def _axis_key(name):
    """"x2" -> "xaxis2", "y" -> "yaxis"."""
    return f"{name[0]}axis{name[1:]}"


def _titles(axes, titles, font_size):
    return [dict(x=(d[0] + d[1]) / 2, y=1.0, xref="paper", yref="paper", text=t, showarrow=False, yanchor="bottom",
                 xanchor="center",
                 font=dict(size=font_size)) for (_, _, d), t in zip(axes, titles)]


def preprocessing_figure(steps, height=None, font_size=15):
    """Six panels from a DrawingSteps (engine.data.drawing): the canvas with the ink's box, the square crop,
    the strokes redrawn with the standard pen, the 32x32 bitmap with its 4x4 blocks, the 8x8 block counts
    (0..16, numbers in cells) and the 28x28 network input. A plain figure dict (no validation: fast)."""
    top, bottom, left, right = steps.box
    side = steps.cropped.shape[0]
    sizes = [f"{steps.gray.shape[0]} × {steps.gray.shape[1]}", f"{side} × {side}", f"r = {steps.pen_radius:.1f} px",
             "32 × 32", "8 × 8", "28 × 28"]
    titles = [f"{title}<br>{size}" for title, size in zip(STEP_TITLES, sizes)]
    images = [steps.gray, steps.cropped, steps.evened, steps.bitmap, None, steps.network_input]
    axes = panel_axes([1] * len(images))
    data, layout = [], {}
    for (xa, ya, domain), image in zip(axes, images):
        if image is None:  # the block counts: numbers in cells
            counts = np.rint(np.asarray(steps.small) * 16).astype(int)  # (8, 8) inked pixels per block
            data.append(dict(type="heatmap", z=counts.tolist(), zmin=0, zmax=16, colorscale="Greys", reversescale=True,
                             showscale=False, xgap=1, ygap=1, texttemplate="%{z}", xaxis=xa, yaxis=ya,
                             textfont=dict(size=max(font_size - 5, 9)),
                             hovertemplate="block row %{y}, col %{x}: %{z} of 16 pixels<extra></extra>"))
            h, w = counts.shape
        else:
            data.append(dict(type="image", source=_gray_uri(image), hoverinfo="skip", xaxis=xa, yaxis=ya))
            h, w = np.shape(image)
        layout[_axis_key(xa)] = dict(domain=list(domain), range=[-0.5, w - 0.5], visible=False, constrain="domain")
        layout[_axis_key(ya)] = dict(range=[h - 0.5, -0.5], visible=False, scaleanchor=xa, constrain="domain")
    n = steps.bitmap.shape[0]
    grid = " ".join(f"M {k - 0.5},-0.5 V {n - 0.5} M -0.5,{k - 0.5} H {n - 0.5}" for k in range(4, n, 4))
    shapes = [dict(type="rect", xref="x", yref="y", x0=left - 0.5, x1=right - 0.5, y0=top - 0.5, y1=bottom - 0.5,
                   line=dict(color=HIGHLIGHT, width=2)),  # the ink's box on the canvas
              dict(type="path", xref=axes[3][0], yref=axes[3][1], path=grid, line=dict(color=HIGHLIGHT, width=1))]
    layout.update(height=height or 150 + 4 * font_size, margin=dict(l=5, r=5, t=15 + 3 * font_size, b=5),
                  plot_bgcolor="white", paper_bgcolor="white", dragmode=False, font=dict(size=font_size),
                  showlegend=False, shapes=shapes,
                  annotations=_titles(axes, titles, max(font_size - 2, 10)))
    return {"data": data, "layout": layout}


def kernel_mosaic(weight, columns=8):
    """Kernels (C, k, k) laid out in rows of `columns`, one empty row/column between them: (rows (k+1) - 1,
    columns (k+1) - 1) with NaN in the gaps and after the last kernel."""
    c, k, _ = weight.shape
    rows = -(-c // columns)
    out = np.full((rows * (k + 1) - 1, columns * (k + 1) - 1), np.nan)
    for i in range(c):
        r, q = divmod(i, columns)
        out[r * (k + 1):r * (k + 1) + k, q * (k + 1):q * (k + 1) + k] = weight[i]
    return out


def _two_places(value):
    """0.1234 -> '0.12'; a value that rounds to zero is '0.00', never '-0.00'."""
    text = f"{float(value):.2f}"
    return "0.00" if text == "-0.00" else text


def kernels_figure(weight, bias=None, columns=8, height=None, font_size=15):
    """The first layer's kernels (C, 1, k, k) or (C, k, k) as small heatmaps with their weights in the cells,
    on one colour scale for all (blue negative, white 0, red positive), each titled "ch c" (and its bias).

    One heatmap with blank rows and columns between the kernels (kernel_mosaic): one trace, so it is fast."""
    w = np.asarray(weight, dtype=float)
    if w.ndim == 4 and w.shape[1] == 1:
        w = w[:, 0]
    if w.ndim != 3 or 0 in w.shape or w.shape[1] != w.shape[2]:
        raise ValueError(f"Kernels must have shape (C, 1, k, k) or (C, k, k), got {np.shape(weight)}.")
    c, k = len(w), w.shape[1]
    columns = max(1, min(int(columns), c))
    rows = -(-c // columns)
    z = kernel_mosaic(w, columns)
    zmin, zmax = symmetric_range(w)
    cells = [[None if np.isnan(v) else float(v) for v in row] for row in z]
    titles = [dict(x=(i % columns) * (k + 1) + (k - 1) / 2, y=(i // columns) * (k + 1) - 0.5, xref="x", yref="y",
                   text=f"ch {i}" + (f", b = {_two_places(bias[i])}" if bias is not None else ""), showarrow=False,
                   yanchor="bottom", font=dict(size=max(font_size - 4, 10), color="#333")) for i in range(c)]
    weights = dict(type="heatmap", z=cells, zmin=zmin, zmax=zmax, colorscale=DIVERGING, showscale=False, xgap=1,
                   ygap=1, texttemplate="%{z:.2f}", hoverongaps=False, hovertemplate="weight %{z:.3f}<extra></extra>")
    if font_size < 18:  # small fixed type; projector-sized, Plotly fits the numbers to the cells (up to font_size)
        weights["textfont"] = dict(size=max(font_size - 5, 9))
    return {"data": [weights],
            "layout": dict(height=height or 30 + rows * (115 if font_size < 18 else 140), dragmode=False,
                           margin=dict(l=5, r=5, t=25, b=5), plot_bgcolor="white", paper_bgcolor="white",
                           font=dict(size=font_size), annotations=titles,
                           xaxis=dict(visible=False, range=[-0.5, z.shape[1] - 0.5], constrain="domain"),
                           yaxis=dict(visible=False, range=[z.shape[0] - 0.5, -0.5], scaleanchor="x",
                                      constrain="domain")),
            "meta": {"shape": [c, k, k], "zmax": zmax}}


def se_gates_figure(gates, reference=None, reference_label="", height=320, font_size=15):
    """One bar chart per SE block: gate s_c (0..1) of every channel c; `reference` {block: (C,)} drawn as a
    short orange line on each bar (e.g. the mean gate over the test digits of the predicted class).
    A plain figure dict; panel widths follow the channel counts."""
    blocks = sorted(gates)
    if not blocks:
        raise ValueError("Give the gates of at least one SE block, e.g. {1: (16,) values}.")
    values = {b: np.ravel(np.asarray(gates[b], dtype=float)) for b in blocks}
    for block, s in values.items():
        if s.size == 0 or np.any((s < 0) | (s > 1)) or not np.all(np.isfinite(s)):
            raise ValueError(f"SE gates are sigmoid outputs in [0, 1]; block {block} has {s.min(initial=0):.3g}.."
                             f"{s.max(initial=0):.3g} ({s.size} values).")
    axes = panel_axes([len(values[b]) for b in blocks], gap=0.06)
    data, layout = [], {}
    for col, ((xa, ya, domain), block) in enumerate(zip(axes, blocks)):
        n = len(values[block])
        data.append(dict(type="bar", x=list(range(n)), y=values[block].tolist(), marker=dict(color=GATE),
                         name="this drawing", legendgroup="drawing", showlegend=col == 0, xaxis=xa, yaxis=ya,
                         hovertemplate=f"block {block}, channel %{{x}}: s = %{{y:.2f}}<extra></extra>"))
        if reference is not None:
            data.append(dict(type="scatter", x=list(range(n)), y=np.ravel(reference[block]).astype(float).tolist(),
                             mode="markers", name=reference_label or "reference", legendgroup="reference",
                             showlegend=col == 0, xaxis=xa, yaxis=ya,
                             marker=dict(symbol="line-ew", size=max(8, 240 // n), color=HIGHLIGHT,
                                         line=dict(width=3, color=HIGHLIGHT)),
                             hovertemplate=f"block {block}, channel %{{x}}: mean %{{y:.2f}}<extra></extra>"))
        layout[_axis_key(xa)] = dict(domain=list(domain), dtick=max(1, n // 8), title=dict(text="channel c"),
                                     anchor=ya, range=[-0.6, n - 0.4], zeroline=False)
        layout[_axis_key(ya)] = dict(range=[0, 1.05], showgrid=True, gridcolor="#eee", zeroline=False, anchor=xa,
                                     title=dict(text="gate s_c" if col == 0 else ""))
    layout.update(height=height, margin=dict(l=10, r=10, t=60, b=10), plot_bgcolor="white", paper_bgcolor="white",
                  dragmode=False, font=dict(size=font_size), bargap=0.15,
                  annotations=_titles(axes, [f"Block {b}: {len(values[b])} gates" for b in blocks], font_size),
                  legend=dict(orientation="h", yanchor="bottom", y=1.1, x=1, xanchor="right",
                              font=dict(size=font_size - 1)))
    return {"data": data, "layout": layout}


# --- captions for the feature maps ------------------------------------------------------------------

def map_layers(shapes):
    """The layers worth drawing as maps: {layer: (C, H, W)} -> names whose maps are more than 1x1, in order
    (SE gates and a global average are (C, 1, 1): numbers, not pictures)."""
    return [name for name, shape in shapes.items() if shape[-1] > 1]


def layer_caption(cfg, layer, shape):
    """What the maps of `layer` (a DigitNetConfig's layer name) are, in one sentence with their shape."""
    c, h, w = shape
    i = int("".join(ch for ch in layer if ch.isdigit()) or 0)  # the stage: "pool2" -> 2
    size = f"{c} maps of {h} × {w}"
    if layer.startswith("conv"):
        d = cfg.dilation(i - 1)
        how = f"3×3 convolution{f' with dilation {d}' if d > 1 else ''}, then ReLU"
        if cfg.downsampling == "stride" and cfg.downsamples(i):
            how += " (at stride 1: the stride-2 layer keeps every other pixel of it)"
        return f"conv{i}, {how}: {size}, one per filter; bright where the filter's pattern is, black where ReLU cut " \
               "a negative response."
    if layer.startswith("scaled"):
        return f"conv{i} times its squeeze-and-excitation gates s_c: {size}; a channel whose gate is near 0 goes dark."
    if layer.startswith("pool"):
        kind = "largest" if cfg.downsampling == "max" else "mean"
        return (f"pool{i}, {cfg.downsampling}_pool2d 2: each cell the {kind} of a 2×2 window of the layer before: "
                f"{size}.")
    if layer.startswith("stride"):
        return f"stride{i}: every other row and column of conv{i}, what the stride-2 convolution computes: {size}."
    return f"{layer}: {size}."
