"""Packed step views: every view comes back exactly, the browser's replay (JS) does what `unpack` does,
and a large trace is cut to a window that fits the budget and holds the current step."""
from __future__ import annotations

import json
import shutil
import subprocess

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import trace_conv, trace_pool
from engine.figures.pool_figures import pool_step_view
from engine.figures.step_patches import BUDGET, LOOKBACK, pack, pack_from, patch, tokens, unpack
from engine.figures.step_view import step_view


def _views(n, k, padding):
    x = np.arange(n * n, dtype=float).reshape(n, n)
    trace = trace_conv(x, np.ones((k, k)), padding=padding)
    return step_view(trace), len(trace.steps)


@settings(max_examples=25, deadline=None)
@given(st.integers(2, 7), st.integers(1, 3), st.sampled_from([0, 1, "same"]))
def test_every_view_is_rebuilt_exactly(n, k, padding):
    k = min(k, n)
    view, n_steps = _views(n, k, padding)
    packed = pack(view, n_steps)
    assert (packed["lo"], packed["hi"]) == (0, n_steps - 1)
    for i in range(n_steps):
        assert unpack(packed, i) == view(i)


def test_views_of_different_structure_are_replaced_whole():
    views = ["<p>a</p>", "<p>b</p><p>c</p>", "<p>b</p>", "x"]
    packed = pack(views.__getitem__, len(views))
    assert [unpack(packed, i) for i in range(4)] == views
    assert patch(tokens(views[0]), tokens(views[2]))["set"] == [[2, "b"]]  # same structure: one token


def test_consecutive_steps_send_a_few_tokens_not_the_view():
    view, n_steps = _views(7, 3, "same")
    packed = pack(view, n_steps)
    whole = sum(len(view(i)) for i in range(n_steps))
    assert len(json.dumps(packed)) < whole / 4


def test_a_large_trace_is_windowed_around_the_step():
    view, n_steps = _views(12, 12, 11)  # 529 steps, 23 MB of HTML
    packed = pack(view, n_steps, step=400)
    assert packed["lo"] == 400 - LOOKBACK and packed["lo"] < 400 < packed["hi"] <= n_steps - 1
    assert len(json.dumps(packed)) <= BUDGET + 100_000  # the last patch may pass the budget by one patch at most
    assert unpack(packed, 400) == view(400)
    with pytest.raises(ValueError, match="outside the packed window"):
        unpack(packed, 10)
    assert pack_from(view, n_steps, 0)["hi"] < 400  # from 0 the budget would not reach step 400


def test_pooling_views_pack_too():
    trace = trace_pool(np.arange(36.0).reshape(6, 6), kernel_size=2, stride=2)
    view = pool_step_view(trace)
    packed = pack(view, len(trace.steps))
    assert [unpack(packed, i) for i in range(len(trace.steps))] == [view(i) for i in range(len(trace.steps))]
    assert "y[0, 0] = max(0, 1, 6, 7) = 7" in unpack(packed, 0)


_REPLAY_JS = """
const packed = JSON.parse(require('fs').readFileSync(0, 'utf8'));
// the same replay as pages/shell/stepper/stepper.js's draw(): base, then each patch up to n
const out = [];
let tokens = packed.base.slice();
out.push(tokens.join(''));
for (const p of packed.patches) {
  tokens.length = p.n;
  for (const [i, t] of p.set) tokens[i] = t;
  out.push(tokens.join(''));
}
process.stdout.write(JSON.stringify(out));
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed (the browser test covers this)")
def test_javascript_replay_matches_unpack():
    views = ["<p>a</p>", "<p>b</p><p>c</p>", "<p>b</p>", "<td class='win'>3</td>"]
    packed = pack(views.__getitem__, len(views))
    result = subprocess.run(["node", "-e", _REPLAY_JS], input=json.dumps(packed), capture_output=True, text=True,
                            check=True)
    assert json.loads(result.stdout) == views
