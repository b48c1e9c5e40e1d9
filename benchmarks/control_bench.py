"""Every control of every lesson page, key press to settled in Chromium, as a ratio to a hello-world slider.

Controls are found in the page's DOM (benchmarks/controls.py): sliders, choices, preset buttons and matrix
edits (a new text typed into the matrix's text input, then Enter); plus demo mode's Page Down (`?demo=on`,
walked through the lesson's script). One row each, `<page>: <control label>`: WARMUP + SAMPLES presses with
values from a seeded RNG, each timed inside the page from the keydown to settled (harness/browser.py,
PROBE_JS), so no Playwright round trip is in it. Targets: median <= 5x and p95 <= 10x the median of the
hello-world slider measured first in this module. The steppers have their own rows in browser_bench.
"""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from benchmarks.browser_bench import BASELINE, slider_to_settled
from harness.controls import Control, demo_steps, discover, interact, lesson_paths, row_name
from harness.browser import assert_no_exception, expect_rerun, new_app_page, open_page
from harness.server import StreamlitServer, launch_chromium

SAMPLES, WARMUP, SEED = 5, 1, 15
MEDIAN_RATIO, P95_RATIO = 5.0, 10.0
BASELINE_ROW = "hello-world slider (controls baseline)"
_ELAPSED_JS = "() => { const p = window.__convlab; return Math.max(p.idleAt, p.mutationAt) - p.keyAt; }"
_ORDER = {"slider": 0, "choice": 1, "matrix": 2, "preset": 3}  # presets last: they change the other values


def control_to_settled(page, control: Control, rng: random.Random) -> list[float]:
    """ms from the key press to settled, SAMPLES times after WARMUP (presses that change nothing are skipped)."""
    samples, presses = [], 0
    while len(samples) < SAMPLES and presses < 3 * (SAMPLES + WARMUP):
        presses += 1
        if interact(page, control, rng) and presses > WARMUP:
            samples.append(page.evaluate(_ELAPSED_JS))
    assert_no_exception(page)
    return samples


def demo_page_down(page, base_url: str, path: str, steps: int) -> list[float]:
    """ms from each Page Down (demo mode's next script step) to settled, through the script (first: warm-up)."""
    open_page(page, base_url, path + "?demo=1")
    samples = []
    for i in range(steps):
        page.locator("h1").first.click()  # the focus on the page, not in a widget (as a clicker sends it)
        with expect_rerun(page):
            page.keyboard.press("PageDown")
        if i >= WARMUP:
            samples.append(page.evaluate(_ELAPSED_JS))
    assert_no_exception(page)
    return samples


def page_controls(browser, url: str, rng: random.Random) -> dict[Control, list[float] | Exception]:
    """Every control on the page, measured in one session; a control an earlier one hid (e.g. a preset
    switched to 1D) is measured again in a fresh session."""
    results: dict[Control, list[float] | Exception] = {}
    for attempt in range(2):
        page = new_app_page(browser)
        try:
            open_page(page, url)
            todo = [c for c in sorted(discover(page), key=lambda c: _ORDER[c.kind]) if c not in results]
            for control in todo:
                if not control.locator(page).count():
                    continue
                try:
                    results[control] = control_to_settled(page, control, rng)
                except Exception as e:  # one control's failure must not hide the others
                    results[control] = e
        finally:
            page.context.close()
        if all(c in results for c in todo):
            break
    return results


def run(report) -> None:
    rng = random.Random(SEED)
    with tempfile.TemporaryDirectory(prefix="convlab-controls-") as logs, sync_playwright() as pw:
        hello = StreamlitServer(BASELINE.script, Path(logs) / "hello.log")
        server = StreamlitServer("serve.py", Path(logs) / "app.log")
        browser = launch_chromium(pw)
        try:
            page = new_app_page(browser)
            report.add(BASELINE_ROW, slider_to_settled(page, hello.url + BASELINE.path, BASELINE.slider),
                       note="baseline")
            page.context.close()
            for path in lesson_paths():
                print(f"  {path}", flush=True)
                for control, result in page_controls(browser, server.url + path, rng).items():
                    name = row_name(path, control)
                    _add(report, name if name not in report.rows else f"{name} ({control.key})", result)
                if not demo_steps(path):
                    continue
                page = new_app_page(browser)
                try:
                    result = demo_page_down(page, server.url, path, demo_steps(path))
                except Exception as e:
                    result = e
                finally:
                    page.context.close()
                _add(report, f"{path.strip('/').replace('_', ' ')}: demo Page Down", result)
        finally:
            browser.close()
            hello.stop()
            server.stop()


def _add(report, name: str, result: list[float] | Exception) -> None:
    if isinstance(result, Exception):
        report.error(name, f"{type(result).__name__}: {str(result).splitlines()[0]}")
    elif not result:
        report.error(name, "no press changed its value")
    else:
        report.add(name, result, baseline=BASELINE_ROW, target=MEDIAN_RATIO, p95_target=P95_RATIO)
