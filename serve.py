"""ConvLab's server: `streamlit run serve.py` serves app.py (Streamlit's st.App, on Starlette/uvicorn).

What it adds to `streamlit run app.py`: before the first visitor, Streamlit is told that pages/ holds the page
folders app.py registers with st.navigation, not an old-style multipage app (which it would otherwise assume
from the folder's name, showing "Page not found" to a first visitor who opens a lesson's link); and the
server warms up: every module a page uses is imported and the read-only models are loaded, then
gc.freeze() moves all of it out of the garbage collector's reach, so a full collection walks only what
requests made since (no stop-the-world pauses over torch, the models and the imports).
"""
import contextlib
import gc
import importlib
import pkgutil
from pathlib import Path

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

ROOT = Path(__file__).resolve().parent


def _serving_modules():
    """The engine's and the pages' modules (not the page scripts, not the training scripts)."""
    for package in ("engine", "pages"):
        for info in pkgutil.walk_packages([str(ROOT / package)], prefix=f"{package}."):
            leaf = info.name.rsplit(".", 1)[-1]
            if leaf != "page" and not leaf.startswith("train_"):
                yield info.name


def warm_up():
    """Import what the pages use, load the lessons and the trained models (all read-only), then freeze them."""
    for name in _serving_modules():
        importlib.import_module(name)
    from engine.data import digits
    from engine.nets import digit_loading, imagenet, loading
    from pages.shell.lesson_page import lessons

    lessons()  # the pages' own shared copy (st.cache_resource), so a first visit does not parse them again
    digits.load_split()
    for name in digit_loading.names():
        digit_loading.load(name)
    for name in loading.names():
        loading.load(name)
    imagenet.load()
    imagenet.class_names()
    gc.collect()
    gc.freeze()  # everything alive now is permanent: full collections no longer traverse it
    # Thresholds stay Python's (700, 10, 10): measured under a burst of reruns, larger young generations
    # (10,000 or 50,000) made each collection longer (6-57 ms) and the total no smaller.


@contextlib.asynccontextmanager
async def lifespan(_app):
    PagesManager.uses_pages_directory = False  # what st.navigation sets on its first call
    warm_up()
    yield


app = st.App("app.py", lifespan=lifespan)
