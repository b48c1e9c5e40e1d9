"""engine.figures.narrow: a row of panels laid out again as a column for a phone, same content."""
from __future__ import annotations

import numpy as np

from engine.figures import animation_spec, grids_figure, images_figure
from engine.figures.digit_figures import kernels_figure
from engine.figures.narrow import BUTTONS, CELL, axis_names, stacked, wrap
from engine.ops.trace import trace_conv

PANELS = [("Kernel K as stored", np.arange(4.0).reshape(2, 2), True), ("Input X", np.ones((3, 5)), False),
          ("Output Y", np.ones((2, 4)), False)]


def domains(layout, letter):
    return [layout[f"{letter}axis{n}"]["domain"] for n in axis_names(layout)]


def test_panels_stack_top_to_bottom_in_order_each_with_its_title_above_it():
    wide = grids_figure(PANELS).spec
    column = stacked(wide)
    layout = column["layout"]
    assert column["data"] == wide["data"], "the same traces"
    assert all(d == [0.0, 1.0] for d in domains(layout, "x")), "every panel gets the full width"
    ys = domains(layout, "y")
    assert all(lower[1] < upper[0] for upper, lower in zip(ys, ys[1:])), "left to right becomes top to bottom"
    titles = {a["text"]: a for a in layout["annotations"]}
    inner = layout["height"] - layout["margin"]["t"] - layout["margin"]["b"]  # px of the plot area
    for (title, values, _), (bottom, top) in zip(PANELS, ys):
        assert titles[title]["y"] == top and titles[title]["yanchor"] == "bottom", "each title sits on its panel"
        assert (top - bottom) * inner <= values.shape[0] * CELL + 1e-6, "cells of at most CELL px"


def test_pictures_go_two_a_row():
    layout = stacked(images_figure([(f"photo {i}", np.zeros((20, 30)), False) for i in range(3)]).spec)["layout"]
    xs, ys = domains(layout, "x"), domains(layout, "y")
    assert xs[0][1] < xs[1][0] and ys[0] == ys[1], "the first two side by side"
    assert ys[2][1] < ys[0][0], "the third under them"


def test_the_animation_keeps_its_frames_and_gets_rows_for_its_buttons_and_slider():
    trace = trace_conv(np.arange(16.0).reshape(4, 4), np.arange(9.0).reshape(3, 3) - 4)
    wide = animation_spec(trace)
    column = stacked(wide)
    assert len(column["frames"]) == len(wide["frames"])
    for old, new in zip(wide["frames"], column["frames"]):
        assert new["data"] == old["data"]
        assert new["layout"]["title"]["text"].replace("<br>", " ") == old["layout"]["title"]["text"]
    layout = column["layout"]
    inner = layout["height"] - layout["margin"]["t"] - layout["margin"]["b"]
    buttons, slider = layout["updatemenus"][0], layout["sliders"][0]
    assert buttons["y"] - slider["y"] >= BUTTONS / inner - 1e-9, "the slider is a row under the play buttons"
    assert slider["x"] == 0 and slider["len"] == 1


def test_a_figure_that_is_not_one_row_of_panels_is_left_alone():
    assert stacked(kernels_figure(np.ones((4, 1, 3, 3)))) is None  # one axis
    assert stacked({"data": [], "layout": {}}) is None


def test_wrap_breaks_only_between_terms():
    equation = "y[0, 0] = " + " + ".join(f"{i}·{i + 1}" for i in range(9)) + " = 240"
    wrapped = wrap(equation, 20)
    assert wrapped.replace("<br>", " ") == equation
    assert all(len(line) <= 20 + 8 for line in wrapped.split("<br>"))
    assert wrap("short", 20) == "short"


def test_a_legend_under_one_panel_gets_room_of_its_own_under_the_axis_title():
    from engine.figures.narrow import _under, legend_below
    lines = [{"type": "scatter", "name": f"net {i}", "x": [0, 1], "y": [0, 1]} for i in range(5)]
    layout = {"height": 380, "margin": {"t": 50, "b": 10}, "font": {"size": 14},
              "xaxis": {"title": {"text": "rotation (degrees)"}}, "legend": {"orientation": "h", "y": -0.22}}
    phone = legend_below({"data": lines, "layout": layout})
    inner = 380 - 50 - 10
    assert -phone["layout"]["legend"]["y"] * inner > _under(layout["xaxis"])  # below the ticks and the axis title
    assert phone["layout"]["height"] - phone["layout"]["margin"]["b"] - 50 == inner  # the plot keeps its height
    assert phone["layout"]["margin"]["b"] >= _under(layout["xaxis"]) + 5 * 20  # a row per entry
    assert legend_below({"data": lines, "layout": {**layout, "legend": {"orientation": "v"}}}) is None
    assert legend_below({"data": [], "layout": layout}) is None
