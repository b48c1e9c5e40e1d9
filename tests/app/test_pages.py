"""Every registered page runs; every preset and demo step of every lesson runs through its page."""
import contextlib
import io
import json

import pytest

from engine.lessons import load_lessons, page_path
from pages.shell.lesson_page import LessonPage
from tests.app.checks import assert_clean, assert_values

LESSONS = load_lessons()


def test_home_links_every_lesson(open_page):
    at = open_page("home.py")
    assert_clean(at)
    assert len(LESSONS) >= 1
    assert at.title[0].value == "ConvLab"


def assert_figures_are_described(at, lesson):
    """Every figure has a text alternative ending in its caption, and saves as a sharp PNG named after the lesson."""
    charts = at.get("plotly_chart")  # (a lesson may draw its figures as HTML only)
    captions = [c.value.replace("**", "") for c in at.caption]
    for chart in charts:
        alt = chart.proto.alt
        assert len(alt) > 20
        assert any(alt.endswith(caption) for caption in captions if len(caption) > 20), alt
        options = json.loads(chart.proto.config)["toImageButtonOptions"]
        assert options["format"] == "png" and options["scale"] >= 2
        assert options["filename"].startswith(f"convlab-{lesson.slug}-")


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda l: l.slug)
def test_lesson_page_runs_with_defaults_then_every_preset_one_after_another(open_page, lesson):
    """One session per lesson. With defaults: the title, no link notes, every figure described (text
    alternative, caption, PNG name). Then every preset in turn: each shows its values (also after another
    preset's), and every PyTorch snippet on the page runs in PyTorch (what each computes is checked against the
    engine in tests/engine/test_pytorch_snippets.py and in each lesson's own tests)."""
    at = open_page(f"{lesson.page}.py")
    assert_clean(at)
    assert at.title[0].value == lesson.title
    assert not at.warning, "no link notes without a query string"
    assert_figures_are_described(at, lesson)
    for preset in lesson.presets:
        at.button(key=LessonPage.preset_key(preset.name)).click().run()
        assert_clean(at)
        assert_values(at, preset.values)
        for block in at.code:
            if block.language != "python":
                continue  # e.g. the shared link (plain text)
            scope = {}
            with contextlib.redirect_stdout(io.StringIO()):
                exec(block.value, scope)  # noqa: S102 (the page's own generated code)
            assert "torch" in scope, (preset.name, block.value)


@pytest.mark.parametrize("lesson", [l for l in LESSONS if l.demo], ids=lambda l: l.slug)
def test_demo_script_walks_every_step_with_page_down(open_page, lesson):
    at = open_page(f"{lesson.page}.py", {"demo": "1"})
    assert_clean(at)
    assert at.button(key="demo_back").disabled
    for index, step in enumerate(lesson.demo):  # every demo step runs, in the order an instructor meets them
        at.button(key="demo_next").click().run()
        assert_clean(at)
        assert f"Step {index + 1} / {len(lesson.demo)}" in at.markdown[0].value or any(
            f"Step {index + 1} / {len(lesson.demo)}" in m.value for m in at.markdown)
        values = lesson.preset(step.preset).values
        assert_values(at, {key: step.step if key == lesson.step_key and step.step is not None else value
                          for key, value in values.items()})
        assert at.query_params["demo_step"] == str(index + 1), "the step is in the link"
        # the part the step is about is a heading on the page (its text or anchor), and the step scrolls to it
        assert step.section in headings(at), f"{lesson.slug} step {index + 1}: no heading {step.section!r}"
        quoted = json.dumps(step.section).replace("<", "\\u003c")  # as the scroll script carries it
        assert any(quoted in h.value for h in at.get("html") if "scrollIntoView" in h.value)
    assert at.button(key="demo_next").disabled
    at.button(key="demo_back").click().run()
    assert any(f"Step {len(lesson.demo) - 1} / " in m.value for m in at.markdown)


def test_every_lesson_has_its_page_file():
    from tests.app.conftest import ROOT
    for lesson in LESSONS:
        assert (ROOT / page_path(lesson.page)).is_file(), f"lessons/{lesson.slug}.md has no page file"


def headings(at):
    """The texts and anchors of the page's headings (title, header, subheader): what a demo step can name."""
    found = [*at.title, *at.header, *at.subheader]
    return {h.value for h in found} | {h.proto.anchor for h in found if h.proto.anchor}


def test_a_bare_link_to_a_step_scrolls_to_its_section(open_page):
    """The link path (?demo=1&demo_step=N on a first run); every step's section via Page Down: the walk above."""
    lesson, index = next((l, i) for l in LESSONS for i, s in enumerate(l.demo) if i)
    at = open_page(f"{lesson.page}.py", {"demo": "1", "demo_step": str(index + 1)})
    assert_clean(at)
    section = lesson.demo[index].section
    assert section in headings(at), f"{lesson.slug} step {index + 1}: no heading {section!r}"
    quoted = json.dumps(section).replace("<", "\\u003c")  # as the scroll script carries it
    assert any(quoted in h.value for h in at.get("html") if "scrollIntoView" in h.value)
