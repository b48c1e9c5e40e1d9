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
def _component_manifests_scanned_once():
    """Every new AppTest scans the metadata of all ~90 installed packages for Streamlit components (~0.1 s each,
    streamlit 1.67's AppTest._run); the installed packages do not change during a run, so scan once."""
    from streamlit.components.v2 import manifest_scanner

    scan = manifest_scanner.scan_component_manifests
    manifest_scanner.scan_component_manifests = functools.cache(scan)
    yield
    manifest_scanner.scan_component_manifests = scan
