"""The step-by-step control every lesson uses: ◀ Previous, a step slider, Next ▶, Left / Right keys.

Stepping runs in the browser: the page hands over every step's HTML view once (packed by
engine.figures.step_patches), and the component draws step n and writes it to the URL (`?<key>=n`,
0-based) without asking the server: a step shows at once and the server stays idle while students
scrub. The server hears of the step the next time it runs for another reason: the browser sees the
older step in what the server sends and reports its own (a rerun of the stepper's fragment, then of
the page, so the URL on the server and every part drawn from the step agree). A preset, a demo step
or a test set the step through Session State. For a step outside a large trace's packed window the
component asks the server at once.
"""
from __future__ import annotations

import json
import zlib
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from engine.data.matrix_text import parse_int
from engine.figures.step_patches import LOOKBACK, pack_from
from pages.shell.caching import shared
from pages.shell.controls import drawn
from pages.shell.live_class.roles import driving

_HERE = Path(__file__).parent
_STEPPERS = "_convlab_steppers"  # Session State: keys of the steppers drawn in this session
_component = st.components.v2.component(
    "convlab_stepper", html=(_HERE / "stepper.html").read_text(), css=(_HERE / "stepper.css").read_text(),
    js=(_HERE / "stepper.js").read_text(), isolate_styles=False)


@dataclass
class StepperMemory:
    """What the server remembers of one stepper in one session (Session State `_<key>_memory`)."""
    step: int | None = None  # the step it last chose
    seen: object = None  # the browser's last report it acted on ({"n", "run"} or a bare step)
    override: int = 0  # times the server moved the step (a preset, a demo step): the browser jumps
    from_browser: bool = False  # this run's step came from the browser
    sent: str | None = None  # id of the views last sent
    missing: object = None  # the browser's last report of a step outside the packed window
    run: int = 0  # runs that sent data (the browser compares its step with each)
    window: tuple = (-1, -1)  # (lo, hi): the steps whose views the browser holds


def current_step(key, n_steps, notes):
    """The step on screen; in order: a preset, demo step or test (Session State `key`), the browser's
    report of a step taken there, the step this session last had, the URL (a shared link; a note when
    it is unusable). Written to the URL, 0-based and left out at 0.
    """
    memory = _memory(key)
    report = _browser_state(key).get("step")  # {"n": the step, "run": the server run it answered}, or a bare step
    reported = report.get("n") if isinstance(report, dict) else report
    memory.from_browser = False
    if key in st.session_state:
        step = st.session_state.pop(key)
        memory.override += 1  # the browser jumps to a step the server chose
    elif isinstance(reported, int) and report != memory.seen:
        step = reported
        memory.from_browser = True
    elif memory.step is not None:
        step = memory.step
    else:
        raw = st.query_params.get(key)
        step = parse_int(raw, 0, n_steps - 1)
        if raw is not None and step is None:
            notes.append(f"`{key}` should be a whole number from 0 to {n_steps - 1}")
        step = step or 0
    step = min(max(int(step), 0), n_steps - 1)
    memory.step, memory.seen = step, report
    if step:
        st.query_params[key] = str(step)
    else:
        st.query_params.pop(key, None)
    return step


def stepper(key, n_steps, notes, views, label="Step", shortcuts=True):
    """Draw the stepper and return the step the server knows (what the page's other parts start from).

    views: (build, *args) with build(*args) -> view, view(n) -> the HTML of step n (made by
    engine.figures from numbers only); cached by build's name and args, like figures.spec.
    shortcuts: Left / Right step this stepper (give them to one stepper per page).
    """
    drawn(key)
    st.session_state.setdefault(_STEPPERS, set()).add(key)
    step = current_step(key, n_steps, notes)
    memory = _memory(key)
    lo, hi = memory.window
    if memory.from_browser and lo <= step <= hi:
        st.rerun(scope="app")  # steps taken in the browser reached the server: redraw the rest of the page with them
    packed = _packed(views, n_steps, step)
    memory.window = (packed["lo"], packed["hi"])
    memory.run += 1  # new data on every run, so the browser always compares its step with the server's
    data = {"key": key, "label": label, "n": n_steps, "start": step, "override": memory.override,
            "run": memory.run, "shortcuts": bool(shortcuts), "id": packed["id"],
            "eager": driving()}  # a live class's driving tab reports every step, so its students follow
    if _browser_has(key, packed["id"]):
        data["views"] = "same"  # a rerun for the browser's own step: do not send the views back
    else:
        data.update((k, v) for k, v in packed.items() if k != "id")
    with st.container(key=f"ctl_{key}"):
        _component(key=_ui_key(key), data=data, on_step_change=lambda: None, on_missing_change=lambda: None)
    return step


def _browser_has(key, views_id):
    """Does the browser hold these views already? Only on a rerun its own step report caused; it says when
    it lost them (state "missing" counts up), and then they are sent again."""
    memory, missing = _memory(key), _browser_state(key).get("missing")
    has = memory.from_browser and memory.sent == views_id and missing == memory.missing
    memory.sent, memory.missing = views_id, missing
    return has


def stepper_keys():
    """The keys of the steppers this session has drawn (their frames are not settings of a figure)."""
    return tuple(st.session_state.get(_STEPPERS, ()))


def _memory(key):
    return st.session_state.setdefault(f"_{key}_memory", StepperMemory())


def _browser_state(key):
    return st.session_state.get(_ui_key(key)) or {}


def _packed(views, n_steps, step):
    """The packed views from step 0, or from LOOKBACK steps before `step` when that is out of their reach."""
    build, *args = views
    name = f"{build.__module__}.{build.__qualname__}"
    packed = _packed_from(name, build, tuple(args), n_steps, 0)
    if packed["hi"] < step:
        packed = _packed_from(name, build, tuple(args), n_steps, max(0, step - LOOKBACK))
    return packed


@shared(max_entries=64)  # read-only: callers copy what they send
def _packed_from(name, _build, args, n_steps, lo):  # `_build` is digested by its name
    packed = pack_from(_build(*args), n_steps, lo)
    return {**packed, "id": f"{name}:{zlib.crc32(json.dumps(packed).encode())}"}


def _ui_key(key):
    return f"{key}_ui"
