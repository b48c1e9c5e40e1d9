"""The hot figure builders write plain dicts: the same figure graph_objects built before (same traces, layout).

The references below are the graph_objects versions these builders replaced, kept here to compare.
"""
import numpy as np
import plotly.graph_objects as go
import pytest
from plotly.subplots import make_subplots

import engine
from engine.figures import plain
from engine.figures.animation import animation_spec, play_buttons, slider, _frame_data
from engine.figures.common import class_bars_figure
from engine.figures.grid import grids_figure, images_figure, to_display_bytes
from engine.figures.style import (DIVERGING, HIGHLIGHT, NUMBER_TEMPLATE, SECONDARY, SEQUENTIAL, base_layout,
                                  symmetric_range)
from engine.figures.text import input_title, step_equation


def _go_heatmap(values, signed=False, zrange=None, show_numbers=True, name=""):
    z = np.atleast_2d(np.asarray(values, dtype=float))
    zmin, zmax = zrange or (symmetric_range(z) if signed else (float(z.min()), float(z.max()) or 1.0))
    return go.Heatmap(
        z=z, texttemplate=NUMBER_TEMPLATE if show_numbers else None,
        colorscale=DIVERGING if signed else SEQUENTIAL, zmin=zmin, zmax=zmax, showscale=False,
        xgap=2, ygap=2, name=name, hovertemplate="row %{y}, col %{x}: %{z}<extra>" + name + "</extra>")


def _go_grids(panels, height=320, font_size=16):
    widths = [max(np.atleast_2d(v).shape[1], 2) for _, v, _ in panels]
    fig = make_subplots(rows=1, cols=len(panels), subplot_titles=[t for t, _, _ in panels],
                        column_widths=widths, horizontal_spacing=0.06)
    for col, (title, values, signed) in enumerate(panels, start=1):
        fig.add_trace(_go_heatmap(values, signed, name=title), row=1, col=col)
    base_layout(fig, height, font_size)
    fig.update_xaxes(dtick=1)
    fig.update_yaxes(dtick=1)
    return fig


def _go_images(panels, height=360, font_size=14):
    fig = make_subplots(rows=1, cols=len(panels), subplot_titles=[t for t, _, _ in panels], horizontal_spacing=0.03)
    for col, (_, img, signed) in enumerate(panels, start=1):
        fig.add_trace(go.Heatmap(z=to_display_bytes(img, signed), colorscale="RdBu_r" if signed else "Gray",
                                 zmin=0, zmax=255, showscale=False, hoverinfo="skip"), row=1, col=col)
    base_layout(fig, height, font_size)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def _go_outline(colour, name):
    return go.Scatter(mode="lines", line=dict(color=colour, width=4), hoverinfo="skip", name=name)


def _go_animation(trace, height=420, font_size=16):
    n_steps = len(trace.steps)
    fill = n_steps * np.size(trace.output) <= 40_000
    products_range = symmetric_range(np.stack([s.products for s in trace.steps]))
    output_range = (float(np.min(trace.output)), float(np.max(trace.output)) or 1.0)
    padded, applied = np.atleast_2d(trace.padded), np.atleast_2d(trace.applied)
    titles = [input_title(trace), "Kernel as applied" + (" (flipped)" if trace.flip else ""), "Products", "Output Y"]
    widths = [padded.shape[1], applied.shape[1] + 1, applied.shape[1] + 1, np.atleast_2d(trace.output).shape[1]]
    fig = make_subplots(rows=1, cols=4, subplot_titles=titles, column_widths=widths, horizontal_spacing=0.05)
    fig.add_trace(_go_heatmap(padded, name="padded input"), row=1, col=1)
    fig.add_trace(_go_heatmap(applied, signed=True, name="kernel"), row=1, col=2)
    fig.add_trace(_go_heatmap(trace.output, zrange=output_range, name="output"), row=1, col=4)
    first = len(fig.data)
    fig.add_trace(_go_outline(HIGHLIGHT, "window"), row=1, col=1)
    fig.add_trace(_go_heatmap(trace.steps[0].products, signed=True, zrange=products_range, name="products"), row=1, col=3)
    fig.add_trace(_go_outline(SECONDARY, "current output"), row=1, col=4)
    frame_traces = [first, first + 1] + ([first - 1] if fill else []) + [first + 2]
    (top, _), (left, _) = trace.pads if len(trace.pads) == 2 else ((0, 0), trace.pads[0])
    rows, cols = np.atleast_2d(trace.input).shape
    fig.add_shape(type="rect", x0=left - .5, x1=left + cols - .5, y0=top - .5, y1=top + rows - .5,
                  line=dict(color="black", width=2, dash="dash"), row=1, col=1)
    frames = [dict(name=str(n), data=_frame_data(trace, n, fill), traces=frame_traces,
                   layout=dict(title=dict(text=step_equation(trace.steps[n], trace.bias)))) for n in range(n_steps)]
    base_layout(fig, height, font_size)
    fig.update_xaxes(dtick=1)
    fig.update_yaxes(dtick=1)
    fig.update_layout(title=dict(text="", y=0.98, x=0.01, font=dict(size=font_size + 2)),
                      margin=dict(t=90, b=90), updatemenus=[play_buttons()], sliders=[slider(trace)])
    return {**fig.to_dict(), "frames": frames}


