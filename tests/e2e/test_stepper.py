"""The lessons' stepper (pages/shell/stepper) in real Chromium, on the cross-correlation lesson: what only a browser
can show. A step is drawn by the browser at once and written to the address bar (`?xc_step=n`) without asking
the server; the server hears of it on its next run (the component reports it), so another control keeps the
step, and a shared link opens at it. The expected sums come from the engine, for the numbers on screen.
"""
import re

from playwright.sync_api import expect

import engine
from engine.data.matrix_text import parse_matrix
from engine.figures import step_equation
from harness.browser import address_query, assert_no_exception, expect_rerun, idle_count, open_page, wait_for_app_idle
from harness.stepper import (press_step, step_button, step_number, step_range, step_text, step_value, stepper,
                             stepper_ready, take_step)

KEY = "xc_step"
PAGE = "/cross_correlation"


def selected(page, key) -> str:
    """The chosen option of the segmented control `key`."""
    return page.locator(f'.st-key-{key} [role="radio"][aria-checked="true"]').inner_text()


def on_screen(page) -> dict:
    """engine.trace_conv's arguments for what the page shows: its input and kernel text, operation, padding."""
    assert selected(page, "xc_dim") == "2D"
    return dict(input=parse_matrix(page.locator(".st-key-xc_x input").input_value()),
                kernel=parse_matrix(page.locator(".st-key-xc_k input").input_value()),
                padding=selected(page, "xc_pad"), flip=selected(page, "xc_op") == "Convolution")


def equation(conv, n) -> str:
    trace = engine.trace_conv(**conv)
    return step_equation(trace.step(n), trace.bias)


def caption(page) -> str:
    """The animation's caption: the step the server last drew the page at (it is outside the stepper)."""
    return page.get_by_text(re.compile(r"^Shown: step ")).inner_text()


def caption_becomes(page, text: str) -> None:
    """The caption shows `text` now or within 5 s: a step taken in the browser reaches the server on the run after
    another control's (the stepper's fragment, then the page), and the caption follows it."""
    expect(page.get_by_text(re.compile(r"^Shown: step "))).to_have_text(text, timeout=5_000)


def server_calls(page) -> tuple[int, int]:
    """(reruns the browser asked for, runs finished) so far: unchanged while the browser steps on its own."""
    return page.evaluate("[window.__convlab.asked, window.__convlab.idle]")


def operation(page, name):
    """Click an option of the "Operation" control and wait for its run (and the stepper's report after it)."""
    with expect_rerun(page):
        page.locator(".st-key-xc_op").get_by_role("radio", name=name, exact=True).click()


def test_next_three_times_then_previous_shows_step_2_and_links_it(page, app_url):
    open_page(page, app_url, PAGE)
    conv = on_screen(page)
    n_steps = len(engine.trace_conv(**conv).steps)
    assert n_steps >= 4 and step_number(page, KEY) == 0
    assert step_text(page, KEY) == equation(conv, 0) and step_value(page, KEY) == f"1 / {n_steps}"
    assert step_button(page, KEY, "prev").is_disabled()
    row = stepper(page, KEY).get_by_role("group", name="Step through the computation")  # what a screen reader hears
    assert row.get_by_role("button", name="◀ Previous", exact=True).is_disabled()
    assert row.get_by_role("button", name="Next ▶", exact=True).is_enabled()
    assert row.get_by_role("slider", name="Step", exact=True).count() == 1
    calls = server_calls(page)
    for which, n in [("next", 1), ("next", 2), ("next", 3), ("prev", 2)]:
        assert press_step(page, KEY, which) == n
        assert step_text(page, KEY) == equation(conv, n) and step_value(page, KEY) == f"{n + 1} / {n_steps}"
        assert address_query(page).get(KEY) == str(n), f"after {which}: {page.url}"
    assert server_calls(page) == calls, "the browser drew the steps without the server"
    assert step_button(page, KEY, "next").is_enabled() and step_button(page, KEY, "prev").is_enabled()
    page.wait_for_url(re.compile(rf"[?&]{KEY}=2(&|$)"))  # the address the student copies
    assert_no_exception(page)


