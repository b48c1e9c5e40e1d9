"""Build your own CNN in real Chromium: a network typed into the layer box, its table and totals, one epoch
trained live from the Train button, and the comparison with the shipped digit net."""
import re

from engine.ops.layer_text import DIGITS_INPUT, parse
from engine.ops.network_arithmetic import analyse
from harness.browser import assert_no_exception, idle_count, open_page, wait_for_app_idle

TRAINING_MS = 240_000  # a busy 2-core machine: generous, and only ever waited on the page's own state
DESIGN = "conv 4 3 s2 p1; relu; maxpool 2; flatten; linear 10"


def test_a_network_designed_on_the_page_trains_and_is_compared(page, app_url):
    open_page(page, app_url, "/build_cnn?bc_epochs=1&bc_seed=8")
    box = page.get_by_role("textbox", name=re.compile("Layers"))
    since = idle_count(page)
    box.fill(DESIGN)
    box.press("Enter")
    wait_for_app_idle(page, since)
    params = analyse(parse(DESIGN), DIGITS_INPUT).params
    assert page.get_by_test_id("stMetric").filter(has_text="Parameters").get_by_test_id("stMetricValue") \
        .inner_text() == f"{params:,}"
    since = idle_count(page)
    page.get_by_role("button", name=re.compile("Train it")).click()
    page.get_by_text("Your network is").wait_for(timeout=TRAINING_MS)  # the rerun after training draws it
    wait_for_app_idle(page, since, TRAINING_MS)
    assert page.get_by_test_id("stProgress").filter(has_text="Finished: your network, 1 epoch, seed 8").count() == 1
    assert page.get_by_test_id("stDataFrame").count() == 2  # the layer table and the comparison
    assert page.get_by_text("yours for 1 epoch here, seed 8").count() == 1
    assert "bc_layers=" in page.url  # the design is in the link
    assert_no_exception(page)
