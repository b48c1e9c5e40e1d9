"""The e2e harness itself, against benchmarks/hello_app.py (one slider, one line of text)."""

import pytest

from harness.browser import APP, REDACTED_ERROR, assert_no_exception, expect_rerun, idle_count, open_page, slider


def value_text(page) -> str:
    return page.get_by_test_id("stMarkdown").inner_text()


def test_server_is_started_once_per_script(streamlit_server, hello_url):
    assert streamlit_server("benchmarks/hello_app.py") == hello_url
    assert hello_url.startswith("http://127.0.0.1:")


def test_page_loads_idle_without_exception(page, hello_url):
    open_page(page, hello_url)
    assert page.locator(APP).get_attribute("data-test-script-state") == "notRunning"
    assert idle_count(page) >= 1
    assert value_text(page) == "Value is 50"
    assert_no_exception(page)


def test_keyboard_slider_reruns_and_idle_means_dom_updated(page, hello_url):
    open_page(page, hello_url)
    thumb = slider(page, "Value")
    assert thumb.count() == 1
    thumb.focus()
    expected = 50
    for key in ["ArrowRight", "ArrowRight", "ArrowLeft"] * 4:
        runs = idle_count(page)
        with expect_rerun(page):
            thumb.press(key)
        expected += 1 if key == "ArrowRight" else -1
        # Read once, no retry: idle detection must only return after the rerun's DOM update.
        assert value_text(page) == f"Value is {expected}"
        assert idle_count(page) > runs
    assert thumb.get_attribute("aria-valuetext") == str(expected)
    assert_no_exception(page)


def test_uncaught_exception_is_detected_and_redacted(page, hello_url):
    open_page(page, hello_url, "/?boom=1")
    with pytest.raises(AssertionError, match="error"):
        assert_no_exception(page)
    shown = page.get_by_test_id("stException").inner_text()
    assert REDACTED_ERROR in shown  # client.showErrorDetails = "none"
    assert "boom requested" not in shown


def test_idle_wait_times_out_without_a_rerun(page, hello_url):
    open_page(page, hello_url)
    with pytest.raises(AssertionError, match="not idle"):
        with expect_rerun(page, timeout_ms=1_000):
            pass  # no action, so no rerun: the wait must not pass on the old idle state


def test_discover_finds_the_dilation_pages_sliders_by_label(page, streamlit_server):
    from harness.controls import discover

    open_page(page, streamlit_server("serve.py"), "/dilation")
    found = discover(page)
    sliders = {c.label for c in found if c.kind == "slider"}
    assert {"Dilation d", "Input length", "Output cell"} <= sliders
    assert "Step" not in sliders  # the stepper draws in the browser: not a control of the benchmarks
    assert {"Kernel K", "Input X"} <= {c.label for c in found if c.kind == "matrix"}
    assert all(c.locator(page).count() == 1 for c in found)
