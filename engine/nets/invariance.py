"""How the trained digit nets react to a shifted (or rotated) digit: measurements for the pooling lesson.

T_d moves an image d pixels (right for axis "x", down for "y", both for "xy"; zeros come in). For a map f
(one activation (C, H, W) of a net, or its class probabilities (10,)) and an image x:

    change(d)             = ||f(T_d x) - f(x)|| / ||f(x)||       (Frobenius norms; 0 = unchanged = invariant)
    equivariance_error(d) = ||f(T_d x) moved back by d/S - f(x)|| / ||f(x)||   on the cells both maps share,

where S is the map's cumulative stride (1 before any downsampling, 2 after one 2x2 pooling, ...). A
convolution is equivariant: its map moves with the image, so equivariance_error = 0 (up to the border, where
zero padding meets a shifted background) while change is large. Pooling is a different matter: a 2x2 max pool
gives the same output for a shift that keeps every maximum inside its window, and a moved output (error 0 at
the coarse grid, d a multiple of 2) otherwise. equivariance_error is NaN where d/S is not a whole number; for
1x1 maps (global pool, SE gates) and the probabilities, nothing can be moved back, so it equals change.

Accuracy curves (whole test split, per net) are pure functions of their arguments, cached, read-only.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from engine.data import digits
from engine.nets import digit_loading
from engine.nets.digit_nets import config
from engine.ops.pooling import max_pool2d

AXES = ("x", "y", "xy")
PROBS = "probs"


def _check_axis(axis):
    if axis not in AXES:
        raise ValueError(f"axis must be one of {', '.join(AXES)} (x: right, y: down, xy: diagonal), got {axis!r}.")


def _whole(value, what, low=0, high=None):
    if isinstance(value, bool) or not float(value).is_integer() or value < low or (high is not None and value > high):
        bound = f"{low}..{high}" if high is not None else f"at least {low}"
        raise ValueError(f"{what} must be a whole number {bound}, got {value}.")
    return int(value)


def translate(image, d, axis="x"):
    """T_d: an (H, W) image moved d pixels along `axis` (x: right, y: down, xy: both); zeros come in."""
    _check_axis(axis)
    return digits.shift(image, d if "y" in axis else 0, d if "x" in axis else 0)


def relative_change(new, old):
    """||new - old|| / ||old|| (Frobenius); 0 if both are 0, inf if only `old` is."""
    new, old = np.asarray(new, dtype=float), np.asarray(old, dtype=float)
    diff, norm = np.linalg.norm(new - old), np.linalg.norm(old)
    if norm == 0.0:
        return 0.0 if diff == 0.0 else float("inf")
    return float(diff / norm)


def equivariance_error(shifted_map, original_map, d, stride, axis="x"):
    """relative_change after moving `shifted_map` (C, H, W) back by d / stride cells along `axis`, on the part
    both maps share; NaN if d is not a multiple of the stride; plain relative_change for stride 0 (1x1 maps)."""
    _check_axis(axis)
    if stride == 0:
        return relative_change(shifted_map, original_map)
    if d % stride:
        return float("nan")
    q = d // stride
    new, old = np.asarray(shifted_map), np.asarray(original_map)
    h, w = old.shape[-2:]
    qy, qx = (q if "y" in axis else 0), (q if "x" in axis else 0)
    if qy >= h or qx >= w:
        return float("nan")
    return relative_change(new[..., qy:, qx:], old[..., :h - qy, :w - qx])  # cell (i, j) moved to (i+qy, j+qx)


@dataclass(frozen=True)
class ShiftResponse:
    """One image through one net at shifts 0..max_shift. Curves are (S,) arrays indexed like `shifts`."""
    net: str
    axis: str
    shifts: np.ndarray  # (S,) pixels
    layers: tuple  # activation names in forward order, then "probs"
    strides: dict  # layer -> cumulative stride (0: 1x1 map)
    change: dict  # layer -> (S,) relative change, see the module docstring
    equivariance_error: dict  # layer -> (S,) after moving back by d / stride (NaN where not whole)
    probs: np.ndarray  # (S, 10) class probabilities
    predicted: np.ndarray  # (S,) most probable class
    roles: dict  # "first_conv", "first_downsampled", "last" -> layer name (or None)

    def role_change(self, role):
        """The change curve of a role's layer (NaN if the net has no such layer)."""
        layer = self.roles[role]
        return self.change[layer] if layer else np.full(len(self.shifts), np.nan)


