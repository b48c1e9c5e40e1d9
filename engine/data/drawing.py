"""From a drawing on a canvas to the digit networks' input, each step kept for display.

    steps = preprocess_drawing(rgba)      # (H, W, 4) canvas pixels, light strokes on a dark background
    steps.network_input                   # (28, 28) float32 in [0, 1], like engine.data.digits

The steps mirror how the training digits were made: the ink is cropped to its bounding box and padded
to a square, averaged down to 8x8 (the resolution of scikit-learn's digits, which were 32x32 bitmaps
counted in 4x4 blocks), then enlarged and centred exactly as engine.data.digits.enlarge does. `STROKES` holds simple pen strokes for each digit, for tests and for a first example.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.data.digits import enlarge

INK_THRESHOLD = 0.1  # share of full brightness above which a pixel counts as ink


@dataclass(frozen=True)
class DrawingSteps:
    gray: np.ndarray  # (H, W) float in [0, 1]: the canvas as drawn
    box: tuple  # (top, bottom, left, right) of the ink, bottom/right exclusive
    cropped: np.ndarray  # the ink's bounding box, padded to a square
    small: np.ndarray  # (8, 8) in [0, 1]: the digits' own resolution
    network_input: np.ndarray  # (28, 28) float32 in [0, 1]


def to_gray(rgba):
    """(H, W, 4) or (H, W, 3) uint8 canvas -> (H, W) brightness in [0, 1]; transparent pixels are dark."""
    image = np.asarray(rgba, dtype=float)
    if image.ndim != 3 or image.shape[2] not in (3, 4) or min(image.shape[:2]) < 1:
        raise ValueError(f"A drawing must be an (H, W, 3) or (H, W, 4) image, got shape {image.shape}.")
    gray = image[..., :3].mean(axis=2) / 255.0
    if image.shape[2] == 4:
        gray = gray * image[..., 3] / 255.0
    return gray


def preprocess_drawing(rgba):
    """The drawing's steps to a (28, 28) network input; None when nothing is drawn."""
    from skimage.transform import resize

    gray = to_gray(rgba)
    ink = gray > INK_THRESHOLD
    if not ink.any():
        return None
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    top, bottom, left, right = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
    crop = gray[top:bottom, left:right]
    side = max(crop.shape)
    square = np.zeros((side, side))
    r0, c0 = (side - crop.shape[0]) // 2, (side - crop.shape[1]) // 2
    square[r0:r0 + crop.shape[0], c0:c0 + crop.shape[1]] = crop
    small = np.clip(resize(square, (8, 8), order=1, anti_aliasing=True), 0, 1)
    small = small / small.max()  # thin strokes lose brightness when averaged: the darkest block is full ink
    return DrawingSteps(gray, (int(top), int(bottom), int(left), int(right)), square, small, enlarge(16 * small))


# Pen strokes for each digit in a unit box (x right, y down), as a person might draw them.
STROKES = {
    0: [[(0.5, 0.05), (0.2, 0.2), (0.12, 0.5), (0.2, 0.8), (0.5, 0.95), (0.8, 0.8), (0.88, 0.5), (0.8, 0.2),
         (0.5, 0.05)]],
    1: [[(0.35, 0.2), (0.55, 0.05), (0.55, 0.95)]],
    2: [[(0.15, 0.25), (0.35, 0.07), (0.65, 0.07), (0.82, 0.25), (0.75, 0.5), (0.15, 0.93), (0.88, 0.93)]],
    3: [[(0.15, 0.12), (0.75, 0.08), (0.8, 0.3), (0.4, 0.48), (0.82, 0.62), (0.78, 0.9), (0.15, 0.92)]],
    4: [[(0.6, 0.05), (0.12, 0.65), (0.88, 0.65)], [(0.65, 0.3), (0.65, 0.95)]],
    5: [[(0.82, 0.07), (0.22, 0.07), (0.18, 0.45), (0.7, 0.45), (0.85, 0.7), (0.65, 0.93), (0.15, 0.88)]],
    6: [[(0.75, 0.07), (0.3, 0.35), (0.15, 0.7), (0.35, 0.93), (0.7, 0.9), (0.8, 0.65), (0.55, 0.5),
         (0.2, 0.62)]],
    7: [[(0.12, 0.08), (0.88, 0.08), (0.4, 0.95)]],
    8: [[(0.5, 0.5), (0.2, 0.3), (0.5, 0.06), (0.8, 0.3), (0.5, 0.5), (0.15, 0.72), (0.5, 0.95),
         (0.85, 0.72), (0.5, 0.5)]],
    9: [[(0.82, 0.35), (0.5, 0.52), (0.2, 0.35), (0.5, 0.06), (0.82, 0.3), (0.78, 0.95)]],
}


def render_strokes(strokes, size=280, width=18, margin=0.15):
    """Draw unit-box strokes as light lines on a dark (size, size, 4) RGBA canvas, like the page's canvas."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (size, size), (0, 0, 0, 255))
    draw = ImageDraw.Draw(image)
    scale, offset = size * (1 - 2 * margin), size * margin
    for stroke in strokes:
        points = [(offset + x * scale, offset + y * scale) for x, y in stroke]
        draw.line(points, fill=(255, 255, 255, 255), width=width, joint="curve")
        for x, y in points[:: max(len(points) - 1, 1)]:  # round pen ends
            draw.ellipse((x - width / 2, y - width / 2, x + width / 2, y + width / 2), fill=(255, 255, 255, 255))
    return np.asarray(image)
