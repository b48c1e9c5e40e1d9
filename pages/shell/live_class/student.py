"""The student's side: join with a code, follow the instructor or explore, and the banner that says which."""
from __future__ import annotations

import time

import streamlit as st

from engine.classroom import normalise_code
from engine.classroom.classes import WRONG_CODES_WINDOW_S
from pages.shell.live_class import push, roles
from pages.shell.live_class.roles import Student

TRIES_PER_TAB = 10  # wrong codes one tab may type per WRONG_CODES_WINDOW_S (the store also limits per address)


def client_address() -> str:
    """The student's address as our nginx saw it (the last X-Forwarded-For entry: nginx appends it; earlier ones
    are whatever the client sent), else the connection's."""
    forwarded = st.context.headers.get("X-Forwarded-For")
    address = forwarded.split(",")[-1].strip() if isinstance(forwarded, str) else st.context.ip_address
    return address[:64] if isinstance(address, str) and address else "unknown"


def join(text, notes) -> bool:
    """Join the class `text` names; a clear note in `notes` when it cannot be joined."""
    code = normalise_code(text)
    tries = st.session_state.setdefault("_convlab_class_tries", [])
    now = time.time()
    tries[:] = [t for t in tries if now - t < WRONG_CODES_WINDOW_S]
    store = roles.store()
    if len(tries) >= TRIES_PER_TAB or not store.may_try_code(client_address(), now):
        notes.append("Too many wrong codes were typed from here: wait a few minutes, then type the code on the "
                     "projector again.")
        return False
    if code is None:
        tries.append(now)
        notes.append("A class code is 6 letters and digits, like the one on the projector (e.g. HK7M2P); codes "
                     "never contain 0, O, 1, I or L.")
        return False
    who = roles.new_student(code)
    if not store.join(code, who.token, client_address(), now):
        tries.append(now)
        notes.append(f"There is no live class {code} (or it has ended). Check the code on the projector.")
        return False
    roles.set_role(who)
    return True


def restore(held: Student) -> None:
    """A reloaded tab, or a server process that restarted: the student is back in the class."""
    state = roles.store().state(held.code, time.time())
    if state is not None and not state.ended:
        roles.keep_token(held)
        roles.set_role(held)


def _set_following(who: Student, following: bool):
    who.following = following
    roles.set_role(who)
    st.session_state.pop("_convlab_class_seq", None)  # back to the instructor: catch up at once


def _leave():
    who = roles.role()
    if isinstance(who, roles.Student):
        roles.store().leave(who.code, who.token)
    push.unfollow(roles.session_id())
    roles.set_role(None)


def join_button():
    """The sidebar's "Join a class" button (students): the code is typed in a dialog, so a page run that is not
    joining draws one button, not a form."""
    if st.sidebar.button("Join a class", key="class_join_open", icon=":material/groups:",
                         help="Type the code your instructor shows on the projector and follow their screen."):
        _join_dialog()


@st.dialog("Join a class")
def _join_dialog():
    """A dialog reruns alone: a wrong code is said here (type it again); a joined tab runs the whole page."""
    with st.form("class_join_form", border=False):
        st.text_input("Class code", key="class_join_code", max_chars=12, placeholder="e.g. HK7M2P",
                      help="The code your instructor shows on the projector.")
        submitted = st.form_submit_button("Join", type="primary", icon=":material/groups:")
    if submitted:
        notes = []
        if join(st.session_state.get("class_join_code"), notes):
            st.rerun()  # the whole page: the banner, and the instructor's lesson
        for note in notes:
            st.warning(note, icon=":material/groups:")


def banner(who: Student, state):
    """Following or exploring, always said; the instructor's step when following."""
    with st.container(horizontal=True, vertical_alignment="center", key="class_banner"):
        if state is None or state.ended:
            st.markdown(f":gray-badge[Class **{who.code}** has ended] Your controls are yours again.")
            st.button("Close", key="class_leave", on_click=_leave)
            return
        if not who.following:
            st.markdown(f":blue-badge[:material/explore: Exploring on your own] class **{who.code}**")
            st.button("Back to the instructor", key="class_follow", type="primary", icon=":material/group:",
                      on_click=_set_following, args=(who, True))
        elif state.paused:
            st.markdown(f":orange-badge[:material/pause: Class **{who.code}** is paused] The instructor is away; "
                        "explore on your own meanwhile.")
        else:
            place = state.position
            step = (f" · step {place['demo_step']} of {place['steps']}: {place['say']}"
                    if place.get("demo_step") else "")
            st.markdown(f":green-badge[:material/cast_for_education: Following the instructor] class "
                        f"**{who.code}**{step}")
        if who.following:
            st.button("Explore on my own", key="class_explore", icon=":material/explore:",
                      on_click=_set_following, args=(who, False))
        st.button("Leave", key="class_leave", on_click=_leave)
