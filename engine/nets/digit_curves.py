"""Accuracy of every trained digit net against a shift or a rotation of the whole test split, measured once.

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
from engine.nets.digit_nets import COMPARED
from engine.nets.weights import MODELS_DIR

CURVES_FILE = MODELS_DIR / "digit_curves.json"
MAX_SHIFT = MARGIN  # digits stay whole on the canvas up to 6 pixels
MAX_ANGLE, ANGLE_STEP = 90, 15


def measure():
    """{"shift_amounts": [...], "shift": {net: [...]}, "rotation_amounts": [...], "rotation": {net: [...]}}."""
    from engine.nets.invariance import accuracy_vs_rotation, accuracy_vs_shift

    shift = {n: accuracy_vs_shift(n, MAX_SHIFT) for n in COMPARED}
    rotation = {n: accuracy_vs_rotation(n, MAX_ANGLE, ANGLE_STEP) for n in COMPARED}
    first = next(iter(COMPARED))
    return {"shift_amounts": shift[first].amounts.tolist(), "shift": {n: c.accuracy.tolist() for n, c in shift.items()},
            "rotation_amounts": rotation[first].amounts.tolist(),
            "rotation": {n: c.accuracy.tolist() for n, c in rotation.items()}}


@lru_cache(maxsize=1)
def curves():
    """The shipped measurements (see measure())."""
    return json.loads(CURVES_FILE.read_text())


if __name__ == "__main__":
    CURVES_FILE.write_text(json.dumps(measure(), indent=1) + "\n")
    print(f"wrote {CURVES_FILE}")
