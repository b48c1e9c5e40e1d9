"""The pooling lesson in real Chromium: step with the keyboard, move the digit, see the network's numbers change."""
import re

from engine.data.digits import typical
from engine.nets import digit_loading
from engine.nets.invariance import shift_response
from harness.browser import (FRAGMENT_RUN, address_query, assert_no_exception, expect_rerun, finished_runs, open_page,
                             slider)
from harness.stepper import step_text, take_step
from harness.redraws import redrawn, tag_figures
from pages.pooling_invariance.invariance_views import LABELS
from pages.pooling_invariance.robustness_views import transformed

KEY = "pl_step"


def step_label(page) -> str:
    """The pooling step's equation above its grids, once the stepper shows a step."""
    return step_text(page, KEY)


CLIPPED_JS = """() => {  // what a 1280 px window cuts off: digit buttons outside their (scrolling) group, sidebar titles
  const group = document.querySelector('.st-key-pl_digit [data-testid="stButtonGroup"]');
  const box = group.getBoundingClientRect();
  const digits = [...group.querySelectorAll('button')].filter((b) => {
    const r = b.getBoundingClientRect(); return r.left < box.left - 1 || r.right > box.right + 1; })
    .map((b) => b.innerText);
  const titles = [...document.querySelectorAll('[data-testid="stSidebar"] [data-testid="stPageLink-NavLink"]')]
    .filter((a) => [...a.querySelectorAll('*')].some((e) => e.scrollWidth > e.clientWidth + 1))
    .map((a) => a.innerText);
  return {digits, titles, shown: group.querySelectorAll('button').length};
}"""


def test_right_key_steps_and_shift_slider_updates_the_network(page, app_url):
    open_page(page, app_url, "/pooling_invariance")
    assert_no_exception(page)
    assert page.viewport_size["width"] == 1280
    assert page.evaluate(CLIPPED_JS) == {"digits": [], "titles": [], "shown": 10}  # all ten digits, whole titles
    assert step_label(page) == "y[0, 0] = max(1, 1, 5, 6) = 6"
    page.locator("h1").first.click()  # focus away from widgets: Left/Right are page shortcuts
    take_step(page, KEY, lambda: page.keyboard.press("ArrowRight"), 1)  # drawn by the browser, no rerun
    assert step_label(page) == "y[0, 1] = max(2, 4, 7, 8) = 8"
    assert address_query(page)[KEY] == "1"
    thumb = slider(page, "Move the digit right by (pixels)")
    thumb.scroll_into_view_if_needed()
    thumb.focus()
    with expect_rerun(page):
        thumb.press("ArrowRight")  # 1 (the default) -> 2
    assert "pl_shift=2" in page.url
    assert step_label(page) == "y[0, 1] = max(2, 4, 7, 8) = 8" and address_query(page)[KEY] == "1"  # the step stays
    change = shift_response("max_pool", typical(7), 6).change["pool1"][2]
    assert page.get_by_text(re.compile(rf"after it by {change:.0%}")).count() == 1
    assert_no_exception(page)


def test_rotation_and_the_digit_rerun_only_their_sections(page, app_url):
    """The rotation slider reruns its section's fragment only (not the page) and redraws the transformed digit and
    the network's bars, nothing else; a new digit reruns the trained networks' part, not the page."""
    open_page(page, app_url, "/pooling_invariance")
    assert {"pl_tf_fig", "pl_tf_bars", "pl_curves_fig", "pl_rot_fig"} <= set(tag_figures(page))
    thumb = slider(page, "Rotation (degrees)")
    thumb.scroll_into_view_if_needed()
    thumb.focus()
    runs = len(finished_runs(page))
    with expect_rerun(page):
        thumb.press("ArrowRight")  # 0 -> 5 degrees
    assert set(finished_runs(page)[runs:]) == {FRAGMENT_RUN}
    assert "pl_angle=5" in page.url
    assert set(redrawn(page)) == {"pl_tf_fig", "pl_tf_bars"}
    net = next(iter(LABELS))  # the default network, and the default digit 7
    probs = digit_loading.predict(net, transformed(7, 5, 1.0, 0, 0))[0]
    assert page.get_by_text(f"{LABELS[net]} says {int(probs.argmax())} ({probs.max():.0%}) for a 7").count() == 1
    runs = len(finished_runs(page))
    with expect_rerun(page):
        page.locator(".st-key-pl_digit button").filter(has_text=re.compile(r"^3$")).click()
    assert set(finished_runs(page)[runs:]) == {FRAGMENT_RUN}
    assert "pl_digit=3" in page.url and "pl_angle=5" in page.url
    probs = digit_loading.predict(net, transformed(3, 5, 1.0, 0, 0))[0]
    assert page.get_by_text(f"{LABELS[net]} says {int(probs.argmax())} ({probs.max():.0%}) for a 3").count() == 1
    assert_no_exception(page)
