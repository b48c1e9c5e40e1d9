"""The ImageNet lesson in real Chromium: pick another sample photo, upload a real PNG, upload bad files."""
import io
import re

import torch
from PIL import Image
from playwright.sync_api import expect

from engine.data.photos import rgb_photo
from engine.figures.common import percent
from engine.nets.imagenet import classify
from harness.browser import assert_no_exception, expect_rerun, open_page

torch.set_num_threads(1)
TOP5 = re.compile(r"^Top-5: ")


def top5(page) -> str:
    return page.get_by_text(TOP5).inner_text()


def expected_top5(rgb) -> str:
    return "Top-5: " + " · ".join(f"{p.name} {percent(p.probability)}" for p in classify(rgb).top)


def png(rgb) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, "PNG")
    return buffer.getvalue()


def upload(page, name, data, mime="image/png"):
    with expect_rerun(page):
        page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
            files=[{"name": name, "mimeType": mime, "buffer": data}])


def test_another_sample_photo_changes_the_top5(page, app_url):
    open_page(page, app_url, "/classify_photo")
    assert_no_exception(page)
    assert top5(page) == expected_top5(rgb_photo("Coffee"))
    with expect_rerun(page):
        page.get_by_role("radio", name="Cat (Chelsea)", exact=True).click()
    assert "cp_photo=Cat" in page.url
    assert top5(page) == expected_top5(rgb_photo("Cat (Chelsea)"))
    assert page.locator(".js-plotly-plot").count() >= 4  # top-5, stem maps, block maps, costs
    assert_no_exception(page)


def test_uploads_good_and_bad(page, app_url):
    open_page(page, app_url, "/classify_photo?cp_photo=Rocket")
    crop = rgb_photo("Cat (Chelsea)")[20:280, 60:400]  # a picture the sample list does not have
    upload(page, "my cat.png", png(crop))
    expect(page.get_by_text("Uploaded photos are not part of the link")).to_have_count(1)  # waits: the upload's rerun may settle after the probe's idle
    assert top5(page) == expected_top5(crop)
    assert "cp_upload" not in page.url and "cp_photo=Rocket" in page.url

    upload(page, "empty.png", b"")
    expect(page.get_by_text(re.compile(r"The file is empty \(0 bytes\)"))).to_have_count(1)  # waits: the upload's rerun may settle after the probe's idle
    assert top5(page) == expected_top5(rgb_photo("Rocket"))  # back to the sample photo
    upload(page, "homework.png", b"Dear teacher,\nhere is my homework.\n", "text/plain")
    expect(page.get_by_text(re.compile("is a text file, not an image"))).to_have_count(1)  # waits: the upload's rerun may settle after the probe's idle
    assert_no_exception(page)

    with expect_rerun(page):  # the session goes on: another sample photo, the message is gone
        page.get_by_role("radio", name="Astronaut", exact=True).click()
    assert top5(page) == expected_top5(rgb_photo("Astronaut"))
    assert page.locator('[data-testid="stAlertContentError"]').count() == 0
    assert_no_exception(page)