def _go_bars(probabilities, title="", height=260, font_size=15, true_class=None):
    probs = np.asarray(probabilities, dtype=float)
    best = int(probs.argmax())
    names = [f"{c}" + ("<br>predicted" if c == best else "") + ("<br>true" if c == true_class else "")
             for c in range(10)]
    fig = go.Figure(go.Bar(x=names, y=100 * probs, marker_color=["#9aa7b8" if c != best else HIGHLIGHT for c in range(10)],
                           text=[f"{100 * p:.0f}%" if p >= 0.005 else "" for p in probs], textposition="outside",
                           cliponaxis=False, hovertemplate="class %{x}: %{y:.1f} %<extra></extra>"))
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=45 if title else 15, b=10), plot_bgcolor="white",
                      font=dict(size=font_size), dragmode=False, showlegend=False, bargap=0.2,
                      title=dict(text=title, font=dict(size=font_size)) if title else None)
    fig.update_yaxes(range=[0, 112], ticksuffix=" %", showgrid=True, gridcolor="#eee", zeroline=False)
    fig.update_xaxes(type="category", tickfont=dict(size=font_size - 1))
    return fig


def _untemplated(figure):
    figure = figure if isinstance(figure, dict) else figure.to_dict()
    return {**figure, "layout": {k: v for k, v in figure["layout"].items() if k != "template"}}


RNG = np.random.default_rng(3)
PANELS = [
    [("X", np.arange(6).reshape(2, 3), False), ("K", np.eye(2) - 0.5, True), ("1D", np.arange(4.0), False)],
    [("only", RNG.normal(size=(5, 7)), True)],
    [("zeros", np.zeros((3, 3)), False), ("photo", RNG.random((16, 12)), False)],
]


@pytest.mark.parametrize("panels", PANELS)
@pytest.mark.parametrize("height, font_size", [(320, 16), (300, 20)])
def test_grids_equal_and_images_are_laid_out_as_the_graph_objects_figures(panels, height, font_size):
    assert grids_figure(panels, height, font_size).to_dict() == _untemplated(_go_grids(panels, height, font_size))
    images = images_figure(panels, height, font_size).to_dict()  # its pictures: PNGs (tests/engine/test_grid_figures.py)
    assert images["layout"] == _untemplated(_go_images(panels, height, font_size))["layout"]


@pytest.mark.parametrize("conv", [
    dict(input=np.arange(49.0).reshape(7, 7), kernel=np.arange(9.0).reshape(3, 3), dilation=2),
    dict(input=np.arange(12.0).reshape(3, 4), kernel=np.ones((2, 2)), padding=1, stride=2, flip=True),
    dict(input=np.arange(6.0), kernel=np.array([1.0, -1.0]), bias=0.5),
    dict(input=RNG.normal(size=(20, 20)), kernel=np.ones((3, 3)), padding="same"),  # no output refill
])
@pytest.mark.parametrize("font_size", [15, 20])
def test_the_step_animation_equals_the_graph_objects_figure(conv, font_size):
    trace = engine.trace_conv(**conv)
    assert animation_spec(trace, font_size=font_size) == _untemplated(_go_animation(trace, font_size=font_size))


@pytest.mark.parametrize("kwargs", [{}, dict(title="Max pooling", true_class=3, height=300, font_size=20),
                                    dict(title="", true_class=0)])
def test_class_bars_equal_the_graph_objects_figure(kwargs):
    probs = RNG.dirichlet(np.ones(10))
    probs[2] = 0.001  # a bar too small to label
    probs /= probs.sum()
    assert class_bars_figure(probs, **kwargs).to_dict() == _untemplated(_go_bars(probs, **kwargs))


def test_plain_colorscale_is_what_plotly_writes():
    assert plain.colorscale("Cividis") == go.Heatmap(colorscale="Cividis").to_plotly_json()["colorscale"]
