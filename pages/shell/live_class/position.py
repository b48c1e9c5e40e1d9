"""Where the instructor is: the lesson, its preset values, the stepper's step and the demo script step.

Only keys a preset of the lesson sets (and its stepper) travel: those are the values a preset button may set
in any session, so applying them on a follower's page is what clicking that preset would do.
"""
from __future__ import annotations

import streamlit as st

from engine.data.matrix_text import parse_int
from pages.shell import controls, demo_mode

_PLAIN = (bool, int, float, str)


def all_lessons():
    """lesson_page.lessons(), imported here: lesson_page's stepper imports this package."""
    from pages.shell.lesson_page import lessons

    return lessons()


def lesson_at(path):
    return next((l for l in all_lessons() if l.page == path), None)


def current(path) -> dict:
    """The position of this session's page `path` (call after the page ran)."""
    lesson = lesson_at(path)
    if lesson is None:
        return {"path": path, "title": "Home"}
    keys = sorted({key for preset in lesson.presets for key in preset.values})
    values = {key: st.session_state[key] for key in keys
              if isinstance(st.session_state.get(key), _PLAIN)}
    if lesson.step_key:
        values[lesson.step_key] = parse_int(st.query_params.get(lesson.step_key, "0"), 0, 10_000) or 0
    place = {"path": path, "title": lesson.title, "values": values}
    index = demo_mode.current_step(lesson)
    if index:
        step = lesson.demo[index - 1]
        place.update(demo_step=index, steps=len(lesson.demo), say=step.say, section=step.section)
    return place


def apply(place) -> str | None:
    """Set the instructor's values on this session (before its widgets are drawn); returns the page path to show."""
    lesson = lesson_at(place.get("path"))
    if lesson is None:
        return place.get("path") if place.get("path") == "" else None
    values = {key: value for key, value in (place.get("values") or {}).items()
              if lesson.owns_key(key) and isinstance(value, _PLAIN)}
    controls.set_values(values)
    if place.get("section"):
        st.session_state[demo_mode.SCROLL_TO] = place["section"]
    return lesson.page
