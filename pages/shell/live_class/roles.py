"""Who this browser tab is in a live class: nobody, the instructor (driving or not), or a student.

The role lives in Session State and, so that a reload or a restarted server process keeps it, in the tab's
sessionStorage (a tiny component, no iframe): the instructor's secret is kept by that tab and sent only to the
server (never shown, never in a URL); a duplicated tab (which copies sessionStorage) takes the class over.
"""
from __future__ import annotations

import functools
import secrets
from dataclasses import dataclass

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from engine.classroom import ClassStore, normalise_code

_ROLE = "_convlab_class_role"
_MEMORY = "_convlab_class_tab"
_JS = """export default function ({ data, setStateValue }) {
  const name = 'convlab-class';
  if (data.save !== undefined) {  // the server changed the role: keep it (or forget it) in this tab
    if (data.save) sessionStorage.setItem(name, data.save); else sessionStorage.removeItem(name);
  }
  const held = sessionStorage.getItem(name);
  if (held && !data.known && held !== data.asked) setStateValue('held', held);  // a reload
  window.__clClassReport = setStateValue;
  const app = document.querySelector('[data-testid="stApp"]');
  if (app && !window.__clClassWatch) {  // the server process restarted: the new session hears the role at once
    window.__clClassWatch = true;
    let last = app.dataset.testConnectionState;
    new MutationObserver(() => {
      const now = app.dataset.testConnectionState, kept = sessionStorage.getItem(name);
      if (now === 'CONNECTED' && last !== 'CONNECTED' && kept) window.__clClassReport('held', kept + '#' + Date.now());
      last = now;
    }).observe(app, { attributes: true, attributeFilter: ['data-test-connection-state'] });
  }
}"""
_component = st.components.v2.component("convlab_class_tab", html="<span hidden></span>", js=_JS,
                                        isolate_styles=False)


@dataclass
class Instructor:
    code: str
    secret: str


@dataclass
class Student:
    code: str
    token: str  # random per tab: one answer per poll, no personal data
    following: bool = True


@functools.cache
def store() -> ClassStore:
    """The process's store (SQLite under CONVLAB_DATA_DIR, or CONVLAB_DB_URL)."""
    return ClassStore.from_env()


def session_id() -> str:
    return get_script_run_ctx().session_id


def role():
    return st.session_state.get(_ROLE)


def set_role(new):
    """Change the role; the tab's memory is rewritten on the next remember()."""
    st.session_state[_ROLE] = new
    st.session_state["_convlab_class_save"] = _encode(new)


_TOKEN = "_convlab_class_token"  # the tab's student token, kept after Leave
DRIVING = "_convlab_class_driving"  # does this instructor tab drive its class (True) or only show it?


def new_student(code):
    """A student of class `code`; a tab that joins again (after Leave) keeps its token: counted once, and its answer
    to a poll stays its one answer."""
    if _TOKEN not in st.session_state:
        st.session_state[_TOKEN] = secrets.token_hex(8)
    return Student(code, st.session_state[_TOKEN])


def keep_token(held: Student) -> None:
    """A reloaded tab's student (restored from the tab's memory) joins again later as the same student."""
    st.session_state[_TOKEN] = held.token


def _encode(who) -> str:
    if isinstance(who, Instructor):
        return f"i:{who.code}:{who.secret}"
    if isinstance(who, Student):
        return f"s:{who.code}:{who.token}:{int(who.following)}"
    return ""


def decode(text):
    """The role a tab's memory holds (None if it is malformed)."""
    parts = text.split("#")[0].split(":") if isinstance(text, str) and len(text) < 200 else []  # "#": reconnected
    if len(parts) < 3 or normalise_code(parts[1]) != parts[1] or not 0 < len(parts[2]) <= 64:
        return None
    if len(parts) == 3 and parts[0] == "i":
        return Instructor(parts[1], parts[2])
    if len(parts) == 4 and parts[0] == "s":
        return Student(parts[1], parts[2], parts[3] == "1")
    return None


def remember():
    """Mount the tab's memory; returns a role the tab held that this session did not know (after a reload)."""
    save = st.session_state.pop("_convlab_class_save", None)
    reported = st.session_state.get(_MEMORY)  # what the browser sent: anything, from a hostile client
    held = reported.get("held") if isinstance(reported, dict) else None
    asked = st.session_state.get("_convlab_class_asked")
    data = {"known": role() is not None, "asked": asked}
    if save is not None:
        data["save"] = save
    with st.sidebar.container(key="class_tab_memory"):  # in the sidebar: nothing on the page moves
        _component(key=_MEMORY, data=data, on_held_change=lambda: None)
    if role() is None and held and held != asked and save is None:
        st.session_state["_convlab_class_asked"] = held  # asked once: a stale memory is not retried every run
        return decode(held)
    return None


def driving() -> bool:
    """Does this tab drive a live class (its stepper then reports every step to the server)?"""
    who = role()
    return isinstance(who, Instructor) and st.session_state.get(DRIVING, False)
