"""One step of a trace as a light HTML view: grids of numbers with the window and the current cell marked.

Redrawing this on every step is cheap (a Plotly figure costs ~100 ms in the browser). Every string in
it is made here from numbers (fmt), so no user text reaches the HTML. Marks do not rely on colour:
the window has a thick solid border and bold numbers, padding cells are dotted and italic, the
current output cell has a double border.
"""
from __future__ import annotations

import functools
from html import escape

import numpy as np

from engine.figures.style import HIGHLIGHT, SECONDARY, fmt
from engine.figures.text import input_title, step_equation

GRID_CSS = """<style>
.cl-step { display: flex; flex-wrap: wrap; gap: 1em; align-items: flex-start; margin: .5em 0 1em; }
.cl-grid { border-collapse: separate; border-spacing: 2px; }
.cl-grid td { min-width: 2.2em; height: 2em; text-align: center; font-variant-numeric: tabular-nums;
              background: #f3f3f3; border: 2px solid transparent; padding: 0 .25em; }
.cl-grid td.pad { color: #777; font-style: italic; border: 2px dotted #aaa; background: #fff; }
.cl-grid td.win { border: 3px solid %s; font-weight: 700; background: #fde7d4; }
.cl-grid td.cur { border: 4px double %s; font-weight: 700; background: #e8e0f3; }
.cl-grid td.todo { background: #fff; border: 1px dashed #ccc; }
.cl-grid td.skip { background: repeating-linear-gradient(45deg, #fff, #fff 4px, #e4e4e4 4px, #e4e4e4 8px);
                   color: #999; text-decoration: line-through; }
.cl-panel { margin: 0; }
.cl-panel figcaption { font-weight: 600; margin-bottom: .3em; }

</style>""" % (HIGHLIGHT, SECONDARY)


@functools.lru_cache(maxsize=8192)
def _text(value):
    """A cell's text, escaped (cached: a trace writes the same numbers in every step's view)."""
    return escape(fmt(value))


def _table(values, classes):
    rows = []
    for r, row in enumerate(np.atleast_2d(values).tolist()):  # Python floats: hashed fast, NaN shown empty
        cells = "".join(f'<td class="{classes.get((r, c), "")}">{_text(v) if v == v else ""}</td>'
                        for c, v in enumerate(row))
        rows.append(f"<tr>{cells}</tr>")
    return f'<table class="cl-grid">{"".join(rows)}</table>'


def panel(title, values, classes):
    """A titled grid of numbers; `classes` maps (row, col) to a CSS class (win, pad, cur, todo, skip)."""
    return f'<figure class="cl-panel"><figcaption>{escape(title)}</figcaption>{_table(values, classes)}</figure>'


def _cells_2d(index_or_cells):
    a = np.atleast_2d(np.asarray(index_or_cells))
    return [(0, int(p[0])) if len(p) == 1 else (int(p[0]), int(p[1])) for p in a.reshape(-1, a.shape[-1])]


def step_html(trace, n, unreached=None):
    """HTML for step n: padded input (window marked), kernel, products, output so far; the sum as its label.

    unreached: optional bool array over the padded input marking cells no window covers (strides).
    """
    step = trace.step(n)
    n = trace.steps.index(step)
    padded = np.atleast_2d(trace.padded)
    pads = trace.pads if len(trace.pads) == 2 else ((0, 0), trace.pads[0])
    (top, bottom), (left, right) = pads
    classes = {(r, c): "pad" for r in range(padded.shape[0]) for c in range(padded.shape[1])
               if r < top or r >= padded.shape[0] - bottom or c < left or c >= padded.shape[1] - right}
    if unreached is not None:  # (padded shape) bool: cells no window ever covers, hatched and struck through
        for rc in np.argwhere(np.atleast_2d(unreached)):
            classes[tuple(map(int, rc))] = "skip"
    for cell in _cells_2d(step.cells):
        classes[cell] = "win"
    output = np.atleast_2d(trace.output).astype(float)
    done = np.arange(output.size).reshape(output.shape) <= n
    shown = np.where(done, output, np.nan)
    out_classes = {tuple(map(int, rc)): "todo" for rc in np.argwhere(~done)}
    out_classes[_cells_2d([step.index])[0]] = "cur"
    kernel_title = "Kernel as applied" + (" (flipped)" if trace.flip else "")
    panels = [panel(input_title(trace), padded, classes), panel(kernel_title, trace.applied, {}),
              panel("Products", step.products, {}), panel("Output Y", shown, out_classes)]
    return GRID_CSS + f'<div class="cl-step" aria-label="{escape(step_equation(step, trace.bias))}">{"".join(panels)}</div>'


def equation_html(text):
    """A step's sum as a line of text above its grids (text made from numbers by engine.figures.text)."""
    return f'<p class="cl-eq">{escape(text)}</p>'


def step_view(trace, unreached=None):
    """view(n) -> the HTML of step n: its sum written out, then its grids (for the browser-side stepper)."""
    return lambda n: equation_html(step_equation(trace.step(n), trace.bias)) + step_html(trace, n, unreached)
