"""The dilation lesson in real Chromium: move the dilation and output-cell sliders, follow a preset."""
import re

import numpy as np

import engine
from engine.data.matrix_text import parse_matrix
from engine.ops.receptive_field import input_range, parse_layers
from harness.browser import FRAGMENT_RUN, assert_no_exception, expect_rerun, finished_runs, open_page, slider
from harness.stepper import step_text
from harness.redraws import redrawn, tag_figures

X = parse_matrix("; ".join(" ".join(str((r * 7 + c) % 10) for c in range(7)) for r in range(7)))
K = np.arange(1, 10, dtype=float).reshape(3, 3)
STACK = parse_layers("3 1 1 1; 3 1 2 2; 3 1 4 4")


def step_sum(page) -> str:
    """The step's sum above its grids, once the stepper shows a step."""
    return step_text(page, "dl_step")


def field_text(page) -> str:
    return page.get_by_text(re.compile(r"^Output \d+ of layer")).first.inner_text()


def test_sliders_and_a_preset_change_the_sum_and_the_receptive_field_and_rerun_only_their_fragments(page, app_url):
    """One page: the dilation slider changes the step's sum, the output-cell slider moves the receptive field,
    a preset sets both. d reruns its fragment only: it redraws the kernel, the steps and the (opened) animation;
    WaveNet, the stacks and stride vs dilation stay as they were (the animation is built only while "Watch it
    play" is open); the effective receptive field's map redraws its figure only."""
    open_page(page, app_url, "/dilation")
    assert step_sum(page).endswith(f"= {engine.trace_conv(X, K, dilation=2).steps[0].value:g}")
    assert page.locator(".st-key-dl_anim").count() == 0, "folded: not built"
    with expect_rerun(page):
        page.get_by_text("Watch it play", exact=True).click()
    assert {"dl_kernel_fig", "dl_anim", "dl_stack_fig", "dl_wn_fig", "dl_cmp_fig_0"} <= set(tag_figures(page))
    thumb = slider(page, "Dilation d")
    thumb.focus()
    runs = len(finished_runs(page))
    with expect_rerun(page):
        thumb.press("ArrowLeft")
    assert set(finished_runs(page)[runs:]) == {FRAGMENT_RUN}  # the page itself did not run
    assert "dl_d=1" in page.url
    assert set(redrawn(page)) == {"dl_kernel_fig", "dl_anim"}
    assert step_sum(page).endswith(f"= {engine.trace_conv(X, K, dilation=1).steps[0].value:g}")
    assert "dl_erf_fig" in tag_figures(page)  # the effective receptive field: its own fragment too
    with expect_rerun(page):
        page.locator(".st-key-dl_erf_layer").get_by_role("radio", name="conv3").click()
    assert "dl_erf_layer=conv3" in page.url
    assert set(redrawn(page)) == {"dl_erf_fig"}

    first, last = input_range(STACK, 12)
    assert f"cells {first} to {last}" in field_text(page)
    thumb = slider(page, "Output cell")
    thumb.scroll_into_view_if_needed()
    thumb.focus()
    with expect_rerun(page):
        thumb.press("ArrowRight")
    first, last = input_range(STACK, 13)
    assert field_text(page).startswith("Output 13 of layer 3") and f"cells {first} to {last}" in field_text(page)
    assert "dl_out=13" in page.url

    with expect_rerun(page):
        page.get_by_role("button", name="Dilations 1, 2, 4, 8 (k = 3)").click()
    assert "receptive field of 31 input cells" in field_text(page)
    assert_no_exception(page)


def test_demo_script_folds_the_presets_and_page_down_starts_it(page, app_url):
    open_page(page, app_url, "/dilation?demo=1")
    assert not page.get_by_role("button", name="Dilations 1, 2, 4, 8 (k = 3)").is_visible()  # folded away
    page.locator("h1").first.click()
    with expect_rerun(page):
        page.keyboard.press("PageDown")
    assert page.get_by_text(re.compile(r"Step 1 / \d+")).first.is_visible()
    assert "dl_d=1" in page.url
    assert_no_exception(page)
