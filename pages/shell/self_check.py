"""The "Check yourself" section that ends a lesson: its questions (lessons/<slug>.md `questions:`),
numbers drawn from a seed kept in Session State, and feedback that works the answer out.

Each question is a form (typing does not rerun the page; Enter or "Check" submits). Keys start with
the lesson's slug: `<slug>_q<n>_seed`, `_answer`, `_check`, `_new`, `_result`. Seeds are not in the URL.
"""
from __future__ import annotations

import secrets

import numpy as np
import streamlit as st

from engine.figures.step_view import GRID_CSS, panel
from engine.lessons.questions import TYPE_A_NUMBER, check, generate, parse_answer
from pages.shell.caching import shared

ICONS = {"success": ":material/check_circle:", "error": ":material/cancel:", "warning": ":material/edit:"}


def self_check(lesson):
    """Render the lesson's questions under a "Check yourself" heading (nothing if it has none)."""
    if not lesson.questions:
        return
    st.subheader("Check yourself")
    st.caption("Type a number (4, -2.5 or 1/2 all work) and press Enter or Check. "
               "New numbers asks the same question again with other numbers.")
    for n, spec in enumerate(lesson.questions):
        _question(f"{lesson.slug}_q{n}", n, spec)


def drawn(kind, seed, params):
    """The question `kind` drawn with `seed` (shared by every session: a class poll's numbers are everyone's)."""
    return _drawn(kind, seed, params)


def grids_html(kind, seed, params):
    """The matrices of that question as number grids (HTML made from numbers only; shared)."""
    return _grids_html(kind, seed, params)


def question_for(prefix, spec):
    """The question on screen for `prefix` (drawing its first seed if there is none yet)."""
    seed_key = f"{prefix}_seed"
    if seed_key not in st.session_state:
        st.session_state[seed_key] = _fresh_seed()
    return _drawn(spec.kind, st.session_state[seed_key], spec.params)


@shared(max_entries=2048)
def _drawn(kind, seed, params):
    """The question for this seed: the same for every session, so drawn once and shared (read-only)."""
    return generate(kind, seed, params)


@shared(max_entries=2048)
def _grids_html(kind, seed, params):
    return _grids(_drawn(kind, seed, params).matrices)


def _question(prefix, n, spec):
    question = question_for(prefix, spec)
    with st.form(f"{prefix}_form"):
        st.markdown(f"**{n + 1}.** {question.prompt}")
        if question.matrices:
            st.html(_grids_html(spec.kind, st.session_state[f"{prefix}_seed"], spec.params))
        st.text_input("Your answer", key=f"{prefix}_answer", max_chars=40, placeholder="a number, e.g. 4 or 1/2")
        with st.container(horizontal=True):
            st.form_submit_button("Check", key=f"{prefix}_check", type="primary", icon=":material/done:",
                                  on_click=_check, args=(prefix, question))
            st.form_submit_button("New numbers", key=f"{prefix}_new", icon=":material/casino:",
                                  on_click=_new_numbers, args=(prefix, spec, question))
        result = st.session_state.get(f"{prefix}_result")
        if result and result[0] == question.seed:  # feedback for the numbers on screen only
            _, level, feedback = result
            getattr(st, level)(feedback, icon=ICONS[level])


def _check(prefix, question):
    text = st.session_state.get(f"{prefix}_answer") or ""
    if parse_answer(text) is None:
        level, feedback = "warning", TYPE_A_NUMBER
    else:
        correct, feedback = check(question, text)
        level = "success" if correct else "error"
    st.session_state[f"{prefix}_result"] = (question.seed, level, feedback)


def _new_numbers(prefix, spec, question, tries=20):
    """A new seed whose question differs from the one on screen (small ranges can repeat a question)."""
    for _ in range(tries):
        seed = _fresh_seed()
        fresh = generate(spec.kind, seed, spec.params)
        if (fresh.prompt, fresh.matrices) != (question.prompt, question.matrices):
            break
    st.session_state[f"{prefix}_seed"] = seed
    st.session_state[f"{prefix}_answer"] = ""
    st.session_state.pop(f"{prefix}_result", None)


def _fresh_seed():
    return secrets.randbelow(2 ** 31)


def _grids(matrices):
    """Shown matrices as number grids (step_view's look): padding cells dotted, the asked cell double-bordered."""
    panels = []
    for shown in matrices:
        values = shown.array
        rows, cols = values.shape
        p = shown.padding
        classes = {(r, c): "pad" for r, c in np.ndindex(rows, cols)
                   if r < p or r >= rows - p or c < p or c >= cols - p}
        if shown.mark is not None:
            classes[tuple(shown.mark)] = "cur"
        panels.append(panel(shown.title, values, classes))
    return GRID_CSS + f'<div class="cl-step">{"".join(panels)}</div>'
