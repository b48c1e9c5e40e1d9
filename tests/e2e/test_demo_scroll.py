"""Demo mode in Chromium: a script step that names a section scrolls that subheading into view."""
from playwright.sync_api import expect

from harness.browser import assert_no_exception, expect_rerun, open_page


def test_page_down_to_a_step_with_a_section_scrolls_to_it(page, app_url):
    open_page(page, app_url, "/pooling_invariance?demo=1&demo_step=5")
    assert_no_exception(page)
    heading = page.get_by_role("heading", name="What pooling does to a small move")
    page.locator("h1").first.click()  # focus away from widgets: Page Down is the script's shortcut
    with expect_rerun(page):
        page.keyboard.press("PageDown")
    expect(page.get_by_text("Step 6 / 8")).to_have_count(1)
    page.wait_for_function("""h => { const r = h.getBoundingClientRect(); return r.top >= 0 && r.top < 250; }""",
                           arg=heading.element_handle(), timeout=15_000)
    assert_no_exception(page)
