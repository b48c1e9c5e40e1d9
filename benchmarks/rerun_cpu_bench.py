"""Server CPU per rerun of each lesson page with randomised control values, measured inside the server.

A real `streamlit run serve.py` with benchmarks/cpu_probe on its PYTHONPATH: its sitecustomize wraps the
ScriptRunner and appends one JSON line per script run (thread CPU ms, page, fragment-only or not) to the file
named in CONVLAB_CPU_LOG. Chromium drives it, one lesson page at a time on a warm server (home opened first):

- reruns: a session opens the page (not counted), then INTERACTIONS times a control found in the DOM
  (benchmarks/controls.py) gets a value chosen by a seeded RNG; every run that follows counts, fragment-only
  runs and cache misses included. Row `<page>: CPU per rerun`, targets median / p95 in ms.
- cold load: then a new session (new browser context) opens the page; the CPU of all of that session's runs
  until the app is idle. Row `<page>: cold load CPU`.
"""

from __future__ import annotations

import json
import random
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from harness.controls import discover, interact, lesson_paths
from harness.browser import assert_no_exception, new_app_page, open_page
from harness.server import StreamlitServer, launch_chromium

INTERACTIONS, SEED = 25, 15
RERUN_MEDIAN_MS, RERUN_P95_MS, COLD_LOAD_MS = 15.0, 60.0, 300.0
PROBE = Path(__file__).resolve().parent / "cpu_probe"


class CpuLog:
    """The JSON lines the probe writes; `since()` returns the runs written after the last call."""

    def __init__(self, path: Path):
        self.path, self.offset = path, 0
        path.touch()

    def since(self, quiet_s: float = 0.3, timeout_s: float = 10.0) -> list[dict]:
        """Runs written since the last call, once no new line came for `quiet_s` (the line of a run is written
        just after the browser hears that it ended)."""
        deadline, size = time.monotonic() + timeout_s, -1
        while time.monotonic() < deadline and size != self.path.stat().st_size:
            size = self.path.stat().st_size
            time.sleep(quiet_s)
        with self.path.open() as f:
            f.seek(self.offset)
            text = f.read()
        self.offset += len(text.encode())
        return [json.loads(line) for line in text.splitlines() if line.strip()]


def random_reruns(page, rng: random.Random, n: int = INTERACTIONS) -> int:
    """n interactions with random controls and values, each waited for; returns how many changed a value."""
    controls, changed = discover(page), 0
    for _ in range(n):
        control = rng.choice(controls)
        if not control.locator(page).count():  # gone after an earlier choice (e.g. a 1D or an error page)
            controls = discover(page)
            continue
        changed += interact(page, control, rng)
    assert_no_exception(page)
    return changed


def measure_page(browser, url: str, log: CpuLog, rng: random.Random) -> tuple[list[dict], list[dict]]:
    """(the runs of the random interactions, the runs of a cold session's page load)."""
    page = new_app_page(browser)
    try:
        open_page(page, url)
        log.since()  # the first visit's runs: not counted
        random_reruns(page, rng)
        reruns = log.since()
    finally:
        page.context.close()
    page = new_app_page(browser)
    try:
        open_page(page, url)
        assert_no_exception(page)
        cold = log.since()
    finally:
        page.context.close()
    return reruns, cold


def run(report) -> None:
    rng = random.Random(SEED)
    with tempfile.TemporaryDirectory(prefix="convlab-cpu-") as tmp, sync_playwright() as pw:
        log = CpuLog(Path(tmp) / "runs.jsonl")
        server = StreamlitServer("serve.py", Path(tmp) / "server.log",
                                 env={"PYTHONPATH": str(PROBE), "CONVLAB_CPU_LOG": str(log.path)})
        browser = launch_chromium(pw)
        try:
            warm = new_app_page(browser)
            open_page(warm, server.url, "/")  # imports and models loaded before any measured run
            warm.context.close()
            log.since()
            for path in lesson_paths():
                name = path.strip("/").replace("_", " ")
                print(f"  {path}", flush=True)
                try:
                    reruns, cold = measure_page(browser, server.url + path, log, rng)
                except Exception as e:  # one page's failure must not hide the other pages' rows
                    report.error(f"{name}: CPU per rerun", str(e).splitlines()[0])
                    continue
                fragments = sum(r["fragment"] for r in reruns)
                report.add(f"{name}: CPU per rerun", [r["cpu_ms"] for r in reruns], target=RERUN_MEDIAN_MS,
                           p95_target=RERUN_P95_MS, note=f"server thread CPU; {fragments} of {len(reruns)} "
                           f"runs fragment-only")
                report.add(f"{name}: cold load CPU", [sum(r["cpu_ms"] for r in cold)], target=COLD_LOAD_MS,
                           note=f"new session, {len(cold)} runs")
        finally:
            browser.close()
            server.stop()
