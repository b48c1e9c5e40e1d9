"""Under `make test` (pytest -n 2 --dist loadgroup) every browser test runs on one xdist worker.

One worker starts the app server, the hello server and Chromium once and runs tests/e2e, largest unit first,
while the other runs tests/engine and tests/app; whichever finishes first takes the rest of the queue, and the
nginx cluster's tests and the phone walks come last (in practice to the worker that ran tests/app and
tests/engine).
xdist's own loadgroup reads `xdist_group` marks through node ids it rewrites, which pytest 9.2's structured
node ids ignore (pytest-dev/pytest-xdist#1386): the group is chosen here by path instead.
"""
from __future__ import annotations

import os
import tempfile

import pytest

# The live-class store of every app the tests start (AppTest, the servers) is a throwaway SQLite file.
os.environ.setdefault("CONVLAB_DATA_DIR", tempfile.mkdtemp(prefix="convlab-test-data-"))

BROWSER_TESTS = "tests/e2e/"
# A second browser unit, handed out last, so the worker that ran the AppTest and engine tests takes it while the
# other still walks the lessons in Chromium (measured: the browser worker ~350 s alone, the other ~255 s): the
# nginx cluster's tests (one cluster) and the phone walks.
LAST_TESTS = ("tests/e2e/test_class_cluster.py", "tests/e2e/test_live_class.py", "tests/e2e/test_phone_layout.py")


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class BrowserTestsOnOneWorker(LoadScopeScheduling):
        """Every test is its own work unit, except the browser tests: one unit, sent first (the largest)."""

        def _split_scope(self, nodeid: str) -> str:
            if nodeid.startswith(LAST_TESTS):
                return "last"
            return "browser" if nodeid.startswith(BROWSER_TESTS) else nodeid

        def _assign_work_unit(self, node):
            if "last" in self.workqueue and len(self.workqueue) > 1:
                self.workqueue.move_to_end("last")  # to whichever worker is free by then
            super()._assign_work_unit(node)

    return BrowserTestsOnOneWorker(config, log)
