"""The "Draw a digit" lesson in real Chromium: draw a 1 and a 7 with the mouse on the canvas, read the
prediction (a stroke reruns the drawing's fragment, not the page), clear the canvas. The canvas
(streamlit-drawable-canvas, Fabric.js) sends its pixels on mouse up; every wait is on the app's own script state
(expect_rerun) or on the page's elements (Playwright's expect re-checks the DOM), never on a clock."""
import re

import torch
from playwright.sync_api import expect

from engine.data.drawing import STROKES, preprocess_drawing, render_strokes
from engine.nets.digit_loading import predict
from harness.browser import FRAGMENT_RUN, assert_no_exception, expect_rerun, finished_runs, open_page

torch.set_num_threads(1)

CANVAS = ".st-key-dd_canvas canvas.upper-canvas"  # Fabric's event layer, inside the component's shadow root
READS = re.compile(r"^The network reads \d")
PROMPT = re.compile(r"Draw a digit")


def draw(page, strokes, steps=12):
    """Draw each stroke [(x, y), ...] (canvas pixels) with the mouse: down, moves in small steps, up.
    Returns when the rerun the canvas triggers has settled."""
    canvas = page.locator(CANVAS)
    canvas.scroll_into_view_if_needed()  # under the lesson's Idea and Controls: below the fold at 1280 x 720
    box = canvas.bounding_box()
    with expect_rerun(page):
        for stroke in strokes:
            x, y = stroke[0]
            page.mouse.move(box["x"] + x, box["y"] + y)
            page.mouse.down()
            for x, y in stroke[1:]:
                page.mouse.move(box["x"] + x, box["y"] + y, steps=steps)
            page.mouse.up()


def reading(page):
    """The sentence under the probability bars ("The network reads 7 (99.8 %); ...")."""
    expect(page.get_by_text(READS)).to_have_count(1)  # Playwright re-checks the DOM (no fixed wait)
    return page.get_by_text(READS).inner_text()


def prompt(page):
    return page.locator('[data-testid="stAlertContentInfo"]').filter(has_text=PROMPT)


def test_draw_a_one_and_a_seven(page, app_url):
    open_page(page, app_url, "/draw_digit")
    assert_no_exception(page)
    expect(prompt(page)).to_have_count(1)  # a blank canvas asks for a drawing, no error
    expect(page.locator(".st-key-dd_kernels_fig .js-plotly-plot")).to_have_count(1)  # the kernels are always shown
    assert page.locator(".st-key-dd_probs_fig").count() == 0  # but no prediction

    runs = len(finished_runs(page))
    draw(page, [[(150, 45), (150, 240)]])  # a 1: one stroke down
    assert set(finished_runs(page)[runs:]) == {FRAGMENT_RUN}  # the drawing's part reran, not the page
    assert_no_exception(page)
    assert reading(page).startswith("The network reads 1 ")
    assert prompt(page).count() == 0
    for figure in ("dd_probs_fig", "dd_steps_fig", "dd_maps_conv1_fig"):  # bars, preprocessing, feature maps
        expect(page.locator(f".st-key-{figure} .js-plotly-plot")).to_have_count(1)

    with expect_rerun(page):
        page.get_by_role("button", name="Clear").click()
    expect(prompt(page)).to_have_count(1)
    assert page.get_by_text(READS).count() == 0 and page.locator(".st-key-dd_probs_fig").count() == 0

    draw(page, [[(60, 55), (220, 55), (115, 245)]])  # a 7: along the top, then down to the left
    assert_no_exception(page)
    assert reading(page).startswith("The network reads 7 ")

    with expect_rerun(page):
        page.get_by_role("button", name="Clear").click()
    expect(prompt(page)).to_have_count(1)
    assert_no_exception(page)


def test_an_example_then_a_stroke_on_it(page, app_url):
    """An example from the link is on the canvas; a stroke added to it is read together with it: the page
    says what the engine says for the example's strokes plus that stroke, rendered on the server."""
    open_page(page, app_url, "/draw_digit?dd_example=1")
    assert reading(page).startswith("The network reads 1 ")
    base = [(95, 240), (200, 240)]  # a wide base under the 1 (canvas pixels)
    draw(page, [base])
    scale, margin = 280 * (1 - 2 * 0.15), 280 * 0.15  # render_strokes' unit box on the 280 px canvas
    strokes = STROKES[1] + [[((x - margin) / scale, (y - margin) / scale) for x, y in base]]
    expected = int(predict("max_pool", preprocess_drawing(render_strokes(strokes)).network_input)[0].argmax())
    assert reading(page).startswith(f"The network reads {expected} ")
    assert_no_exception(page)


def test_in_demo_mode_the_canvas_is_drawn_twice_as_large_and_the_pen_follows_the_mouse(reused_page, app_url):
    from pages.draw_digit.views import CANVAS as SIDE, DEMO_ZOOM

    page = open_page(reused_page(1920, 1080, timeout_ms=60_000), app_url, "/draw_digit?demo=1")
    box = page.locator(CANVAS).bounding_box()
    assert abs(box["width"] - SIDE * DEMO_ZOOM) < 2 and abs(box["height"] - SIDE * DEMO_ZOOM) < 2, box
    draw(page, [[(x * DEMO_ZOOM, y * DEMO_ZOOM) for x, y in [(60, 55), (220, 55), (115, 245)]]])  # a 7
    assert reading(page).startswith("The network reads 7 ")
    assert_no_exception(page)
