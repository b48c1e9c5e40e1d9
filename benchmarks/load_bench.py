"""A class at once: N simulated students (benchmarks/load_client.py) against one ConvLab process and against
`make serve-class` (2 processes behind nginx, deploy/), with the hello-world page (benchmarks/hello_app.py)
under the same load as the baseline, in the same run.

Each student opens a lesson (cross_correlation, dilation, pooling_invariance, draw_digit, classify_photo, in
turn), then changes one of its controls every 2-5 s (seeded). Students join evenly over a ramp, then a
steady window is measured; each stops by itself (a count and a deadline). All clients run in this process
(asyncio) on loopback; a control inside an st.fragment reruns only that fragment, as in the browser.
Reported per N: p50/p95/max interaction latency (rerun sent -> script_finished, steady
window), errors (exception elements, disconnects, runs over 10 s), the ConvLab processes' CPU (cores busy in
the steady window, from /proc/PID/stat) and memory per session ((RSS at the end - RSS before) / N, caches
filled by the run included).

    python -m benchmarks load                      # N = 25, 50 (a few minutes)
    CONVLAB_LOAD_N=25,50,100,200 python -m benchmarks load
    CONVLAB_LOAD_STEADY_S=60 CONVLAB_LOAD_RAMP_S=20 ...   # longer windows
"""

from __future__ import annotations

import asyncio
import math
import os
import random
import tempfile
import time
from pathlib import Path

from benchmarks.load_client import GIVE_UP_S, Stats, Student
from deploy.serve_class import NGINX, Cluster
from harness.server import StreamlitServer, free_port

LESSONS = ["cross_correlation", "dilation", "pooling_invariance", "draw_digit", "classify_photo"]
TARGET_P95_MS = 1000.0  # the targets: p95 < 1 s, 0 errors, up to 50 students (one process), 200 (cluster)
CLUSTER_WORKERS = 2
SEED = 16


def _setting(name: str, default: str) -> str:
    return os.environ.get(f"CONVLAB_LOAD_{name}", default)


def n_list() -> list[int]:
    return [int(n) for n in _setting("N", "25,50").split(",") if n.strip()]


class ProcWatch:
    """CPU seconds and resident memory of server processes, read from /proc (Linux)."""

    def __init__(self, pids: list[int]):
        self.pids = pids
        self.tick = os.sysconf("SC_CLK_TCK")

    def cpu_s(self) -> float:
        total = 0.0
        for pid in self.pids:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / self.tick  # utime + stime
        return total

    def rss_mb(self) -> float:
        total = 0.0
        for pid in self.pids:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024
        return total


def start_students(ws_url: str, pages: list[str], n: int, ramp: float, stop_at: float, max_actions: int,
                   stats: Stats, seed: int = SEED) -> list[asyncio.Task]:
    """n students (student i on pages[i % len(pages)]) joining evenly over `ramp` seconds, as tasks; a client
    fault is counted as a disconnect and noted, never lost in an unobserved task."""
    async def student(i: int) -> None:
        await asyncio.sleep(ramp * i / n)
        try:
            await Student(ws_url, pages[i % len(pages)], "", random.Random(seed * 100003 + i), stats,
                          stop_at, max_actions, cookie=f"convlab_route=student-{i}").run()
        except Exception as e:
            stats.disconnects += 1
            stats.note(f"client error: {type(e).__name__}: {e}")

    return [asyncio.ensure_future(student(i)) for i in range(n)]


async def load(ws_url: str, pages: list[str], n: int, watch: ProcWatch, seed: int = SEED) -> dict:
    """Run n students against ws_url; the steady window's figures."""
    ramp, steady = float(_setting("RAMP_S", "6")), float(_setting("STEADY_S", "16"))
    stats, rss0 = Stats(), watch.rss_mb()
    t0 = time.monotonic()
    steady_at, stop_at = t0 + ramp, t0 + ramp + steady
    max_actions = math.ceil((ramp + steady) / 2) + 1

    async def sample() -> tuple[float, float]:
        await asyncio.sleep(max(steady_at - time.monotonic(), 0))
        cpu0, w0 = watch.cpu_s(), time.monotonic()
        await asyncio.sleep(max(stop_at - time.monotonic(), 0))
        return (watch.cpu_s() - cpu0) / (time.monotonic() - w0), watch.rss_mb()

    tasks = start_students(ws_url, pages, n, ramp, stop_at, max_actions, stats, seed)
    cores, rss1 = await sample()
    done, pending = await asyncio.wait(tasks, timeout=max(stop_at + GIVE_UP_S + 5 - time.monotonic(), 1))
    for task in pending:  # cannot happen with the client's own deadlines; kept so the run always stops
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    steady_lat = [s for t, s in stats.interactions if t >= steady_at] or [s for _, s in stats.interactions]
    return {"stats": stats, "latency_ms": [s * 1e3 for s in steady_lat], "cores": cores,
            "mb_per_session": (rss1 - rss0) / n, "rss_mb": rss1,
            "open_ms": [s * 1e3 for _, s in stats.opens]}


