"""How a following student learns of the instructor's click: pushed, not polled by every browser.

One thread per server process watches the classes its followers are in (one small query every WATCH_S for all
of them) and, when a class changes (a step, a pause, a poll, a reveal), asks each of its local followers'
sessions to run again, as Streamlit's own "rerun on save" does. An idle class costs its followers nothing.
"""
from __future__ import annotations

import threading
import time

from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.runtime import Runtime

WATCH_S = 0.25

_lock = threading.Lock()
_followers: dict[str, dict[str, tuple]] = {}  # class code -> {session id: (what it watches, moves too?)}
_NOT_MOVES = 2  # ClassState.signal[2:]: ended, poll, revealed (what an exploring student still watches)
_thread: threading.Thread | None = None


def _watched(signal, moves: bool):
    return signal if moves or signal is None else signal[_NOT_MOVES:]


def follow(code: str, session_id: str, signal: tuple, moves: bool = True) -> None:
    """Rerun `session_id` when class `code` changes from `signal` (what this session just drew); moves=False:
    only for a new poll, a reveal or the end (a student exploring on their own)."""
    global _thread
    with _lock:
        for sessions in _followers.values():
            sessions.pop(session_id, None)
        _followers.setdefault(code, {})[session_id] = (_watched(signal, moves), moves)
        if _thread is None or not _thread.is_alive():
            _thread = threading.Thread(target=_watch, name="convlab-class-push", daemon=True)
            _thread.start()


def unfollow(session_id: str) -> None:
    with _lock:
        for sessions in _followers.values():
            sessions.pop(session_id, None)


def _watch():
    from pages.shell.live_class.roles import store

    while True:
        time.sleep(WATCH_S)
        with _lock:
            codes = [code for code, sessions in _followers.items() if sessions]
        try:
            signals = store().signals(codes, time.time())
        except Exception:  # the database is restarting: try again on the next tick
            continue
        due = []
        with _lock:
            for code in codes:
                sessions = _followers.get(code, {})
                for session_id, (drawn, moves) in list(sessions.items()):
                    now = _watched(signals.get(code), moves)
                    if now != drawn:
                        due.append(session_id)
                        sessions[session_id] = (now, moves)  # asked once per change
        for session_id in due:
            try:
                _rerun(session_id)
            except Exception:  # no runtime serving sessions (a test's), or the session is going away
                unfollow(session_id)


def _rerun(session_id: str) -> None:
    """A full run of the session with the widget values its browser last sent (Streamlit's rerun on save)."""
    runtime = Runtime.instance()
    info = runtime._session_mgr.get_active_session_info(session_id)
    if info is None:  # the tab was closed: forget it
        unfollow(session_id)
        return
    session = info.session
    state = ClientState()
    state.CopyFrom(session._client_state)
    state.fragment_id = ""
    state.is_auto_rerun = False
    runtime._get_async_objs().eventloop.call_soon_threadsafe(session.request_rerun, state)
