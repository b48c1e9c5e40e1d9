"""One simulated student: a websocket client speaking Streamlit's browser protocol (asyncio, no browser).

What the frontend does, and so what this does (streamlit 1.67, web/server/starlette/starlette_websocket.py):
connect to `/_stcore/stream` with the subprotocol "streamlit" (without an Origin header the server asks
no XSRF token), send a BackMsg `rerun_script` whose ClientState carries the page name, the URL's query
string and the widget states, then read ForwardMsgs (deltas, page_info_changed, script_finished) until the
run ends. Widget ids and their options are read from the deltas, as the frontend reads them. A control drawn
inside an st.fragment (its delta's fragment_id) reruns only that fragment, as in the browser: the rerun_script
carries the fragment's id, and the controls drawn outside it stay as they were.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

SLOW_S = 10.0      # an interaction slower than this counts as an error
GIVE_UP_S = 30.0   # a run not finished by then: the student leaves (counted as a disconnect)
CHANGEABLE = ("slider", "button_group", "selectbox", "radio")  # never the canvas, the uploader, buttons


@dataclass
class Stats:
    """What all students measured; `t` times are time.monotonic() when the message was sent."""
    opens: list[tuple[float, float]] = field(default_factory=list)         # (t, seconds)
    interactions: list[tuple[float, float]] = field(default_factory=list)  # (t, seconds)
    exceptions: int = 0
    disconnects: int = 0
    slow: int = 0
    fragment_runs: int = 0  # interactions that reran one fragment, not the page
    messages: list[str] = field(default_factory=list)  # first few error texts, for the report's note

    def note(self, text: str) -> None:
        if len(self.messages) < 3:
            self.messages.append(text)


class Student:
    """Opens `page` (query string `query`) on `ws_url`, then changes a control every 2-5 s (`think_s`) until
    `stop_at`, at most `max_actions` times."""

    def __init__(self, ws_url: str, page: str, query: str, rng: random.Random, stats: Stats,
                 stop_at: float, max_actions: int, cookie: str = "", think_s: tuple[float, float] = (2.0, 5.0)):
        self.ws_url, self.page, self.query, self.cookie, self.think_s = ws_url, page, query, cookie, think_s
        self.rng, self.stats, self.stop_at, self.max_actions = rng, stats, stop_at, max_actions
        self.page_hash = ""
        self.widgets: dict[str, tuple[str, object, str]] = {}  # id -> (kind, proto, fragment id) as last drawn
        self.states: dict[str, WidgetState] = {}          # what this student set, as the frontend sends it

    async def run(self) -> None:
        try:
            headers = {"Cookie": self.cookie} if self.cookie else None  # nginx's sticky route (deploy/)
            async with websockets.connect(self.ws_url, subprotocols=["streamlit"], max_size=None,
                                          additional_headers=headers, open_timeout=GIVE_UP_S,
                                          close_timeout=2) as ws:
                t = time.monotonic()
                if not await self._rerun(ws):
                    return
                self.stats.opens.append((t, time.monotonic() - t))
                for _ in range(self.max_actions):
                    await asyncio.sleep(self.rng.uniform(*self.think_s))
                    fragment = self._change_one() if time.monotonic() < self.stop_at else None
                    if fragment is None:
                        return
                    t = time.monotonic()
                    if not await self._rerun(ws, fragment):
                        return
                    self.stats.interactions.append((t, time.monotonic() - t))
                    self.stats.fragment_runs += bool(fragment)
        except (OSError, asyncio.TimeoutError, websockets.ConnectionClosed,
                websockets.InvalidHandshake) as e:
            self.stats.disconnects += 1
            self.stats.note(f"{self.page}: {type(e).__name__}: {e}")

    async def _rerun(self, ws, fragment: str = "") -> bool:
        """Send rerun_script (of one fragment, if given); read until script_finished. False: the student gave
        up (counted)."""
        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string, cs.page_name, cs.page_script_hash = self.query, self.page, self.page_hash
        cs.fragment_id = fragment
        cs.widget_states.widgets.extend(self.states.values())
        t0 = time.monotonic()
        await ws.send(msg.SerializeToString())
        drawn: dict[str, tuple[str, object, str]] = {}
        rerun = {fragment} if fragment else set()  # fragments this run drew (all, after a whole-page run)
        while True:
            left = GIVE_UP_S - (time.monotonic() - t0)
            try:
                data = await asyncio.wait_for(ws.recv(), timeout=max(left, 0.01))
            except asyncio.TimeoutError:
                self.stats.disconnects += 1
                self.stats.note(f"{self.page}: no script_finished after {GIVE_UP_S:.0f} s")
                return False
            fwd = ForwardMsg()
            fwd.ParseFromString(data)
            kind = fwd.WhichOneof("type")
            if kind == "navigation":  # the page being shown (new_session carries the main script's)
                self.page_hash = fwd.navigation.page_script_hash
            elif kind == "new_session" and not self.page:
                self.page_hash = fwd.new_session.page_script_hash
            elif kind == "page_info_changed":
                self.query = fwd.page_info_changed.query_string
            elif kind == "delta":
                rerun.add(fwd.delta.fragment_id)
                if fwd.delta.WhichOneof("type") == "new_element":
                    self._read_element(fwd, drawn)
            elif kind == "script_finished" and fwd.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                if time.monotonic() - t0 > SLOW_S:
                    self.stats.slow += 1
                whole_page = fwd.script_finished != ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY
                kept = {} if whole_page else {k: v for k, v in self.widgets.items() if v[2] not in rerun}
                self.widgets = {**kept, **drawn}
                self.states = {k: v for k, v in self.states.items() if k in self.widgets}
                return True

    def _read_element(self, fwd: ForwardMsg, drawn: dict) -> None:
        el = fwd.delta.new_element
        kind = el.WhichOneof("type")
        if kind == "exception":
            self.stats.exceptions += 1
            self.stats.note(f"{self.page}: exception {el.exception.type}: {el.exception.message[:120]}")
        elif (kind in CHANGEABLE and list(fwd.metadata.delta_path[:1]) == [0]  # main area, not the sidebar
              and not getattr(el, kind).form_id):
            proto = getattr(el, kind)
            drawn[proto.id] = (kind, proto, fwd.delta.fragment_id)

    def _change_one(self) -> str | None:
        """Set one drawn control to another of its values (as a click or a drag would); returns the id of the
        fragment it was drawn in ("" for the page), None if there is no control to change."""
        choices = [(wid, kind, p, f) for wid, (kind, p, f) in self.widgets.items() if _values(kind, p)]
        if not choices:
            return None
        wid, kind, proto, fragment = self.rng.choice(choices)
        values = _values(kind, proto)
        state = WidgetState(id=wid)
        value = self.rng.choice(values)
        if kind == "slider":
            state.double_array_value.data.append(value)
        elif kind == "button_group":
            state.string_array_value.data.append(value)
        else:
            state.string_value = value
        self.states[wid] = state
        return fragment


def _values(kind: str, proto) -> list:
    """The values a student can pick on this control (a single-value slider; options of a choice)."""
    if kind == "slider":
        if len(proto.default) != 1 or proto.step <= 0:
            return []
        n = int(round((proto.max - proto.min) / proto.step))
        return [proto.min + i * proto.step for i in range(n + 1)] if n >= 1 else []
    options = [o.content for o in proto.options] if kind == "button_group" else list(proto.options)
    return options if len(options) >= 2 else []
