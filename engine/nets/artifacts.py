"""The measured checkerboard artifact score of an image (pure numpy).

A stride-2 upsampler that treats the four output positions of each 2x2 block differently leaves a pattern
that repeats every 2 pixels: a checkerboard, or stripes of every other row or column. In the 2D discrete
Fourier transform of an H x W image these patterns sit at exactly three frequencies, the Nyquist ones

    (u, v) in {(H/2, 0), (0, W/2), (H/2, W/2)},   whose basis images are (-1)^i, (-1)^j, (-1)^(i+j).

The score is the fraction of the image's (mean-removed) spectral power at those three frequencies:

    z = y - mean(y)
    score(y) = ( |sum z (-1)^i|^2 + |sum z (-1)^j|^2 + |sum z (-1)^(i+j)|^2 ) / ( H W sum z^2 )
             = ( P(H/2, 0) + P(0, W/2) + P(H/2, W/2) ) / sum_(u, v) P(u, v),   P = |FFT2(z)|^2 (Parseval).

It lies in [0, 1]: 1 for a pure checkerboard (or pure stripes), about 0 for a smooth image. Natural
photos and clean upsampled images score well below 1e-3; the number to compare is the same image through
different upsamplers. Odd sizes are cropped to even (last row/column dropped).
"""
from __future__ import annotations

import numpy as np

from engine.ops.conv import correlate1d

# Resize-then-convolve gives every output pixel all k taps (no uneven overlap), so a flat input gives a
# flat output; the input's own content can still make a 2-pixel pattern, e.g. this signal and kernel:
CONTENT_EXAMPLE = ((1.0, 3.0, 2.0, 5.0), (1.0, -1.0))


def checkerboard_score(image, border=0):
    """Fraction of spectral power at the checkerboard (Nyquist) frequencies; see the module docstring.

    `border` pixels are dropped on every side first (keep it even so the 2x2 phase is unchanged)."""
    y = np.asarray(image, dtype=float)
    if y.ndim != 2:
        raise ValueError(f"checkerboard_score expects a 2D image, got shape {y.shape}.")
    if border:
        y = y[border:-border, border:-border]
    y = y[: y.shape[0] // 2 * 2, : y.shape[1] // 2 * 2]
    if y.shape[0] < 2 or y.shape[1] < 2:
        raise ValueError("checkerboard_score needs an image of at least 2x2 pixels (after the border).")
    z = y - y.mean()
    total = float(np.sum(z * z)) * z.size
    if total == 0.0:
        return 0.0
    rows = (-1.0) ** np.arange(z.shape[0])[:, None]
    cols = (-1.0) ** np.arange(z.shape[1])[None, :]
    nyquist = sum(float(np.sum(z * sign)) ** 2 for sign in (rows, cols, rows * cols))
    return nyquist / total


def checkerboard_rms(image, border=0):
    """Per-pixel RMS of the image's 2-pixel-period pattern, in the image's own units (x 255: grey levels).

    The three Nyquist basis images (-1)^i, (-1)^j, (-1)^(i+j) are orthogonal with RMS 1, so the pattern
    sum_s a_s (-1)^s, a_s = mean(z (-1)^s), has RMS sqrt(sum_s a_s^2) = sqrt(score) * std(y) (score as above).
    """
    y = np.asarray(image, dtype=float)
    if border:
        y = y[border:-border, border:-border]
    y = y[: y.shape[0] // 2 * 2, : y.shape[1] // 2 * 2]
    return float(np.sqrt(checkerboard_score(y)) * y.std())


def nearest_then_correlate(signal, kernel, factor=2):
    """Nearest-neighbour resize by `factor`, then a valid cross-correlation: (L,) -> (factor*L,), (factor*L - k + 1,).

    Example: nearest_then_correlate([1, 3, 2, 5], [1, -1])[1] -> [0, -2, 0, 1, 0, -3, 0]
    """
    resized = np.repeat(np.asarray(signal, dtype=float), factor)  # (factor * L,)
    return resized, correlate1d(resized, np.asarray(kernel, dtype=float))


def checkerboard_spectrum(image):
    """|FFT2(y - mean(y))|^2 (log-friendly power spectrum), for pictures of where the score looks."""
    y = np.asarray(image, dtype=float)
    return np.abs(np.fft.fft2(y - y.mean())) ** 2


def phase_spread(image, border=0):
    """Checkerboard amplitude of an upsampler's answer to a FLAT input: the spread (max - min) of the means
    of the 4 polyphase components y[a::2, b::2], (a, b) in {0, 1}^2.

    A perfect 2x upsampler turns a constant image into a constant image, so every difference between the
    four positions of the 2x2 output blocks is artifact: 0 means none, and the value is in pixel units."""
    y = np.asarray(image, dtype=float)
    if y.ndim != 2:
        raise ValueError(f"phase_spread expects a 2D image, got shape {y.shape}.")
    if border:
        y = y[border:-border, border:-border]
    if y.shape[0] < 2 or y.shape[1] < 2:
        raise ValueError("phase_spread needs an image of at least 2x2 pixels (after the border).")
    means = [y[a::2, b::2].mean() for a in (0, 1) for b in (0, 1)]
    return float(max(means) - min(means))
