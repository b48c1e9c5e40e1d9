"""Instructor demo mode: `?demo=1` or the sidebar toggle.

Projector-sized type and figures (figure text >= 20 px, grids scaled to the width, captions in full
contrast, no Plotly toolbar over the titles), the controls folded away, the sidebar collapsed, and a bar
under the title that walks the lesson's demo script (`demo:` in lessons/<slug>.md; each step scrolls the
part of the page it is about, its `section:`, to just under the bar):

    Page Down / Page Up   next / previous script step (what presentation clickers send)
    Right / Left          next / previous frame of the step's animation (the lesson's stepper)
    Space                 auto-advance on / off (one step every `demo_every` seconds; stops at the end)

The view is in the URL: demo=1, demo_step=3 (as the counter shows it), demo_auto=1, demo_every=8, and
the widget values; "Share this view" shows that URL, "Download figure" saves the figure on screen.
"""
from __future__ import annotations

import json
import time

import streamlit as st

from engine.data.matrix_text import parse_int
from pages.shell import controls
from pages.shell.demo_tools import download_button, share_button

ON = "demo_on"
URL_STEP, URL_AUTO, URL_EVERY = "demo_step", "demo_auto", "demo_every"
EVERY_MIN, EVERY_MAX, EVERY_DEFAULT = 2, 30, 8  # seconds per step when auto-advancing
_BAD_LINK = "_demo_bad_link"
AUTO_AT = "demo_auto_at"  # time.monotonic() of the last step change (the auto-advance clock)
EARLY = 0.25  # s: a timer tick this early still counts as due

_STYLE = """<style>
html { font-size: 21px; }
/* the top padding clears Streamlit's header (3.75rem, opaque): the first row (the live-class bar) was under it */
[data-testid="stMainBlockContainer"] { max-width: 100%; padding: 4rem 2rem 3rem; }
h1 { font-size: 2.2rem !important; }
[data-testid="stLayoutWrapper"]:has(> .st-key-demo_bar) { position: sticky; top: 3.75rem; z-index: 99; }
.st-key-demo_bar { background: #fff; padding: .3rem 0; border-bottom: 3px solid #e66100; }
.st-key-demo_narration p { font-size: 1.15rem; }
.st-key-demo_tools { font-size: .85rem; }
[data-testid="stWidgetLabel"] p { font-size: 1rem !important; }  /* control labels as large as body text */
[data-testid="stCaptionContainer"], .cl-stepper-view .cl-note {  /* captions, read from the back row */
  color: #31333f !important; opacity: 1 !important; font-size: .95rem; }
.cl-stepper { --cl-fit: 1; }  /* the step's grids scaled to the width (pages/shell/stepper) */
.js-plotly-plot .modebar-container { display: none !important; }  /* it covered titles; "Download figure" saves */
</style>"""  # a constant: no user text ever reaches this HTML


def is_on():
    """Demo mode: decided by the URL when a session starts (demo=1), then by the sidebar toggle."""
    if ON not in st.session_state:
        raw = st.query_params.get("demo")
        st.session_state[ON] = raw in ("1", "true")
        st.session_state[_BAD_LINK] = raw not in (None, "0", "1", "true", "false")
    return st.session_state[ON]


def check_link(notes):
    """A note when the session's link had a `demo` value neither on nor off (demo mode then stays off)."""
    if st.session_state.pop(_BAD_LINK, False):
        notes.append("`demo` should be 1 (on) or 0 (off)")


def _toggled():
    st.session_state[ON] = st.session_state["demo_toggle"]


def sidebar_toggle():
    """The toggle, and the URL kept in step with it so a shared link keeps demo mode."""
    on = is_on()
    st.sidebar.toggle("Instructor demo mode", value=on, key="demo_toggle", on_change=_toggled,
                      help="Projector-sized type, controls folded away. Page Down / Page Up walk the lesson's "
                           "demo script, Left / Right step the animation, Space starts or pauses auto-advance.")
    if on:
        st.query_params["demo"] = "1"
        st.html(_STYLE)
    else:
        for name in ("demo", URL_STEP, URL_AUTO, URL_EVERY):
            st.query_params.pop(name, None)
    return on


def link_params():
    """Query parameters a link to another lesson carries so demo mode and hidden parts stay."""
    params = {"demo": "1"} if is_on() else {}
    if controls.hidden_groups():
        params["hide"] = controls.hidden_groups()
    return params


# ---- the demo script ---------------------------------------------------------------------------

def _step_key(lesson):
    return f"demo_step:{lesson.slug}"  # 1..n, 0 before the script starts; one per lesson


