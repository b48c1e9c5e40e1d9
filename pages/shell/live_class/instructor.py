"""The instructor's side: start a class from demo mode, show its join code, drive it, end it."""
from __future__ import annotations

import io
import time
from urllib.parse import urlsplit

import segno
import streamlit as st

from engine.classroom.classes import LIFETIME_S
from pages.shell.live_class import polls, position, roles
from pages.shell.live_class.roles import Instructor

STATUS_S = 3  # the instructor's badge refreshes (and the tab shows it is alive: a class pauses after AWAY_S)


def restore(held: Instructor) -> None:
    """A reloaded (or duplicated) instructor tab: take the class over with the secret the tab kept."""
    take_over(held)
    if st.session_state[roles.DRIVING]:
        roles.set_role(held)


def start() -> None:
    started = roles.store().start(roles.session_id(), time.time())
    roles.set_role(Instructor(started.code, started.secret))
    st.session_state[roles.DRIVING] = True
    st.session_state["_convlab_class_show_code"] = True


def take_over(who: Instructor) -> None:
    """This tab drives the class from now on, if it holds the class's secret."""
    st.session_state[roles.DRIVING] = roles.store().claim(who.code, who.secret, roles.session_id(),
                                                                    time.time())


def end(who: Instructor) -> None:
    roles.store().end(who.code, roles.session_id())
    roles.set_role(None)
    st.session_state[roles.DRIVING] = False


def join_link(code) -> str:
    """The app's home with ?join=CODE, from the address the instructor's browser shows (any path prefix kept)."""
    url = urlsplit(st.context.url or "")
    folder = url.path.rsplit("/", 1)[0]  # "/cross_correlation" -> "", "/convlab/padding" -> "/convlab"
    return f"{url.scheme}://{url.netloc}{folder}/?join={code}" if url.netloc else f"/?join={code}"


@st.cache_data(max_entries=64, show_spinner=False)
def qr_png(link: str) -> bytes:
    """The join link as a QR code (PNG), for phones in the room."""
    out = io.BytesIO()
    segno.make(link, error="m").save(out, kind="png", scale=8, border=2)
    return out.getvalue()


_CODE_STYLE = """<style>
.st-key-class_code [data-testid="stText"], .st-key-class_code [data-testid="stText"] div { width: 100%;
  font-size: 4.5rem; font-weight: 700; letter-spacing: .3em; text-align: center; font-family: inherit;
  line-height: 1.2; }
</style>"""  # a constant


@st.dialog("Join the class", width="large")
def show_code(code):
    link = join_link(code)
    st.html(_CODE_STYLE)
    with st.container(key="class_code", horizontal_alignment="center"):  # plain text: no HTML from the code
        st.text(code)
    st.markdown(f"Open ConvLab, press **Join a class** in the sidebar (☰ on a phone) and type this code, or open "
                f"`{link}`.")
    _, middle, _ = st.columns([1, 1, 1])
    middle.image(qr_png(link), caption="Scan to join", width=240)


def check_live(who: Instructor, notes) -> None:
    """A class ended from another tab, or expired, is let go here, with a note saying so."""
    state = roles.store().state(who.code, time.time())
    if state is None or state.ended:
        notes.append(f"Your live class {who.code} has ended (from another tab, or after {LIFETIME_S // 3600} "
                     "hours). Start a new one when you need it.")
        roles.set_role(None)
        st.session_state[roles.DRIVING] = False


def bar(who: Instructor, path) -> bool:
    """The class row under the demo bar; returns whether this tab drives the class."""
    store = roles.store()
    driving = st.session_state.get(roles.DRIVING, False) and store.drives(who.code, roles.session_id())
    st.session_state[roles.DRIVING] = driving
    with st.container(horizontal=True, vertical_alignment="center", key="class_bar"):
        if driving:
            st.fragment(_status, run_every=STATUS_S)(who.code, path)
            if st.button("Show the join code", key="class_show_code", icon=":material/qr_code_2:"):
                st.session_state["_convlab_class_show_code"] = True
            polls.send_menu(who, path)
            st.button("End the class", key="class_end", icon=":material/stop_circle:", on_click=end, args=(who,))
        else:
            st.markdown(f":orange-badge[Class **{who.code}** is driven from another tab]")
            st.button("Drive it from this tab", key="class_take_over", on_click=take_over, args=(who,))
            st.button("Leave it in this tab", key="class_forget", on_click=roles.set_role, args=(None,),
                      help="The class goes on in the tab that drives it.")
    if st.session_state.pop("_convlab_class_show_code", False):
        show_code(who.code)
    return driving


def _status(code, path):
    """The class badge with how many joined, every STATUS_S. It also publishes where the tab is: a control moved
    inside a fragment (no full run) reaches the students within STATUS_S; and it is the driving tab's sign of life
    while the instructor talks without clicking (the class is not paused)."""
    store = roles.store()
    if not store.publish(code, roles.session_id(), position.current(path), time.time()):
        st.rerun(scope="app")  # another tab took the class over, or it ended: the bar says which
    st.markdown(f":red-badge[:material/cast_for_education: Live class **{code}**] {store.members(code)} joined")


def publish(who: Instructor, place) -> None:
    if st.session_state.get(roles.DRIVING):
        if not roles.store().publish(who.code, roles.session_id(), place, time.time()):
            st.session_state[roles.DRIVING] = False  # another tab took over, or the class ended
