"""What the ImageNet classifier lesson draws: the top-5 as bars, feature maps as a mosaic of small images,
the share of parameters and multiply-adds per layer kind, and the numbers behind them as text.

    top_classes_figure(["espresso", "cup"], [0.95, 0.015])        # horizontal bars, most probable on top
    feature_maps_figure(maps)                                     # maps (C, H, W) -> one image of C tiles
    cost_share_figure(layer_table())                              # stacked bars: parameters vs multiply-adds
    kind_shares(table), cost_sentence(table), block_cost(table, block=3)  # the MBConv block vs a plain conv

Pure: no Streamlit. Every string is made here from numbers and from the engine's class names and layer
kinds, never from user input.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from engine.figures.common import LEVELS, map_levels, palette, png_data_uri, percent
from engine.figures.style import HIGHLIGHT
from engine.ops.mbconv_cost import mbconv_cost

BAR = "#6c8ebf"  # the other classes (top-1 is HIGHLIGHT)
KIND_COLOURS = {  # Okabe-Ito, colour-blind safe; depthwise stands out in orange
    "stem": "#999999", "depthwise": "#E69F00", "pointwise-expand": "#56B4E9",
    "pointwise-project": "#0072B2", "head": "#009E73", "classifier": "#CC79A7",
}
DARK_KINDS = ("pointwise-project", "head")  # white numbers on these segments
KIND_LABELS = {
    "stem": "stem (3×3 conv)", "depthwise": "depthwise k×k", "pointwise-expand": "pointwise 1×1 expand",
    "pointwise-project": "pointwise 1×1 project", "head": "head (1×1 conv)", "classifier": "classifier (linear)",
}
TILE = 112  # every feature map is enlarged (nearest neighbour, whole factors) to about this many pixels a side
GAP, LABEL_BAND = 6, 22  # mosaic pixels between tiles, and above each tile for its channel number
PAGE_WIDTH = 820  # px a figure usually gets in the wide layout at 1280 px: sets the mosaic's figure height


# --- top-5 ----------------------------------------------------------------------------------------------

def top_classes_figure(names, probabilities, height=280, font_size=15):
    """Horizontal bars of softmax probabilities in percent, the most probable on top (HIGHLIGHT colour).

    names, probabilities: most probable first (as Classification.top). x axis: 0 to 100 %.
    """
    names, probs = list(names), [float(p) for p in probabilities]
    if len(names) != len(probs) or not names:
        raise ValueError(f"Need one probability per class name, got {len(names)} names and {len(probs)} values.")
    if any(not 0 <= p <= 1 for p in probs):
        raise ValueError("Probabilities must lie between 0 and 1.")
    fig = go.Figure(go.Bar(
        x=[100 * p for p in probs][::-1], y=names[::-1], orientation="h",
        marker_color=[BAR] * (len(probs) - 1) + [HIGHLIGHT],
        text=[percent(p) for p in probs][::-1], textposition="outside", cliponaxis=False,
        hovertemplate="%{y}: %{x:.2f} %<extra></extra>"))
    fig.update_layout(height=height, margin=dict(l=10, r=60, t=40, b=40), plot_bgcolor="white",
                      font=dict(size=font_size), dragmode=False, showlegend=False, bargap=0.25,
                      title=dict(text=f"Top-{len(names)} of 1000 classes", font=dict(size=font_size)))
    fig.update_xaxes(range=[0, 100], ticksuffix=" %", showgrid=True, gridcolor="#eee", zeroline=False,
                     title=dict(text="softmax probability", font=dict(size=font_size - 2)))
    fig.update_yaxes(automargin=True, tickfont=dict(size=font_size))
    return fig


# --- feature maps ---------------------------------------------------------------------------------------

def mosaic(levels, columns=8):
    """Palette indices (C, h, w) as one (H, W) uint8 image: tiles enlarged by a whole factor (nearest) to
    about TILE px, in rows of `columns`, GAP px apart, LABEL_BAND px free above each row; background 255.
    Returns (image, factor, columns)."""
    c, h, w = levels.shape
    factor = max(1, TILE // max(h, w))
    tiles = levels.repeat(factor, axis=1).repeat(factor, axis=2)  # (C, h f, w f)
    th, tw = h * factor, w * factor
    columns = max(1, min(int(columns), c))
    rows = -(-c // columns)
    image = np.full((rows * (LABEL_BAND + th + GAP), columns * (tw + GAP) - GAP), LEVELS, dtype=np.uint8)
    for i in range(c):
        r, q = divmod(i, columns)
        top, left = r * (LABEL_BAND + th + GAP) + LABEL_BAND, q * (tw + GAP)
        image[top:top + th, left:left + tw] = tiles[i]
    return image, factor, columns


def feature_maps_figure(maps, title="", columns=8, first_channel=0, font_size=15):
    """The maps (C, H, W) as a mosaic image, each tile labelled with its channel number ("ch 0", ...).

    One Plotly Image trace (a palette PNG) plus one annotation per tile, written as a plain figure dict
    (no per-object validation: a few ms). Each map is scaled on its own (map_levels), so its pattern
    shows, not its strength next to the other channels.
    meta: {"signed": bool, "factor": enlargement, "shape": [C, H, W]}.
    """
    maps = np.asarray(maps)
    signed, levels = map_levels(maps)
    image, factor, columns = mosaic(levels, columns)
    c, h, w = maps.shape
    th, tw = h * factor, w * factor
    height, width = image.shape
    labels = [dict(x=q * (tw + GAP) + tw / 2, y=r * (LABEL_BAND + th + GAP) + LABEL_BAND - 2, xref="x", yref="y",
                   text=f"ch {first_channel + i}", showarrow=False, yanchor="bottom",
                   font=dict(size=max(font_size - 3, 10), color="#333"))
              for i, (r, q) in enumerate(divmod(i, columns) for i in range(c))]
    layout = dict(
        height=round(height * min(1.0, PAGE_WIDTH / width)) + (50 if title else 15),
        margin=dict(l=0, r=0, t=45 if title else 10, b=5), plot_bgcolor="white", paper_bgcolor="white",
        dragmode=False, font=dict(size=font_size), annotations=labels,
        xaxis=dict(visible=False, range=[-0.5, width - 0.5], constrain="domain"),
        yaxis=dict(visible=False, range=[height - 0.5, -0.5], scaleanchor="x", constrain="domain"))
    if title:
        layout["title"] = dict(text=title, font=dict(size=font_size))
    return {"data": [dict(type="image", source=png_data_uri(image, palette(signed)), hoverinfo="skip")],
            "layout": layout, "meta": {"signed": signed, "factor": factor, "shape": [c, h, w]}}


# --- parameters and multiply-adds -----------------------------------------------------------------------

@dataclass(frozen=True)
class KindShare:
    kind: str
    layers: int
    params: int
    params_share: float  # of the whole network's parameters, 0..1
    macs: int
    macs_share: float  # of the whole network's multiply-adds, 0..1


def kind_shares(table):
    """One KindShare per layer kind of a LayerTable (engine.nets.imagenet), in the table's order."""
    return tuple(KindShare(t.kind, t.layers, t.params, t.params / table.params, t.macs, t.macs / table.macs)
                 for t in table.totals)