def shift_response(name, image, max_shift=6, axis="x"):
    """Measure `name` on `image` (28, 28) and its shifts d = 0..max_shift along `axis` (see module docstring).

    Example: r = shift_response("max_pool", example(3), 4); r.change["pool1"][2], r.equivariance_error["conv1"]
    """
    cfg = config(name)
    _check_axis(axis)
    max_shift = _whole(max_shift, "max_shift", 0, digits.CANVAS - 1)
    image = digit_loading.check_images(image, "image")[0]
    shifts = np.arange(max_shift + 1)
    batch = np.stack([translate(image, int(d), axis) for d in shifts])  # (S, 28, 28)
    probs, acts = digit_loading.batch_activations(name, batch)
    strides = {**cfg.strides(), PROBS: 0}
    maps = {**acts, PROBS: probs}
    change, error = {}, {}
    for layer, values in maps.items():
        change[layer] = np.array([relative_change(values[s], values[0]) for s in range(len(shifts))])
        error[layer] = np.array([equivariance_error(values[s], values[0], int(d), strides[layer], axis)
                                 for s, d in enumerate(shifts)])
    return ShiftResponse(name, axis, shifts, tuple(maps), strides, change, error, probs,
                         probs.argmax(axis=1), cfg.roles())


@dataclass(frozen=True)
class AccuracyCurve:
    """Test-split accuracy of one net against a transformation's amount (pixels or degrees)."""
    net: str
    transform: str  # "shift x", "shift y", "shift xy" or "rotation"
    amounts: np.ndarray  # (S,)
    accuracy: np.ndarray  # (S,) in [0, 1]


def _frozen(*arrays):
    for a in arrays:
        a.flags.writeable = False
    return arrays


@lru_cache(maxsize=16)
def accuracy_vs_shift(name, max_shift=6, axis="x"):
    """Accuracy on the 450 test digits moved by d = -max_shift..max_shift pixels along `axis` (cached).

    The digits fill 16x16 of the 28x28 canvas, so up to 6 pixels they stay whole."""
    config(name)
    _check_axis(axis)
    max_shift = _whole(max_shift, "max_shift", 0, digits.CANVAS - 1)
    split = digits.load_split()
    amounts = np.arange(-max_shift, max_shift + 1)
    accuracy = np.array([_accuracy(name, np.stack([translate(x, int(d), axis) for x in split.test_x]))
                         for d in amounts])
    return AccuracyCurve(name, f"shift {axis}", *_frozen(amounts, accuracy))


@lru_cache(maxsize=16)
def _rotated_test_split(degrees):
    images = np.stack([np.clip(digits.rotate(x, degrees), 0.0, 1.0) for x in digits.load_split().test_x])
    return _frozen(images)[0]


