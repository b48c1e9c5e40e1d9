"""Accuracy of the digit nets against a shift (digit_nets.MEASURED) or a rotation (COMPARED) of the whole
test split, measured once.

    python -m engine.nets.digit_curves        # writes assets/models/digit_curves.json (~10 s)
    from engine.nets.digit_curves import curves
    curves()["shift"]["max_pool"]              # accuracy at shifts -6..6 (curves()["shift_amounts"])

Measuring takes seconds, too long for a page visit, so the numbers ship next to the weights; a test
re-measures them (engine.nets.invariance.accuracy_vs_shift / accuracy_vs_rotation) and compares.
"""
from __future__ import annotations

import json
from functools import lru_cache

from engine.data.digits import MARGIN
from engine.nets.digit_nets import COMPARED, MEASURED
from engine.nets.weights import MODELS_DIR

CURVES_FILE = MODELS_DIR / "digit_curves.json"
MAX_SHIFT = MARGIN  # digits stay whole on the canvas up to 6 pixels
MAX_ANGLE, ANGLE_STEP = 90, 15


def measure():
    """{"shift_amounts": [...], "shift": {net: [...]}, "rotation_amounts": [...], "rotation": {net: [...]}}:
    shift curves for every net in MEASURED, rotation curves for the five in COMPARED."""
    from engine.nets.invariance import accuracy_vs_rotation, accuracy_vs_shift

    shift = {n: accuracy_vs_shift(n, MAX_SHIFT) for n in MEASURED}
    rotation = {n: accuracy_vs_rotation(n, MAX_ANGLE, ANGLE_STEP) for n in COMPARED}
    first = next(iter(MEASURED))
    return {"shift_amounts": shift[first].amounts.tolist(), "shift": {n: c.accuracy.tolist() for n, c in shift.items()},
            "rotation_amounts": rotation[first].amounts.tolist(),
            "rotation": {n: c.accuracy.tolist() for n, c in rotation.items()}}


@lru_cache(maxsize=1)
def curves():
    """The shipped measurements (see measure())."""
    return json.loads(CURVES_FILE.read_text())


def shift_accuracy(net, d):
    """Shipped test accuracy of `net` with every digit moved d pixels right (d < 0: left), from curves()."""
    measured = curves()
    if d not in measured["shift_amounts"]:
        raise ValueError(f"Shifts are measured from {-MAX_SHIFT} to {MAX_SHIFT} pixels, got {d}.")
    return measured["shift"][net][measured["shift_amounts"].index(d)]


def worst_shift(net):
    """(d, accuracy) at the shift where `net` is least accurate (the first such d)."""
    measured = curves()
    accuracy = measured["shift"][net]
    i = min(range(len(accuracy)), key=accuracy.__getitem__)
    return measured["shift_amounts"][i], accuracy[i]


if __name__ == "__main__":
    CURVES_FILE.write_text(json.dumps(measure(), indent=1) + "\n")
    print(f"wrote {CURVES_FILE}")
