"""The shipped accuracy curves (assets/models/digit_curves.json) are what the shipped weights measure today."""
import numpy as np

from engine.nets import digit_loading
from engine.nets.digit_curves import curves, measure
from engine.nets.digit_nets import COMPARED, MEASURED


def test_shipped_curves_equal_a_fresh_measurement():
    shipped, fresh = curves(), measure()
    assert shipped["shift_amounts"] == fresh["shift_amounts"] == list(range(-6, 7))
    assert shipped["rotation_amounts"] == fresh["rotation_amounts"]
    for kind, nets in (("shift", MEASURED), ("rotation", COMPARED)):
        assert set(shipped[kind]) == set(nets)
        for net in nets:
            np.testing.assert_allclose(shipped[kind][net], fresh[kind][net], atol=1e-12, err_msg=f"{kind} {net}")


def test_curves_pass_through_the_test_accuracy_at_zero():
    shipped = curves()
    for net in MEASURED:
        assert shipped["shift"][net][shipped["shift_amounts"].index(0)] == digit_loading.test_accuracy(net)
    for net in COMPARED:
        assert shipped["rotation"][net][shipped["rotation_amounts"].index(0)] == digit_loading.test_accuracy(net)