def warm_up(ws_urls: list[str], pages: list[str]) -> None:
    """Each page opened once on each process (models loaded, caches filled) before anything is measured."""
    async def all_pages() -> None:
        await asyncio.gather(*(Student(url, page, "", random.Random(0), Stats(), 0.0, 0).run()
                               for url in ws_urls for page in pages))
    asyncio.run(all_pages())


def percentile(samples: list[float], q: float) -> float:
    s = sorted(samples)
    return s[max(0, math.ceil(q * len(s)) - 1)]


def stream_url(http_url: str) -> str:
    return http_url.replace("http://", "ws://") + "/_stcore/stream"


def measure(report, label: str, ws_url: str, pages: list[str], pids: list[int], baseline: str | None,
            target_n: int = 0, warm: list[str] = ()) -> None:
    """One row per N: `load <label> N=<n>`; baseline rows are named `load hello-world N=<n>`.

    target_n: rows with N up to it are held to p95 < 1 s and 0 errors. warm: the processes' own URLs.
    """
    watch = ProcWatch(pids)
    warm_up(list(warm) or [ws_url], pages)
    for n in n_list():
        r = asyncio.run(load(ws_url, pages, n, watch))
        st, lat = r["stats"], r["latency_ms"]
        name = f"load {label} N={n}"
        if not lat:
            report.error(name, f"no interaction finished; {st.disconnects} disconnects; {'; '.join(st.messages)}")
            continue
        errors = st.exceptions + st.disconnects + st.slow
        open_p95 = percentile(r["open_ms"] or [0], .95)
        note = (f"p50 {percentile(lat, .5):.0f} p95 {percentile(lat, .95):.0f} max {max(lat):.0f} ms; "
                f"{len(lat)} changes ({st.fragment_runs} of all {len(st.interactions)} reran one fragment); "
                f"errors {errors} (exceptions {st.exceptions}, disconnects "
                f"{st.disconnects}, runs over 10 s incl. opens {st.slow}); open p95 {open_p95:.0f} ms; "
                f"server {r['cores']:.2f} cores, {r['mb_per_session']:.2f} MB/session ({r['rss_mb']:.0f} MB)")
        if st.messages:
            note += "; first errors: " + " | ".join(st.messages)
        row = report.add(name, lat, baseline=f"load hello-world N={n}" if baseline else None, note=note)
        if n <= target_n:
            ok = percentile(lat, .95) < TARGET_P95_MS and errors == 0
            row.status = "PASS" if ok else "FAIL"
            row.note += f"; target p95 < {TARGET_P95_MS:.0f} ms, 0 errors"


def run(report) -> None:
    logs = Path(tempfile.mkdtemp(prefix="convlab-load-"))
    for label, script, pages, base, target_n in [("hello-world", "benchmarks/hello_app.py", [""], None, 0),
                                                 ("one process", "serve.py", LESSONS, "hello-world", 50)]:
        server = StreamlitServer(script, logs / f"{label.replace(' ', '_')}.log")
        try:
            measure(report, label, stream_url(server.url), pages, [server.proc.pid], base, target_n)
        finally:
            server.stop()
    label = f"cluster of {CLUSTER_WORKERS}"
    if not Path(NGINX).exists():
        report.skip(f"load {label}", f"nginx is not installed at {NGINX} (`make nginx`)")
        return
    ports = [free_port() for _ in range(CLUSTER_WORKERS)]
    cluster = Cluster(free_port(), ports, run_dir=logs / "cluster")
    try:
        measure(report, label, stream_url(cluster.url), LESSONS, cluster.worker_pids, "hello-world", 200,
                warm=[stream_url(f"http://127.0.0.1:{p}") for p in ports])
    finally:
        cluster.stop()
