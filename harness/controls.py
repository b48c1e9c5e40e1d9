"""A lesson page's controls, found in the DOM, and one key press on each that changes its value.

Found generically: every keyed widget in the main area (`.st-key-<key>` on its element container) that is a
slider, a choice (segmented buttons, radio, select box), a matrix (a text input with its grid, key
`<key>_grid_...`) or a preset button (under "Examples", `.st-key-lesson_presets`). Left out: the steppers (they
draw in the browser, see benchmarks/browser_bench.py), the self-check forms, file uploaders, the canvas and
other buttons (training).

`press(page, control, rng)` changes the control's value with a value chosen by `rng` and ends with one key
press (so the in-page probe's `keyAt`, harness/browser.py, marks it); `interact` also waits until the app
settled. The benchmarks (control_bench, rerun_cpu_bench) drive the page through these.
"""

from __future__ import annotations

import os
import random
import re
from dataclasses import dataclass
from fractions import Fraction

from playwright.sync_api import TimeoutError as PlaywrightTimeout

from harness.browser import idle_count, wait_for_app_idle
from engine.lessons import load_lessons

KINDS = {"stSlider": "slider", "stButtonGroup": "choice", "stRadio": "choice", "stSelectbox": "choice",
         "stTextInput": "matrix", "stButton": "preset"}

_DISCOVER_JS = r"""(kinds) => {
  const main = document.querySelector('[data-testid="stMain"]');
  const keyOf = (e) => ([...e.classList].find((c) => c.startsWith('st-key-')) || '').slice(7);
  const boxes = [...main.querySelectorAll('[data-testid="stElementContainer"][class*="st-key-"]')];
  const keys = new Set(boxes.map(keyOf));
  return boxes.flatMap((box) => {
    const widget = box.querySelector(kinds.map((k) => `[data-testid="${k}"]`).join(','));
    const key = keyOf(box), testid = widget?.getAttribute('data-testid');
    if (!widget || box.closest('[data-testid="stForm"], [class*="st-key-ctl_"]')) return [];
    if (testid === 'stButton' && !box.closest('.st-key-lesson_presets')) return [];
    if (testid === 'stTextInput' && ![...keys].some((k) => k.startsWith(key + '_grid_'))) return [];
    const label = testid === 'stButton' ? widget.innerText
      : widget.querySelector('[data-testid="stWidgetLabel"]')?.innerText;
    return [[key, testid, (label || key).trim()]];
  });
}"""


@dataclass(frozen=True)
class Control:
    key: str     # the widget key: its element container has the class `st-key-<key>`
    widget: str  # Streamlit's data-testid: stSlider, stButtonGroup, stRadio, stSelectbox, stTextInput, stButton
    label: str

    @property
    def kind(self) -> str:
        return KINDS[self.widget]

    def locator(self, page):
        return page.locator(f'[data-testid="stMain"] .st-key-{self.key}')


def lesson_paths() -> list[str]:
    """Every lesson page's URL path (app.py's navigation without home), in the registry's order; only those
    named in CONVLAB_BENCH_PAGES (comma-separated slugs, e.g. "dilation,padding") when it is set."""
    wanted = [w.strip().strip("/") for w in os.environ.get("CONVLAB_BENCH_PAGES", "").split(",") if w.strip()]
    return ["/" + lesson.page for lesson in load_lessons() if not wanted or lesson.page in wanted]


def demo_steps(path: str) -> int:
    """How many steps the demo script of the lesson at `path` has."""
    return next(len(lesson.demo) for lesson in load_lessons() if "/" + lesson.page == path)


def discover(page) -> list[Control]:
    """The controls on the page as it is drawn now, top to bottom (Controls expander first)."""
    return [Control(*found) for found in page.evaluate(_DISCOVER_JS, list(KINDS))]


def press(page, control: Control, rng: random.Random) -> bool:
    """Give `control` a new value chosen by rng, the last step a key press; False if nothing could change."""
    box = control.locator(page)
    if control.kind == "slider":
        return _slider(box.locator('input[type="range"], [role="slider"]').first, rng)
    if control.widget in ("stButtonGroup", "stRadio"):
        options = box.locator('[role="radio"]')
        others = [i for i in range(options.count()) if not options.nth(i).is_checked()]
        if not others:
            return False
        option = options.nth(rng.choice(others))
        option.focus()
        option.press("Enter")
        return True
    if control.widget == "stSelectbox":
        return _select(page, box, rng)
    if control.kind == "preset":
        button = box.locator("button")
        button.focus()
        button.press("Enter")
        return True
    field = box.locator("input")
    text = new_matrix_text(field.input_value(), rng)
    field.fill(text)
    field.press("Enter")
    return True


