"""The lessons' hot figure builders write plain dicts (engine.figures.plain): each gives the figure its
graph_objects version gave (same traces, same layout). The references below are those versions, kept here.
"""
import numpy as np
import plotly.graph_objects as go
import pytest
from plotly.subplots import make_subplots

from engine.data.photos import photo
from engine.figures.grid import grid_trace
from engine.figures.invariance_figures import LINE_STYLES, _tick, curves_figure
from engine.figures.padding_figures import border_crops, border_figure
from engine.figures.receptive_field_figures import (MUTED, _outlines, _positions, dilated_kernel_figure,
                                                    layer_label, spread_kernel, stack_figure)
from engine.figures.style import HIGHLIGHT, SECONDARY, base_layout, symmetric_range
from engine.ops.padding import PADDING_MODES
from engine.ops.receptive_field import connections, parse_layers, receptive_cells, receptive_field
from tests.engine.test_plain_figures import _untemplated


def _go_dilated_kernel_figure(kernel, dilation, height=340, font_size=16):
    w = np.atleast_2d(np.asarray(kernel, dtype=float))
    spread = spread_kernel(w, dilation)
    kh, kw = w.shape
    eh, ew = spread.shape
    fig = make_subplots(rows=1, cols=2, column_widths=[max(kw, 2), max(ew, 2)], horizontal_spacing=0.08,
                        subplot_titles=[f"Kernel: {kh} x {kw} = {w.size} weights",
                                        f"Dilation {dilation}: a {eh} x {ew} kernel, the {w.size} weights and "
                                        f"{spread.size - w.size} fixed zeros"])
    zrange = symmetric_range(w)
    fig.add_trace(grid_trace(w, True, zrange, name="kernel"), row=1, col=1)
    fig.add_trace(grid_trace(spread, True, zrange, name="dilated kernel"), row=1, col=2)
    holes = np.argwhere(np.isnan(spread))
    if len(holes):  # a hole is an empty dotted cell: a fixed 0, not a learned weight
        fig.add_trace(go.Scatter(x=_outlines(holes[:, 1]), y=_outlines(holes[:, 0], rows=True), mode="lines",
                                 hoverinfo="skip", showlegend=False, name="hole outlines",
                                 line=dict(color=MUTED, width=1.5, dash="dot")), row=1, col=2)
        fig.add_trace(go.Scatter(x=holes[:, 1], y=holes[:, 0], mode="markers", name="hole",
                                 marker=dict(symbol="circle-open", size=8, color=MUTED),
                                 hovertemplate="hole: a fixed 0, not learned<extra></extra>"), row=1, col=2)
    base_layout(fig, height, font_size)
    fig.update_xaxes(dtick=1)
    fig.update_yaxes(dtick=1)
    return fig


def _go_stack_figure(layers, input_length, index, align="centre", height=None, font_size=16, title=None):
    masks = receptive_cells(layers, input_length, index)
    fields = [receptive_field(layers[:l])[-1] if l else None for l in range(len(layers) + 1)]
    xs = [np.arange(len(masks[0]), dtype=float)] + [_positions(f, len(m), align) for f, m in zip(fields[1:], masks[1:])]
    fig = go.Figure()
    edges = connections(layers, input_length, index)
    if edges:  # one trace, segments broken by None: a trace per edge cost ~1.6 s for the 2,000 edges a link can ask for
        fig.add_trace(go.Scatter(x=[v for l, cell, below in edges for v in (xs[l][cell], xs[l - 1][below], None)],
                                 y=[v for l, _, _ in edges for v in (l, l - 1, None)], mode="lines",
                                 hoverinfo="skip", showlegend=False, name="connections",
                                 line=dict(color=HIGHLIGHT, width=2)))
    for l, (x, mask) in enumerate(zip(xs, masks)):
        seen = int(mask.sum())
        name = "input" if l == 0 else f"layer {l}"
        fig.add_trace(go.Scatter(
            x=x, y=np.full(len(x), l), mode="markers", name=name,
            marker=dict(size=np.where(mask, 15, 10), color=np.where(mask, HIGHLIGHT, "white").tolist(),
                        line=dict(color=np.where(mask, HIGHLIGHT, MUTED).tolist(), width=2)),
            customdata=np.arange(len(x)),
            hovertemplate=f"{name}, cell %{{customdata}}<extra>{seen} cell(s) feed the output</extra>"))
    fig.add_trace(go.Scatter(x=[xs[-1][index]], y=[len(layers)], mode="markers", hoverinfo="skip",
                             marker=dict(size=26, color="rgba(0,0,0,0)", line=dict(color=SECONDARY, width=3))))
    labels = ["input"] + [f"{l}: {layer_label(layer)}" for l, layer in enumerate(layers, start=1)]
    counts = [f"  ({int(m.sum())} seen)" if l == 0 else "" for l, m in enumerate(masks)]
    base_layout(fig, height or 120 + 62 * len(layers), font_size, square_cells=False)
    fig.update_yaxes(autorange=True, tickvals=list(range(len(layers) + 1)),
                     ticktext=[a + b for a, b in zip(labels, counts)], tickfont=dict(size=font_size - 2),
                     range=[-0.5, len(layers) + 0.5])
    lo = min(float(x.min()) for x in xs if len(x))
    hi = max(float(x.max()) for x in xs if len(x))
    fig.update_xaxes(range=[lo - 0.8, hi + 0.8], title_text="position in input cells", tickfont=dict(size=11),
                     title_font=dict(size=font_size - 2))
    fig.update_layout(margin=dict(t=50 if title else 20), title=title)
    return fig


