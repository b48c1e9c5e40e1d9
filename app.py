"""ConvLab: the entry point. Builds the navigation from the lesson registry (lessons/*.md)."""
import streamlit as st

from pages.ui import demo_mode
from pages.ui.lesson_page import lessons

st.set_page_config(page_title="ConvLab", page_icon=":material/grid_on:", layout="wide",
                   initial_sidebar_state="collapsed" if demo_mode.is_on() else "auto")

home = st.Page("pages/home.py", title="Home", icon=":material/home:", default=True)
lesson_pages = [st.Page(f"pages/{l.page}.py", title=l.title, icon=l.icon, url_path=l.page) for l in lessons()]
page = st.navigation({"ConvLab": [home], "Lessons": lesson_pages})
demo_mode.sidebar_toggle()
page.run()
