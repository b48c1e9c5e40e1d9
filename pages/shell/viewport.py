"""Is this a phone-sized screen? The browser tells the server once per session, so each figure is built and sent
in one layout only: a row of panels, or (at most NARROW_PX wide) a column.

Streamlit tells the server nothing about the screen (st.context has no viewport). A tiny component (no iframe)
compares `window.innerWidth` with NARROW_PX and reports only when it differs from what the server knows: a
desktop never reports (no extra run), a phone reports once (one extra run on its first page), and a window resized
across the line reports again.
"""
from __future__ import annotations

import streamlit as st

NARROW_PX = 600
_KEY = "_convlab_viewport"
_JS = """export default function ({ parentElement, data, setStateValue }) {
  const query = window.matchMedia(`(max-width: ${data.px}px)`);
  const report = () => {  // data-cl-viewport: "settled" once the server draws for this width (the browser tests wait)
    parentElement.querySelector('span').dataset.clViewport = query.matches === data.narrow ? 'settled' : 'reported';
    if (query.matches !== data.narrow) setStateValue('narrow', query.matches);
  };
  report();
  if (!parentElement.clViewport) {  // one listener per mounted component: a resize across the line reports again
    parentElement.clViewport = true;
    query.addEventListener('change', () => setStateValue('narrow', query.matches));
  }
}"""
_component = st.components.v2.component("convlab_viewport", html="<span hidden></span>", js=_JS,
                                        isolate_styles=False)  # in the page's DOM: the browser tests read its span


def narrow() -> bool:
    """What the browser last reported (False until it reports: wide is assumed)."""
    return bool((st.session_state.get(_KEY) or {}).get("narrow"))


def watch():
    """Mount the reporter (once per page run, from LessonPage); its report reruns the page."""
    with st.container(key="lesson_viewport"):  # display: none (LessonPage's style); its script still runs
        _component(key=_KEY, data={"px": NARROW_PX, "narrow": narrow()}, on_narrow_change=lambda: None)