def test_left_right_keys_step_but_not_while_typing_in_the_matrix_box(page, app_url):
    open_page(page, app_url, PAGE)
    conv = on_screen(page)
    stepper_ready(page, KEY, 0)
    page.locator("h1").first.click()  # focus on the page, not in a control
    calls = server_calls(page)
    for key, n in [("ArrowRight", 1), ("ArrowRight", 2), ("ArrowLeft", 1)]:
        assert take_step(page, KEY, lambda: page.keyboard.press(key), 1 if key == "ArrowRight" else -1) == n
        assert step_text(page, KEY) == equation(conv, n) and address_query(page).get(KEY) == str(n)

    box = page.locator(".st-key-xc_x input")
    box.click()
    box.press("Home")
    box.press("ArrowRight")  # moves the caret: the default action comes after every keydown listener ran
    assert box.evaluate("e => [e.selectionStart, e.selectionEnd]") == [1, 1]
    assert step_number(page, KEY) == 1 and step_text(page, KEY) == equation(conv, 1), "typing moved the stepper"
    box.press("ArrowLeft")
    assert box.evaluate("e => e.selectionStart") == 0 and step_number(page, KEY) == 1

    thumb = step_range(page, KEY)  # on the step slider the arrow is the slider's own: one step, not two
    thumb.focus()
    assert take_step(page, KEY, lambda: thumb.press("ArrowRight"), 1) == 2
    assert address_query(page).get(KEY) == "2" and thumb.input_value() == "2"
    assert server_calls(page) == calls
    assert_no_exception(page)


def test_another_control_keeps_the_step_taken_in_the_browser_and_the_animation_follows(page, app_url):
    open_page(page, app_url, PAGE)
    stepper_ready(page, KEY, 0)
    press_step(page, KEY, "next")
    press_step(page, KEY, "next")
    operation(page, "Convolution")  # a full run: the server has not heard of the steps yet
    conv = on_screen(page)
    assert conv["flip"] and address_query(page).get("xc_op") == "Convolution"
    assert step_number(page, KEY) == 2 and step_text(page, KEY) == equation(conv, 2)
    caption_becomes(page, f"Shown: step 3 of 4, {equation(conv, 2)}.")  # the stepper and the animation agree
    assert address_query(page).get(KEY) == "2", page.url  # the server's copy of the URL agrees after the report
    operation(page, "Cross-correlation")  # the next full run starts from the step the server learned
    conv = on_screen(page)
    assert step_number(page, KEY) == 2 and step_text(page, KEY) == equation(conv, 2)
    caption_becomes(page, f"Shown: step 3 of {len(engine.trace_conv(**conv).steps)}, {equation(conv, 2)}.")
    assert address_query(page).get(KEY) == "2"
    assert_no_exception(page)


def test_a_shared_link_to_the_last_step_opens_and_reloads_there(page, app_url):
    open_page(page, app_url, f"{PAGE}?{KEY}=3")
    for reload in (False, True):
        if reload:  # a new session: the step comes from the URL again
            page.reload()
            wait_for_app_idle(page)
        conv = on_screen(page)
        assert len(engine.trace_conv(**conv).steps) == 4, "the default 3 × 3 input and 2 × 2 kernel, valid padding"
        stepper_ready(page, KEY, 3)
        assert step_value(page, KEY) == "4 / 4" and step_text(page, KEY) == equation(conv, 3)
        assert step_button(page, KEY, "next").is_disabled() and step_button(page, KEY, "prev").is_enabled()
        assert step_range(page, KEY).input_value() == "3"
        assert caption(page).startswith("Shown: step 4 of 4, ")
        assert address_query(page).get(KEY) == "3"
    assert stepper(page, KEY).count() == 1
    assert_no_exception(page)


def test_a_step_taken_again_after_a_preset_reaches_the_server(page, app_url):
    """End on the step slider, a control (the server learns step 3), a preset (step 0), End again, a control."""
    open_page(page, app_url, PAGE)
    stepper_ready(page, KEY, 0)
    thumb = step_range(page, KEY)
    thumb.focus()
    take_step(page, KEY, lambda: thumb.press("End"), 3)
    operation(page, "Convolution")
    assert step_number(page, KEY) == 3 and address_query(page).get(KEY) == "3"
    with expect_rerun(page):
        page.get_by_role("button", name="Lecture: true convolution").click()  # its step: 0
    # The run waited for above can be one already under way (the stepper reporting step 3); the preset's comes next.
    stepper_ready(page, KEY, 0, timeout_ms=10_000)
    page.wait_for_function(f"() => !new URLSearchParams(location.search).has('{KEY}')", timeout=10_000)
    thumb.focus()
    take_step(page, KEY, lambda: thumb.press("End"), 3)
    since = idle_count(page)
    page.locator(".st-key-xc_op").get_by_role("radio", name="Cross-correlation", exact=True).click()
    wait_for_app_idle(page, since, timeout_ms=15_000)  # the bug: never idle (a rerun every ~70 ms)
    assert step_number(page, KEY) == 3 and address_query(page).get(KEY) == "3"
    operation(page, "Convolution")  # a full run from the step the server learned
    caption_becomes(page, f"Shown: step 4 of 4, {equation(on_screen(page), 3)}.")
    assert_no_exception(page)
