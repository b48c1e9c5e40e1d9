"""The SE lesson in real Chromium: step through the block, open the lecture's cost example."""
import re

import numpy as np

from engine.data.digits import typical
from engine.figures.se_stage_view import STAGES
from engine.nets.se_steps import se_block_steps
from harness.browser import address_query, assert_no_exception, expect_rerun, open_page
from harness.stepper import press_step, step_text, step_value, stepper, stepper_ready

KEY = "se_step"


def test_next_stage_shows_the_squeeze_and_the_lecture_cost(page, app_url):
    open_page(page, app_url, "/squeeze_excitation")
    assert_no_exception(page)
    stepper_ready(page, KEY, 0)
    assert press_step(page, KEY, "next") == 1  # the stage is drawn by the browser from the block's numbers
    assert step_value(page, KEY) == f"2 / {len(STAGES)}" and address_query(page)[KEY] == "1"
    block = se_block_steps("se", typical(3), 1)  # the page's default digit and block
    view = stepper(page, KEY).locator(".cl-stepper-view")
    assert view.get_by_text("2. Squeeze: z").count() == 1
    c, (h, w) = int(np.argmax(block.z)), block.u.shape[1:]
    equation = step_text(page, KEY)  # the largest channel mean, with this block's numbers
    assert f"z{c} = (1 / ({h}·{w}))" in equation and equation.endswith(f" = {block.z[c]:.3f}")
    with expect_rerun(page):
        page.get_by_role("button", name=re.compile("Lecture: bottleneck block")).click()
    assert page.locator(".katex").filter(has_text="218.4").count() >= 1
    assert_no_exception(page)
