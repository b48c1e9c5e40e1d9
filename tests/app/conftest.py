"""AppTest helpers: open a registered page of app.py, optionally with a query string."""
import functools
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


@pytest.fixture(autouse=True, scope="session")
def _app_test_setup_once():
    """Two things streamlit 1.67's AppTest._run redoes for every new AppTest (or every run) that a test session
    needs once: scanning the metadata of all ~90 installed packages for Streamlit components (~0.1 s), and
    compiling app.py and the page scripts with a new ScriptCache (~8 ms a run; a server keeps one for its life).
    Neither the installed packages nor the scripts change during a run."""
    from streamlit.components.v2 import manifest_scanner
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test

    scan = manifest_scanner.scan_component_manifests
    manifest_scanner.scan_component_manifests = functools.cache(scan)
    shared = ScriptCache()
    app_test.ScriptCache = lambda: shared
    yield
    manifest_scanner.scan_component_manifests = scan
    app_test.ScriptCache = ScriptCache
