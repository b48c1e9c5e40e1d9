"""Decoded Pillow images of any colour mode -> 8-bit RGB arrays, saying what was changed.

    rgb = to_rgb(image, notes)   # (H, W, 3) uint8; notes gets e.g. "CMYK converted to RGB"
"""
from __future__ import annotations

import numpy as np
from PIL import Image

COLOUR_MODES = {"LAB": "CIELAB (L*a*b*)", "YCbCr": "YCbCr", "HSV": "HSV"}  # converted to RGB, with a note


def to_rgb(image, notes):
    """A decoded Pillow image of any mode -> (H, W, 3) uint8; appends to `notes` what was done."""
    mode = image.mode
    if mode.startswith("I;16") or mode in ("I", "F"):
        return _gray_to_rgb(_high_depth_to_8bit(image, notes))
    if mode == "CMYK":
        notes.append("CMYK converted to RGB")
        return np.asarray(image.convert("RGB"))
    if image.has_transparency_data:  # alpha channel, or a transparent palette index / colour
        rgba = image.convert("RGBA")
        if rgba.getextrema()[3][0] < 255:
            notes.append("transparent areas put on white")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return np.asarray(Image.alpha_composite(white, rgba).convert("RGB"))  # round(c a + 255 (1 - a))
    if mode in ("1", "L"):
        notes.append("black-and-white image" if mode == "1" else "grayscale image")
        return _gray_to_rgb(np.asarray(image.convert("L")))
    try:
        rgb = np.asarray(image.convert("RGB"))
    except ValueError as error:
        raise ValueError(f"The image uses the colour mode {mode}, which cannot be shown here. "
                         "Save it as an ordinary RGB picture and upload it again.") from error
    if mode in COLOUR_MODES:
        notes.append(f"{COLOUR_MODES[mode]} colours converted to RGB")
    return rgb


def _high_depth_to_8bit(image, notes):
    """Modes I;16*, I (32-bit int), F (32-bit float) -> (H, W) uint8.

    16-bit values v in 0..65535 become round(v / 257) (65535 -> 255); anything else is stretched linearly
    from its smallest and largest finite values to 0..255 (float images already in [0, 1] are multiplied
    by 255). Not-a-number pixels are shown black, infinite ones black (-inf) or white (+inf)."""
    values = np.asarray(image)  # (H, W) uint16, int32 or float32
    finite = np.isfinite(values)
    if not finite.any():
        notes.append("floating-point image with no finite values: shown black")
        return np.zeros(values.shape, np.uint8)
    lo, hi = float(values[finite].min()), float(values[finite].max())
    if image.mode != "F" and lo >= 0 and hi <= 65535:
        notes.append("16-bit image scaled to 8 bits")
        return ((values.astype(np.uint32) * 2 + 257) // 514).astype(np.uint8)  # floor(v / 257 + 1/2)
    values = np.where(values == np.inf, hi, np.where(finite, values, lo)).astype(np.float64)
    if image.mode == "F" and lo >= 0 and hi <= 1:
        notes.append("floating-point image scaled to 8 bits")
        gray = np.rint(values * 255.0).astype(np.uint8)
    else:
        notes.append(f"32-bit image stretched from [{lo:g}, {hi:g}] to 8 bits")
        scale = 255.0 / (hi - lo) if hi > lo else 0.0
        gray = np.rint((values - lo) * scale).astype(np.uint8)
    if not finite.all():
        notes.append(_non_finite_note(np.asarray(image)))
    return gray


def _non_finite_note(values):
    """'2 NaN (not-a-number) pixels shown black; 1 +inf pixel shown white' for the pixels that are not finite."""
    counts = ((np.isnan(values).sum(), "NaN (not-a-number)", "black"), ((values == -np.inf).sum(), "-inf", "black"),
              ((values == np.inf).sum(), "+inf", "white"))
    return "; ".join(f"{n:,} {what} pixel{'' if n == 1 else 's'} shown {colour}" for n, what, colour in counts if n)


def _gray_to_rgb(gray):
    return np.repeat(np.asarray(gray, dtype=np.uint8)[..., None], 3, axis=2)