@lru_cache(maxsize=16)
def accuracy_vs_rotation(name, max_degrees=45, step=15):
    """Accuracy on the test digits rotated by -max_degrees..max_degrees in steps of `step` degrees
    (counter-clockwise positive, bilinear, about the canvas centre) (cached)."""
    config(name)
    max_degrees = _whole(max_degrees, "max_degrees", 0, 180)
    step = _whole(step, "step", 1, 180)
    amounts = np.arange(-(max_degrees // step) * step, max_degrees + 1, step)
    accuracy = np.array([_accuracy(name, _rotated_test_split(int(a))) for a in amounts])
    return AccuracyCurve(name, "rotation", *_frozen(amounts, accuracy))


def _accuracy(name, images):
    return float(np.mean(digit_loading.predict(name, images).argmax(axis=1) == digits.load_split().test_y))


@dataclass(frozen=True)
class PoolingShiftDemo:
    """Max pooling (k x k windows, stride k) of an image and of the image moved along `axis`."""
    image: np.ndarray  # (H, W) the image that is moved
    constructed: bool  # True if `image` was made from the given one by anchor_window_maxima
    kernel_size: int
    axis: str
    same_shift: int  # the largest shift in 1..k-1 after which the pooled map is exactly the same
    broken_shift: int  # the smallest shift after which the pooled map differs
    pooled: np.ndarray  # (H // k, W // k) max_pool2d(image, k)
    pooled_same: np.ndarray  # max_pool2d(T_same image, k), equal to `pooled`
    pooled_broken: np.ndarray  # max_pool2d(T_broken image, k)
    changed: np.ndarray  # (H // k, W // k) bool: cells of pooled_broken that differ from pooled


def anchor_window_maxima(image, kernel_size=2, axis="x"):
    """A "suitable image" for the pooling demonstration: every k x k window of `image` (>= 0) keeps only its
    maximum, moved to the window's first column (axis x), first row (y) or first cell (xy). A shift by
    1..k-1 along `axis` then keeps every maximum inside its window: max pooling cannot tell the difference."""
    _check_axis(axis)
    k = _whole(kernel_size, "kernel_size", 1)
    x = np.asarray(image, dtype=float)
    h, w = (x.shape[0] // k) * k, (x.shape[1] // k) * k
    windows = x[:h, :w].reshape(h // k, k, w // k, k).transpose(0, 2, 1, 3).reshape(h // k, w // k, k * k)
    where = windows.argmax(axis=-1)  # (H/k, W/k) flat index of each window's maximum
    rows = np.arange(h // k)[:, None] * k + (0 if "y" in axis else where // k)
    cols = np.arange(w // k)[None, :] * k + (0 if "x" in axis else where % k)
    out = np.zeros_like(x)
    out[rows, cols] = windows.max(axis=-1)
    return out


def pooling_shift_demo(image, kernel_size=2, axis="x"):
    """Find a shift after which max pooling gives exactly the same map, and the first one where it breaks.

    Shifts 1..k-1 are tried on `image` (H, W), values >= 0 (a digit or a ReLU feature map). If none keeps the
    pooled map identical (usual for a smooth image: some maxima cross a window boundary), the image is
    replaced by anchor_window_maxima(image), for which shifts 1..k-1 keep it and a shift by k breaks it."""
    _check_axis(axis)
    k = _whole(kernel_size, "kernel_size", 2, 8)
    x = np.asarray(image, dtype=float)
    if x.ndim != 2 or min(x.shape) < 2 * k:
        raise ValueError(f"pooling_shift_demo needs a 2D image of at least {2 * k}x{2 * k}, got shape {x.shape}.")
    if not np.all(np.isfinite(x)) or x.min() < 0:
        raise ValueError("pooling_shift_demo needs finite values >= 0 (an image or a ReLU feature map).")
    if not x.any():
        raise ValueError("The image is blank: max pooling of zeros never changes, there is nothing to show.")

    def pooled(img, d=0):
        return max_pool2d(translate(img, d, axis)[None], k)[0]

    constructed = False
    same = [d for d in range(1, k) if np.array_equal(pooled(x, d), pooled(x))]
    if not same:
        x, constructed = anchor_window_maxima(x, k, axis), True
        same = [d for d in range(1, k) if np.array_equal(pooled(x, d), pooled(x))]
    broken = next((d for d in range(1, max(x.shape)) if not np.array_equal(pooled(x, d), pooled(x))), None)
    if not same or broken is None:
        raise ValueError("This image has no shift that keeps max pooling the same and one that changes it.")
    base, kept, moved = pooled(x), pooled(x, same[-1]), pooled(x, broken)
    return PoolingShiftDemo(x, constructed, k, axis, same[-1], broken, base, kept, moved, moved != base)
