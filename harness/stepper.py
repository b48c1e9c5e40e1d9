"""The lessons' stepper (pages/shell/stepper) in the browser tests: find it by its key, wait for a step, take one.

A step inside the packed views is drawn by the browser at once and written to the address bar (`?<key>=n`,
0-based, absent at 0) with no rerun; the server hears of it on its next run (the component then reports it: a
rerun of the stepper's fragment, which harness.browser.wait_for_app_idle waits for). Only a step outside a huge
trace's packed window asks the server at once.
"""

from __future__ import annotations

from playwright.sync_api import TimeoutError as PlaywrightTimeout


def stepper(page, key: str):
    """The stepper `key` (e.g. "xc_step"): `.cl-stepper` inside `st.container(key="ctl_<key>")`."""
    return page.locator(f".st-key-ctl_{key} .cl-stepper")


def stepper_ready(page, key: str, step: int | None = None, timeout_ms: int = 30_000):
    """Wait until the stepper's JS has drawn a step (`data-step`, 0-based; `step`: that one) and return it.

    Attached is enough: a stepper hidden with `hide=<key>` still steps with the keys.
    """
    found = page.locator(f".st-key-ctl_{key} .cl-stepper" + ("[data-step]" if step is None
                                                              else f'[data-step="{int(step)}"]'))
    try:
        found.wait_for(state="attached", timeout=timeout_ms)
    except PlaywrightTimeout as e:
        shown = stepper(page, key).evaluate_all("es => es.map((e) => e.dataset.step ?? null)")
        raise AssertionError(f"stepper {key} did not show step {step} in {timeout_ms} ms "
                             f"(data-step of the {len(shown)} found: {shown})") from e
    return stepper(page, key)


def steppers_ready(page, timeout_ms: int = 30_000) -> int:
    """Wait until every stepper on the page has drawn its step (its JS module loads after the run that
    placed it); returns how many there are. Use before measuring the layout."""
    page.wait_for_function("""() => [...document.querySelectorAll('[class*="st-key-ctl_"]')]
        .every((c) => c.querySelector('.cl-stepper[data-step]'))""", polling="raf", timeout=timeout_ms)
    return page.locator('[class*="st-key-ctl_"] .cl-stepper').count()


def step_number(page, key: str) -> int:
    """The step on screen, 0-based."""
    return int(stepper_ready(page, key).get_attribute("data-step"))


def step_count(page, key: str) -> int:
    """How many steps the stepper has (its range input goes from 0 to this minus 1)."""
    stepper_ready(page, key)
    return int(step_range(page, key).get_attribute("max")) + 1


def step_text(page, key: str) -> str:
    """The step's equation (`.cl-eq` in its view), or "n / N" (`.cl-stepper-value`) for a view without one
    (the transposed scatter). Read at once after a step: the browser draws it itself, no rerun in between."""
    root = stepper_ready(page, key)
    equation = root.locator(".cl-stepper-view .cl-eq")
    return (equation.first if equation.count() else root.locator(".cl-stepper-value")).inner_text()


def step_value(page, key: str) -> str:
    """The stepper's "n / N" (1-based)."""
    return stepper_ready(page, key).locator(".cl-stepper-value").inner_text()


def step_button(page, key: str, which: str):
    """The stepper's "next" (Next ▶) or "prev" (◀ Previous) button."""
    if which not in ("next", "prev"):
        raise ValueError(f"which should be 'next' or 'prev', not {which!r}")
    return stepper(page, key).locator(f".cl-stepper-{which}")


def step_range(page, key: str):
    """The stepper's range input (its accessible name is the stepper's label, e.g. "Step")."""
    return stepper(page, key).locator(".cl-stepper-range")


def take_step(page, key: str, action, by: int) -> int:
    """Do `action()` (a click, a key press), which should move stepper `key` by `by` steps (clamped to its
    range); wait until the browser shows that step and return it (0-based). No rerun is waited for."""
    target = min(max(step_number(page, key) + by, 0), step_count(page, key) - 1)
    action()
    stepper_ready(page, key, target)
    return target


def press_step(page, key: str, which: str) -> int:
    """Click Next ▶ / ◀ Previous of stepper `key` and wait until the browser shows the new step (returned)."""
    return take_step(page, key, step_button(page, key, which).click, 1 if which == "next" else -1)
