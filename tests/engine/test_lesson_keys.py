"""Every lesson declares a key prefix (unique) and, with a stepper, the step key its demo steps move."""
from __future__ import annotations

import pytest

from engine.lessons import LessonError, load_lesson, load_lessons

LESSON = """---
title: T
order: 1
icon: ":material/flip:"
page: {slug}
{front}
summary: S
---
## Idea
i
## Try it
t
## What to notice
w
## Summary
s
"""


def write(tmp_path, front, slug="demo_lesson"):
    path = tmp_path / f"{slug}.md"
    path.write_text(LESSON.format(slug=slug, front=front))
    return path


def test_every_shipped_lesson_has_its_own_prefix_and_its_presets_carry_it():
    lessons = load_lessons()
    prefixes = [l.key_prefix for l in lessons]
    assert len(prefixes) == len(set(prefixes)), prefixes
    for lesson in lessons:
        for preset in lesson.presets:
            assert all(lesson.owns_key(k) for k in preset.values), (lesson.slug, preset.name)
        if any(step.step is not None for step in lesson.demo):
            assert lesson.owns_key(lesson.step_key)


@pytest.mark.parametrize("front, message", [
    ("", r"'key_prefix' is missing"),
    ("key_prefix: X1", r"2-3 lower-case letters"),
    ("key_prefix: tq\npresets:\n  - {name: a, label: A, values: {xc_step: 1}}", r"preset 'a' sets \['xc_step'\]"),
    ("key_prefix: tq\nstep_key: xc_step", r"'step_key' must be a widget key starting with 'tq_'"),
    ("key_prefix: tq\npresets:\n  - {name: a, label: A, values: {tq_x: 1}}\ndemo:\n  - {preset: a, step: 2, say: s}",
     r"names no 'step_key'"),
])
def test_a_lesson_file_without_usable_keys_is_refused(tmp_path, front, message):
    with pytest.raises(LessonError, match=message):
        load_lesson(write(tmp_path, front))


def test_two_lessons_with_one_prefix_are_refused(tmp_path):
    write(tmp_path, "key_prefix: tq", "one")
    (tmp_path / "two.md").write_text(LESSON.format(slug="two", front="key_prefix: tq").replace("order: 1", "order: 2"))
    with pytest.raises(LessonError, match="key_prefix"):
        load_lessons(tmp_path)


def test_the_lesson_shell_refuses_a_widget_key_without_the_prefix():
    from pages.shell.lesson_page import LessonPage

    page = LessonPage.__new__(LessonPage)  # the key check needs only the lesson
    page.lesson = next(l for l in load_lessons() if l.slug == "dilation")
    assert page.key("dl_d") == "dl_d"
    with pytest.raises(ValueError, match="must start with 'dl_'"):
        page.key("xc_d")


DEMO = "key_prefix: tq\npresets:\n  - {name: a, label: A, values: {tq_x: 1}}\ndemo:\n  - {preset: a, say: s%s}"


@pytest.mark.parametrize("section", ["", ", section: Nowhere", ", section: 3"])
def test_a_demo_step_must_name_a_part_of_its_page(tmp_path, section):
    with pytest.raises(LessonError, match=r"needs 'section:', the part of the page it is about"):
        load_lesson(write(tmp_path, DEMO % section))


def test_a_demo_step_may_name_the_lesson_title(tmp_path):
    assert load_lesson(write(tmp_path, DEMO % ", section: T")).demo[0].section == "T"


def test_the_parts_of_a_page_are_its_literal_headings_and_anchors():
    from engine.lessons.page_parts import page_parts

    parts = page_parts("padding")
    assert {"Step by step", "Where each padded value comes from", "participation-counts"} <= parts
    assert not any("{" in p or p.startswith("Full padding") for p in parts), "computed texts are not parts"
    assert page_parts("no_such_page") == frozenset()
