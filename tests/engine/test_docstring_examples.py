"""Every `>>>` example in the engine's docstrings runs and prints what it says (doctest)."""
from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import engine

MODULES = sorted(m.name for m in pkgutil.walk_packages(engine.__path__, "engine."))
CASES = [test for name in MODULES for test in doctest.DocTestFinder().find(importlib.import_module(name))
         if test.examples]


def test_the_engines_public_functions_have_examples():
    assert len(CASES) >= 10, [t.name for t in CASES]


@pytest.mark.parametrize("test", CASES, ids=lambda t: t.name)
def test_example_runs(test):
    report = []
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert runner.run(test, out=report.append).failed == 0, "".join(report)
