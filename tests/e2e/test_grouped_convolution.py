"""The grouped-convolution lesson in real Chromium, one page load: the groups drawing is an image the browser
shows (an inline <svg> would be stripped by st.html), the G slider redraws it, the pixel stepper steps in the
browser, and nothing sticks out sideways on a phone."""
import re

from engine.ops.grouped import pointwise_as_matmul
from harness.browser import address_query, assert_no_exception, expect_rerun, horizontal_overflow, open_page, slider
from harness.stepper import press_step, stepper_ready
from pages.grouped_convolution.channel_views import PIXELS, example_tensors

GROUPS = 'img.gc-groups'


def test_groups_image_slider_stepper_and_phone_width(page, app_url):
    open_page(page, app_url, "/grouped_convolution")
    assert_no_exception(page)
    image = page.locator(GROUPS)
    assert image.evaluate("img => img.complete && img.naturalWidth > 0")  # the SVG decoded and drawn
    assert "each sees 2 of the 4 input channels" in image.get_attribute("alt")
    thumb = slider(page, "Groups G (1: standard, C_in: depthwise)")
    thumb.focus()
    with expect_rerun(page):
        thumb.press("ArrowLeft")  # G: 2 -> 1, standard
    assert "gc_g=1" in page.url
    assert "each sees 4 of the 4 input channels" in page.locator(GROUPS).get_attribute("alt")
    assert press_step(page, "gc_step", "next") == 1  # drawn by the browser, no rerun
    assert address_query(page)["gc_step"] == "1"
    x, w = example_tensors(3, 2, PIXELS)
    y = pointwise_as_matmul(x, w)
    text = stepper_ready(page, "gc_step").locator(".cl-stepper-view").inner_text()
    assert "y[:, 0, 1] = W · x[:, 0, 1]" in text
    assert [float(v) for v in re.findall(r"y\d = [^\n]*= (-?\d+)", text)] == list(y[:, 0, 1])
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(300)  # layout only: no rerun
    assert horizontal_overflow(page) <= 1
    assert_no_exception(page)
