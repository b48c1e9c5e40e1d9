"""Pooling views: one step as light HTML, max unpooling with its switches, a Plotly animation of a trace.

Every string in the HTML is made here from numbers (fmt), so no user text reaches it. Marks do not rely
on colour: the window has a thick solid border and bold numbers, the max cell is also underlined with
an inner black frame, padding cells are dotted and italic, the current output cell has a double border.
"""
from __future__ import annotations

from html import escape

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from engine.figures.animation import FILL_BUDGET, outline, outline_trace, play_buttons, slider, at_step
from engine.figures.grid import grid_trace
from engine.figures.step_view import GRID_CSS, equation_html, panel
from engine.figures.style import HIGHLIGHT, SECONDARY, base_layout, fmt
from engine.figures.text import MAX_TERMS, index_text
from engine.ops.pooling import max_pool1d, max_pool2d
from engine.ops.unpooling import max_unpool1d, max_unpool2d

POOL_CSS = """<style>
.cl-grid td.arg { text-decoration: underline; text-decoration-thickness: 2px;
                  outline: 2px solid #000; outline-offset: -7px; }
</style>"""


def _num(v):
    """A number as text, including what fmt leaves blank: -∞ (max-pooling padding) and NaN."""
    v = float(v)
    if np.isnan(v):
        return "NaN"
    return ("−∞" if v < 0 else "∞") if np.isinf(v) else fmt(v)


def _rc(cell):
    """(row, col) of a 1D or 2D cell in the 2D-drawn grid."""
    cell = tuple(int(i) for i in np.atleast_1d(cell))
    return (0, cell[0]) if len(cell) == 1 else cell


