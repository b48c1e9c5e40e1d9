"""The transposed-convolution lesson in real Chromium: press ArrowRight on the Step slider, see the next stamp."""
import numpy as np

from engine.ops.conv_transpose import trace_conv_transpose
from harness.browser import address_query, assert_no_exception, open_page
from harness.stepper import step_range, stepper_ready, take_step

KEY = "tc_step"


def stamp_view(page):
    """The scatter step's view (stamp grids), once the stepper shows a step."""
    return stepper_ready(page, KEY).locator(".cl-stepper-view .cl-step[aria-label]").first


def stamp_text(page) -> str:
    """The scatter step, as the step view states it for screen readers."""
    return stamp_view(page).get_attribute("aria-label")


def test_arrow_right_moves_to_the_next_stamp(page, app_url):
    open_page(page, app_url, "/transposed_convolution")
    assert_no_exception(page)
    trace = trace_conv_transpose(np.array([[1.0, 2], [3, 4]]), np.ones((3, 3)), stride=2)
    assert stamp_text(page).startswith("x[0, 0] = 1 stamps 1 × K onto rows 0–2, columns 0–2")
    thumb = step_range(page, KEY)
    thumb.focus()
    take_step(page, KEY, lambda: thumb.press("ArrowRight"), 1)  # drawn by the browser, no rerun
    assert address_query(page)[KEY] == "1"
    assert trace.steps[1].index == (0, 1)
    assert stamp_text(page).startswith("x[0, 1] = 2 stamps 2 × K onto rows 0–2, columns 2–4")
    canvas = stamp_view(page).locator("table").nth(2)
    assert canvas.locator("td").nth(2).inner_text() == f"{trace.steps[1].canvas[0, 2]:g}"  # 1 + 2 where stamps overlap
    assert_no_exception(page)
