"""Transposed convolution views: one stamp and C^T as light HTML, overlap-count maps.

Every string in the HTML is made here from numbers (fmt), so no user text reaches it. Marks do not
rely on colour: the current input cell has a double border, the stamp's cells a thick solid border,
cells the padding crops away are dotted and italic.
"""
from __future__ import annotations

from html import escape

import numpy as np
from plotly.subplots import make_subplots

from engine.figures.grid import grid_trace
from engine.figures.step_view import GRID_CSS, panel
from engine.figures.style import base_layout, fmt
from engine.ops.conv import correlate1d, correlate2d
from engine.ops.conv_matrix import transpose_step_column
from engine.ops.conv_transpose import conv_transpose_single


def _rc(index):
    """(row, col) of a 1D or 2D index in the 2D-drawn grid."""
    index = tuple(int(i) for i in np.atleast_1d(index))
    return (0, index[0]) if len(index) == 1 else index


def stamp_text(step):
    """Plain text: 'x[0, 1] = 2 stamps 2 × K onto rows 0-2, columns 2-4 of the canvas'."""
    cells = np.asarray(step.cells).reshape(-1, len(step.index))
    where = ", ".join(f"{name} {lo}–{hi}" if lo != hi else f"{name} {lo}"
                      for name, lo, hi in zip(("rows", "columns") if cells.shape[1] == 2 else ("cells",),
                                              cells.min(0), cells.max(0)))
    kept = int(np.sum(step.kept))
    return (f"x[{', '.join(map(str, step.index))}] = {fmt(step.value)} stamps {fmt(step.value)} × K onto {where} "
            f"of the canvas; {kept} of {np.size(step.kept)} cells survive the crop")


def stamp_html(trace, n):
    """HTML for step n: input (current cell marked), the scaled stamp, the running canvas (stamp
    marked, cropped border dotted), and the output so far (the canvas inside the crop window)."""
    step = trace.step(n)
    n = trace.steps.index(step)
    x = np.atleast_2d(trace.input)
    done = np.arange(x.size).reshape(x.shape) <= n
    in_classes = {tuple(map(int, rc)): "todo" for rc in np.argwhere(~done)}
    in_classes[_rc(step.index)] = "cur"
    canvas = np.atleast_2d(step.canvas)
    window = trace.window if len(trace.window) == 2 else ((0, 1), trace.window[0])
    classes = {(r, c): "pad" for r in range(canvas.shape[0]) for c in range(canvas.shape[1])
               if not (window[0][0] <= r < window[0][1] and window[1][0] <= c < window[1][1])}
    for cell in np.asarray(step.cells).reshape(-1, np.ndim(trace.input)):
        classes[_rc(cell)] = "win"
    cropped = any(p for p in trace.padding) or canvas.shape != np.atleast_2d(trace.output).shape
    panels = [panel("Input X (current cell: double border)", x, in_classes),
              panel(f"Stamp = {fmt(step.value)} × kernel", step.stamp, {}),
              panel("Canvas so far" + (" (dotted: cropped by the padding)" if cropped else ""), canvas, classes),
              panel("Output so far", step.output, {})]
    return GRID_CSS + f'<div class="cl-step" aria-label="{escape(stamp_text(step))}">{"".join(panels)}</div>'


_MATRIX_CSS = """<style>
.cl-matrix { overflow-x: auto; max-width: 100%; }
.cl-matrix .cl-grid td { min-width: 1.7em; height: 1.6em; font-size: .8em; padding: 0 .15em; }
.cl-matrix .cl-grid td.zero { color: #bbb; background: #fafafa; }
.cl-matrix .cl-grid th { font-weight: 400; font-size: .7em; color: #777; }
</style>"""