def _shorten(terms):
    return terms if len(terms) <= MAX_TERMS else terms[:MAX_TERMS // 2] + ["…"] + terms[-MAX_TERMS // 2:]


def pool_step_view(trace):
    """view(n) -> the HTML of step n: its max or mean written out, then its grids (browser-side stepper)."""
    return lambda n: equation_html(pool_equation(trace, n)) + pool_step_html(trace, n)


def pool_equation(trace, n):
    """Plain text for step n: 'y[0, 1] = max(1, 5, 2, 0) = 5' or 'y[0, 1] = (1 + 5 + 2 + 0) / 4 = 2'.

    Averages list the cells counted (without count_include_pad, the padding zeros are left out).
    """
    step = trace.step(n)
    y = f"y[{index_text(step.index)}]"
    if trace.mode == "max":
        return f"{y} = max({', '.join(_shorten([_num(v) for v in step.values.ravel()]))}) = {_num(step.value)}"
    inside = _inside(trace, step.cells).ravel()
    counted = step.values.ravel() if trace.count_include_pad else step.values.ravel()[inside]
    terms = _shorten([f"({s})" if s.startswith("-") else s for s in map(_num, counted)])
    return f"{y} = ({' + '.join(terms)}) / {step.divisor} = {_num(step.value)}"


def _inside(trace, cells):
    """Bool per window cell: an input cell (not padding)."""
    c = np.asarray(cells)
    lo = np.array([p for p, _ in trace.pads])
    hi = lo + np.array(np.shape(trace.input))
    return np.all((c >= lo) & (c < hi), axis=-1)


def _padding_classes(trace):
    padded = np.atleast_2d(trace.padded)
    (top, bottom), (left, right) = trace.pads if len(trace.pads) == 2 else ((0, 0), trace.pads[0])
    return {(r, c): "pad" for r in range(padded.shape[0]) for c in range(padded.shape[1])
            if r < top or r >= padded.shape[0] - bottom or c < left or c >= padded.shape[1] - right}


def pool_step_html(trace, n):
    """HTML for step n: padded input (window and max cell marked), the window, output so far (current
    cell marked); the step's equation as its label."""
    step = trace.step(n)
    n = trace.steps.index(step)
    classes = _padding_classes(trace)
    for cell in step.cells.reshape(-1, step.cells.shape[-1]):
        classes[_rc(cell)] = "win"
    window = {rc: "win" for rc in np.ndindex(*np.atleast_2d(step.values).shape)}
    if step.argmax is not None:
        classes[_rc(step.argmax)] = "win arg"
        at = tuple(np.array(step.argmax) - step.cells.reshape(-1, len(step.argmax))[0])
        window[_rc(at)] = "win arg"
    output = np.atleast_2d(trace.output).astype(float)
    done = np.arange(output.size).reshape(output.shape) <= n
    out_classes = {tuple(map(int, rc)): "todo" for rc in np.argwhere(~done)}
    out_classes[_rc(step.index)] = "cur"
    padding = " (padding −∞ never wins)" if trace.mode == "max" else " (padding 0)"
    padded_title = ("Padded input X" + padding) if any(p for p, _ in trace.pads) else "Input X"
    window_title = "Window (max underlined)" if trace.mode == "max" else f"Window: sum / {step.divisor}"
    panels = [panel(padded_title, np.where(np.isinf(trace.padded), np.nan, trace.padded), classes),
              panel(window_title, step.values, window),
              panel("Output Y", np.where(done, output, np.nan), out_classes)]
    label = escape(pool_equation(trace, n))
    return GRID_CSS + POOL_CSS + f'<div class="cl-step" aria-label="{label}">{"".join(panels)}</div>'


def unpooled(trace):
    """(pooled, indices, unpooled) for a max trace: max_pool with return_indices, then max_unpool back to
    the input's size: each pooled value at its switch (where its max came from), 0 elsewhere."""
    if trace.mode != "max":
        raise ValueError("Unpooling needs max pooling (its switches); this trace is average pooling.")
    x = trace.input[None]  # (C=1, *spatial)
    pool, unpool = (max_pool1d, max_unpool1d) if trace.input.ndim == 1 else (max_pool2d, max_unpool2d)
    p = tuple(q for q, _ in trace.pads)
    pooled, indices = pool(x, trace.kernel_size, trace.stride, p, ceil_mode=trace.ceil_mode, return_indices=True)
    back = unpool(pooled, indices, trace.kernel_size, trace.stride, p, output_size=trace.input.shape)
    return pooled[0], indices[0], back[0]


def unpool_html(trace):
    """HTML: input with the switches marked, the max-pooled output, and max_unpool's result: every
    pooled value put back at its switch, zeros elsewhere (switch cells marked)."""
    pooled, indices, back = unpooled(trace)
    shape = np.atleast_2d(trace.input).shape
    switches = {_rc(np.unravel_index(int(i), trace.input.shape)) for i in np.ravel(indices)}
    marked = {rc: "win arg" for rc in switches}
    name = "max_unpool1d" if trace.input.ndim == 1 else "max_unpool2d"
    panels = [panel("Input X (switches: underlined)", trace.input, marked),
              panel("Max pooled Y", pooled, {}),
              panel(f"{name}(Y): values back at the switches, 0 elsewhere", back, marked)]
    label = (f"{name} puts the {np.size(pooled)} pooled values back at {len(switches)} switch cells of the "
             f"{' x '.join(map(str, shape))} output; the other {np.prod(shape) - len(switches)} cells are 0")
    return GRID_CSS + POOL_CSS + f'<div class="cl-step" aria-label="{escape(label)}">{"".join(panels)}</div>'


# ---------------------------------------------------------------- animation (Plotly frames)

def _frame_data(trace, n, fill):
    """What changes from step to step: window, max cell, (output,) current cell."""
    step = trace.steps[n]
    window = outline([_rc(c) for c in step.cells.reshape(-1, step.cells.shape[-1])])
    best = outline([_rc(step.argmax)] if step.argmax is not None else [])
    current = outline([_rc(step.index)])
    data = [dict(type="scatter", x=window[0], y=window[1]), dict(type="scatter", x=best[0], y=best[1])]
    if fill:
        out = np.atleast_2d(trace.output).astype(float)
        data.append(dict(type="heatmap", z=np.where(np.arange(out.size).reshape(out.shape) <= n, out, None).tolist()))
    return data + [dict(type="scatter", x=current[0], y=current[1])]


def pool_animation(trace, start=0, height=380, font_size=16):
    """Figure with one frame per output cell of a pooling trace; `start` is the frame shown first."""
    return at_step(pool_animation_spec(trace, height, font_size), start)


def pool_animation_spec(trace, height=380, font_size=16):
    """The whole pooling animation as a plain dict (Plotly JSON form), frames included, showing frame 0.

    Panels: padded input (window outlined, max cell in a second outline), output filling in."""
    fill = len(trace.steps) * np.size(trace.output) <= FILL_BUDGET
    finite = np.atleast_2d(np.where(np.isinf(trace.padded), np.nan, trace.padded))  # -inf padding drawn empty
    zrange = (float(np.nanmin(trace.input)), float(np.nanmax(trace.input)) or 1.0)
    titles = ["Padded input X" if any(p for p, _ in trace.pads) else "Input X", f"Output Y ({trace.mode} pooling)"]
    widths = [finite.shape[1], max(np.atleast_2d(trace.output).shape[1], 2)]
    fig = make_subplots(rows=1, cols=2, subplot_titles=titles, column_widths=widths, horizontal_spacing=0.08)
    fig.add_trace(grid_trace(finite, zrange=zrange, name="padded input"), row=1, col=1)
    fig.add_trace(grid_trace(trace.output, zrange=zrange, name="output"), row=1, col=2)
    fig.add_trace(outline_trace(HIGHLIGHT, "window"), row=1, col=1)
    fig.add_trace(go.Scatter(mode="lines", line=dict(color="black", width=2, dash="dot"), hoverinfo="skip",
                             name="max cell"), row=1, col=1)
    fig.add_trace(outline_trace(SECONDARY, "current output"), row=1, col=2)
    frame_traces = [2, 3] + ([1] if fill else []) + [4]
    (top, _), (left, _) = trace.pads if len(trace.pads) == 2 else ((0, 0), trace.pads[0])
    rows, cols = np.atleast_2d(trace.input).shape
    fig.add_shape(type="rect", x0=left - .5, x1=left + cols - .5, y0=top - .5, y1=top + rows - .5,
                  line=dict(color="black", width=2, dash="dash"), row=1, col=1)
    frames = [dict(name=str(n), data=_frame_data(trace, n, fill), traces=frame_traces,
                   layout=dict(title=dict(text=pool_equation(trace, n)))) for n in range(len(trace.steps))]
    base_layout(fig, height, font_size)
    fig.update_xaxes(dtick=1)
    fig.update_yaxes(dtick=1)
    fig.update_layout(title=dict(text="", y=0.98, x=0.01, font=dict(size=font_size + 2)),
                      margin=dict(t=90, b=90), updatemenus=[play_buttons()], sliders=[slider(trace)])
    return {**fig.to_dict(), "frames": frames}


def upsampling_methods_html(trace):
    """HTML: the max-pooled Y brought back to the input's size three ways, side by side:
    nearest neighbour (each value copied over its window), bed of nails (value at the window's first cell,
    0 elsewhere) and max unpooling (value at its switch, 0 elsewhere). Needs non-overlapping 2D windows."""
    pooled, _, back = unpooled(trace)
    (k_h, k_w), shape = trace.kernel_size, trace.input.shape
    nearest, nails = np.zeros(shape), np.zeros(shape)  # rows/columns no window reached stay 0
    nearest[: pooled.shape[0] * k_h, : pooled.shape[1] * k_w] = np.repeat(np.repeat(pooled, k_h, axis=0), k_w, axis=1)
    nails[: pooled.shape[0] * k_h : k_h, : pooled.shape[1] * k_w : k_w] = pooled
    panels = [panel("Nearest neighbour", nearest, {}), panel("Bed of nails", nails, {}),
              panel("Max unpooling (switches)", back, {})]
    label = ("The pooled values upsampled three ways: copied over each window, placed at each window's first "
             "cell, and placed where each maximum came from")
    return GRID_CSS + f'<div class="cl-step" aria-label="{escape(label)}">{"".join(panels)}</div>'
