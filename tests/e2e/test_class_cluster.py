"""`make serve-class` on loopback: 2 ConvLab processes behind nginx, a whole session through nginx in Chromium.

The session starts as a student's often does: the first visit a newly started process gets is a shared lesson
link, and it still runs the lesson inside ConvLab's shell (not Streamlit's "Page not found" or its file list).

The session must stay on one process (its websocket, the upload, the media files): with two processes and no
sticky routing the upload or the figures would reach the other one and fail.
"""
import socket
import urllib.error
import urllib.request
from urllib.parse import urlsplit

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect
from playwright.sync_api import expect

from engine.data.photos import rgb_photo
from harness.browser import assert_no_exception, expect_rerun, open_page
from harness.stepper import step_text
from tests.e2e.test_classify_photo import expected_top5, png, top5, upload

SECURITY_HEADERS = {
    "Strict-Transport-Security": "max-age=31536000",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "frame-ancestors 'self'",
    "X-Frame-Options": "SAMEORIGIN",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def test_a_session_through_nginx(page, class_url):
    open_page(page, class_url, "/cross_correlation?xc_step=2")  # the first visit since the processes started
    assert page.get_by_text("Page not found").count() == 0  # pages/ is not taken for an old-style app
    assert page.get_by_test_id("stSidebarNav").count() == 0  # not Streamlit's file list
    assert page.get_by_test_id("stPageLink").count() >= 2  # ConvLab's own navigation
    assert page.locator("h1").first.inner_text() == "Cross-correlation vs convolution"
    assert step_text(page, "xc_step").startswith("y[1, 0] = ")
    assert_no_exception(page)

    open_page(page, class_url, "/classify_photo")
    with expect_rerun(page):
        page.get_by_role("radio", name="Astronaut", exact=True).click()
    assert "cp_photo=Astronaut" in page.url
    assert top5(page) == expected_top5(rgb_photo("Astronaut"))
    assert any(c["name"] == "convlab_route" for c in page.context.cookies())  # the sticky key

    crop = rgb_photo("Cat (Chelsea)")[20:280, 60:400]
    upload(page, "my cat.png", png(crop))
    expect(page.get_by_text("Uploaded photos are not part of the link")).to_have_count(1)
    assert top5(page) == expected_top5(crop)
    assert_no_exception(page)


def test_nginx_blocks_metrics_and_sends_security_headers(class_url):
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{class_url}/_stcore/metrics", timeout=10)
    assert refused.value.code == 404
    with urllib.request.urlopen(f"{class_url}/_stcore/health", timeout=10) as r:
        assert r.status == 200
        for name, value in SECURITY_HEADERS.items():
            assert r.headers[name] == value, name


def test_a_foreign_host_gets_no_session(class_url):
    """server.allowedHosts (set by the launcher) through nginx: the websocket is refused for another Host."""
    port = urlsplit(class_url).port

    def handshake(host: str) -> str:  # the sync client: Playwright's event loop may run in this thread
        sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        try:
            with connect(f"ws://{host}:{port}/_stcore/stream", sock=sock, subprotocols=["streamlit"]):
                return "accepted"
        except InvalidStatus as e:
            return str(e.response.status_code)

    assert handshake("localhost") == "accepted"
    assert handshake("evil.example") == "403"
