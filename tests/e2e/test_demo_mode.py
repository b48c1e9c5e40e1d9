"""Demo mode in real Chromium: the keyboard walks the script, Space auto-advances, the shared link and the
downloaded PNG, hidden parts; every lesson at projector size (1280x720; a phone: test_phone_layout.py)."""
import re
import struct
from urllib.parse import parse_qsl, urlsplit


from engine.lessons import load_lessons
from harness.browser import (address_query, aria_label, assert_no_exception, expect_rerun, open_page,
                             wait_for_app_idle)
from harness.stepper import step_number, stepper, stepper_ready, take_step

LESSONS = load_lessons()
XC = next(l for l in LESSONS if l.slug == "cross_correlation")
NARRATION = ".st-key-demo_narration"
KEY = "xc_step"  # the lesson's stepper: Left / Right are its frames
STEP_VIEW = ".cl-step[aria-label]"  # the step view: grids, and the step's sum as its label
MAIN = "document.querySelector('[data-testid=stMain]')"
ANIMATION = ".st-key-xc_anim .stPlotlyChart"  # the Plotly figure of the step; its aria-label ends in the step


def counter(page) -> str:
    return page.locator(NARRATION).inner_text()


def press(page, key):
    """A page shortcut, with the focus on the page (not in a widget). Left / Right: the stepper's next frame,
    drawn by the browser (no rerun; waits until it shows); any other key: the run it causes."""
    page.locator("h1").first.click()
    if key in ("ArrowLeft", "ArrowRight"):
        take_step(page, KEY, lambda: page.keyboard.press(key), 1 if key == "ArrowRight" else -1)
        return
    with expect_rerun(page):
        page.keyboard.press(key)


def frame(page, n):
    """Wait until the stepper shows script step n's frame (the step its preset sets) and return that view."""
    stepper_ready(page, KEY, XC.demo[n - 1].step)
    return aria_label(page, STEP_VIEW)


def query(url):
    return dict(parse_qsl(urlsplit(url).query))


def test_keyboard_walks_the_script_and_the_frames(page, app_url):
    open_page(page, app_url, "/cross_correlation?demo=1")
    n = len(XC.demo)
    assert counter(page).startswith(f"Demo script: {n} steps")
    assert page.get_by_text("Controls").first.is_visible()
    assert not page.get_by_role("button", name=XC.presets[0].label).is_visible(), "controls are folded away"
    start = aria_label(page, STEP_VIEW)
    press(page, "ArrowRight")  # before the script starts, the right key steps the lesson's stepper too
    assert aria_label(page, STEP_VIEW) != start and address_query(page)[KEY] == "1"

    press(page, "PageDown")
    assert counter(page).startswith(f"Step 1 / {n}")
    assert XC.demo[0].say[:40] in counter(page)
    view, figure = frame(page, 1), aria_label(page, ANIMATION)
    assert "demo_step=1" in page.url

    press(page, "ArrowRight")  # the next frame of this step, drawn by the browser
    assert counter(page).startswith(f"Step 1 / {n}")
    assert aria_label(page, STEP_VIEW) != view
    assert address_query(page)[KEY] == str(XC.demo[0].step + 1) and address_query(page)["demo_step"] == "1"
    press(page, "ArrowLeft")
    assert aria_label(page, STEP_VIEW) == view

    press(page, "PageDown")  # the next script step: another frame, another figure
    assert counter(page).startswith(f"Step 2 / {n}")
    assert frame(page, 2) != view and aria_label(page, ANIMATION) != figure
    assert "demo_step=2" in page.url
    press(page, "PageUp")
    assert counter(page).startswith(f"Step 1 / {n}")
    assert frame(page, 1) == view
    held = page.evaluate(f"() => {MAIN}.scrollTop")
    page.mouse.move(960, 600)
    page.mouse.wheel(0, 500)  # the lecturer scrolls on while the step still holds its part in place: theirs wins
    page.wait_for_timeout(1500)
    assert page.evaluate(f"() => {MAIN}.scrollTop") > held + 400, "the demo script pulled the page back"

    page.get_by_text("Controls").first.click()  # Space in a text field types a space: no auto-advance
    field = page.locator(".st-key-xc_x input")
    field.click()
    field.press("End")
    field.press("Space")
    assert field.input_value().endswith(" ")
    assert page.get_by_role("button", name=re.compile("^Auto-advance")).is_visible()
    assert_no_exception(page)


