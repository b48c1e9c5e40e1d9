"""Step-by-step animation of a convolution trace as Plotly frames (played in the browser).

Panels: padded input with the window, kernel as applied, products, output filling in.
"""
from __future__ import annotations

import numpy as np

from engine.figures import plain
from engine.figures.grid import grid_heatmap
from engine.figures.spec import SpecFigure
from engine.figures.style import HIGHLIGHT, SECONDARY, symmetric_range
from engine.figures.text import input_title, step_equation
from engine.ops.checks import step_index

SPEEDS = {"0.5×": 1600, "1×": 800, "2×": 400, "4×": 150}  # label -> ms per frame
FILL_BUDGET = 40_000  # frames x output cells; above it the output is drawn whole (payload stays small)


def _as_2d_cells(cells):
    """(k_h, k_w, 2) or (k, 1) coordinates -> list of (row, col)."""
    c = np.asarray(cells).reshape(-1, cells.shape[-1])
    return [(0, int(p[0])) if len(p) == 1 else (int(p[0]), int(p[1])) for p in c]


def outline(cells):
    """Closed squares around each (row, col) cell, as one scatter path with gaps."""
    xs, ys = [], []
    for r, c in cells:
        xs += [c - .5, c + .5, c + .5, c - .5, c - .5, None]
        ys += [r - .5, r - .5, r + .5, r + .5, r - .5, None]
    return xs, ys


def _frame_data(trace, n, fill):
    """What changes from step to step, as minimal updates: window, products, (output,) current cell."""
    step = trace.steps[n]
    window_x, window_y = outline(_as_2d_cells(step.cells))
    cell_x, cell_y = outline([(0, step.index[0])] if len(step.index) == 1 else [tuple(step.index)])
    data = [dict(type="scatter", x=window_x, y=window_y), dict(type="heatmap", z=np.atleast_2d(step.products).tolist())]
    if fill:
        out = np.atleast_2d(trace.output).astype(float)
        revealed = np.where(np.arange(out.size).reshape(out.shape) <= n, out, None)  # None: not computed yet
        data.append(dict(type="heatmap", z=revealed.tolist()))
    return data + [dict(type="scatter", x=cell_x, y=cell_y)]


def outline_trace(colour, name):
    """An empty outline (the frames fill it in), as a plain scatter trace."""
    return {"hoverinfo": "skip", "line": {"color": colour, "width": 4}, "mode": "lines", "name": name, "type": "scatter"}


def conv_animation(trace, start=0, height=420, font_size=16):
    """Figure with one frame per output cell; `start` is the frame shown first."""
    return at_step(animation_spec(trace, height, font_size), start)


def at_step(spec, n):
    """The animation showing frame n first: frame n's data merged into the figure, slider at n."""
    frames = spec["frames"]
    n = step_index(n, len(frames))
    data = list(spec["data"])
    for index, update in zip(frames[n]["traces"], frames[n]["data"]):
        data[index] = {**data[index], **update}
    layout = {**spec["layout"], "sliders": [{**spec["layout"]["sliders"][0], "active": n}],
              "title": {**spec["layout"]["title"], **frames[n]["layout"]["title"]}}
    return SpecFigure({**spec, "data": data, "layout": layout})


def animation_spec(trace, height=420, font_size=16):
    """The whole animation as a plain dict (Plotly JSON form, built without graph_objects), frames included,
    showing frame 0."""
    n_steps = len(trace.steps)
    fill = n_steps * np.size(trace.output) <= FILL_BUDGET
    products_range = symmetric_range(np.stack([s.products for s in trace.steps]))
    output_range = (float(np.min(trace.output)), float(np.max(trace.output)) or 1.0)
    padded, applied = np.atleast_2d(trace.padded), np.atleast_2d(trace.applied)
    titles = [input_title(trace), "Kernel as applied" + (" (flipped)" if trace.flip else ""), "Products", "Output Y"]
    widths = [padded.shape[1], applied.shape[1] + 1, applied.shape[1] + 1, np.atleast_2d(trace.output).shape[1]]
    layout = plain.subplots_layout(titles, column_widths=widths, horizontal_spacing=0.05)
    data = [plain.on_axes(grid_heatmap(padded, name="padded input"), 1),
            plain.on_axes(grid_heatmap(applied, signed=True, name="kernel"), 2),
            plain.on_axes(grid_heatmap(trace.output, zrange=output_range, name="output"), 4)]
    first = len(data)  # the traces below change with the step
    data += [plain.on_axes(outline_trace(HIGHLIGHT, "window"), 1),
             plain.on_axes(grid_heatmap(trace.steps[0].products, signed=True, zrange=products_range, name="products"), 3),
             plain.on_axes(outline_trace(SECONDARY, "current output"), 4)]
    frame_traces = [first, first + 1] + ([first - 1] if fill else []) + [first + 2]  # filled in by at_step
    (top, _), (left, _) = trace.pads if len(trace.pads) == 2 else ((0, 0), trace.pads[0])
    rows, cols = np.atleast_2d(trace.input).shape
    layout["shapes"] = [{"line": {"color": "black", "dash": "dash", "width": 2}, "type": "rect", "x0": left - .5,
                         "x1": left + cols - .5, "xref": "x", "y0": top - .5, "y1": top + rows - .5, "yref": "y"}]
    frames = [dict(name=str(n), data=_frame_data(trace, n, fill), traces=frame_traces,
                   layout=dict(title=dict(text=step_equation(trace.steps[n], trace.bias))))
              for n in range(n_steps)]
    plain.base_layout(layout, height, font_size)
    for axis in plain.axes(layout, "x") + plain.axes(layout, "y"):
        axis["dtick"] = 1
    layout.update(title={"font": {"size": font_size + 2}, "text": "", "x": 0.01, "y": 0.98},
                  updatemenus=[play_buttons()], sliders=[slider(trace)])
    layout["margin"].update(t=90, b=90)
    return plain.finished(data, layout, frames=frames)


def _animate(frames, duration):
    return [frames, dict(frame=dict(duration=duration, redraw=True), mode="immediate",
                         fromcurrent=True, transition=dict(duration=0))]


def play_buttons():
    buttons = [dict(label=f"▶ {label}", method="animate", args=_animate(None, ms)) for label, ms in SPEEDS.items()]
    buttons.append(dict(label="❚❚ Pause", method="animate", args=_animate([None], 0)))
    return dict(type="buttons", direction="right", showactive=False, x=0, y=-0.12, xanchor="left",
                yanchor="top", pad=dict(t=0, r=6), buttons=buttons)


def slider(trace):
    steps = [dict(label=",".join(map(str, s.index)), method="animate", args=_animate([str(n)], 0))
             for n, s in enumerate(trace.steps)]
    return dict(active=0, steps=steps, x=0.42, len=0.58, y=-0.04, yanchor="top",
                currentvalue=dict(prefix="output cell ", font=dict(size=14)), pad=dict(t=0))
