"""Real handwriting: scikit-learn's 1,797 8x8 digits, enlarged and placed on a 28x28 canvas.

    from engine.data.digits import load_split, shift, rotate, elastic
    split = load_split()              # split.train_x: (N, 28, 28) float32 in [0, 1], split.train_y: (N,)
    moved = shift(split.test_x[0], 0, 2)   # two pixels to the right, zeros come in

Each 8x8 digit (values 0..16) is resized to 16x16 (bilinear) and centred on a 28x28 canvas, so it can
move up to 6 pixels in any direction without leaving the canvas (the margin MNIST also uses).
The train/test split is fixed: stratified, 25 % test, random_state=0.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

CANVAS = 28  # side of the network input
DIGIT = 16  # side of the enlarged digit on the canvas
MARGIN = (CANVAS - DIGIT) // 2  # 6: how far a digit can move and stay whole
TEST_SIZE = 0.25
SPLIT_SEED = 0


@dataclass(frozen=True)
class DigitSplit:
    train_x: np.ndarray  # (N_train, 28, 28) float32 in [0, 1]
    train_y: np.ndarray  # (N_train,) int64 in 0..9
    test_x: np.ndarray  # (N_test, 28, 28)
    test_y: np.ndarray  # (N_test,)


def enlarge(image8):
    """(8, 8) values 0..16 -> (28, 28) float32 in [0, 1]: resized to 16x16 and centred."""
    from skimage.transform import resize

    small = np.clip(np.asarray(image8, dtype=float) / 16.0, 0.0, 1.0)
    digit = resize(small, (DIGIT, DIGIT), order=1, mode="edge", anti_aliasing=False)
    out = np.zeros((CANVAS, CANVAS), dtype=np.float32)
    out[MARGIN:MARGIN + DIGIT, MARGIN:MARGIN + DIGIT] = digit
    return out


@lru_cache(maxsize=1)
def load_split():
    """The fixed split of all 1,797 digits (arrays are read-only: copy before changing them)."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    images = np.stack([enlarge(im) for im in digits.images])  # (1797, 28, 28)
    train_x, test_x, train_y, test_y = train_test_split(
        images, digits.target.astype(np.int64), test_size=TEST_SIZE, random_state=SPLIT_SEED,
        stratify=digits.target)
    for array in (train_x, test_x, train_y, test_y):
        array.flags.writeable = False
    return DigitSplit(train_x, train_y, test_x, test_y)


def example(label, index=0):
    """The index-th test digit showing `label` (0..9): (28, 28)."""
    split = load_split()
    matches = np.flatnonzero(split.test_y == label)
    return split.test_x[matches[index % len(matches)]]


@lru_cache(maxsize=10)
def typical(label):
    """The test digit showing `label` closest to the mean of all test digits of that label: a clear example."""
    split = load_split()
    images = split.test_x[split.test_y == label]
    if not len(images):
        raise ValueError(f"No test digit shows {label!r}: choose 0 to 9.")
    return images[np.linalg.norm(images - images.mean(axis=0), axis=(1, 2)).argmin()]


def shift(image, dy, dx):
    """Move an (H, W) image by whole pixels (down dy, right dx); zeros come in, nothing wraps."""
    image = np.asarray(image)
    out = np.zeros_like(image)
    h, w = image.shape
    if abs(dy) >= h or abs(dx) >= w:
        return out
    out[max(dy, 0):h + min(dy, 0), max(dx, 0):w + min(dx, 0)] = \
        image[max(-dy, 0):h + min(-dy, 0), max(-dx, 0):w + min(-dx, 0)]
    return out


def rotate(image, degrees):
    """Rotate an (H, W) image about its centre, counter-clockwise, bilinear, zeros outside."""
    from skimage.transform import rotate as sk_rotate

    return sk_rotate(np.asarray(image, dtype=float), degrees, order=1, mode="constant", cval=0.0).astype(np.float32)


def scale(image, factor):
    """Zoom an (H, W) image about its centre by `factor` (> 1 enlarges), same output size."""
    from skimage.transform import AffineTransform, warp

    h, w = np.shape(image)
    centre = np.array([(w - 1) / 2, (h - 1) / 2])
    zoom = AffineTransform(translation=-centre) + AffineTransform(scale=factor) + AffineTransform(translation=centre)
    return warp(np.asarray(image, dtype=float), zoom.inverse, order=1, cval=0.0).astype(np.float32)


def displacement_field(shape, alpha, sigma, seed):
    """A smooth random displacement field (Simard et al. 2003): uniform noise in [-1, 1] per pixel and
    axis, blurred by a Gaussian of width `sigma`, scaled by `alpha` pixels. Returns (dy, dx), each `shape`."""
    from scipy.ndimage import gaussian_filter

    rng = np.random.default_rng(seed)
    noise = rng.uniform(-1, 1, size=(2, *shape))
    return tuple(alpha * gaussian_filter(n, sigma, mode="constant") for n in noise)


def elastic(image, alpha=8.0, sigma=3.0, seed=0):
    """Elastic distortion: each pixel is read from (y + dy, x + dx) of the displacement field (bilinear)."""
    from scipy.ndimage import map_coordinates

    image = np.asarray(image, dtype=float)
    dy, dx = displacement_field(image.shape, alpha, sigma, seed)
    rows, cols = np.meshgrid(np.arange(image.shape[0]), np.arange(image.shape[1]), indexing="ij")
    return map_coordinates(image, [rows + dy, cols + dx], order=1, mode="constant", cval=0.0).astype(np.float32)
