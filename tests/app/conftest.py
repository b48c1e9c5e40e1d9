"""AppTest helpers: open a registered page of app.py, optionally with a query string."""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def open_page():
    def _open(page_file, query=None):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.query_params.update(query or {})
        at.switch_page(f"pages/{page_file}")
        return at.run()
    return _open
