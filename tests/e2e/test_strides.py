"""The strides lesson in real Chromium: move a stride slider with the keyboard, see new numbers and hatching."""
import re

import numpy as np

import engine
from engine.ops.coverage import participation_counts
from harness.browser import address_query, assert_no_exception, expect_rerun, open_page, slider
from harness.stepper import press_step, step_text, stepper, stepper_ready

KNOWN_X = np.array([[2, 2, 3, 3, 3], [0, 1, 3, 0, 3], [2, 3, 0, 1, 3], [3, 3, 2, 1, 2], [3, 3, 0, 2, 3]], float)
KNOWN_K = np.array([[2, 0, 1], [1, 0, 0], [0, 1, 1]], float)
KEY = "sd_step"


def step_sum(page) -> str:
    """The step's sum above its grids, once the stepper shows a step."""
    return step_text(page, KEY)


def hatched(page) -> int:
    return stepper_ready(page, KEY).locator(".cl-step td.skip").count()


def test_stride_slider_changes_numbers_and_hatching(page, app_url):
    open_page(page, app_url, "/strides")
    assert_no_exception(page)
    assert step_sum(page) == "y[0, 0] = 2·0 + 0·0 + 1·0 + 1·0 + 0·2 + 0·2 + 0·0 + 1·0 + 1·1 = 1"
    assert hatched(page) == 0
    thumb = slider(page, "Stride s_w (columns)")
    thumb.focus()
    with expect_rerun(page):
        thumb.press("ArrowRight")  # s_w: 2 -> 3
    assert "sd_sw=3" in page.url
    assert stepper(page, KEY).get_by_role("button", name=re.compile("Next")).count() == 1
    assert press_step(page, KEY, "next") == 1  # drawn by the browser, no rerun
    assert address_query(page)[KEY] == "1" and address_query(page)["sd_sw"] == "3"
    trace = engine.trace_conv(KNOWN_X, KNOWN_K, stride=(2, 3), padding=1)
    assert trace.output.shape == (3, 2)
    assert step_sum(page).startswith("y[0, 1] = ")
    assert step_sum(page).endswith(f"= {trace.steps[1].value:g}")
    expected = int((participation_counts((5, 5), (3, 3), (2, 3), 1) == 0).sum())
    assert expected > 0 and hatched(page) == expected  # (5 + 2 - 3) mod 3 = 1 column never reached
    assert_no_exception(page)


def test_known_example_preset_shows_the_figure_comparison(page, app_url):
    open_page(page, app_url, "/strides?sd_p=0")
    with expect_rerun(page):
        page.get_by_role("button", name=re.compile("Known 5×5 example")).click()
    assert "sd_p" not in page.url  # back to the default padding 1
    assert page.get_by_text("6 of 9 cells").count() >= 1  # the comparison text (and its figure caption)
    assert page.get_by_role("link", name="conv_arithmetic issue #17").count() == 1
    assert_no_exception(page)
