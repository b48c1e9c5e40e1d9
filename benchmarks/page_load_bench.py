"""Each lesson page opened cold (a new browser context, so a new session) on a warm server, Chromium 1280x720.

Two rows a page, ms from navigation start (performance.now() in the page, so no Playwright round trip):
- first screen drawn: the lesson's title is there, the content reaches below the 720 px viewport (or the
  script finished), and in the viewport no skeleton or spinner is left, every Plotly chart has drawn
  (`.js-plotly-plot .main-svg`), every image has loaded and every stepper has drawn its step;
- fully drawn: the script finished and the app is idle (harness/browser.py), and the same holds for the whole
  page.
Targets 1000 ms and 2500 ms (median). SAMPLES cold sessions a page; the server is warmed by one visit of
each page first, so a row is what a new student sees, not the server's first imports. The hello-world page
(benchmarks/hello_app.py) is measured the same way first, in the same run: what Streamlit itself costs.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from benchmarks.browser_bench import BASELINE
from harness.controls import lesson_paths
from harness.browser import _IDLE_JS, IDLE_STATES, assert_no_exception, new_app_page, open_page
from harness.server import StreamlitServer, launch_chromium

SAMPLES = 3
FIRST_SCREEN_MS, FULLY_DRAWN_MS = 1000.0, 2500.0

# drawn(inView): nothing in the part of the page selected by inView is still waiting to be drawn
_DRAWN_JS = r"""const drawn = (inView) => {
  const main = document.querySelector('[data-testid="stMain"]');
  if (!main || !main.querySelector('h1')) return false;
  const seen = (sel) => [...main.querySelectorAll(sel)].filter(inView);
  return !seen('[data-testid="stSkeleton"], [data-testid="stSpinner"]').length
    && seen('[data-testid="stPlotlyChart"]').every((c) => c.querySelector('.js-plotly-plot .main-svg'))
    && seen('img').every((i) => i.complete && i.naturalWidth > 0)
    && seen('[class*="st-key-ctl_"]').every((c) => c.querySelector('.cl-stepper[data-step]'));
};"""
_FIRST_SCREEN_JS = "(states) => {" + _DRAWN_JS + r"""
  const app = document.querySelector('[data-testid="stApp"]');
  const blocks = [...document.querySelectorAll('[data-testid="stMainBlockContainer"] > * > *')];
  const bottom = Math.max(0, ...blocks.map((b) => b.getBoundingClientRect().bottom));
  const filled = bottom >= innerHeight || states.includes(app?.dataset.testScriptState);
  const inView = (e) => { const r = e.getBoundingClientRect(); return r.bottom > 0 && r.top < innerHeight; };
  return filled && drawn(inView) ? performance.now() : 0;
}"""
_FULLY_DRAWN_JS = "(args) => {" + _DRAWN_JS + "  const idle = " + _IDLE_JS + r""";
  return idle(args) && drawn(() => true) ? performance.now() : 0;
}"""


def load_times(browser, url: str) -> tuple[float, float]:
    """(first screen drawn, fully drawn) in ms since navigation, in a new session."""
    page = new_app_page(browser)
    try:
        page.goto(url, wait_until="commit")
        first = page.wait_for_function(_FIRST_SCREEN_JS, arg=list(IDLE_STATES), polling="raf",
                                       timeout=60_000).json_value()
        full = page.wait_for_function(_FULLY_DRAWN_JS, arg=[-1, list(IDLE_STATES)], polling="raf",
                                      timeout=60_000).json_value()
        assert_no_exception(page)
        return first, full
    finally:
        page.context.close()


def measure(report, browser, url: str, name: str, targets: bool = True) -> None:
    """Warm the server with one visit of url, then add the rows '<name>: first screen drawn' and '... fully drawn'
    (with the targets, or without them for the baseline)."""
    try:
        warm = new_app_page(browser)
        open_page(warm, url)  # the server's first visit: imports, models, caches
        warm.context.close()
        times = [load_times(browser, url) for _ in range(SAMPLES)]
    except Exception as e:  # one page's failure must not hide the other pages' rows
        report.error(f"{name}: first screen drawn", f"{type(e).__name__}: {str(e).splitlines()[0]}")
        return
    report.add(f"{name}: first screen drawn", [t[0] for t in times], target=FIRST_SCREEN_MS if targets else None,
               note="cold session, warm server, 1280x720")
    report.add(f"{name}: fully drawn", [t[1] for t in times], target=FULLY_DRAWN_MS if targets else None)


def run(report) -> None:
    with tempfile.TemporaryDirectory(prefix="convlab-load-") as logs, sync_playwright() as pw:
        hello = StreamlitServer(BASELINE.script, Path(logs) / "hello.log")
        server = StreamlitServer("serve.py", Path(logs) / "app.log")
        browser = launch_chromium(pw)
        try:
            measure(report, browser, hello.url + BASELINE.path, "hello-world page (page-load baseline)", targets=False)
            for path in lesson_paths():
                print(f"  {path}", flush=True)
                measure(report, browser, server.url + path, path.strip("/").replace("_", " "))
        finally:
            browser.close()
            hello.stop()
            server.stop()
