"""The SE lesson in real Chromium: step through the block, open the lecture's cost example."""
import re

import numpy as np

from engine.data.digits import typical
from engine.nets.se_steps import se_block_steps
from tests.e2e.browser import assert_no_exception, expect_rerun, open_page


def test_next_stage_shows_the_squeeze_and_the_lecture_cost(page, app_url):
    open_page(page, app_url, "/squeeze_excitation")
    assert_no_exception(page)
    with expect_rerun(page):
        page.get_by_role("button", name=re.compile("Next")).first.click()
    z = se_block_steps("se", typical(3), 1).z
    assert page.get_by_text("2. Squeeze: z").count() == 1
    assert page.locator(".katex").filter(has_text=f"{z[int(np.argmax(z))]:.3f}").count() >= 1
    with expect_rerun(page):
        page.get_by_role("button", name=re.compile("Lecture: bottleneck block")).click()
    assert page.locator(".katex").filter(has_text="218.4").count() >= 1
    assert_no_exception(page)
