"""Slider key press -> rerun settled, in real Chromium, as a ratio against a hello-world page.

To benchmark another page, add one line to CASES:
    Case("pooling slider", "app.py", "/pooling", "Kernel size"),
`slider` is the st.slider label (its aria-label), or a CSS selector starting with "css=" or "[".

The time of one press is measured inside the page (tests/e2e/browser.py, PROBE_JS): from the
keydown event to the later of (a) the websocket message that ends the rerun and (b) the last DOM
mutation before the app is idle again. So it has no Playwright round trips in it.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.e2e.browser import (assert_no_exception, expect_rerun, new_app_page, open_page,
                               slider as slider_thumb)
from tests.e2e.server import ROOT, StreamlitServer, launch_chromium

N, WARMUP = 20, 3
TARGET_RATIO = 1.5


@dataclass(frozen=True)
class Case:
    name: str
    script: str               # served with `streamlit run` from the repo root
    path: str                 # URL path and query
    slider: str               # aria-label, or CSS selector ("css=..." / "[...]")
    placeholder: bool = False  # page not written yet: skip with a message instead of ERROR


BASELINE = Case("hello-world slider", "benchmarks/hello_app.py", "/", "Value")
CASES = [
    Case("cross-correlation step slider", "app.py", "/cross_correlation", "Step"),
    Case("padding step slider", "app.py", "/padding", "Step"),
    Case("strides step slider", "app.py", "/strides", "Step"),
    Case("dilation step slider", "app.py", "/dilation", "Step"),
    Case("transposed-convolution step slider", "app.py", "/transposed_convolution", "Step"),
]

_ELAPSED_JS = "() => { const p = window.__convlab; return Math.max(p.idleAt, p.mutationAt) - p.keyAt; }"
_AT_MAX_JS = """e => Number(e.value ?? e.getAttribute('aria-valuenow'))
                   >= Number(e.max ?? e.getAttribute('aria-valuemax'))"""


def slider_to_settled(page, url: str, slider: str, n: int = N, warmup: int = WARMUP) -> list[float]:
    """ms from each ArrowRight/ArrowLeft press on `slider` until the app settled; n samples."""
    open_page(page, url)
    assert_no_exception(page)
    css = slider.startswith(("css=", "["))
    thumb = page.locator(slider) if css else slider_thumb(page, slider)
    if thumb.count() != 1:
        raise LookupError(f"{thumb.count()} sliders {slider!r} on {url}")
    thumb.focus()
    keys = ("ArrowLeft", "ArrowRight") if thumb.evaluate(_AT_MAX_JS) else ("ArrowRight", "ArrowLeft")
    samples = []
    for i in range(warmup + n):
        with expect_rerun(page):
            thumb.press(keys[i % 2])
        if i >= warmup:
            samples.append(page.evaluate(_ELAPSED_JS))
    assert_no_exception(page)
    return samples


def run(report) -> None:
    servers: dict[str, StreamlitServer] = {}
    with tempfile.TemporaryDirectory(prefix="convlab-bench-") as logs, sync_playwright() as pw:
        browser = launch_chromium(pw)
        try:
            for case in [BASELINE, *CASES]:
                if not (ROOT / case.script).exists():
                    (report.skip if case.placeholder else report.error)(
                        case.name, f"{case.script} not there yet")
                    continue
                if case.script not in servers:
                    log = Path(logs) / (Path(case.script).stem + ".log")
                    servers[case.script] = StreamlitServer(case.script, log)
                page = new_app_page(browser)
                try:
                    samples = slider_to_settled(page, servers[case.script].url + case.path,
                                                case.slider)
                except (LookupError, AssertionError) as e:
                    if case.placeholder:
                        report.skip(case.name, f"placeholder, page not ready: {e}")
                    else:
                        report.error(case.name, str(e).splitlines()[0])
                    continue
                finally:
                    page.context.close()
                if case is BASELINE:
                    report.add(case.name, samples, note="baseline")
                else:
                    report.add(case.name, samples, baseline=BASELINE.name, target=TARGET_RATIO)
        finally:
            browser.close()
            for server in servers.values():
                server.stop()
