"""From a drawing on a canvas to the digit networks' input, each step kept for display.

    steps = preprocess_drawing(rgba)      # (H, W, 4) canvas pixels, light strokes on a dark background
    steps.network_input                   # (28, 28) float32 in [0, 1], like engine.data.digits

The steps redo what was done to the training digits. scikit-learn's digits (UCI optdigits) are NIST
scans normalised to 32x32 bitmaps, counted in 4x4 blocks (0..16). In them the digit fills the height,
keeps its aspect ratio and is centred, and its ink covers about 30 % of the square in every class (19
to 21 inked cells of 64 on average; tests/engine/test_drawing.py measures it): the stroke width goes
with the digit's length, a 1 is thick and an 8 thin. So the drawing is

    1. cropped to the box around its ink,
    2. thinned to its centre lines (skeleton) and redrawn with a pen of radius r, chosen so that the
       ink covers INK_SHARE of the square around it: the pen the student used no longer matters,
    3. scaled (aspect ratio kept) into a BITMAP x BITMAP square and thresholded to a bitmap,
    4. counted in 4x4 blocks: (8, 8) values 0..16, the digits' own resolution,
    5. enlarged and centred exactly as engine.data.digits.enlarge does (28x28).

`STROKES` holds pen strokes for each digit (unit box) for tests, the bench and the lesson's examples;
`render_strokes` draws them like the page's canvas, `fabric_drawing` as the canvas's own JSON.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.data.digits import enlarge

INK_THRESHOLD = 0.1  # share of full brightness above which a pixel counts as ink
BITMAP = 32  # side of the normalised bitmap (NIST / optdigits)
BLOCK = 4  # 32 / 4 = 8 blocks a side, each counting 0..16 inked pixels
INK_SHARE = 0.30  # inked share of the bitmap the stroke width is set to (optdigits: 19..21 of 64 cells per class)
MAX_SIDE = 300  # larger canvases (a high-density screen sends 2x or 3x) are shrunk by a whole factor first


@dataclass(frozen=True)
class DrawingSteps:
    gray: np.ndarray  # (H, W) float in [0, 1]: the canvas as drawn
    box: tuple  # (top, bottom, left, right) of the ink in `gray`, bottom/right exclusive
    cropped: np.ndarray  # (S, S) the ink's bounding box, padded to a square (as drawn)
    evened: np.ndarray  # (S', S') bool: the centre lines redrawn with the standard pen, in their square
    pen_radius: float  # r of that pen, in pixels of `gray`
    bitmap: np.ndarray  # (32, 32) bool: `evened` scaled to the bitmap (what the NIST scans became)
    small: np.ndarray  # (8, 8) in [0, 1]: inked pixels per 4x4 block of the bitmap / 16
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


def _square(image, box, fill=0):
    """The box (top, bottom, left, right) of `image`, padded equally on both sides to a square."""
    top, bottom, left, right = box
    crop = image[top:bottom, left:right]
    side = max(crop.shape)
    out = np.full((side, side), fill, dtype=image.dtype)
    r0, c0 = (side - crop.shape[0]) // 2, (side - crop.shape[1]) // 2
    out[r0:r0 + crop.shape[0], c0:c0 + crop.shape[1]] = crop
    return out


def _box(mask):
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    return int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1


def even_strokes(ink, share=INK_SHARE):
    """Redraw a bool ink mask (H, W) with a standard pen: (mask in its bounding square, pen radius r).

    The centre lines (skeleton) are thickened to every pixel within r of them; r is the smallest
    radius (bisection) at which the ink covers `share` of the square around the thickened drawing.
    """
    from scipy.ndimage import distance_transform_edt
    from skimage.morphology import skeletonize

    skeleton = skeletonize(ink)
    if not skeleton.any():  # a speck skeletonize removed entirely: keep it as it is
        skeleton = ink
    top, bottom, left, right = _box(skeleton)
    extent = max(bottom - top, right - left)
    pad = extent // 2 + 2  # the pen never needs a radius over half the drawing
    lines = np.pad(skeleton[top:bottom, left:right], pad)
    distance = distance_transform_edt(~lines)  # (h + 2 pad, w + 2 pad): to the nearest centre line

    def share_at(r):
        mask = distance <= r
        t, b, l, rt = _box(mask)
        return mask.sum() / max(b - t, rt - l) ** 2, mask

    lo, hi = 0.5, float(pad - 1)
    if share_at(lo)[0] >= share:  # a dot or a tiny mark: even the thinnest pen covers enough
        hi = lo
    for _ in range(24):  # bisection on r: the covered share grows with r here
        if hi - lo < 0.05:
            break
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if share_at(mid)[0] < share else (lo, mid)
    mask = share_at(hi)[1]
    return _square(mask, _box(mask), fill=False), hi


def to_bitmap(square, side=BITMAP):
    """A bool (S, S) drawing -> (side, side) bool: area-averaged to side x side, inked where >= 1/2."""
    from skimage.transform import resize

    coverage = resize(square.astype(float), (side, side), order=1, anti_aliasing=True)
    return coverage >= 0.5


def block_counts(bitmap, block=BLOCK):
    """(32, 32) bool -> (8, 8) inked pixels per non-overlapping block x block cell (0..16)."""
    n = bitmap.shape[0] // block
    return bitmap.reshape(n, block, n, block).sum(axis=(1, 3))


def preprocess_drawing(rgba):
    """The drawing's steps to a (28, 28) network input (DrawingSteps); None when nothing is drawn.

    Shape: (H, W, 3 or 4) uint8 -> network_input (28, 28) float32 in [0, 1].
    Example: preprocess_drawing(render_strokes(STROKES[7])).network_input
    """
    gray = to_gray(rgba)
    if max(gray.shape) > MAX_SIDE:  # a 2x screen's 560 x 560 image of the 280 x 280 canvas -> 280 x 280
        from skimage.transform import downscale_local_mean

        factor = -(-max(gray.shape) // MAX_SIDE)
        gray = downscale_local_mean(gray, (factor, factor))
    ink = gray > INK_THRESHOLD
    if not ink.any():
        return None
    box = _box(ink)
    evened, radius = even_strokes(ink)
    bitmap = to_bitmap(evened)
    counts = block_counts(bitmap)  # (8, 8) in 0..16
    return DrawingSteps(gray, box, _square(gray, box), evened, float(radius), bitmap, counts / 16.0,
                        enlarge(counts))


# Pen strokes for each digit in a unit box (x right, y down), as a person might draw them.
STROKES = {
    0: [[(0.5, 0.05), (0.3, 0.15), (0.2, 0.4), (0.22, 0.7), (0.38, 0.92), (0.6, 0.93), (0.76, 0.72), (0.8, 0.4),
         (0.7, 0.15), (0.5, 0.05)]],
    1: [[(0.35, 0.2), (0.55, 0.05), (0.55, 0.95)]],
    2: [[(0.15, 0.25), (0.35, 0.07), (0.65, 0.07), (0.82, 0.25), (0.75, 0.5), (0.15, 0.93), (0.88, 0.93)]],
    3: [[(0.15, 0.12), (0.75, 0.08), (0.8, 0.3), (0.4, 0.48), (0.82, 0.62), (0.78, 0.9), (0.15, 0.92)]],
    4: [[(0.6, 0.05), (0.12, 0.65), (0.88, 0.65)], [(0.65, 0.3), (0.65, 0.95)]],
    5: [[(0.82, 0.07), (0.22, 0.07), (0.18, 0.45), (0.7, 0.45), (0.85, 0.7), (0.65, 0.93), (0.15, 0.88)]],
    6: [[(0.65, 0.05), (0.38, 0.3), (0.24, 0.6), (0.3, 0.88), (0.5, 0.95), (0.7, 0.85), (0.74, 0.65), (0.55, 0.52),
         (0.35, 0.56), (0.25, 0.66)]],
    7: [[(0.12, 0.08), (0.88, 0.08), (0.4, 0.95)]],
    8: [[(0.5, 0.5), (0.2, 0.3), (0.5, 0.06), (0.8, 0.3), (0.5, 0.5), (0.15, 0.72), (0.5, 0.95),
         (0.85, 0.72), (0.5, 0.5)]],
    9: [[(0.82, 0.35), (0.5, 0.52), (0.2, 0.35), (0.5, 0.06), (0.82, 0.3), (0.78, 0.95)]],
}


def stroke_points(strokes, size=280, margin=0.15, shift=(0.0, 0.0)):
    """Unit-box strokes as canvas pixel coordinates [[(x, y), ...], ...]: the box fills size * (1 - 2 margin),
    moved by shift = (dx, dy) in fractions of the canvas."""
    scale = size * (1 - 2 * margin)
    ox, oy = size * (margin + shift[0]), size * (margin + shift[1])
    return [[(ox + x * scale, oy + y * scale) for x, y in stroke] for stroke in strokes]


def render_strokes(strokes, size=280, width=18, margin=0.15, shift=(0.0, 0.0)):
    """Draw unit-box strokes as light lines on a dark (size, size, 4) RGBA canvas, like the page's canvas."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (size, size), (0, 0, 0, 255))
    draw = ImageDraw.Draw(image)
    for points in stroke_points(strokes, size, margin, shift):
        draw.line(points, fill=(255, 255, 255, 255), width=width, joint="curve")
        for x, y in points[:: max(len(points) - 1, 1)]:  # round pen ends
            draw.ellipse((x - width / 2, y - width / 2, x + width / 2, y + width / 2), fill=(255, 255, 255, 255))
    return np.asarray(image)


def fabric_drawing(strokes, size=280, width=18, margin=0.15, colour="#ffffff"):
    """Unit-box strokes as the canvas's own JSON (Fabric.js paths, round pen), for st_canvas(initial_drawing=...).

    The canvas then shows what render_strokes draws with the same arguments.
    """
    objects = []
    for points in stroke_points(strokes, size, margin):
        xs, ys = [x for x, _ in points], [y for _, y in points]
        objects.append({
            "type": "Path", "originX": "center", "originY": "center",  # the path's box centre, as Fabric saves it
            "left": (min(xs) + max(xs)) / 2, "top": (min(ys) + max(ys)) / 2,
            "width": max(xs) - min(xs), "height": max(ys) - min(ys),
            "fill": None, "stroke": colour, "strokeWidth": width, "strokeLineCap": "round", "strokeLineJoin": "round",
            "path": [["M" if i == 0 else "L", round(x, 2), round(y, 2)] for i, (x, y) in enumerate(points)]})
    return {"version": "7.4.0", "objects": objects}
