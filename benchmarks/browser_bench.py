"""Slider key press -> rerun settled, in real Chromium, as a ratio against a hello-world page.

To benchmark another page, add one line to CASES:
    Case("pooling slider", "serve.py", "/pooling", "Kernel size"),  or _step("/pooling", "pl_step") for a stepper
`slider` is the st.slider label (its aria-label), or a CSS selector starting with "css=" or "[".

The time of one press is measured inside the page (harness/browser.py, PROBE_JS): from the
keydown event to the later of (a) the websocket message that ends the rerun and (b) the last DOM
mutation before the app is idle again. So it has no Playwright round trips in it.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import sync_playwright

from harness.browser import (assert_no_exception, expect_rerun, idle_count, new_app_page, open_page,
                             slider as slider_thumb, wait_for_app_idle)
from harness.stepper import stepper_ready
from harness.server import ROOT, StreamlitServer, launch_chromium

N, WARMUP = 20, 3
TARGET_RATIO = 1.5


@dataclass(frozen=True)
class Case:
    name: str
    script: str               # served with `streamlit run` from the repo root
    path: str                 # URL path and query
    slider: str               # aria-label, or CSS selector ("css=..." / "[...]")
    placeholder: bool = False  # page not written yet: skip with a message instead of ERROR
    target: bool = True        # held to TARGET_RATIO (False: reported for information)
    stepper: str = ""          # the key of a lesson stepper (pages/shell/stepper) whose range input this is


def _step(page_path: str, key: str, label: str = "Step") -> Case:
    """The lesson's stepper (pages/shell/stepper): its range input, found by the stepper's key."""
    name = page_path.strip("/").replace("_", " ")
    return Case(f"{name} {label.lower()} slider", "serve.py", page_path, f"css=.st-key-ctl_{key} .cl-stepper-range",
                stepper=key)


BASELINE = Case("hello-world slider", "benchmarks/hello_app.py", "/", "Value")
CASES = [
    _step("/cross_correlation", "xc_step"),
    _step("/padding", "pd_step"),
    _step("/strides", "sd_step"),
    _step("/dilation", "dl_step"),
    _step("/transposed_convolution", "tc_step"),
    _step("/pooling_invariance", "pl_step"),
    _step("/squeeze_excitation", "se_step", "Stage"),
    Case("padding stride slider (whole page)", "serve.py", "/padding", "Stride s", target=False),
    Case("strides padding slider (whole page)", "serve.py", "/strides", "Zero padding p", target=False),
    Case("dilation d slider (whole page)", "serve.py", "/dilation", "Dilation d", target=False),
    Case("pooling digit-shift slider (5 networks)", "serve.py", "/pooling_invariance", "Move the digit right by (pixels)",
         target=False),
]

# A stepper (pages/shell/stepper) draws a step in the browser and asks nothing of the server: settled is the
# step's attribute set, two animation frames and a task later with no rerun asked for (the probe's `asked`
# count; else: the rerun that was asked for, as for any slider).
_QUIET_JS = """([key, step]) => new Promise((done) => {
  const root = document.querySelector(`.st-key-ctl_${key} .cl-stepper`);
  const check = () => root.dataset.step === String(step)
    ? requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(() => done(window.__convlab.asked), 0)))
    : requestAnimationFrame(check);
  check(); })"""
_ELAPSED_JS = "() => { const p = window.__convlab; return Math.max(p.idleAt, p.mutationAt) - p.keyAt; }"
_AT_MAX_JS = """e => Number(e.value ?? e.getAttribute('aria-valuenow'))
                   >= Number(e.max ?? e.getAttribute('aria-valuemax'))"""


def slider_to_settled(page, url: str, slider: str, n: int = N, warmup: int = WARMUP,
                      stepper: str = "") -> list[float]:
    """ms from each ArrowRight/ArrowLeft press on `slider` until the app settled; n samples.

    stepper: the key of the lesson stepper `slider` belongs to (a step there needs no rerun).
    """
    open_page(page, url)
    assert_no_exception(page)
    css = slider.startswith(("css=", "["))
    thumb = page.locator(slider) if css else slider_thumb(page, slider)
    if thumb.count() != 1:
        raise LookupError(f"{thumb.count()} sliders {slider!r} on {url}")
    if stepper:
        stepper_ready(page, stepper)
    thumb.focus()
    keys = ("ArrowLeft", "ArrowRight") if thumb.evaluate(_AT_MAX_JS) else ("ArrowRight", "ArrowLeft")
    samples = []
    for i in range(warmup + n):
        if stepper:
            step, asked = int(thumb.input_value()), page.evaluate("window.__convlab.asked")
            since = idle_count(page)
            thumb.press(keys[i % 2])
            target = step + (1 if keys[i % 2] == "ArrowRight" else -1)
            if page.evaluate(_QUIET_JS, [stepper, target]) != asked:  # it asked the server: wait for that run
                wait_for_app_idle(page, since)
        else:
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
                    samples = slider_to_settled(page, servers[case.script].url + case.path, case.slider,
                                                stepper=case.stepper)
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
                    continue
                report.add(case.name, samples, baseline=BASELINE.name, target=TARGET_RATIO if case.target else None,
                           note="" if case.target else "a full rerun of the lesson page (no target)")
            photo_page(report, browser, servers, Path(logs))
        finally:
            browser.close()
            for server in servers.values():
                server.stop()


# --- the photo lesson: a new photo -> top-5, feature maps and costs settled, against an absolute target ---

PHOTO_PATH = "/classify_photo"
PHOTO_TARGET_MS = 1000.0  # the target: a photo page interaction under 1 s (median; p95 noted)
PHOTO_UPLOADS = 10
_ELAPSED_SINCE_JS = "t0 => { const p = window.__convlab; return Math.max(p.idleAt, p.mutationAt) - t0; }"


def _photo_row(report, name, samples, note=""):
    p95 = sorted(samples)[max(0, -(-len(samples) * 95 // 100) - 1)]
    over = f"p95 {p95:.0f} ms over {PHOTO_TARGET_MS:.0f} ms" if p95 > PHOTO_TARGET_MS else ""
    report.add(name, samples, target=PHOTO_TARGET_MS, note="; ".join(n for n in (note, over) if n))


def sample_photos_to_settled(page, url: str, rounds: int = 4) -> tuple[list[float], list[float]]:
    """ms from Enter on a sample-photo option (keydown) until the app settled. First round: each photo the
    server has not classified yet (all but the default); later rounds: the same photos again (cached)."""
    from engine.data.photos import SAMPLE_PHOTOS

    open_page(page, url)
    assert_no_exception(page)
    labels = [label for label in SAMPLE_PHOTOS if label != "Coffee"] + ["Coffee"]
    first, again = [], []
    for n in range(rounds):
        for label in labels:
            option = page.get_by_role("radio", name=label, exact=True)
            option.focus()
            with expect_rerun(page):
                option.press("Enter")
            (first if n == 0 and label != "Coffee" else again).append(page.evaluate(_ELAPSED_JS))
    assert_no_exception(page)
    return first, again


def uploads_to_settled(page, url: str, n: int = PHOTO_UPLOADS) -> list[float]:
    """ms from handing the file input a new PNG (a crop the server has not seen) until the app settled."""
    import io

    from PIL import Image

    from engine.data.photos import SAMPLE_PHOTOS, rgb_photo

    open_page(page, url)
    photos = [rgb_photo(label) for label in SAMPLE_PHOTOS]
    samples = []
    for i in range(n):
        rgb = photos[i % len(photos)]
        crop = rgb[i:, 2 * i:][: max(64, rgb.shape[0] - 3 * i), : max(64, rgb.shape[1] - 5 * i)]
        buffer = io.BytesIO()
        Image.fromarray(crop).save(buffer, "PNG")
        uploader = page.locator('[data-testid="stFileUploader"] input[type="file"]')
        t0 = page.evaluate("performance.now()")
        with expect_rerun(page):
            uploader.set_input_files(files=[{"name": f"photo{i}.png", "mimeType": "image/png",
                                             "buffer": buffer.getvalue()}])
        samples.append(page.evaluate(_ELAPSED_SINCE_JS, t0))
    assert page.get_by_text("Uploaded photos are not part of the link").count() == 1
    assert_no_exception(page)
    return samples


def photo_page(report, browser, servers, logs: Path) -> None:
    """Rows for the photo lesson: new sample photo, sample photo again (cached), new upload."""
    names = ("photo page: new sample photo", "photo page: sample photo again (cached)", "photo page: new upload")
    if "serve.py" not in servers:
        servers["serve.py"] = StreamlitServer("serve.py", logs / "app.log")
    url = servers["serve.py"].url + PHOTO_PATH
    for name, measure in ((names[0], sample_photos_to_settled), (names[2], uploads_to_settled)):
        page = new_app_page(browser)
        try:
            result = measure(page, url)
        except (LookupError, AssertionError) as e:
            report.error(name, str(e).splitlines()[0])
            continue
        finally:
            page.context.close()
        if measure is sample_photos_to_settled:
            first, again = result
            _photo_row(report, names[0], first, note="uncached: the network runs")
            _photo_row(report, names[1], again)
        else:
            _photo_row(report, name, result, note="upload, decode, network")
