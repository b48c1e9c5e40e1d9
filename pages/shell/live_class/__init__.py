"""A live class: students follow the instructor's screen, and answer polls shown live on the projector.

app.py calls conduct() before the page runs (the role's row or banner; a follower is moved to the instructor's
lesson, preset, stepper step and demo step) and after_run() once it ran (the driving tab publishes where it is).
State lives in the shared store (engine.classroom); followers are told of a change by push.py.
"""
from __future__ import annotations

import time

import streamlit as st

from engine.classroom import normalise_code
from pages.shell import demo_mode
from pages.shell.live_class import instructor, polls, position, push, roles, student
from pages.shell.live_class.roles import Instructor, Student

_SEQ = "_convlab_class_seq"  # the class position this follower last applied
_STEP = "_convlab_class_step"  # (lesson, demo step) it last scrolled to
_STYLE = """<style>
[data-testid="stLayoutWrapper"]:has(> .st-key-class_banner) { position: sticky; top: 3.75rem; z-index: 98; }
.st-key-class_banner { background: #fff; padding: .3rem 0; border-bottom: 3px solid #2e7d32; }
</style>"""  # a constant: the student's banner stays in view (it says whether they follow or explore)


def conduct(page, pages_by_path):
    """Before the page: restore a reloaded tab's role, handle ?join=CODE, draw the role's row, follow."""
    notes = []
    held = roles.remember()
    if isinstance(held, Instructor):
        instructor.restore(held)
    elif isinstance(held, Student):
        student.restore(held)
    raw = st.query_params.get("join")
    if raw is not None:
        st.query_params.pop("join")
        if isinstance(roles.role(), Instructor):
            notes.append("This tab runs a live class: a join link is for your students' screens, not yours.")
        elif not isinstance(roles.role(), Student) or roles.role().code != normalise_code(raw):
            student.join(raw, notes)
    if isinstance(roles.role(), Instructor):
        instructor.check_live(roles.role(), notes)  # ended (another tab), or expired: the tab lets it go
    who = roles.role()
    if who is not None:
        st.html(_STYLE)
    for note in notes:
        st.warning(note, icon=":material/groups:")
    if isinstance(who, Student):
        _follow(who, page, pages_by_path)
        return
    if isinstance(who, Instructor):
        with st.container(key="class_row"):
            if instructor.bar(who, page.url_path):
                polls.projector(who)
    elif demo_mode.is_on():
        with st.container(key="class_row"):
            st.button("Start a live class", key="class_start", icon=":material/cast_for_education:",
                      on_click=instructor.start,
                      help="Students join with a code and follow your screen; you can poll them with the "
                           "lesson's questions.")
    if who is None:
        student.join_button()


def _follow(who: Student, page, pages_by_path):
    state = roles.store().state(who.code, time.time())
    live = state is not None and not state.ended
    section = None
    if live and who.following and not state.paused and st.session_state.get(_SEQ) != state.seq:
        st.session_state[_SEQ] = state.seq
        path = position.apply(state.position)
        step = (state.position.get("path"), state.position.get("demo_step"))
        if st.session_state.get(_STEP) != step:  # a new demo step: its part of the page is brought into view
            st.session_state[_STEP] = step       # (not when the instructor only moves a control)
            section = state.position.get("section")
        if path is not None and path != page.url_path and path in pages_by_path:
            # query_params given: Streamlit then replaces the URL's (a cleared URL would refuse this page's
            # widget-bound values); only what carries over between lessons stays (demo mode, hidden parts)
            st.switch_page(pages_by_path[path], query_params=demo_mode.link_params())
    student.banner(who, state)
    with st.container(key="class_scroll"):  # on every run, so the elements after it keep their place
        if section:
            st.html(demo_mode.scroll_html(section, state.seq), width="content", unsafe_allow_javascript=True)
        if live:
            polls.student_panel(who, state)
    if live:  # an explorer is told of a poll, a reveal or the end, not of the instructor's moves
        push.follow(who.code, roles.session_id(), state.signal, moves=who.following)
    else:
        push.unfollow(roles.session_id())


def after_run(page):
    """After a full run of the page: the driving tab publishes where it is; a follower's pushed run is over."""
    who = roles.role()
    if isinstance(who, Instructor):
        instructor.publish(who, position.current(page.url_path))
    elif isinstance(who, Student):
        push.finished(roles.session_id())
