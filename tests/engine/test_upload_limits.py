"""What an upload may cost and still be usable (issue 13): thin pictures a classifier cannot crop are refused
before decoding (item 3); decoded memory is bounded, not only the pixel count (item 6)."""
import numpy as np
import pytest
from PIL import Image

from engine.data.uploads import load_upload
from engine.nets.imagenet import MAX_ASPECT, MIN_SIDE, center_crop
from tests.image_files import encode

PAGE_SIDE = 512  # pages/ui/photo_views.MAX_SIDE (not imported: pages import streamlit)


def gray_png(w, h):
    return encode(Image.new("RGB", (w, h), "gray"), "PNG")


@pytest.mark.parametrize("w,h", [(1, 1), (1, 100_000), (2, 1000), (MIN_SIDE - 1, MIN_SIDE - 1),
                                 (MIN_SIDE, MAX_ASPECT * MIN_SIDE + 1), (9 * 100, 100)])
def test_a_picture_too_thin_to_classify_is_refused_with_its_size(w, h):
    with pytest.raises(ValueError, match=rf"is {w} x {h} pixels \(W x H\): too thin to use.*at least {MIN_SIDE} "
                                         rf"pixels on its short side and at most {MAX_ASPECT} times"):
        load_upload(gray_png(w, h), max_side=PAGE_SIDE, min_side=MIN_SIDE, max_aspect=MAX_ASPECT)


@pytest.mark.parametrize("w,h", [(MIN_SIDE, MIN_SIDE), (MIN_SIDE, MAX_ASPECT * MIN_SIDE),
                                 (4000, 500), (MAX_ASPECT * 100, 100)])
def test_what_passes_can_be_centre_cropped(w, h):
    """The limits are enough: every accepted picture, downscaled as the page does, has a centre crop."""
    upload = load_upload(gray_png(w, h), max_side=PAGE_SIDE, min_side=MIN_SIDE, max_aspect=MAX_ASPECT)
    crop = center_crop(upload.rgb)
    assert crop.shape[0] == crop.shape[1] >= 1


def test_without_limits_a_one_pixel_picture_is_still_read():
    assert load_upload(gray_png(1, 1)).rgb.shape == (1, 1, 3)
