"""Engine tests: torch is the oracle here only (engine/ops never imports it)."""
from __future__ import annotations

import sys

import pytest


@pytest.fixture(scope="session", autouse=True)
def _torch_one_thread():
    """The oracle's convolutions are tiny: one thread avoids OpenMP spin-waits on a busy 2-core machine."""
    torch = pytest.importorskip("torch")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def pytest_terminal_summary(terminalreporter):
    """How many calls the engine fuzzer made (tests/engine/test_fuzz_engine.py), when it ran."""
    fuzz = sys.modules.get("tests.engine.fuzz_support")
    if fuzz is not None and fuzz.CALLS["made"]:
        calls = fuzz.CALLS
        terminalreporter.write_line(f"engine fuzz: {calls['made']} calls ({calls['returned']} answered, "
                                    f"{calls['compared']} of them compared with torch; {calls['refused']} refused "
                                    "with ValueError)")