SEEN_STEPS_JS = """(selector) => {  // window.__seenSteps: each new text of the step counter
  const seen = window.__seenSteps = [];
  new MutationObserver(() => {
    const text = document.querySelector(selector)?.innerText ?? '';
    if (text.startsWith('Step ') && text !== seen[seen.length - 1]) seen.push(text);
  }).observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


def test_space_auto_advances_and_pauses(page, app_url):
    open_page(page, app_url, "/strides?demo=1&demo_every=2")
    n = len(next(l for l in LESSONS if l.slug == "strides").demo)
    page.evaluate(SEEN_STEPS_JS, NARRATION)  # every counter text from now on, in order (however slow the machine)
    press(page, "Space")  # starts at step 1 at once
    assert page.get_by_role("button", name=re.compile("^Pause")).is_visible()
    assert "demo_auto=1" in page.url
    page.wait_for_function(f"() => window.__seenSteps.some((t) => t.startsWith('Step 2 / {n}'))",
                           timeout=30_000)  # the fragment's own timer moved it on
    seen = [t.split(" · ")[0] for t in page.evaluate("window.__seenSteps")]
    assert seen[:2] == [f"Step 1 / {n}", f"Step 2 / {n}"], seen
    press(page, "Space")
    assert page.get_by_role("button", name=re.compile("^Auto-advance")).is_visible()
    assert "demo_auto" not in page.url
    assert_no_exception(page)


def test_share_this_view_shows_the_exact_url(page, app_url):
    open_page(page, app_url, "/cross_correlation?demo=1&hide=presets")
    press(page, "PageDown")
    press(page, "PageDown")
    frame(page, 2)
    press(page, "ArrowRight")  # a frame the server hears of only with the next run: the Share click's
    with expect_rerun(page):
        page.get_by_role("button", name=re.compile("Share this view")).click()
    link = page.get_by_test_id("stCode").filter(has_text="demo=1").inner_text().strip()
    assert urlsplit(link).path == urlsplit(page.url).path == "/cross_correlation"
    assert query(link) == query(page.url)
    assert query(link)["demo_step"] == "2" and query(link)["hide"] == "presets"
    assert query(link)[KEY] == str(XC.demo[1].step + 1) == str(step_number(page, KEY))

    shown, step = aria_label(page, STEP_VIEW), step_number(page, KEY)
    page.goto(link)  # the link in a new session (another student's tab)
    wait_for_app_idle(page)
    assert counter(page).startswith(f"Step 2 / {len(XC.demo)}")
    stepper_ready(page, KEY, step)
    assert aria_label(page, STEP_VIEW) == shown


def png_size(data: bytes):
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_download_figure_saves_a_png_by_click_and_the_demo_bar_is_reachable_with_tab_and_enter(page, app_url,
                                                                                                tmp_path):
    open_page(page, app_url, "/cross_correlation?demo=1")
    page.locator(".st-key-xc_anim").scroll_into_view_if_needed()
    with page.expect_download() as download:
        page.get_by_role("button", name=re.compile("Download figure")).click()
    name = download.value.suggested_filename
    assert name.startswith("convlab-cross_correlation-xc_anim") and name.endswith(".png")
    target = tmp_path / name
    download.value.save_as(target)
    width, height = png_size(target.read_bytes())
    assert width >= 1000 and height >= 300, "scale 2: sharp on a slide"

    page.locator("h1").first.click()
    names = []
    for _ in range(30):
        page.keyboard.press("Tab")
        names.append(page.evaluate("() => document.activeElement.innerText || document.activeElement.ariaLabel"))
        if "Download figure" in (names[-1] or ""):
            break
    assert any("Next" in (n or "") for n in names) and any("Auto-advance" in (n or "") for n in names)
    assert any("Share this view" in (n or "") for n in names)
    page.locator(".st-key-xc_anim").scroll_into_view_if_needed()
    page.locator(".cl-download").focus()
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    assert download.value.suggested_filename.endswith(".png")


def test_hide_removes_parts_and_keys_still_step(page, app_url):
    open_page(page, app_url, "/cross_correlation?hide=presets,xc_pad,xc_step,xc_flip_fig")
    assert page.get_by_text("Controls").first.is_visible()
    assert not page.get_by_role("button", name=XC.presets[0].label).is_visible()
    assert not page.locator(".st-key-xc_pad").is_visible() and page.locator(".st-key-xc_op").is_visible()
    assert not page.locator(".st-key-xc_flip_fig").is_visible()
    assert not stepper(page, KEY).locator(".cl-stepper-row").is_visible()  # the stepper's controls, not its view
    assert stepper_ready(page, KEY, 0).locator(".cl-stepper-view").is_visible()
    view = aria_label(page, STEP_VIEW)
    press(page, "ArrowRight")
    assert aria_label(page, STEP_VIEW) != view
    assert query(page.url)["hide"] == "presets,xc_pad,xc_step,xc_flip_fig"
    assert_no_exception(page)


def test_turning_demo_mode_off_leaves_a_plain_link(page, app_url):
    open_page(page, app_url, "/cross_correlation?demo=1&demo_step=2")
    page.get_by_test_id("stExpandSidebarButton").click()
    with expect_rerun(page):
        page.get_by_text("Instructor demo mode").click()
    assert not {"demo", "demo_step"} & set(query(page.url))
    assert page.locator(NARRATION).count() == 0
    assert page.get_by_role("button", name=XC.presets[0].label).is_visible(), "controls open again"
