"""The convolution-over-channels lesson in real Chromium: one page load, stepped in the browser into the second
filter; every channel's window and the output cell drawn, the numbers the engine's, the page no wider than
the window."""
from engine.figures.channel_view import channel_equation
from engine.ops.channels import small_integer_layer, trace_channels
from harness.browser import address_query, assert_no_exception, horizontal_overflow, open_page
from harness.stepper import press_step, step_count, step_range, step_text, stepper_ready, take_step

KEY = "ch_step"


def test_step_through_channels_and_filters_in_the_browser(page, app_url):
    open_page(page, app_url, "/channels")
    assert_no_exception(page)
    trace = trace_channels(*small_integer_layer(3, 2, 5, 3, 0), stride=2, padding=1)  # the page's defaults
    assert step_count(page, KEY) == len(trace.steps) == 18
    assert step_text(page, KEY) == channel_equation(trace.steps[0])
    root = stepper_ready(page, KEY)
    assert root.locator(".cl-step td.win").count() == 3 * 9  # the 3 x 3 window in each of the 3 channels
    assert press_step(page, KEY, "next") == 1  # drawn by the browser, no rerun
    assert step_text(page, KEY) == channel_equation(trace.steps[1])
    assert take_step(page, KEY, lambda: step_range(page, KEY).fill("9"), 8) == 9
    assert address_query(page)[KEY] == "9"
    assert step_text(page, KEY) == channel_equation(trace.steps[9])  # y[1, 0, 0]: the second filter's first cell
    assert root.locator(".cl-step td.cur").inner_text() == f"{trace.steps[9].value:g}"
    assert horizontal_overflow(page) == 0
    page.set_viewport_size({"width": 390, "height": 844})  # a phone: the columns wrap, nothing sticks out
    page.wait_for_timeout(300)
    assert horizontal_overflow(page) == 0
    assert_no_exception(page)
