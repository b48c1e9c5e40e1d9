"""A class held for a lecture's stretch: N simulated students (benchmarks/load_client.py, as in load_bench) on one
ConvLab process for CONVLAB_SOAK_S seconds, the server's resident memory read every 30 s.

Skipped unless CONVLAB_SOAK_S is set (it takes that long):

    CONVLAB_SOAK_S=600 python -m benchmarks soak          # issue 16: 10 minutes at N=100
    CONVLAB_SOAK_S=600 CONVLAB_SOAK_N=100 make bench BENCH_ARGS=soak

Reported: interaction latency p50/p95 over the whole soak and per minute, errors, and the resident memory
after the first two minutes (caches filled by then) and at the end. Target: no growth, read as the end
within 5 % of the two-minute mark, p95 < 1 s and no errors.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from pathlib import Path

from benchmarks.load_bench import (LESSONS, TARGET_P95_MS, ProcWatch, percentile, start_students, stream_url,
                                   warm_up)
from benchmarks.load_client import Stats
from harness.server import StreamlitServer

SAMPLE_S = 30.0
SETTLED_S = 120.0  # memory is compared from here on: every lesson's caches are filled by then
MAX_GROWTH = 0.05
JOIN_S = 10.0


async def soak(ws_url: str, n: int, seconds: float, watch: ProcWatch) -> tuple[Stats, list[tuple[float, float]]]:
    """n students for `seconds` (joining over the first JOIN_S seconds); returns their stats and (t, RSS MB) samples."""
    stats, t0 = Stats(), time.monotonic()
    stop_at = t0 + seconds

    tasks = start_students(ws_url, LESSONS, n, JOIN_S, stop_at, int(seconds), stats)
    samples = []
    while time.monotonic() < stop_at:
        await asyncio.sleep(min(SAMPLE_S, max(stop_at - time.monotonic(), 0)))
        samples.append((time.monotonic() - t0, watch.rss_mb()))
    await asyncio.gather(*tasks, return_exceptions=True)
    return stats, samples


def run(report) -> None:
    seconds = float(os.environ.get("CONVLAB_SOAK_S", "0"))
    n = int(os.environ.get("CONVLAB_SOAK_N", "100"))
    if seconds <= SETTLED_S:
        report.skip("soak", f"set CONVLAB_SOAK_S (> {SETTLED_S:.0f}; 600 for 10 minutes) to run it")
        return
    logs = Path(tempfile.mkdtemp(prefix="convlab-soak-"))
    server = StreamlitServer("serve.py", logs / "soak.log")
    try:
        watch = ProcWatch([server.proc.pid])
        warm_up([stream_url(server.url)], LESSONS)
        stats, samples = asyncio.run(soak(stream_url(server.url), n, seconds, watch))
    finally:
        server.stop()
    latency = [s * 1e3 for _, s in stats.interactions]
    if not latency:
        report.error(f"soak N={n}", f"no interaction finished; {'; '.join(stats.messages)}")
        return
    start = min(t for t, _ in stats.interactions)
    minutes = {}
    for t, s in stats.interactions:
        minutes.setdefault(int((t - start) // 60), []).append(s * 1e3)
    settled = next(rss for t, rss in samples if t >= SETTLED_S)
    end = samples[-1][1]
    errors = stats.exceptions + stats.disconnects + stats.slow
    growth = (end - settled) / settled
    row = report.add(f"soak one process N={n}, {seconds / 60:.0f} min", latency, note=(
        f"p50 {percentile(latency, .5):.0f} p95 {percentile(latency, .95):.0f} max {max(latency):.0f} ms; "
        f"{len(latency)} changes; errors {errors}; p95 per minute "
        + " ".join(f"{percentile(v, .95):.0f}" for _, v in sorted(minutes.items()))
        + f" ms; RSS {settled:.0f} MB at {SETTLED_S / 60:.0f} min -> {end:.0f} MB at the end ({growth:+.1%}); "
        f"every {SAMPLE_S:.0f} s: " + " ".join(f"{rss:.0f}" for _, rss in samples)))
    ok = growth <= MAX_GROWTH and percentile(latency, .95) < TARGET_P95_MS and errors == 0
    row.status = "PASS" if ok else "FAIL"
    row.note += f"; target: growth <= {MAX_GROWTH:.0%}, p95 < {TARGET_P95_MS:.0f} ms, 0 errors"
