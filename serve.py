"""ConvLab's server: `streamlit run serve.py` serves app.py (Streamlit's st.App, on Starlette/uvicorn).

What it adds to `streamlit run app.py`: before the first visitor, Streamlit is told that pages/ holds the page
folders app.py registers with st.navigation, not an old-style multipage app (which it would otherwise assume
from the folder's name, showing "Page not found" to a first visitor who opens a lesson's link).
"""
import contextlib

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager


@contextlib.asynccontextmanager
async def lifespan(_app):
    PagesManager.uses_pages_directory = False  # what st.navigation sets on its first call
    yield


app = st.App("app.py", lifespan=lifespan)
