"""The shipped accuracy curves (assets/models/digit_curves.json) are what the shipped weights measure today.

Re-measuring every point takes about a minute of the suite (8 shift curves and 5 rotation curves of 13 points,
each a pass over the 450 test digits). A third of the points catch the same faults: every net is re-measured at
every third amount, starting at a different amount per net, so every net and every amount is re-measured (new
weights change a net's accuracy nearly everywhere; a changed shift or rotation changes it at that amount for
every net). The engine's curve functions themselves are compared with the file on the amounts around 0.
"""
from functools import lru_cache

import numpy as np
import pytest

from engine.data import digits
from engine.nets import digit_loading
from engine.nets.digit_curves import curves
from engine.nets.digit_nets import COMPARED, MEASURED
from engine.nets.invariance import accuracy_vs_rotation, accuracy_vs_shift, translate

EVERY = 3  # re-measure every third amount of each curve


def accuracy(net, images) -> float:
    """Fraction of the test digits `net` labels right, the images (450, 28, 28) standing for them."""
    return float(np.mean(digit_loading.predict(net, images).argmax(axis=1) == digits.load_split().test_y))


@lru_cache(maxsize=None)
def moved(d):
    return np.stack([translate(x, d) for x in digits.load_split().test_x])


@lru_cache(maxsize=None)
def rotated(degrees):
    return np.stack([np.clip(digits.rotate(x, degrees), 0.0, 1.0) for x in digits.load_split().test_x])


def sampled(kind, nets, images):
    """(net, amount, shipped, measured) at every EVERY-th amount of each net's curve, a different start per net."""
    shipped = curves()
    amounts = shipped[f"{kind}_amounts"]
    return [(net, amounts[j], shipped[kind][net][j], accuracy(net, images(amounts[j])))
            for i, net in enumerate(nets) for j in range(i % EVERY, len(amounts), EVERY)]


@pytest.mark.parametrize("kind,nets,images", [("shift", MEASURED, moved), ("rotation", COMPARED, rotated)],
                         ids=["shift", "rotation"])
def test_shipped_curves_equal_a_fresh_measurement(kind, nets, images):
    shipped = curves()
    assert set(shipped[kind]) == set(nets)
    points = sampled(kind, nets, images)
    assert {a for _, a, _, _ in points} == set(shipped[f"{kind}_amounts"]), "every amount is re-measured"
    assert {n for n, _, _, _ in points} == set(nets), "every net is re-measured"
    for net, amount, old, new in points:
        assert abs(old - new) <= 1e-12, f"{kind} {net} at {amount}: shipped {old}, measured {new}"


def test_the_engines_curves_are_the_shipped_ones_around_zero():
    shipped = curves()
    assert shipped["shift_amounts"] == list(range(-6, 7))
    assert shipped["rotation_amounts"] == list(range(-90, 91, 15))
    shift = accuracy_vs_shift("strided", 3)  # (cached: tests/engine/test_invariance.py measures the same)
    i = shipped["shift_amounts"].index(-3)
    np.testing.assert_allclose(shift.accuracy, shipped["shift"]["strided"][i:i + 7], atol=1e-12)
    rotation = accuracy_vs_rotation("se", 15, 15)
    i = shipped["rotation_amounts"].index(-15)
    np.testing.assert_allclose(rotation.accuracy, shipped["rotation"]["se"][i:i + 3], atol=1e-12)


def test_curves_pass_through_the_test_accuracy_at_zero():
    shipped = curves()
    for net in MEASURED:
        assert shipped["shift"][net][shipped["shift_amounts"].index(0)] == digit_loading.test_accuracy(net)
    for net in COMPARED:
        assert shipped["rotation"][net][shipped["rotation_amounts"].index(0)] == digit_loading.test_accuracy(net)
