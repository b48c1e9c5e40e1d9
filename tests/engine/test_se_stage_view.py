"""The squeeze-and-excitation stage views show the block's own numbers: the bars carry z, h and s,
and the scale stage's maps are the input's maps dimmed by exactly their gates (one shared grey scale)."""
from __future__ import annotations

import base64
import io
import re

import numpy as np
import pytest
from PIL import Image

from engine.data.digits import typical
from engine.figures.se_stage_view import STAGES, se_stage_view
from engine.nets.se_steps import se_block_steps


@pytest.fixture(scope="module")
def steps():
    return se_block_steps("se", typical(3), 1)


def _bar_values(html):
    label = re.search(r'<svg class="cl-se-bars"[^>]*aria-label="[^:]*: ([^"]*)"', html).group(1)
    return np.array([float(v) for v in label.split(", ")])


def _tiles(html):
    """Grey level (0..254) of every tile, from its PNG."""
    out = []
    for uri in re.findall(r'src="data:image/png;base64,([^"]+)"', html):
        image = Image.open(io.BytesIO(base64.b64decode(uri))).convert("L")
        out.append(np.asarray(image, float))
    return np.stack(out)


def test_each_stage_is_titled_and_has_its_formula(steps):
    view = se_stage_view(steps)
    for n, name in enumerate(STAGES):
        html = view(n)
        assert f"{n + 1}. " in html and 'class="cl-eq"' in html
    assert f"{len(steps.z)}×{steps.u.shape[1]}×{steps.u.shape[2]}" in view(0)
    assert f"= {steps.z.max():.3f}" in view(1)  # the largest z written out


@pytest.mark.parametrize("stage, field", [(1, "z"), (2, "hidden"), (3, "gates")])
def test_bars_carry_the_blocks_values(steps, stage, field):
    np.testing.assert_allclose(_bar_values(se_stage_view(steps)(stage)), getattr(steps, field), atol=5e-4)


def test_scale_stage_dims_each_map_by_its_gate(steps):
    view = se_stage_view(steps)
    before, after = _tiles(view(0)), _tiles(view(4))
    assert before.shape[0] == after.shape[0] == len(steps.gates)
    expected = before * steps.gates[:, None, None]  # one shared scale: level(s u) = s level(u), up to rounding
    assert np.abs(after - expected).max() <= 2  # two roundings and the palette
    assert before.max() > 200  # the scale is the map's own range, not squashed
    dimmest = int(np.argmin(steps.gates))
    assert f"ch {dimmest} · s = {steps.gates[dimmest]:.2f}" in view(4)
