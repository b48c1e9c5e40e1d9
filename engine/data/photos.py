"""Real photos shipped inside scikit-image (no download at run time), as grayscale arrays."""
from __future__ import annotations

import numpy as np
from PIL import Image

PHOTOS = {  # label -> scikit-image loader name
    "Cameraman": "camera",
    "Coins": "coins",
    "Cat (Chelsea)": "chelsea",
    "Astronaut": "astronaut",
    "Coffee": "coffee",
    "Brick wall": "brick",
}


def photo(label, max_side=256):
    """The photo `label` as float grayscale in [0, 1], shape (H, W) with max(H, W) <= max_side."""
    import skimage.data  # imported lazily: only photo views pay for it

    if label not in PHOTOS:
        raise ValueError(f"Unknown photo {label!r}: choose one of {', '.join(PHOTOS)}.")
    image = Image.fromarray(getattr(skimage.data, PHOTOS[label])()).convert("L")
    image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    return np.asarray(image, dtype=float) / 255.0


SAMPLE_PHOTOS = {  # label -> scikit-image loader name: colour photos for the ImageNet classifier
    "Cat (Chelsea)": "chelsea",
    "Coffee": "coffee",
    "Motorcycle": "stereo_motorcycle",  # the left image of the stereo pair
    "Rocket": "rocket",
    "Astronaut": "astronaut",
    "Hubble deep field": "hubble_deep_field",  # nothing ImageNet has a class for
}


def rgb_photo(label):
    """The colour photo `label` (a key of SAMPLE_PHOTOS) at full size: uint8 RGB, shape (H, W, 3)."""
    import skimage.data

    if label not in SAMPLE_PHOTOS:
        raise ValueError(f"Unknown colour photo {label!r}: choose one of {', '.join(SAMPLE_PHOTOS)}.")
    image = getattr(skimage.data, SAMPLE_PHOTOS[label])()
    if isinstance(image, tuple):  # stereo pairs come as (left, right, disparity)
        image = image[0]
    return np.ascontiguousarray(image[..., :3], dtype=np.uint8)
