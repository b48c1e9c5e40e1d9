"""AppTest fuzzer (issue 13): every lesson opened with random hostile query strings, then random widget
values; no run may show an exception, and a malformed number in the link must get the link note.

The runs are drawn by a seeded random generator, so a failure names its lesson, run and seed and can be
replayed. `make test` makes RUNS page openings per lesson (each followed by CHANGES widget changes);
a longer run: CONVLAB_FUZZ_RUNS=20 (and CONVLAB_FUZZ_SEED to draw other runs).
"""
from __future__ import annotations

import os
import random
import re
from pathlib import Path

import pytest

from engine.data.matrix_text import parse_int
from engine.lessons import load_lessons

RUNS = int(os.environ.get("CONVLAB_FUZZ_RUNS", "2"))  # page openings per lesson
SEED = int(os.environ.get("CONVLAB_FUZZ_SEED", "13"))
CHANGES = 2  # widget changes after each opening
PAGES = Path(__file__).resolve().parents[2] / "pages"
LESSONS = load_lessons()

HOSTILE = [  # values a crafted or mangled link can carry
    "²", "³", "¹", "٣", "--2", "--1", "-1", "+1", "0x10", "1_0", "1.5", "1e309", "1e9", "NaN", "nan", "inf", "-inf",
    "", " ", "%", "0" * 40, "9" * 40, "1" * 3000, "x" * 3000, "1 2; 3", "1/0", "1 2; 3 4; ;", "true", "None",
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[a](javascript:alert(1))", "`code`", "**bold**",
    "presets,controls", "hide,,,", "\u202e1", "\u00a0", "１",  # right-to-left mark, no-break space, fullwidth 1
]
SHARED_KEYS = ["demo", "demo_step", "demo_every", "demo_auto", "hide"]
SKIP_KEYS = ("tc_train",)  # Train buttons start up to minutes of training: intended work, not an input to fuzz
_INT_SLIDER = re.compile(r"int_slider\([^)]*?\"([a-z]+_[a-z0-9_]+)\"", re.S)
_KEY = re.compile(r"\"([a-z]{2}_[a-z0-9_]+)\"")


def _prefix(lesson):
    keys = [k for p in lesson.presets for k in p.values]
    return os.path.commonprefix(keys).split("_")[0] + "_" if keys else None


def _source():
    return "\n".join(p.read_text() for p in PAGES.rglob("*.py"))


SOURCE = _source()
INT_KEYS = set(_INT_SLIDER.findall(SOURCE)) | {k for l in LESSONS for p in l.presets for k, v in p.values.items()
                                                if isinstance(v, int) and not isinstance(v, bool)}
INT_KEYS |= {"demo_step", "demo_every"}


def lesson_keys(lesson):
    """The lesson's URL keys: its presets' widget keys and every key with its prefix the pages name."""
    prefix = _prefix(lesson)
    found = {k for k in _KEY.findall(SOURCE) if prefix and k.startswith(prefix)}
    return sorted(found | {k for p in lesson.presets for k in p.values})


ALL_KEYS = sorted({k for l in LESSONS for k in lesson_keys(l)})


def random_query(rng, lesson):
    """1 to 4 keys, mostly the lesson's own, some shared or of other lessons; values hostile or valid."""
    own = lesson_keys(lesson)
    query = {}
    for _ in range(rng.randint(1, 4)):
        pool = rng.choice([own, own, SHARED_KEYS, ALL_KEYS])
        key = rng.choice(pool)
        query[key] = rng.choice(HOSTILE + [str(rng.randint(-3, 60))] * 4)
    if "demo_step" in query or "demo_every" in query:
        query.setdefault("demo", "1")
    return query


def change_a_widget(rng, at):
    """Give one random widget a random value in its domain (a hostile text for a text box); True if done."""
    kinds = [k for k in ("slider", "selectbox", "button_group", "text_input", "toggle", "checkbox", "button")
             if len(getattr(at, k))]
    if not kinds:
        return False
    kind = rng.choice(kinds)
    widgets = [w for w in getattr(at, kind) if not w.disabled and not str(w.key).startswith(SKIP_KEYS)]
    if not widgets:
        return False
    widget = rng.choice(widgets)
    if kind == "slider":
        lo, hi = widget.min, widget.max
        widget.set_value(rng.randint(int(lo), int(hi)) if isinstance(lo, int) else rng.uniform(lo, hi))
    elif kind in ("selectbox", "button_group"):
        options = list(widget.options)
        if not options:
            return False
        widget.set_value(rng.choice(options))
    elif kind == "text_input":
        widget.set_value(rng.choice(HOSTILE + ["1 2; 3 4", "3 1 1 1; 3 1 2 2"]))
    elif kind in ("toggle", "checkbox"):
        widget.set_value(not widget.value)
    else:
        widget.click()
    return True


def assert_no_exception(at, where):
    assert not at.exception, f"{where}: " + "; ".join(e.value for e in at.exception)
    shown = " ".join(e.value for kind in ("warning", "error", "info", "caption") for e in getattr(at, kind))
    assert "<script" not in shown and "onerror=" not in shown, f"{where}: markup from the link reached the page"


def assert_bad_numbers_noted(at, query, where):
    """A link value that is no ASCII whole number, for a number widget the run drew, gets the link note;
    so does a `demo` that is neither on nor off."""
    drawn = at.session_state["_convlab_drawn"] if "_convlab_drawn" in at.session_state else set()
    notes = " ".join(w.value for w in at.warning)
    for key, value in query.items():
        expected = key in INT_KEYS and parse_int(value, -10**18, 10**18) is None and (
            key in drawn or (key.startswith("demo_") and query.get("demo") == "1"))
        expected |= key == "demo" and value not in ("0", "1", "true", "false")
        if expected:
            assert f"`{key}`" in notes, f"{where}: no link note for {key}={value[:20]!r}; notes: {notes[:300]!r}"


CASES = [(lesson, run) for lesson in LESSONS for run in range(RUNS)]


@pytest.mark.parametrize("lesson,run", CASES, ids=[f"{l.slug}-{r}" for l, r in CASES])
def test_hostile_links_and_random_widgets_never_show_an_exception(open_page, lesson, run):
    rng = random.Random(f"{SEED}-{lesson.slug}-{run}")
    query = random_query(rng, lesson)
    where = f"{lesson.slug} run {run} (seed {SEED}) with ?{query!r}"
    at = open_page(f"{lesson.page}.py", query)
    assert_no_exception(at, where)
    assert_bad_numbers_noted(at, query, where)
    page_runs = 1
    for change in range(CHANGES):
        if change_a_widget(rng, at):
            at.run()
            page_runs += 1
            assert_no_exception(at, f"{where}, after widget change {change + 1}")
    print(f"fuzz page runs: {page_runs}")  # shown with -s; the sum is the count for the issue note
