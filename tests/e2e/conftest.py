"""Fixtures for browser tests: Streamlit servers on localhost and Debian's headless Chromium.

    def test_x(app_url, page):                # app.py, a 1280x720 page (reused_page: another size or a phone)
        open_page(page, app_url, "/cross_correlation?xc_step=2")
    def test_y(streamlit_server, page):        # any script, one server per script per session
        open_page(page, streamlit_server("benchmarks/hello_app.py"))

Server logs: <pytest basetemp>/streamlit/<script>.log (path shown when a server fails).
Under `make test` (-n 2 --dist loadgroup) every test here runs on one xdist worker (tests/conftest.py), so the
servers and Chromium start once per run.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from harness.browser import new_app_page
from harness.server import StreamlitServer, launch_chromium

HERE = Path(__file__).parent


def pytest_collection_modifyitems(items):
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def streamlit_server(tmp_path_factory):
    """Factory: streamlit_server(script="serve.py") -> base URL, started once per script."""
    logs = tmp_path_factory.mktemp("streamlit")
    servers: dict[str, StreamlitServer] = {}

    def serve(script: str = "serve.py") -> str:
        if script not in servers:
            servers[script] = StreamlitServer(script, logs / (Path(script).stem + ".log"))
        return servers[script].url

    serve.servers = servers  # for a test that wants a server's log_tail()
    yield serve
    for server in servers.values():
        server.stop()


@pytest.fixture(scope="session")
def cluster(tmp_path_factory):
    """`make serve-class` on loopback: 2 ConvLab processes behind nginx (one cluster for the whole run). Their
    live-class store is a throwaway PostgreSQL, as for a class served from several machines (CONVLAB_DB_URL);
    every other app the tests start uses the SQLite default."""
    from deploy.serve_class import NGINX, Cluster
    from harness import postgres
    from harness.server import free_port

    if not Path(NGINX).exists():
        pytest.skip(f"nginx is not installed at {NGINX} (`make nginx` installs Debian's package)")
    if not postgres.available():
        pytest.fail("PostgreSQL is not installed: `make test` installs it (Debian's postgresql package)")
    store = postgres.Postgres()
    try:
        started = Cluster(free_port(), [free_port(), free_port()], run_dir=tmp_path_factory.mktemp("class"),
                          env={"CONVLAB_DB_URL": store.url})
    except BaseException:
        store.stop()
        raise
    started.db_url = store.url  # for a test that reads what the class wrote
    yield started
    started.stop()
    store.stop()


@pytest.fixture
def class_url(cluster) -> str:
    return cluster.url


@pytest.fixture(scope="session")
def app_url(streamlit_server) -> str:
    return streamlit_server("serve.py")


@pytest.fixture(scope="session")
def hello_url(streamlit_server) -> str:
    return streamlit_server("benchmarks/hello_app.py")


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def reused_page(browser):
    """Factory: reused_page(width, height, **options) -> a page kept for the whole run, one per set of options.

    A new page is a new renderer process that parses and compiles Streamlit's JavaScript (~6 MB) again:
    reusing one halves a lesson's load (measured: five lessons in 15 s instead of 27 s). Each test still gets a
    new Streamlit session (its own navigation), and the page is handed over with the window size it was made
    with, no cookies and empty storage. options: new_app_page's (timeout_ms, is_mobile, has_touch, ...).
    """
    pages = {}

    def get(width: int = 1280, height: int = 720, **options):
        key = (width, height, *sorted(options.items()))
        page = pages.get(key)
        if page is None or page.is_closed():
            page = pages[key] = new_app_page(browser, width, height, **options)
            return page
        page.unroute_all()
        page.context.clear_cookies()
        if page.url.startswith("http"):
            page.evaluate("() => { sessionStorage.clear(); localStorage.clear(); }")
        if page.viewport_size != {"width": width, "height": height}:
            page.set_viewport_size({"width": width, "height": height})
        return page

    yield get
    for page in pages.values():
        page.context.close()


@pytest.fixture
def page(reused_page):
    """A 1280x720 page with the script-state probe installed (reused across tests: see reused_page)."""
    return reused_page()
