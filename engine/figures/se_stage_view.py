"""The five stages of a squeeze-and-excitation block as light HTML views, one per stage, for the stepper.

    0 input U (C, H, W)   1 squeeze z_c = mean of u_c   2 h = ReLU(W1 z + b1)   3 gates s = sigmoid(W2 h + b2)
    4 scale: s_c u_c

Feature maps are small grey PNGs on one shared scale (black 0, white = the largest value of U), so the
scale stage shows each map dimmed by its gate; per-channel values are bars in an inline SVG with the
numbers written on them. Every string is made here from numbers, so no user text reaches the HTML.
"""
from __future__ import annotations

from html import escape

import numpy as np

from engine.figures.common import LEVELS, palette, png_data_uri
from engine.figures.se_figures import BAR

STAGES = ("Input U", "Squeeze: z", "Excitation: FC, ReLU", "Excitation: FC, sigmoid = gates s", "Scale: s·U")

SE_CSS = """<style>
.cl-se-maps { display: grid; grid-template-columns: repeat(auto-fill, minmax(5.5rem, 1fr)); gap: .5rem; margin: .5rem 0; }
.cl-se-maps figure { margin: 0; text-align: center; font-size: .8rem; }
.cl-se-maps img { width: 100%; image-rendering: pixelated; border: 1px solid #ccc; display: block; }
.cl-se-bars { max-width: 100%; height: auto; font-size: 13px; }
.cl-se-title { font-weight: 700; margin: .25rem 0; }
</style>"""


def _maps_html(maps, vmax, gates=None):
    """(C, H, W) maps as grey tiles on the scale [0, vmax]; with `gates`, each tile's label gives its gate."""
    levels = np.clip(np.round(np.asarray(maps, float) / (vmax or 1.0) * (LEVELS - 1)), 0, LEVELS - 1)
    grey = palette(False)
    tiles = []
    for c, level in enumerate(levels.astype(np.uint8)):
        label = f"ch {c}" + (f" · s = {gates[c]:.2f}" if gates is not None else "")
        tiles.append(f'<figure><img src="{png_data_uri(level, grey)}" alt="channel {c}"><figcaption>{label}'
                     "</figcaption></figure>")
    return f'<div class="cl-se-maps">{"".join(tiles)}</div>'


def _bars_svg(values, name, top=None):
    """One bar per channel (or hidden unit) with its value written above it; y from 0 to `top`."""
    values = np.asarray(values, float)
    n, width, height, base = len(values), 44, 150, 170
    top = top or max(float(values.max()), 1e-9) * 1.15
    bars = []
    for i, v in enumerate(values):
        h = max(v, 0.0) / top * height
        x = 30 + i * width
        bars.append(f'<rect x="{x + 4}" y="{base - h:.1f}" width="{width - 8}" height="{h:.1f}" fill="{BAR}" '
                    f'stroke="#555"/><text x="{x + width / 2}" y="{base - h - 4:.1f}" text-anchor="middle">'
                    f'{v:.2f}</text><text x="{x + width / 2}" y="{base + 16}" text-anchor="middle">{i}</text>')
    w = 40 + n * width
    return (f'<svg class="cl-se-bars" width="{w}" height="200" viewBox="0 0 {w} 200" role="img" aria-label="{escape(name)} for each of '
            f'{n} units: ' + ", ".join(f"{v:.3f}" for v in values) + f'"><line x1="28" x2="{w - 8}" y1="{base}" '
            f'y2="{base}" stroke="#999"/>{"".join(bars)}<text x="{w / 2}" y="198" text-anchor="middle">'
            f'{"hidden unit" if "h" == name else "channel"}</text></svg>')


def _equation(s, stage):
    """The stage's formula with this block's numbers, as HTML (sub- and superscripts; numbers only)."""
    c, (h, w) = int(np.argmax(s.z)), s.u.shape[1:]
    C, hidden, R = len(s.z), len(s.hidden), "<b>ℝ</b>"
    if stage == 0:
        return f"U ∈ {R}<sup>C×H×W</sup> = {R}<sup>{C}×{h}×{w}</sup>"
    if stage == 1:
        return (f"z<sub>c</sub> = (1 / HW) Σ<sub>i,j</sub> u<sub>c</sub>(i, j), &nbsp; z<sub>{c}</sub> = "
                f"(1 / ({h}·{w})) Σ<sub>i,j</sub> u<sub>{c}</sub>(i, j) = {s.z[c]:.3f}")
    if stage == 2:
        return (f"h = ReLU(W<sub>1</sub>z + b<sub>1</sub>), &nbsp; W<sub>1</sub> ∈ {R}<sup>C/r×C</sup> = "
                f"{R}<sup>{hidden}×{C}</sup> &nbsp;(r = {s.reduction})")
    if stage == 3:
        return (f"s = σ(W<sub>2</sub>h + b<sub>2</sub>), &nbsp; W<sub>2</sub> ∈ {R}<sup>C×C/r</sup> = "
                f"{R}<sup>{C}×{hidden}</sup>, &nbsp; s<sub>c</sub> ∈ (0, 1)")
    lo, hi = int(np.argmin(s.gates)), int(np.argmax(s.gates))
    return (f"ũ<sub>c</sub> = s<sub>c</sub> · u<sub>c</sub>: &nbsp; s<sub>{lo}</sub> = {s.gates[lo]:.3f} (lowest), "
            f"&nbsp; s<sub>{hi}</sub> = {s.gates[hi]:.3f} (highest)")


def se_stage_view(s):
    """view(n) -> the HTML of stage n (0..4) of an engine.nets.se_steps.SEBlockSteps `s`."""
    vmax = float(s.u.max())

    def view(stage):
        body = {0: lambda: _maps_html(s.u, vmax),
                1: lambda: _bars_svg(s.z, "z"),
                2: lambda: _bars_svg(s.hidden, "h"),
                3: lambda: _bars_svg(s.gates, "s", top=1.0),
                4: lambda: _maps_html(s.scaled, vmax, s.gates)}[stage]()
        return (f'{SE_CSS}<p class="cl-se-title">{stage + 1}. {escape(STAGES[stage])}</p>'
                f'<p class="cl-eq">{_equation(s, stage)}</p>{body}')
    return view
