"""AppTest helpers: open a registered page of app.py, optionally with a query string."""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from engine.lessons import page_path

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def open_page():
    def _open(page, query=None):
        """page: a lesson's page name ("dilation", or "dilation.py") or "home"."""
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.query_params.update(query or {})
        if page.removesuffix(".py") != "home":  # pages are found by the paths app.py registers: run it once
            at.run().switch_page(page_path(page.removesuffix(".py")))
        return at.run()
    return _open