def current_step(lesson):
    """The script step on screen: 1..n, 0 before the script starts (or outside demo mode)."""
    return st.session_state.get(_step_key(lesson), 0)


def _auto_key(lesson):
    return f"demo_auto:{lesson.slug}"


def script_bar(page):
    """The bar under the title: Back / Next, the step counter and narration, then the tools row."""
    lesson, notes = page.lesson, page.notes
    steps = lesson.demo
    if not steps:
        return
    n, key, auto_key = len(steps), _step_key(lesson), _auto_key(lesson)
    if key not in st.session_state:  # first view of this lesson in the session: from the link
        st.session_state[key] = _url_int(URL_STEP, 1, n, 0, notes)
        st.session_state[auto_key] = _url_flag(URL_AUTO, notes)
        st.session_state[AUTO_AT] = time.monotonic()
        if st.session_state[key] and not _view_in_url(lesson, steps[st.session_state[key] - 1]):
            _apply(lesson, st.session_state[key], link=True)  # a bare script link (?demo=1&demo_step=3)
        elif st.session_state[auto_key] and not st.session_state[key]:
            _apply(lesson, 1, link=True)  # a kiosk link (?demo=1&demo_auto=1) starts at once
    index, auto = st.session_state[key], st.session_state[auto_key]
    _sync_url(index, auto)
    with st.container(horizontal=True, vertical_alignment="center", key="demo_bar"):
        st.button("Back", key="demo_back", icon=":material/skip_previous:", on_click=_shift, args=(lesson, -1),
                  shortcut="PageUp", disabled=index <= 1, help="Previous step of the demo script")
        st.button("Next", key="demo_next", icon=":material/skip_next:", on_click=_shift, args=(lesson, 1),
                  shortcut="PageDown", disabled=index >= n, help="Next step of the demo script")
        with st.container(key="demo_narration"):
            if index:
                st.markdown(f"**Step {index} / {n}** · {steps[index - 1].say}")  # text from lessons/*.md
            else:
                st.markdown(f"**Demo script: {n} steps.** Press Page Down (or Next, or a presenter's clicker) "
                            "to start.")
    with st.container(horizontal=True, vertical_alignment="center", key="demo_tools"):
        st.button("Pause" if auto else "Auto-advance", key="demo_play", on_click=_toggle_auto, args=(lesson,),
                  icon=":material/pause:" if auto else ":material/play_arrow:", shortcut="Space",
                  help="Go to the next step every few seconds (a kiosk, a recording); stops at the last step.")
        every = controls.int_slider("Seconds per step", EVERY_MIN, EVERY_MAX, URL_EVERY, notes,
                                    default=EVERY_DEFAULT, width=200)
        share_button()
        download_button()
    if auto:
        st.fragment(_tick, run_every=every)(lesson, every)
    section = st.session_state.pop(SCROLL_TO, None)
    with st.container(key="demo_scroll"):  # on every run: an element only now and then would shift the ones after it,
        if section:                        # and the stepper component would be mounted anew (losing a step taken here)
            st.html(scroll_html(section, index), width="content", unsafe_allow_javascript=True)


SCROLL_TO = "demo_scroll_to"
_SCROLL_JS = """<span data-step="%d"></span><script>
(() => {  // bring the step's part (a heading: its text, or its anchor) just under the script bar, and keep it there
  // while the page settles (parts drawn above it move it): until it has stayed put for 2 s with the app idle,
  // someone else scrolls (the user, by any means), a later step takes over, or 30 s pass
  const target = %s, start = Date.now(), run = (window.__clDemoScroll = (window.__clDemoScroll || 0) + 1);
  // Someone else scrolls: told by their input, not by the scroll position, which the browser's scroll anchoring
  // also moves when parts above the heading are drawn (and then the heading still has to be brought back).
  let still = 0, user = false;
  const keys = ['ArrowUp', 'ArrowDown', 'PageUp', 'Home', 'End', ' '];  // Page Down is the next step: a new script
  const stop = (e) => { if (e.type !== 'keydown' || keys.includes(e.key)) user = true; };
  const events = ['wheel', 'touchstart', 'mousedown', 'keydown'];
  events.forEach((e) => window.addEventListener(e, stop, {capture: true}));
  const find = () => document.getElementById(target)
    || [...document.querySelectorAll('h1, h2, h3, h4')].find((h) => h.innerText.trim() === target);
  const scroller = (heading) => {  // the element that scrolls the page
    let box = heading.parentElement;
    while (box && !(/auto|scroll/.test(getComputedStyle(box).overflowY) && box.scrollHeight > box.clientHeight)) {
      box = box.parentElement;
    }
    return box || document.scrollingElement;
  };
  const timer = setInterval(() => {
    const now = Date.now(), app = document.querySelector('[data-testid="stApp"]');
    const idle = !app || app.dataset.testScriptState === 'notRunning';
    if (user || run !== window.__clDemoScroll || now - start > 30000 || (idle && still && now - still > 2000)) {
      clearInterval(timer);
      events.forEach((e) => window.removeEventListener(e, stop, {capture: true}));
      return;
    }
    const heading = find(), bar = document.querySelector('.st-key-demo_bar, .st-key-class_banner');
    if (!heading) return;  // not drawn yet
    const box = scroller(heading);
    const want = (bar ? bar.getBoundingClientRect().bottom : 0) + 12, top = heading.getBoundingClientRect().top;
    const end = top > want ? box.scrollTop + box.clientHeight >= box.scrollHeight - 1 : box.scrollTop <= 0;
    if (Math.abs(top - want) < 4 || end) {  // there, or as near as it gets (the page's end or top)
      still = still || now;
      return;
    }
    still = 0;
    heading.style.scrollMarginTop = want + 'px';
    heading.scrollIntoView({behavior: 'instant', block: 'start'});
  }, 100);
})();
</script>"""


