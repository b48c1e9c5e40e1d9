"""Engine tests: torch is the oracle here only (engine/ops never imports it)."""
from __future__ import annotations

import pytest


@pytest.fixture(scope="session", autouse=True)
def _torch_one_thread():
    """The oracle's convolutions are tiny: one thread avoids OpenMP spin-waits on a busy 2-core machine."""
    torch = pytest.importorskip("torch")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
