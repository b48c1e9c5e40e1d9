"""The transposed-convolution lesson in real Chromium: press ArrowRight on the Step slider, see the next stamp."""
import numpy as np

from engine.ops.conv_transpose import trace_conv_transpose
from tests.e2e.browser import assert_no_exception, expect_rerun, open_page, slider


def stamp_text(page) -> str:
    """The scatter step, as the step view states it for screen readers (the first step view)."""
    return page.locator(".cl-step[aria-label]").first.get_attribute("aria-label")


def test_arrow_right_moves_to_the_next_stamp(page, app_url):
    open_page(page, app_url, "/transposed_convolution")
    assert_no_exception(page)
    trace = trace_conv_transpose(np.array([[1.0, 2], [3, 4]]), np.ones((3, 3)), stride=2)
    assert stamp_text(page).startswith("x[0, 0] = 1 stamps 1 × K onto rows 0–2, columns 0–2")
    thumb = slider(page, "Step").first
    thumb.focus()
    with expect_rerun(page):
        thumb.press("ArrowRight")
    assert "tc_step=1" in page.url
    assert trace.steps[1].index == (0, 1)
    assert stamp_text(page).startswith("x[0, 1] = 2 stamps 2 × K onto rows 0–2, columns 2–4")
    canvas = page.locator(".cl-step[aria-label]").first.locator("table").nth(2)
    assert canvas.locator("td").nth(2).inner_text() == f"{trace.steps[1].canvas[0, 2]:g}"  # 1 + 2 where stamps overlap
    assert_no_exception(page)
