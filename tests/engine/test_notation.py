"""One table of symbols (engine.notation): its examples run, and the formula builders write its symbols."""
from __future__ import annotations

import doctest
import re

import numpy as np
import pytest

import engine
import engine.notation
from engine.figures.padding_figures import output_size_latex
from engine.figures.text import formula_latex, input_title, step_equation
from engine.notation import AXES, SYMBOLS, sym


def test_docstring_examples_run():
    assert doctest.testmod(engine.notation).failed == 0


def test_per_axis_symbols_take_a_lower_case_axis():
    assert [sym("o", a) for a in AXES] == ["o_h", "o_w"]
    assert sym("C_in") == SYMBOLS["C_in"].latex and sym("k_eff", "h") == r"k_\text{eff,h}"
    with pytest.raises(ValueError, match="axis"):
        sym("o", "H")


def test_formulas_use_X_K_Y_in_1d_and_2d():
    for x, k in ((np.arange(5.0), np.ones(2)), (np.ones((4, 4)), np.ones((2, 2)))):
        for flip in (False, True):
            text = formula_latex(engine.trace_conv(x, k, flip=flip))
            assert text.count(sym("Y") + "(i") == 1 and sym("X") + "(i + m" in text and "K(m" in text
            assert "the output cell" in text  # i, j are output indices here, not the input size i
            assert not re.search(r"\b[xyw]\(", text)  # no lower-case x(...), y(...), w(...)
    trace = engine.trace_conv(np.ones((3, 3)), np.ones((2, 2)), padding=1)
    assert input_title(trace) == "Padded input X" and step_equation(trace.step(0)).startswith("y[0, 0] = ")


def test_output_size_formula_uses_the_table_per_axis():
    text = output_size_latex((4, 5), (3, 3), (1, 2), ((1, 1), (0, 2)))
    for axis in AXES:
        assert f"{sym('o', axis)} &=" in text and sym("i", axis) in text and sym("s", axis) in text
    assert "_H" not in text and "_W" not in text
