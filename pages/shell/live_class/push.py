"""How a following student learns of the instructor's click: pushed, not polled by every browser.

One thread per server process watches the classes its followers are in (one small query every WATCH_S for all
of them) and, when a class changes (a step, a pause, a poll, a reveal), asks each of its local followers'
sessions to run again, as Streamlit's own "rerun on save" does, MAX_PUSHED at a time in the order they were
queued. An idle class costs its followers nothing.
"""
from __future__ import annotations

import threading
import time

from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.runtime import Runtime

WATCH_S = 0.25  # how often the store is asked whether a class changed
TICK_S = 0.01  # how often waiting followers are started
MAX_PUSHED, TURN_S = 4, 5.0  # pushed runs at once per process; a run that never reports ends its turn after this

_lock = threading.Lock()
_followers: dict[str, dict[str, tuple]] = {}  # class code -> {session id: (what it watches, moves too?)}
_NOT_MOVES = 2  # ClassState.signal[2:]: ended, poll, revealed (what an exploring student still watches)
_thread: threading.Thread | None = None
_waiting: dict[str, None] = {}  # session ids whose class changed, in order (a dict: each waits once)
_running: dict[str, float] = {}  # session id -> time.monotonic() its pushed run started


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
    """Forget `session_id` (it left, its class ended, or its tab closed), and free a pushed run's turn it held."""
    with _lock:
        for sessions in _followers.values():
            sessions.pop(session_id, None)
        _waiting.pop(session_id, None)
        _running.pop(session_id, None)


def finished(session_id: str) -> None:
    """A follower's run is over (app.py, after the page): its turn goes to the next one waiting."""
    with _lock:
        _running.pop(session_id, None)


def _watch():
    from pages.shell.live_class.roles import store

    next_query = 0.0
    while True:
        busy = _waiting or _running  # followers to start, or runs to see finish: look again soon
        time.sleep(TICK_S if busy else max(next_query - time.monotonic(), TICK_S))
        if time.monotonic() >= next_query:
            next_query = time.monotonic() + WATCH_S
            _queue_changed(store)
        _dispatch()


def _queue_changed(store):
    """Queue every local session whose class changed since it last drew (one query for all classes)."""
    with _lock:
        codes = [code for code, sessions in _followers.items() if sessions]
    try:
        signals = store().signals(codes, time.time())
    except Exception:  # the database is restarting: try again on the next tick
        return
    with _lock:
        for code in codes:
            for session_id, (drawn, moves) in list(_followers.get(code, {}).items()):
                now = _watched(signals.get(code), moves)
                if now != drawn:
                    _followers[code][session_id] = (now, moves)  # asked once per change
                    if session_id not in _waiting:
                        _waiting[session_id] = None


def _dispatch():
    """Start waiting followers' runs, at most MAX_PUSHED at once (a run that never reports ends its turn after
    TURN_S): a hundred runs started together would share the process's one Python thread with a student's own
    click, and everyone would wait for all of them."""
    now = time.monotonic()
    with _lock:
        for session_id, started in list(_running.items()):
            if now - started > TURN_S:
                del _running[session_id]
        starting = []
        while _waiting and len(_running) < MAX_PUSHED:
            session_id = next(iter(_waiting))
            del _waiting[session_id]
            _running[session_id] = now
            starting.append(session_id)
    for session_id in starting:
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