def _go_curves_figure(panels, x, current=None, x_title="", height=340, font_size=15):
    fig = make_subplots(rows=1, cols=len(panels), subplot_titles=[p[0] for p in panels], horizontal_spacing=0.1)
    for col, (_, y_title, curves, y_range) in enumerate(panels, start=1):
        for (label, values), (colour, symbol, dash) in zip(curves.items(), LINE_STYLES):
            fig.add_trace(go.Scatter(
                x=list(np.asarray(x).tolist()), y=[None if not np.isfinite(v) else float(v) for v in values],
                name=label, legendgroup=label, showlegend=col == 1, mode="lines+markers",
                line=dict(color=colour, dash=dash, width=3), marker=dict(symbol=symbol, size=9, color=colour),
                hovertemplate=f"{label}<br>%{{x}}: %{{y:.3g}}<extra></extra>"), row=1, col=col)
        fig.update_yaxes(title_text=y_title, range=y_range, row=1, col=col)
        if current is not None:
            fig.add_vline(x=current, line=dict(color=HIGHLIGHT, width=2, dash="dot"), row=1, col=col)
    fig.update_xaxes(title_text=x_title, showgrid=True, gridcolor="#eee", zeroline=False, dtick=_tick(x))
    fig.update_yaxes(showgrid=True, gridcolor="#eee", zeroline=False)
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=50, b=10), plot_bgcolor="white",
                      font=dict(size=font_size), dragmode=False,
                      legend=dict(orientation="h", yanchor="top", y=-0.22, x=0, font=dict(size=font_size - 1)))
    fig.update_annotations(font_size=font_size)
    return fig


def _go_border_figure(label, radius, crop=48, height=300, font_size=14):
    image = photo(label)
    crops = {"no blur": image[:crop, :crop], **border_crops(image, radius, crop)}
    titles = ["photo (corner boxed)", *[f"{mode} padding" for mode in PADDING_MODES]]
    fig = make_subplots(rows=1, cols=len(titles), subplot_titles=titles, horizontal_spacing=0.02)
    shown = [image, *[crops[mode] for mode in PADDING_MODES]]
    for col, values in enumerate(shown, start=1):
        z = np.round(np.clip(values, 0, 1) * 255).astype(np.uint8)
        fig.add_trace(go.Heatmap(z=z, colorscale="Gray", zmin=0, zmax=255, showscale=False, hoverinfo="skip"),
                      row=1, col=col)
    fig.add_shape(type="rect", x0=-0.5, y0=-0.5, x1=crop - 0.5, y1=crop - 0.5, row=1, col=1,
                  line=dict(color="#e66100", width=3))
    base_layout(fig, height, font_size)
    fig.update_layout(margin=dict(l=0, r=0, t=40, b=0))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    band = np.zeros((crop, crop), bool)
    band[:radius], band[:, :radius] = True, True
    meta = {name: {"corner": float(v[0, 0]), "band": float(v[band].mean()), "inside": float(v[~band].mean())}
            for name, v in crops.items()}
    return {**fig.to_dict(), "meta": meta}


@pytest.mark.parametrize("kernel, d", [(np.arange(9.0).reshape(3, 3) - 4, 2), (np.ones((3, 3)), 1),
                                       (np.arange(10.0).reshape(2, 5), 3), (np.array([[0.5, -1.0]]), 4)])
@pytest.mark.parametrize("font_size", [16, 20])
def test_dilated_kernel_figure_equals_the_graph_objects_figure(kernel, d, font_size):
    assert dilated_kernel_figure(kernel, d, font_size=font_size) == _untemplated(
        _go_dilated_kernel_figure(kernel, d, font_size=font_size))


@pytest.mark.parametrize("text, n, align, title", [("3 1 1 1; 3 1 2 2; 3 1 4 4", 24, "centre", None),
                                                   ("2 1 0 1; 2 1 0 2; 2 1 0 4", 16, "right", "WaveNet"),
                                                   ("3 2 1 1; 3 2 1 1", 9, "centre", ""),
                                                   ("5 1 0 1", 6, "centre", None)])
def test_stack_figure_equals_the_graph_objects_figure(text, n, align, title):
    layers = parse_layers(text)
    for index in (0, 1):
        assert stack_figure(layers, n, index, align, font_size=18, title=title) == _untemplated(
            _go_stack_figure(layers, n, index, align, font_size=18, title=title))


@pytest.mark.parametrize("current, x", [(None, np.arange(5)), (3, np.arange(15)), (0.5, np.linspace(0, 45, 10))])
def test_curves_figure_equals_the_graph_objects_figure(current, x):
    rng = np.random.default_rng(len(x))
    panels = [("Accuracy", "accuracy", {"CNN": rng.random(len(x)), "MLP": np.r_[np.nan, rng.random(len(x) - 1)]}, [0, 1.02]),
              ("Loss", "loss", {"CNN": rng.random(len(x)), "MLP": rng.random(len(x))}, None)]
    assert curves_figure(panels, x, current, "shift (pixels)", font_size=20) == _untemplated(
        _go_curves_figure(panels, x, current, "shift (pixels)", font_size=20))


@pytest.mark.parametrize("radius, crop, height", [(6, 48, 300), (1, 20, 230)])
def test_border_figure_equals_the_graph_objects_figure(radius, crop, height):
    assert border_figure("Cameraman", radius, crop, height, 20) == _untemplated(
        _go_border_figure("Cameraman", radius, crop, height, 20))
