"""The first lesson in real Chromium: navigate, move the step slider, step with buttons and keys.

The stepper (pages/shell/stepper) draws a step in the browser at once and writes `?xc_step=n` to the address
bar, with no rerun (tests/e2e/test_stepper.py checks what only that component does).
"""
import re

from harness.browser import address_query, assert_no_exception, expect_rerun, open_page
from harness.stepper import step_range, step_text, step_value, take_step

KEY = "xc_step"


def step_sum(page) -> str:
    """The step's sum, as the stepper's view writes it above the grids (waits until the stepper drew a step)."""
    return step_text(page, KEY)


def test_home_links_to_the_lesson_whose_steps_and_preset_change_the_numbers(page, app_url):
    open_page(page, app_url)
    assert_no_exception(page)
    with expect_rerun(page):
        page.get_by_role("link", name=re.compile("Cross-correlation vs convolution")).first.click()
    assert page.url.endswith("/cross_correlation")
    assert page.locator("h1").first.inner_text() == "Cross-correlation vs convolution"
    assert_no_exception(page)

    assert step_sum(page) == "y[0, 0] = 0·0 + 0.25·80 + 0.5·20 + 1·40 = 70"
    thumb = step_range(page, KEY)
    thumb.focus()
    take_step(page, KEY, lambda: thumb.press("ArrowRight"), 1)  # drawn by the browser, no rerun
    assert step_sum(page) == "y[0, 1] = 0·80 + 0.25·40 + 0.5·40 + 1·0 = 30"  # one step: a slider's key is its own
    assert address_query(page)[KEY] == "1"  # the view is in the link
    take_step(page, KEY, page.get_by_role("button", name=re.compile("Next")).click, 1)
    assert step_sum(page).startswith("y[1, 0] = ")
    assert address_query(page)[KEY] == "2"
    page.locator("h1").first.click()  # focus away from widgets: Left/Right are page shortcuts
    take_step(page, KEY, lambda: page.keyboard.press("ArrowLeft"), -1)
    assert step_sum(page).startswith("y[0, 1] = ")
    page.wait_for_url(re.compile(rf"[?&]{KEY}=1(&|$)"))
    assert "xc_op" not in page.url

    with expect_rerun(page):  # a preset switches the operation and goes back to step 0
        page.get_by_role("button", name="Lecture: true convolution").click()
    assert step_sum(page) == "y[0, 0] = 1·0 + 0.5·80 + 0.25·20 + 0·40 = 45"
    assert "xc_op=Convolution" in page.url
    assert_no_exception(page)


def test_shared_link_reproduces_the_view_and_bad_links_are_explained(page, app_url):
    open_page(page, app_url, "/cross_correlation?xc_op=Convolution&xc_pad=full&xc_x=1+2%3B+3+4&xc_k=0+1%3B+2+3&xc_step=4")
    assert step_sum(page) == "y[1, 1] = 3·1 + 2·2 + 1·3 + 0·4 = 10"
    assert step_value(page, KEY) == "5 / 9"  # full padding: a 3 × 3 output
    open_page(page, app_url, "/cross_correlation?xc_step=banana&xc_op=%3Cb%3Ebold%3C%2Fb%3E")
    note = page.get_by_test_id("stAlert").first.inner_text()
    assert "xc_step" in note and "xc_op" in note
    assert page.locator("b:text('bold')").count() == 0  # link text never becomes HTML
    assert step_sum(page).startswith("y[0, 0] = ")
    assert_no_exception(page)


def test_editing_a_grid_cell_updates_text_link_and_result(page, app_url):
    open_page(page, app_url, "/cross_correlation")
    assert page.get_by_test_id("stDataFrame").count() == 0  # a grid is drawn only when asked for
    with expect_rerun(page):
        page.get_by_text("Edit as a grid").first.click()  # the input X's switch
    grid = page.get_by_test_id("stDataFrame").first
    grid.scroll_into_view_if_needed()
    grid.locator("canvas").first.wait_for(state="visible")
    box = grid.bounding_box()
    editor = page.locator("input.gdg-input")  # the grid's cell editor
    for _ in range(3):  # the grid may still be wiring its events right after it appears
        # row 0, column 1 of the input grid: below the header row, right of the index and first column
        page.mouse.dblclick(box["x"] + 50 + 60 + 30, box["y"] + 35 + 17)
        try:
            editor.wait_for(state="visible", timeout=3000)
            break
        except Exception:
            continue
    editor.fill("7")
    with expect_rerun(page):
        page.keyboard.press("Enter")
    assert page.locator(".st-key-xc_x input").input_value() == "0 7 40; 20 40 0; 0 0 40"
    assert "xc_x=0+7+40" in page.url
    assert step_sum(page) == "y[0, 0] = 0·0 + 0.25·7 + 0.5·20 + 1·40 = 51.75"
    assert_no_exception(page)
