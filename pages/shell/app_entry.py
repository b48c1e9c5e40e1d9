"""Make sure a page runs inside app.py's shell (navigation, page config, sidebar).

Streamlit treats a `pages/` folder next to the entry script as an old-style multipage app until the
first st.navigation call in the process. If the server's first visitor opens a lesson link
directly, Streamlit runs that page file alone, without app.py. The page then turns the old mode
off and reruns, so app.py builds the real navigation.
"""
import streamlit as st

SHELL_KEY = "_convlab_shell_ran"


def mark_shell_ran():
    """Called by app.py on every run."""
    st.session_state[SHELL_KEY] = True


def require_shell():
    """Rerun through app.py when this page was started without it (first visit after start-up)."""
    if st.session_state.get(SHELL_KEY):
        return
    from streamlit.runtime.pages_manager import PagesManager

    PagesManager.uses_pages_directory = False  # what st.navigation does; here before it can run
    st.session_state[SHELL_KEY] = True  # the rerun goes through app.py, which sets it again
    st.rerun()
