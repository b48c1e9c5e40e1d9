"""ConvLab: the script every run starts from. Builds the navigation from the lesson registry (lessons/*.md).

Served by serve.py (`make run`). The sidebar links are drawn here; Streamlit's own list is hidden.
"""
from pathlib import Path

import streamlit as st

from engine.lessons import page_path
from pages.shell import demo_mode, live_class
from pages.shell.lesson_page import lessons

# A long lesson title wraps in the sidebar instead of ending in "…" (a constant).
_SIDEBAR_STYLE = """<style>
[data-testid="stSidebar"] [data-testid="stPageLink-NavLink"] :is(span, div, p) {
  white-space: normal; overflow: visible; text-overflow: clip; }
</style>"""
ICON = Path(__file__).parent / "assets" / "favicon.png"  # a local file: a material icon is fetched from the web
st.set_page_config(page_title="ConvLab", page_icon=str(ICON), layout="wide",
                   initial_sidebar_state="collapsed" if demo_mode.is_on() else "auto")

home = st.Page(page_path("home"), title="Home", icon=":material/home:", default=True)
lesson_pages = [st.Page(page_path(l.page), title=l.title, icon=l.icon, url_path=l.page)
                for l in lessons()]
page = st.navigation([home, *lesson_pages], position="hidden")
st.html(_SIDEBAR_STYLE)
links = demo_mode.link_params()  # demo mode and hidden parts carry over to the other lessons
with st.sidebar:
    st.page_link(home, query_params=links)
    st.caption("Lessons")
    for lesson_page in lesson_pages:
        st.page_link(lesson_page, query_params=links)
    st.divider()
demo_mode.sidebar_toggle()
live_class.conduct(page, {p.url_path: p for p in (home, *lesson_pages)})
page.run()
live_class.after_run(page)
