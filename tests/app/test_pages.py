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


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda l: l.slug)
def test_lesson_page_runs_with_defaults(open_page, lesson):
    at = open_page(f"{lesson.page}.py")
    assert_clean(at)
    assert at.title[0].value == lesson.title
    assert not at.warning, "no link notes without a query string"


@pytest.mark.parametrize("lesson", [l for l in LESSONS if l.presets], ids=lambda l: l.slug)
def test_every_preset_runs_one_after_another_and_its_pytorch_code_runs(open_page, lesson):
    """One session clicks every preset in turn: each shows its values (also after another preset's), and every
    PyTorch snippet on the page runs in PyTorch (what each computes is checked against the engine in
    tests/engine/test_pytorch_snippets.py and in each lesson's own tests)."""
    at = open_page(f"{lesson.page}.py")
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
    assert at.button(key="demo_next").disabled
    at.button(key="demo_back").click().run()
    assert any(f"Step {len(lesson.demo) - 1} / " in m.value for m in at.markdown)


def test_every_lesson_has_its_page_file():
    from tests.app.conftest import ROOT
    for lesson in LESSONS:
        assert (ROOT / page_path(lesson.page)).is_file(), f"lessons/{lesson.slug}.md has no page file"


SECTION_STEPS = [(l, i) for l in LESSONS for i, s in enumerate(l.demo) if s.section]


@pytest.mark.parametrize("lesson,index", SECTION_STEPS, ids=lambda v: getattr(v, "slug", str(v)))
def test_a_demo_steps_section_is_a_subheading_it_scrolls_to(open_page, lesson, index):
    at = open_page(f"{lesson.page}.py", {"demo": "1", "demo_step": str(index + 1)})
    assert_clean(at)
    section = lesson.demo[index].section
    assert section in [h.value for h in at.subheader], f"{lesson.slug} step {index + 1}: no subheading {section!r}"
    quoted = json.dumps(section).replace("<", "\\u003c")  # as the scroll script carries it
    assert any(quoted in h.value for h in at.get("html") if "scrollIntoView" in h.value)