def matrix_html(matrix, column):
    """A matrix as a light HTML grid (cheap to redraw on every step); column `column` marked (thick border, bold)."""
    m = np.atleast_2d(np.asarray(matrix, float))
    header = "<tr><th></th>" + "".join(f"<th>{c}</th>" for c in range(m.shape[1])) + "</tr>"
    rows = []
    for r, row in enumerate(m):
        cells = "".join(f'<td class="{"win" if c == column else ("zero" if v == 0 else "")}">{escape(fmt(v))}</td>'
                        for c, v in enumerate(row))
        rows.append(f"<tr><th>{r}</th>{cells}</tr>")
    label = f"Matrix of {m.shape[0]} rows and {m.shape[1]} columns; column {column} marked."
    return (GRID_CSS + _MATRIX_CSS + f'<div class="cl-matrix" aria-label="{escape(label)}">'
            f'<table class="cl-grid">{header}{"".join(rows)}</table></div>')


def stacked_counts(input_shape, kernel_size, stride, layers):
    """Overlap counts after `layers` transposed convolutions of all-ones kernels on an all-ones input."""
    y = np.ones(tuple(input_shape))
    for _ in range(layers):
        y = conv_transpose_single(y, np.ones(tuple(kernel_size)), stride)
    return y.astype(int)


def nearest_upsample(x, factor):
    """Nearest-neighbour upsampling by an integer factor on every axis (like F.interpolate 'nearest')."""
    x = np.asarray(x)
    for axis in range(x.ndim):
        x = np.repeat(x, factor, axis=axis)
    return x


def resize_conv_counts(input_shape, kernel_size, stride):
    """Resize-convolution's count map: upsample an all-ones input by the stride, then correlate with an
    all-ones kernel (valid). Every output cell sees k (or k × k) cells: an even map."""
    up = nearest_upsample(np.ones(tuple(input_shape)), stride)
    f = correlate1d if len(input_shape) == 1 else correlate2d
    return f(up, np.ones(tuple(kernel_size))).astype(int)


def counts_figure(panels, font_size=14, height=360):
    """Count maps side by side, panels = [(title, counts)]: numbers written in when a map is small
    (at most 16 columns), colour alone (one scale per map) when it is larger."""
    fig = make_subplots(rows=1, cols=len(panels), subplot_titles=[t for t, _ in panels], horizontal_spacing=0.05)
    for col, (title, counts) in enumerate(panels, start=1):
        c = np.atleast_2d(counts)
        fig.add_trace(grid_trace(c, show_numbers=c.shape[1] <= 16, name=title), row=1, col=col)
    base_layout(fig, height, font_size)
    fig.update_xaxes(showticklabels=False)
    fig.update_yaxes(showticklabels=False)
    return fig


def transpose_fits(C, max_rows=64, max_cols=36):
    """Is C^T (C.shape[1] x C.shape[0]) small enough to draw as a grid of numbers?"""
    return C.shape[1] <= max_rows and C.shape[0] <= max_cols


def scatter_view(trace, C, max_rows=64, max_cols=36):
    """view(n) -> step n's stamp, then C^T with the column that step uses (C^T drawn up to max_rows x max_cols)."""
    x, out = np.atleast_1d(trace.input), trace.output.shape
    drawn = transpose_fits(C, max_rows, max_cols)

    def view(n):
        column = transpose_step_column(trace.step(n).index, x.shape)
        text = (f"<p>A convolution with this kernel, stride and padding maps an input of shape {shape_text(out)} to an "
                f"output of shape {shape_text(x.shape)}: as a matrix, <strong>C is {C.shape[0]} × {C.shape[1]}</strong> "
                f"(y = C · flatten(input)). The transposed convolution is <strong>C<sup>T</sup> ({C.shape[1]} × "
                f"{C.shape[0]})</strong> acting on flatten(x). This step uses <strong>column {column}</strong> of "
                f"C<sup>T</sup> (= row {column} of C): it is the stamp, flattened.</p>")
        matrix = (f'<p class="cl-note">C<sup>T</sup>: column {column} outlined (rows: output cells, columns: input '
                  f"cells).</p>{matrix_html(C.T, column)}" if drawn else "")
        return f"{stamp_html(trace, n)}<h3>The same step as a matrix: C<sup>T</sup></h3>{text}{matrix}"
    return view


def shape_text(shape):
    """(2, 3) -> '2 × 3'."""
    return " × ".join(map(str, shape))