def scroll_html(section, index):
    """A script that scrolls to the heading `section` (text from lessons/*.md, JSON-quoted, '<' escaped)."""
    return _SCROLL_JS % (index, json.dumps(section).replace("<", "\\u003c"))


def _sync_url(index, auto):
    if index:
        st.query_params[URL_STEP] = str(index)
    else:
        st.query_params.pop(URL_STEP, None)
    if auto:
        st.query_params[URL_AUTO] = "1"
    else:
        st.query_params.pop(URL_AUTO, None)


def _url_int(name, lo, hi, default, notes):
    raw = st.query_params.get(name)
    if raw is None:
        return default
    value = parse_int(raw, lo, hi)
    if value is not None:
        return value
    notes.append(f"`{name}` should be a whole number from {lo} to {hi}")
    return default


def _url_flag(name, notes):
    raw = st.query_params.get(name)
    if raw is not None and raw not in ("0", "1"):
        notes.append(f"`{name}` should be 1 (on) or 0 (off)")
    return raw == "1"


def _view_in_url(lesson, step):
    """Does the URL carry widget values of this step's preset (a shared view), or only the step number?"""
    return any(name in st.query_params for name in lesson.preset(step.preset).values)


def _apply(lesson, index, link=False):
    """Show demo step `index` (1-based): its preset's widget values, then its animation frame.

    link: applied on a page's first run (widgets not drawn yet), when Streamlit would not put the
    values into the URL; they are written there too, so "Share this view" gets them.
    """
    step = lesson.demo[index - 1]
    values = dict(lesson.preset(step.preset).values)
    if step.step is not None:
        values[lesson.step_key] = step.step
    controls.set_values({**values, _step_key(lesson): index})
    st.session_state[SCROLL_TO] = step.section  # scrolled to once, by the next run's script bar
    if link:
        st.query_params.update({name: str(value) for name, value in values.items()})
    st.session_state[AUTO_AT] = time.monotonic()


def _shift(lesson, delta):
    """Back / Next (callbacks): from the step the session is at, so quick clicker presses each count."""
    index = min(max(st.session_state.get(_step_key(lesson), 0) + delta, 1), len(lesson.demo))
    _apply(lesson, index)


def _toggle_auto(lesson):
    """Space: start auto-advance (from step 1 if the script has not started or has ended), or pause it."""
    key = _auto_key(lesson)
    st.session_state[key] = not st.session_state.get(key, False)
    if st.session_state[key] and st.session_state.get(_step_key(lesson), 0) in (0, len(lesson.demo)):
        _apply(lesson, 1)
    st.session_state[AUTO_AT] = time.monotonic()


def due(now, last, every):
    """Is the next auto-advance step due (a tick up to EARLY seconds early counts)?"""
    return now - last >= every - EARLY


def _tick(lesson, every):
    """Body of the auto-advance fragment (reruns every `every` s): the next step when due, then a full rerun."""
    if not st.session_state.get(_auto_key(lesson)) or not due(time.monotonic(), st.session_state.get(AUTO_AT, 0.0),
                                                               every):
        return
    index = st.session_state.get(_step_key(lesson), 0)
    if index < len(lesson.demo):
        _apply(lesson, index + 1)
    if index + 1 >= len(lesson.demo):
        st.session_state[_auto_key(lesson)] = False  # the end of the script: stop
    st.rerun(scope="app")
