"""One step of a convolution over channels as light HTML: a row per input channel (its padded map with the
window marked, the filter's slice for it, their products, the channel's sum), then the channel sums plus
the bias, and the output volume (one map per filter) with the current cell marked.

Every string is made here from numbers (fmt); marks do not rely on colour (see step_view).
"""
from __future__ import annotations

from html import escape

import numpy as np

from engine.figures.step_view import GRID_CSS, equation_html, panel
from engine.figures.style import fmt

CHANNEL_CSS = """<style>
.ch-step > .cl-step { gap: .8em 1em; }
.ch-col { display: flex; flex-direction: column; gap: .3em; align-items: flex-start; }
.ch-pair { display: flex; gap: .6em; align-items: flex-start; }
.ch-step .cl-grid td { min-width: 1.5em; height: 1.5em; padding: 0 .1em; }
.ch-step .cl-panel figcaption { font-size: .9em; margin-bottom: .15em; }
.ch-sum { font-weight: 700; font-variant-numeric: tabular-nums; padding: .1em .5em; border: 2px solid #5d3a9b;
          border-radius: .3em; white-space: nowrap; }
.ch-total { font-variant-numeric: tabular-nums; margin: 0; white-space: nowrap; }
.ch-maps { display: flex; flex-direction: column; gap: .3em; }
</style>"""  # a constant


def _paren(text):
    return f"({text})" if text.startswith("-") else text


def channel_equation(step):
    """Plain text: 'y[1, 0, 2] = 3 + (-2) + 4 + 1 = 6' (channel sums, then the bias)."""
    terms = [_paren(fmt(v)) for v in step.channel_sums] + [_paren(fmt(step.bias))]
    return f"y[{', '.join(map(str, step.index))}] = {' + '.join(terms)} = {fmt(step.value)}"


def _input_classes(trace, step):
    size = trace.padded.shape[1:]
    p = trace.padding
    classes = {(r, c): "pad" for r in range(size[0]) for c in range(size[1])
               if min(r, c) < p or r >= size[0] - p or c >= size[1] - p}
    classes.update({(r, c): "win" for r in step.rows for c in step.cols})
    return classes


def channel_step_html(trace, n):
    """HTML for step n: a column per input channel c (X[c] padded with the window marked, W[o, c], the products,
    their sum); then the sums plus b[o], and every output map so far (the current cell marked, later ones blank)."""
    step = trace.step(n)
    n = trace.steps.index(step)
    o = step.index[0]
    classes = _input_classes(trace, step)
    title = "X padded" if trace.padding else "X"
    columns = []
    for c in range(trace.padded.shape[0]):  # one column per input channel: X[c], W[o, c] and products, the sum
        columns.append(
            f'<div class="ch-col">{panel(f"{title}, channel {c}", trace.padded[c], classes)}'
            f'<div class="ch-pair">{panel(f"× W[{o}], channel {c}", step.taps[c], {})}'
            f'{panel("= products", step.products[c], {})}</div>'
            f'<span class="ch-sum">channel {c} sum = {escape(fmt(step.channel_sums[c]))}</span></div>')
    sums = " + ".join(_paren(fmt(v)) for v in step.channel_sums)
    total = (f'<p class="ch-total">channel sums {escape(sums)}<br>+ bias b[{o}] = {escape(fmt(step.bias))}<br>'
             f'= <b>{escape(fmt(step.value))}</b></p>')
    done = np.arange(trace.output.size).reshape(trace.output.shape) <= n
    shown = np.where(done, trace.output, np.nan)
    maps = []
    for m in range(trace.output.shape[0]):
        marks = {tuple(map(int, rc)): "todo" for rc in np.argwhere(~done[m])}
        if m == o:
            marks[tuple(step.index[1:])] = "cur"
        maps.append(panel(f"Output Y, channel {m}", shown[m], marks))
    label = escape(channel_equation(step))
    return (GRID_CSS + CHANNEL_CSS + f'<div class="ch-step"><div class="cl-step" aria-label="{label}">{"".join(columns)}'
            f'<div class="ch-col">{total}<div class="ch-maps">{"".join(maps)}</div></div></div></div>')


def channel_view(trace):
    """view(n) -> the HTML of step n: its sum written out, then its grids (for the browser-side stepper)."""
    return lambda n: equation_html(channel_equation(trace.step(n))) + channel_step_html(trace, n)
