"""A live class under load: N students follow the instructor on `make serve-class` (2 processes behind nginx),
while M other students explore lessons (load_client.Student, as in load_bench).

The instructor is simulated in the store: every STEP_S seconds it publishes what a driving tab publishes at the
next demo step (cross-correlation's script, then dilation's: a step can change the lesson). Each follower is a
websocket client speaking the browser's protocol: it opens `/?join=CODE`, then only listens; the server pushes
it a run whenever the class moves (pages/shell/live_class/push.py). Reported:
- follow: time from the instructor's move to each follower's finished run (all moves x followers in the steady
  window), moves a follower missed; target p95 < 2 s.
- explore: the explorers' own interactions (change sent -> script finished); target p95 < 1 s.

    python -m benchmarks follow                                  # N=200 followers, M=50 explorers
    CONVLAB_FOLLOW_N=100 CONVLAB_FOLLOW_EXPLORERS=25 python -m benchmarks follow
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from pathlib import Path

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from benchmarks.load_bench import LESSONS, ProcWatch, percentile, start_students, stream_url, warm_up
from benchmarks.load_client import Stats
from deploy.serve_class import NGINX, Cluster
from harness.server import free_port

FOLLOW_P95_MS, EXPLORE_P95_MS = 2000.0, 1000.0
STEP_S = 5.0  # the instructor's pace: a demo step every 5 s (a brisk lecture)
SCRIPTS = ["cross_correlation", "dilation"]


def _setting(name: str, default: str) -> str:
    return os.environ.get(f"CONVLAB_FOLLOW_{name}", default)


def demo_positions():
    """What a driving tab publishes at each demo step of SCRIPTS, in order (pages/shell/live_class/position.py)."""
    from engine.lessons import load_lessons

    lessons = {l.slug: l for l in load_lessons()}
    for slug in SCRIPTS:
        lesson = lessons[slug]
        for index, step in enumerate(lesson.demo, 1):
            values = dict(lesson.preset(step.preset).values)
            if lesson.step_key:
                values[lesson.step_key] = step.step or 0
            yield {"path": lesson.page, "title": lesson.title, "values": values, "demo_step": index,
                   "steps": len(lesson.demo), "say": step.say, "section": step.section}


class Follower:
    """Joins class `code`, then records when each pushed run finishes (time.monotonic())."""

    def __init__(self, ws_url: str, code: str, cookie: str, stats: Stats):
        self.ws_url, self.code, self.cookie, self.stats = ws_url, code, cookie, stats
        self.finished: list[float] = []

    async def run(self, stop_at: float) -> None:
        try:
            async with websockets.connect(self.ws_url, subprotocols=["streamlit"], max_size=None,
                                          additional_headers={"Cookie": self.cookie}, open_timeout=30,
                                          close_timeout=2) as ws:
                msg = BackMsg()
                msg.rerun_script.query_string = f"join={self.code}"
                await ws.send(msg.SerializeToString())
                while (left := stop_at - time.monotonic()) > 0:
                    try:
                        data = await asyncio.wait_for(ws.recv(), timeout=left)
                    except asyncio.TimeoutError:
                        return
                    fwd = ForwardMsg()
                    fwd.ParseFromString(data)
                    kind = fwd.WhichOneof("type")
                    if kind == "delta" and fwd.delta.new_element.WhichOneof("type") == "exception":
                        self.stats.exceptions += 1
                        self.stats.note(f"follower: exception {fwd.delta.new_element.exception.message[:120]}")
                    elif kind == "script_finished" and fwd.script_finished in (
                            ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY):
                        self.finished.append(time.monotonic())
        except (OSError, asyncio.TimeoutError, websockets.ConnectionClosed, websockets.InvalidHandshake) as e:
            self.stats.disconnects += 1
            self.stats.note(f"follower: {type(e).__name__}: {e}")


def follow_latencies(moves: list[float], finished: list[float]) -> tuple[list[float], int]:
    """For each move, the first finished run after it and before the next move: (latencies in s, misses)."""
    latencies, missed = [], 0
    for k, t in enumerate(moves):
        until = moves[k + 1] if k + 1 < len(moves) else float("inf")
        done = next((f for f in finished if t < f < until), None)
        if done is None:
            missed += 1
        else:
            latencies.append(done - t)
    return latencies, missed


async def lecture(ws_url: str, n: int, m: int, watch: ProcWatch) -> dict:
    from engine.classroom import ClassStore

    store = ClassStore.from_env()
    driver = "bench-instructor"
    started = store.start(driver, time.time())
    positions = list(demo_positions())
    store.publish(started.code, driver, positions[0], time.time())
    ramp, steady = float(_setting("RAMP_S", "20")), float(_setting("STEADY_S", "40"))
    t0 = time.monotonic()
    steady_at, stop_at = t0 + ramp, t0 + ramp + steady
    stats, explore = Stats(), Stats()
    followers = [Follower(ws_url, started.code, f"convlab_route=follower-{i}", stats) for i in range(n)]

    async def join(i: int) -> None:
        await asyncio.sleep(ramp * 0.8 * i / max(n, 1))  # all joined before the steady window
        await followers[i].run(stop_at + 10)

    tasks = [asyncio.ensure_future(join(i)) for i in range(n)]
    tasks += start_students(ws_url, LESSONS, m, ramp, stop_at, int(ramp + steady), explore)
    await asyncio.sleep(max(steady_at - time.monotonic(), 0))
    cpu0, w0, moves, client0 = watch.cpu_s(), time.monotonic(), [], time.process_time()
    for position in positions[1:]:
        if time.monotonic() + STEP_S > stop_at:
            break
        moves.append(time.monotonic())
        store.publish(started.code, driver, position, time.time())
        await asyncio.sleep(STEP_S)
    cores = (watch.cpu_s() - cpu0) / (time.monotonic() - w0)
    client_cores = (time.process_time() - client0) / (time.monotonic() - w0)
    await asyncio.gather(*tasks, return_exceptions=True)
    latencies, missed = [], 0
    for follower in followers:
        lat, miss = follow_latencies(moves, follower.finished)
        latencies += lat
        missed += miss
    joined = store.members(started.code)
    lat_explore = [s for t, s in explore.interactions if t >= steady_at]
    return {"follow_ms": [s * 1e3 for s in latencies], "missed": missed, "moves": len(moves), "joined": joined,
            "stats": stats, "explore": explore, "explore_ms": [s * 1e3 for s in lat_explore], "cores": cores,
            "client_cores": client_cores}


def run(report) -> None:
    if not Path(NGINX).exists():
        report.skip("follow", f"nginx is not installed at {NGINX} (`make nginx`)")
        return
    n, m = int(_setting("N", "200")), int(_setting("EXPLORERS", "50"))
    logs = Path(tempfile.mkdtemp(prefix="convlab-follow-"))
    os.environ["CONVLAB_DATA_DIR"] = str(logs / "data")  # the cluster's processes and the simulated instructor
    ports = [free_port(), free_port()]
    cluster = Cluster(free_port(), ports, run_dir=logs / "cluster")
    try:
        watch = ProcWatch(cluster.worker_pids)
        warm_up([stream_url(f"http://127.0.0.1:{p}") for p in ports], LESSONS)
        r = asyncio.run(lecture(stream_url(cluster.url), n, m, watch))
    finally:
        cluster.stop()
    st, lat = r["stats"], r["follow_ms"]
    errors = st.exceptions + st.disconnects
    name = f"follow cluster of 2 N={n}"
    if not lat:
        report.error(name, f"no follower saw a move; {errors} errors; {'; '.join(st.messages)}")
        return
    row = report.add(name, lat, note=(
        f"move -> follower's run finished: p50 {percentile(lat, .5):.0f} p95 {percentile(lat, .95):.0f} "
        f"max {max(lat):.0f} ms over {r['moves']} moves x {r['joined']} joined; missed {r['missed']}; "
        f"errors {errors}; server {r['cores']:.2f} cores, this client {r['client_cores']:.2f}; target p95 < {FOLLOW_P95_MS:.0f} ms, none missed"
        + ("; first errors: " + " | ".join(st.messages) if st.messages else "")))
    row.status = "PASS" if (percentile(lat, .95) < FOLLOW_P95_MS and not r["missed"] and not errors
                            and r["joined"] == n) else "FAIL"
    ex, ex_lat = r["explore"], r["explore_ms"]
    if m and ex_lat:
        ex_errors = ex.exceptions + ex.disconnects + ex.slow
        row = report.add(f"follow: explorers beside them M={m}", ex_lat, note=(
            f"p50 {percentile(ex_lat, .5):.0f} p95 {percentile(ex_lat, .95):.0f} ms over {len(ex_lat)} changes; "
            f"errors {ex_errors}; target p95 < {EXPLORE_P95_MS:.0f} ms"))
        row.status = "PASS" if percentile(ex_lat, .95) < EXPLORE_P95_MS and not ex_errors else "FAIL"
