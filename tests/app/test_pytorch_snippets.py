"""Every PyTorch snippet a lesson shows, for every preset of every lesson, runs in PyTorch.

What each snippet computes is checked against the engine over a spread of parameters in
tests/engine/test_pytorch_snippets.py, and for the presets in each lesson's own test file.
"""
import contextlib
import io

import pytest

from engine.lessons.schema import load_lessons
from tests.app.checks import assert_clean

torch = pytest.importorskip("torch")
CASES = [(lesson.page, preset.name) for lesson in load_lessons() for preset in lesson.presets]


@pytest.mark.parametrize("page, preset", CASES, ids=[f"{p}:{n}" for p, n in CASES])
def test_every_preset_s_code_runs(open_page, page, preset):
    at = open_page(f"{page}.py")
    at.button(key=f"preset_{preset}").click().run()
    assert_clean(at)
    for block in at.code:
        if block.language != "python":
            continue  # e.g. the shared link (plain text)
        scope = {}
        with contextlib.redirect_stdout(io.StringIO()):
            exec(block.value, scope)  # noqa: S102 (the page's own generated code)
        assert "torch" in scope, block.value
