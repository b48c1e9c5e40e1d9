"""Fixtures for browser tests: Streamlit servers on localhost and Debian's headless Chromium.

    def test_x(app_url, page):                # app.py
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


@pytest.fixture
def page(browser):
    """A 1280x720 page in its own context, with the script-state probe installed."""
    page = new_app_page(browser)
    yield page
    page.context.close()
