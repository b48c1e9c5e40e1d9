"""The CNN-vs-MLP lesson in real Chromium: a 1-epoch run trains live, the progress bar finishes and the table
shows the run; a setting changed mid-run stops it cleanly, keeping nothing."""
import re

from playwright.sync_api import TimeoutError as PlaywrightTimeout

from harness.browser import assert_no_exception, idle_count, open_page, wait_for_app_idle

TRAINING_MS = 240_000  # a busy 2-core machine: generous, and only ever waited on the page's own state
PROGRESS = '[data-testid="stProgress"]'


def train_button(page, name):
    return page.get_by_role("button", name=re.compile(re.escape(name)))


def test_a_one_epoch_run_finishes_and_shows_its_row(page, app_url):
    open_page(page, app_url, "/train_cnn_mlp?tr_epochs=1&tr_seed=4")
    assert page.get_by_role("table").count() == 0
    since = idle_count(page)
    train_button(page, "MLP, shuffled").click()
    done = page.locator(PROGRESS).filter(has_text="Finished: MLP, shuffled pixels, 1 epoch, seed 4")
    done.wait_for(timeout=TRAINING_MS)  # the rerun after training draws it
    wait_for_app_idle(page, since, TRAINING_MS)
    assert done.get_by_role("progressbar").get_attribute("aria-valuenow") == "100"
    rows = page.get_by_role("table").locator("tbody tr")
    assert rows.count() == 1
    cells = rows.first.locator("th, td").all_inner_texts()
    assert cells[0] == "MLP, shuffled pixels" and re.fullmatch(r"\d+\.\d %", cells[2]), cells
    assert not train_button(page, "Train all four").is_disabled()
    assert_no_exception(page)


def test_a_setting_changed_mid_run_stops_it_and_keeps_nothing(page, app_url):
    open_page(page, app_url, "/train_cnn_mlp?tr_epochs=6&tr_seed=5")
    train_button(page, "CNN, original").click()
    try:
        page.locator(PROGRESS).filter(has_text="epoch 1 of 6").wait_for(timeout=TRAINING_MS)  # training now
    except PlaywrightTimeout as err:  # what the page said instead (a busy server, another run's progress, ...)
        said = page.locator(f'{PROGRESS}, [data-testid="stAlert"]').all_inner_texts()
        raise AssertionError(f"no 'epoch 1 of 6' after {TRAINING_MS} ms; the page shows {said}") from err
    assert train_button(page, "Train all four").is_disabled()  # no second run can start
    assert page.get_by_role("slider", name=re.compile("Epochs")).is_disabled()
    since = idle_count(page)
    page.get_by_role("radio", name="Test digits moved by 2 pixels", exact=True).click()
    wait_for_app_idle(page, since, TRAINING_MS)
    page.get_by_text("was stopped by a change on the page").wait_for()
    assert page.get_by_role("table").count() == 0, "the half-finished run is not in the table"
    assert page.get_by_text("No finished runs yet for 6 epochs and seed 5").count() == 1
    assert not train_button(page, "Train all four").is_disabled()
    assert_no_exception(page)
