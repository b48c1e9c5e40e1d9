"""Under `make test` (pytest -n 2 --dist loadgroup) every browser test runs on one xdist worker.

One worker starts the app server, the hello server and Chromium once and runs tests/e2e, largest unit first,
while the other runs tests/engine and tests/app; whichever finishes first takes the rest of the queue.
xdist's own loadgroup reads `xdist_group` marks through node ids it rewrites, which pytest 9.2's structured
node ids ignore (pytest-dev/pytest-xdist#1386): the group is chosen here by path instead.
"""
from __future__ import annotations

import functools

import pytest

BROWSER_TESTS = "tests/e2e/"


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class BrowserTestsOnOneWorker(LoadScopeScheduling):
        """Every test is its own work unit, except the browser tests: one unit, sent first (the largest)."""

        def _split_scope(self, nodeid: str) -> str:
            return "browser" if nodeid.startswith(BROWSER_TESTS) else nodeid

    return BrowserTestsOnOneWorker(config, log)


@pytest.fixture(autouse=True, scope="session")
def _app_test_setup_once():
    """Two things streamlit 1.67's AppTest._run redoes for every new AppTest (or every run) that a test session
    needs once: scanning the metadata of all ~90 installed packages for Streamlit components (~0.1 s), and
    compiling app.py and the page scripts with a new ScriptCache (~8 ms a run; a server keeps one for its life).
    Neither the installed packages nor the scripts change during a run."""
    from streamlit.components.v2 import manifest_scanner
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test

    scan = manifest_scanner.scan_component_manifests
    manifest_scanner.scan_component_manifests = functools.cache(scan)
    shared = ScriptCache()
    app_test.ScriptCache = lambda: shared
    yield
    manifest_scanner.scan_component_manifests = scan
    app_test.ScriptCache = ScriptCache
