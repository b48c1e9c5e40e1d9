"""AppTest helpers: open a registered page of app.py, optionally with a query string."""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def open_page():
    def _open(page, query=None):
        """page: a lesson's page name ("dilation", or "dilation.py") or "home"."""
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.query_params.update(query or {})
        name = page.removesuffix(".py")
        if name != "home":
            # st.Page(url_path=name) registers the page under calc_hash(name). AppTest.switch_page can only find
            # a pages/<name>/page.py after a first run of app.py (its file name is not its URL), which would
            # double the cost of every test: ask for the page by that hash instead (streamlit is pinned).
            at._page_hash = calc_hash(name)
        return at.run()
    return _open
