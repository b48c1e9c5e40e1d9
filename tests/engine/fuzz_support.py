"""What the engine fuzzer shares: the settings profile, hostile values and arrays, and the guard that runs
one call within the budget and checks that it returns or raises ValueError with a message.

Used by test_fuzz_engine.py (ops and size helpers) and test_fuzz_traces.py (traces and step figures).
Examples per test: FUZZ_EXAMPLES, 60 in the normal suite (the same ones every run), or
CONVLAB_FUZZ_EXAMPLES=2000 for a long run (new random examples each time).
"""
from __future__ import annotations

import os
import resource
import time
from contextlib import contextmanager

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from engine.ops.checks import MAX_ELEMENTS

LONG_RUN = os.environ.get("CONVLAB_FUZZ_EXAMPLES")
FUZZ_EXAMPLES = int(LONG_RUN or 60)
settings.register_profile("convlab-fuzz", max_examples=FUZZ_EXAMPLES, deadline=None, database=None,
                          derandomize=not LONG_RUN, suppress_health_check=list(HealthCheck))
FUZZ = settings(settings.get_profile("convlab-fuzz"))  # the normal suite: the same examples every run;
# a long run (CONVLAB_FUZZ_EXAMPLES=n) draws new ones each time

SECONDS = 2.0                     # per call (a hostile call is refused in milliseconds)
BYTES = 8 * 8 * MAX_ELEMENTS      # more address space than the fuzzed calls' process had: 1 GiB, eight float64
                                  # arrays at the engine's element budget
CALLS = {"made": 0, "returned": 0, "refused": 0, "compared": 0}

HOSTILE = [0, -1, -(2**31), 2**31, 2**63, 10**30, 1.5, -0.5, float("nan"), float("inf"), float("-inf"), None,
           "2", "same", "", "x" * 300, 1j, True, (), (1, 2, 3), [None], (1.5, 2), object(), np.array([1, 2])]


def hostile():
    return st.sampled_from(HOSTILE)


def mostly(valid, bad=None, one_in=6):
    """`valid` most of the time, else a hostile value (or `bad`)."""
    bad = hostile() if bad is None else bad
    return st.integers(0, one_in - 1).flatmap(lambda r: bad if r == 0 else valid)


def values(shape):
    """Float64 numbers, some of them NaN or +-inf, in `shape`."""
    n = int(np.prod(shape))
    cells = st.one_of(st.integers(-9, 9).map(float), st.floats(-1e3, 1e3), st.sampled_from([np.nan, np.inf, -np.inf]))
    pick = st.lists(st.integers(-9, 9).map(float), min_size=n, max_size=n) | st.lists(cells, min_size=n, max_size=n)
    return pick.map(lambda v: np.array(v, dtype=float).reshape(shape))


@st.composite
def hostile_array(draw, shape=None):
    """An array that is wrong in some way: a dtype the engine must refuse or cast, an empty axis, another rank."""
    shape = shape if shape is not None else tuple(draw(st.lists(st.integers(0, 4), min_size=0, max_size=5)))
    kind = draw(st.sampled_from(["int", "uint8", "bool", "complex", "object", "str", "float32", "nested", "scalar"]))
    n = int(np.prod(shape))
    base = np.arange(n, dtype=float).reshape(shape) - n / 2
    if kind == "int":
        return base.astype(np.int64)
    if kind == "uint8":
        return (base % 256).astype(np.uint8)
    if kind == "bool":
        return base > 0
    if kind == "complex":
        return base + 1j
    if kind == "object":
        out = np.empty(shape, object)
        out.flat[:] = [None if i % 2 else 1.0 for i in range(n)]
        return out
    if kind == "str":
        return np.full(shape, "a")
    if kind == "float32":
        return base.astype(np.float32)
    if kind == "nested":
        return [[1.0, 2.0], [3.0]]  # ragged
    return draw(st.sampled_from([3.0, "abc", None]))


@contextmanager
def memory_bound(extra=BYTES):
    """While fuzzing, the process may map at most `extra` more bytes than it has now (RLIMIT_AS): a call
    that tries to allocate GiBs gets a MemoryError (which fails the test) instead of the machine's memory."""
    with open("/proc/self/status") as status:
        vm = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize:"))
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = vm + extra if hard == resource.RLIM_INFINITY else min(vm + extra, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def guarded(call, *args, **kwargs):
    """Run one fuzzed call: it returns (the result) or raises ValueError with a message (None);
    anything else fails the test (MemoryError: over the memory bound), and so does a call over the time budget."""
    CALLS["made"] += 1
    start = time.perf_counter()
    try:
        result = call(*args, **kwargs)
    except ValueError as error:
        assert str(error).strip(), f"{call.__name__} raised ValueError without a message"
        assert "Traceback" not in str(error) and len(str(error)) < 600, str(error)[:600]
        result, outcome = None, "refused"
    else:
        outcome = "returned"
    elapsed = time.perf_counter() - start
    assert elapsed < SECONDS, f"{call.__name__} took {elapsed:.1f} s"
    CALLS[outcome] += 1
    return result


def torch_or_none(call):
    """torch's answer as a numpy array, or None where torch refuses the call too (or it is undefined)."""
    try:
        return call()
    except (RuntimeError, ValueError, TypeError, IndexError, NotImplementedError, OverflowError):
        return None


def assert_agrees(got, want, tol=1e-6):
    """The engine's answer equals torch's: same shape, numbers equal up to rounding, NaN where torch has NaN."""
    if want is None or got is None:
        return
    CALLS["compared"] += 1
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    assert got.shape == want.shape, (got.shape, want.shape)
    finite = np.isfinite(want)
    scale = max(1.0, float(np.abs(want[finite]).max())) if finite.any() else 1.0
    assert np.array_equal(np.isnan(got), np.isnan(want))
    assert np.array_equal(got[~finite & ~np.isnan(want)], want[~finite & ~np.isnan(want)])
    assert np.allclose(got[finite], want[finite], rtol=tol, atol=tol * scale)


# --- shared by the fuzz test modules ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def bounded_memory():
    """Bound the memory any call can take (conftest's summary then says how many calls were made)."""
    torch.ones(1).numpy()  # torch's lazy start-up before the bound
    with memory_bound():
        yield


def t(a):
    return torch.from_numpy(np.asarray(a, dtype=float))


def spatial(nd, lo=1, hi=6):
    return st.tuples(*[st.integers(lo, hi)] * nd)


def array_or_hostile(shape):
    return mostly(values(shape), hostile_array(), one_in=8)


def param(valid):
    return mostly(valid, one_in=8)


def input_and_kernel(data, nd, size=6):
    """A single-channel (L,) or (H, W) input and a kernel of the same rank, each possibly hostile."""
    return data.draw(array_or_hostile(data.draw(spatial(nd, 1, size)))), \
        data.draw(array_or_hostile(data.draw(spatial(nd, 1, 3))))


def torch_conv(x, w, bias, nd, stride=1, padding=0, dilation=1, groups=1, padding_mode="zeros"):
    """nn.ConvNd with these weights (the layer knows padding_mode)."""
    w = t(w)
    layer = getattr(torch.nn, f"Conv{nd}d")(w.shape[1] * groups, w.shape[0], tuple(w.shape[2:]), stride, padding,
                                            dilation, groups, bias is not None, padding_mode, dtype=torch.float64)
    with torch.no_grad():
        layer.weight.copy_(w)
        if bias is not None:
            layer.bias.copy_(t(bias))
        return layer(t(x)).numpy()
