"""The padding lesson in real Chromium: switch modes, pad one side with the keyboard, follow the demo script."""
import re

import engine
from engine.data.matrix_text import parse_matrix
from engine.ops.padding_sources import pad_sources
from harness.browser import address_query, assert_no_exception, expect_rerun, open_page, slider
from harness.stepper import step_range, step_text, stepper_ready, take_step

X = parse_matrix("1 2 3 4; 5 6 7 8; 9 10 11 12; 13 14 15 16")
K = parse_matrix("1 1 1; 1 1 1; 1 1 1")
RAMP = parse_matrix("1 2 3 4 5; 1 2 3 4 5; 1 2 3 4 5; 1 2 3 4 5")
KEY = "pd_step"


def step_sum(page, n=None) -> str:
    """The step's sum above its grids, once the stepper shows a step (step n when given)."""
    stepper_ready(page, KEY, n)
    return step_text(page, KEY)


def padded_labels(page) -> list[str]:
    """The small labels of the padded grid ('← r, c', 'fill', or a cell's own 'r, c'), in reading order."""
    panel = page.locator("figure.pd-panel").filter(has=page.locator("figcaption", has_text="Padded, ")).first
    panel.locator("td small").first.wait_for()  # st.html may draw its content a moment after the run
    return [t.strip() for t in panel.locator("td small").all_inner_texts()]


def output_caption(page) -> str:
    return page.get_by_text(re.compile(r"^The engine's output is")).first.inner_text()


def test_mode_switch_shows_where_padded_values_come_from(page, app_url):
    open_page(page, app_url, "/padding")
    assert padded_labels(page)[:6] == ["fill"] * 6
    assert step_sum(page).endswith(f"= {engine.trace_conv(X, K, padding='same').steps[0].value:g}")
    with expect_rerun(page):
        page.get_by_role("radio", name="reflect", exact=True).first.click()
    assert "pd_mode=reflect" in page.url
    sources = pad_sources(X.shape, (1, 1, 1, 1), "reflect")
    assert padded_labels(page)[0] == f"← {sources[0, 0, 0]}, {sources[0, 0, 1]}" == "← 1, 1"
    trace = engine.trace_conv(X, K, padding="same", padding_mode="reflect")
    assert step_sum(page).endswith(f"= {trace.steps[0].value:g}")
    thumb = step_range(page, KEY)
    thumb.scroll_into_view_if_needed()
    thumb.focus()
    take_step(page, KEY, lambda: thumb.press("ArrowRight"), 1)  # drawn by the browser, no rerun
    assert address_query(page)[KEY] == "1" and address_query(page)["pd_mode"] == "reflect"
    assert step_sum(page).startswith("y[0, 1] = ") and step_sum(page).endswith(f"= {trace.steps[1].value:g}")
    assert_no_exception(page)


def test_custom_top_padding_with_the_keyboard_grows_the_output(page, app_url):
    open_page(page, app_url, "/padding")
    assert output_caption(page).startswith("The engine's output is 4 × 4")
    with expect_rerun(page):
        page.get_by_role("radio", name="custom", exact=True).first.click()
    thumb = slider(page, "Top")
    thumb.focus()
    with expect_rerun(page):
        thumb.press("ArrowRight")
    assert "pd_top=2" in page.url
    h, w = engine.conv2d(X[None], K[None, None], padding=((2, 1), (1, 1))).shape[1:]
    assert output_caption(page).startswith(f"The engine's output is {h} × {w}") and h == 5
    assert padded_labels(page)[:6] == ["fill"] * 6
    assert_no_exception(page)


def test_impossible_reflect_is_explained_in_the_page(page, app_url):
    open_page(page, app_url, "/padding?pd_size=custom&pd_top=4&pd_mode=reflect")
    assert "Reflect padding of 4" in page.get_by_test_id("stAlert").first.inner_text()
    with expect_rerun(page):
        page.get_by_role("radio", name="replicate", exact=True).first.click()
    stepper_ready(page, KEY)
    assert page.locator(".cl-step[aria-label]").count() == 1
    assert_no_exception(page)


def test_demo_script_walks_the_modes(page, app_url):
    open_page(page, app_url, "/padding?demo=1")
    page.locator("h1").first.click()
    with expect_rerun(page):
        page.keyboard.press("PageDown")
    assert page.get_by_text(re.compile(r"Step 1 / \d+")).first.is_visible()
    assert step_sum(page).endswith(f"= {engine.trace_conv(RAMP, K, padding='same').steps[0].value:g}")
    for _ in range(2):
        with expect_rerun(page):
            page.keyboard.press("PageDown")
    assert "pd_mode=reflect" in page.url
    trace = engine.trace_conv(RAMP, K, padding="same", padding_mode="reflect")
    assert step_sum(page, 5).endswith(f"= {trace.steps[5].value:g}") and step_sum(page).startswith("y[1, 0] = ")
    assert_no_exception(page)
