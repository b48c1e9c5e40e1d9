"""engine.figures.grid: coloured grids of numbers as HTML (grids_html: the colours Plotly's heatmap would give,
every number written, the text colour that reads best on its cell, no markup from titles) and pictures as PNG
image traces (images_figure: the pixels and colours the heatmap of the same bytes would show)."""
import base64
import io
import re

import numpy as np
import pytest
from plotly.colors import hex_to_rgb, sample_colorscale

from PIL import Image

from engine.figures.grid import cell_colours, grids_html, images_figure, to_display_bytes
from engine.figures.plain import colorscale
from engine.figures.style import DIVERGING, SEQUENTIAL, fmt


def _plotly(scale, t):
    """Plotly's own colour at position t of a [[position, colour], ...] scale, as (r, g, b)."""
    (colour,) = sample_colorscale(colorscale(scale), [t], colortype="rgb")
    return tuple(float(v) for v in re.findall(r"[\d.]+", colour)[:3])


@pytest.mark.parametrize("signed", [False, True])
def test_cell_colours_are_plotlys_scale_at_the_cells_value(signed):
    z = np.random.default_rng(3).normal(size=(4, 5)) * 7
    colours, dark = cell_colours(z, signed)
    lo, hi = (-np.abs(z).max(), np.abs(z).max()) if signed else (z.min(), z.max())
    for (r, c), value in np.ndenumerate(z):
        want = _plotly(DIVERGING if signed else SEQUENTIAL, (value - lo) / (hi - lo))
        assert np.allclose(hex_to_rgb(colours[r, c]), want, atol=1), (value, colours[r, c], want)
    lum = lambda rgb: sum(w * ((v / 255) / 12.92 if v / 255 <= 0.03928 else ((v / 255 + 0.055) / 1.055) ** 2.4)
                          for w, v in zip((0.2126, 0.7152, 0.0722), rgb))
    for (r, c), is_dark in np.ndenumerate(dark):  # white text where it contrasts more than black would
        L = lum(hex_to_rgb(colours[r, c]))
        assert is_dark == (1.05 / (L + 0.05) > (L + 0.05) / 0.05)


def test_signed_zero_is_white_and_the_ends_are_the_scales_ends():
    colours, _ = cell_colours([[-2.0, 0.0, 2.0]], signed=True)
    assert list(colours[0]) == [DIVERGING[0][1], DIVERGING[1][1], DIVERGING[2][1]]
    flat, _ = cell_colours(np.full((2, 2), 5.0))  # one value: no range, a colour all the same
    assert len(set(flat.ravel())) == 1


def test_grids_html_writes_every_number_and_escapes_titles():
    a, k = np.arange(6.0).reshape(2, 3) - 2.5, np.array([[1e6, np.nan]])
    html = grids_html([("<b>A</b>", a, True), ("K & co", k, False)], label='say "hi"')
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", html)
    assert cells == [fmt(v) for v in a.ravel()] + [fmt(v) for v in k.ravel()]
    assert "&lt;b&gt;A&lt;/b&gt;" in html and "<b>A" not in html and "K &amp; co" in html
    assert 'aria-label="say &quot;hi&quot;"' in html
    assert html.count('style="background:#') == a.size + k.size
    assert 'style="background:#ffffff"' in html, "NaN: a blank white cell"


def test_marked_cells_and_only_those_carry_the_mark():
    printed, correct = np.array([[1, 6], [7, 10]]), np.array([[1, 5], [7, 8]])
    html = grids_html([("engine", correct, False), ("printed", printed, False, printed != correct)])
    classes = [c.split() for c in re.findall(r'<td class="([^"]*)"', html)]
    assert ["mark" in c for c in classes] == [False] * 4 + [False, True, False, True]


def _decoded(source):
    """An image trace's PNG data URI as (H, W, 3) uint8 colours."""
    png = base64.b64decode(source.removeprefix("data:image/png;base64,"))
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


@pytest.mark.parametrize("colorbar", [False, True])
def test_pictures_are_pngs_of_the_heatmaps_colours(colorbar):
    rng = np.random.default_rng(5)
    panels = [("photo", rng.random((9, 14)), False), ("edges", rng.normal(size=(9, 14)), True)]
    data = images_figure(panels, colorbar=colorbar).spec["data"]
    pictures = data[:-1] if colorbar else data
    assert [t["type"] for t in data] == ["image"] * len(pictures) + ["heatmap"] * colorbar
    for trace, (_, image, signed) in zip(pictures, panels):
        shown = _decoded(trace["source"])
        scale = "RdBu_r" if signed else "Gray"
        want = [[_plotly(scale, b / 255) for b in row] for row in to_display_bytes(image, signed)]
        assert shown.shape == image.shape + (3,) and np.allclose(shown, want, atol=1)
    if colorbar:
        z = data[-1]["z"]  # Plotly's typed-array form
        shown = np.frombuffer(base64.b64decode(z["bdata"]), dtype=z["dtype"]).reshape(panels[-1][1].shape)
        assert data[-1]["showscale"] and np.array_equal(shown, to_display_bytes(panels[-1][1], True))