def cost_share_figure(table, height=230, font_size=15):
    """Two stacked 100 % bars, parameters and multiply-adds, one coloured segment per layer kind (legend in
    the table's order; segments under 4 % carry no number)."""
    fig = go.Figure()
    for s in kind_shares(table):
        values = [100 * s.params_share, 100 * s.macs_share]
        fig.add_trace(go.Bar(
            name=KIND_LABELS.get(s.kind, s.kind), y=["parameters", "multiply-adds"], x=values, orientation="h",
            marker_color=KIND_COLOURS.get(s.kind, BAR),
            text=[percent(v / 100, 0) if v >= 4 else "" for v in values], textposition="inside",
            insidetextanchor="middle", textfont=dict(color="white" if s.kind in DARK_KINDS else "black"),
            hovertemplate="%{fullData.name}: %{x:.1f} %<extra></extra>"))
    fig.update_layout(barmode="stack", height=height, plot_bgcolor="white", dragmode=False,
                      font=dict(size=font_size), margin=dict(l=10, r=10, t=10, b=10),
                      legend=dict(orientation="h", yanchor="top", y=-0.2, x=0, traceorder="normal",
                                  font=dict(size=font_size - 2)),
                      uniformtext=dict(minsize=max(font_size - 4, 9), mode="hide"))
    fig.update_xaxes(range=[0, 100], ticksuffix=" %", showgrid=False, tickfont=dict(size=font_size - 3))
    fig.update_yaxes(autorange="reversed", automargin=True, tickfont=dict(size=font_size))
    return fig


def cost_sentence(table):
    """The MobileNet argument in numbers: what the pointwise and the depthwise convolutions cost."""
    share = {s.kind: s for s in kind_shares(table)}
    pw_macs = sum(share[k].macs_share for k in share if k.startswith("pointwise"))
    pw_params = sum(share[k].params_share for k in share if k.startswith("pointwise"))
    dw, fc = share["depthwise"], share["classifier"]
    return (f"In the 16 blocks, the pointwise (1×1) convolutions do **{percent(pw_macs, 0)}** of all multiply-adds "
            f"and hold {percent(pw_params, 0)} of the parameters; the depthwise ones do only "
            f"**{percent(dw.macs_share, 0)}** of the multiply-adds with {percent(dw.params_share, 0)} of the "
            f"parameters. The classifier holds {percent(fc.params_share, 0)} of the parameters but does "
            f"{percent(fc.macs_share)} of the multiply-adds (one per weight, once per photo).")


def block_cost(table, block):
    """MBConvCost (engine/ops/mbconv_cost.py) of block `block` (0..15) of a LayerTable: its input is the output
    of the row before the block; kernel, stride and channels come from its depthwise and project rows."""
    rows = list(table.rows)
    names = [r.name for r in rows]
    if f"blocks.{block}.depthwise" not in names:
        blocks = sorted({int(n.split(".")[1]) for n in names if n.startswith("blocks.")})
        raise ValueError(f"No block {block!r}: choose a block from {blocks[0]} to {blocks[-1]}.")
    first = min(i for i, n in enumerate(names) if n.startswith(f"blocks.{block}."))
    c_in, h, w = rows[first - 1].output_shape
    dw, pw = rows[names.index(f"blocks.{block}.depthwise")], rows[names.index(f"blocks.{block}.project")]
    return mbconv_cost(c_in, pw.output_shape[0], dw.in_channels // c_in, dw.kernel, dw.stride, h, w)


def blocks_total(table):
    """(multiply-adds of all blocks as built, of plain k×k convolutions with the same shapes)."""
    n = len({r.name.split(".")[1] for r in table.rows if r.name.startswith("blocks.")})
    costs = [block_cost(table, b) for b in range(n)]
    return sum(c.macs for c in costs), sum(c.plain.macs for c in costs)