def interact(page, control: Control, rng: random.Random, timeout_ms: int = 60_000) -> bool:
    """press(), then wait until the rerun it caused settled. False (no wait) if the value could not change."""
    since = idle_count(page)
    changed = press(page, control, rng)
    if changed:
        wait_for_app_idle(page, since, timeout_ms)
    return changed


_SLIDER_JS = """e => [e.value ?? e.getAttribute('aria-valuenow'), e.min ?? e.getAttribute('aria-valuemin'),
                   e.max ?? e.getAttribute('aria-valuemax')].map(Number)"""


def _slider(thumb, rng: random.Random) -> bool:
    if thumb.is_disabled() or thumb.get_attribute("aria-disabled") == "true":
        return False  # e.g. squeeze-excitation's Channel while all of a block's gates are forced
    now, lo, hi = thumb.evaluate(_SLIDER_JS)
    keys = (["Home", "ArrowLeft"] if now > lo else []) + (["End", "ArrowRight"] if now < hi else [])
    if not keys:
        return False
    thumb.focus()
    thumb.press(rng.choice(keys))
    return True


def _select(page, box, rng: random.Random) -> bool:
    """Open the select box, move to another option with the arrow keys, choose it with Enter."""
    field = box.locator("input")
    options = page.locator('[role="option"]')
    for open_it in (field.click, lambda: field.press("ArrowDown"), box.locator("button[aria-haspopup]").click):
        if field.get_attribute("aria-expanded") != "true":
            open_it()
        try:
            options.first.wait_for(timeout=3_000)
            break
        except PlaywrightTimeout:
            continue
    else:
        raise LookupError(f"the options of select box {box} did not open")
    chosen = [options.nth(i).get_attribute("aria-selected") == "true" for i in range(options.count())]
    now = chosen.index(True) if True in chosen else 0
    others = [i for i in range(len(chosen)) if i != now]
    if not others:
        field.press("Escape")
        return False
    target = rng.choice(others)
    if not page.evaluate("() => !!document.querySelector('[role=\"option\"][data-focused]')"):
        field.press("ArrowDown")  # focus an option (the selected one) before stepping
    step = "ArrowDown" if target > now else "ArrowUp"
    for _ in range(abs(target - now)):
        field.press(step)
    focused = page.evaluate("() => [...document.querySelectorAll('[role=\"option\"]')]"
                            ".findIndex((o) => o.hasAttribute('data-focused'))")
    if focused in (-1, now):  # the keys landed on the value it has (the list's focus was elsewhere): no change
        field.press("Escape")
        return False
    field.press("Enter")
    return True


def new_matrix_text(text: str, rng: random.Random) -> str:
    """A different valid matrix near `text` ('1 2; 3 4'): one entry moved by 1 (kept >= 0 or >= 1 as it was),
    or a row added (a copy of the last) or removed, so lesson rules (e.g. 'k s p d' per row) still hold."""
    rows = [[Fraction(t) for t in row.split()] for row in text.split(";") if row.strip()]
    change = rng.choice(["entry", "entry", "row"])
    if change == "row":
        if len(rows) > 1 and (len(rows) >= 5 or rng.random() < 0.5):
            rows.pop()
        else:
            rows.append(list(rows[-1]))
    else:
        r = rng.randrange(len(rows))
        c = rng.randrange(len(rows[r]))
        floor = 1 if rows[r][c] >= 1 else (0 if rows[r][c] >= 0 else None)
        moved = rows[r][c] + rng.choice([-1, 1])
        rows[r][c] = moved if floor is None or moved >= floor else rows[r][c] + 1
    return "; ".join(" ".join(str(v) for v in row) for row in rows)


def row_name(path: str, control: Control) -> str:
    """`<page>: <control label>` (the label without Streamlit's markdown)."""
    return f"{path.strip('/').replace('_', ' ')}: {re.sub(r'[*`_]', '', control.label)}"
