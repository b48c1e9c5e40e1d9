"""The lecture's symbols: one table that every formula and caption uses.

    i  input size (along one axis)     k  kernel size     s  stride     p  padding (per side)
    d  dilation     o  output size     k_eff = k + (k - 1)(d - 1), the cells a dilated kernel spans
    C_in, C_out  input and output channels     H, W  height and width of a map     G  groups
    X  input     K  kernel     Y  output     y[i, j]  one output cell, Y(i, j)

Per axis, a symbol takes the axis as a lower-case subscript: i_h, k_w, s_h, o_w (h = rows, w = columns).
Where a lesson uses a letter for something else (i, j as output indices in a sum, j as the jump of a
receptive field), the lesson says so next to the formula.

>>> sym("o", "h")
'o_h'
>>> sym("k_eff")
'k_\\\\text{eff}'
>>> SYMBOLS["s"].meaning
'stride'
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Symbol:
    latex: str  # as written in formulas (st.latex, $...$)
    meaning: str  # as a caption says it


SYMBOLS = {
    "i": Symbol("i", "input size"),
    "k": Symbol("k", "kernel size"),
    "s": Symbol("s", "stride"),
    "p": Symbol("p", "padding"),
    "d": Symbol("d", "dilation"),
    "o": Symbol("o", "output size"),
    "k_eff": Symbol(r"k_\text{eff}", "effective kernel size"),
    "C_in": Symbol(r"C_\text{in}", "input channels"),
    "C_out": Symbol(r"C_\text{out}", "output channels"),
    "H": Symbol("H", "height"),
    "W": Symbol("W", "width"),
    "G": Symbol("G", "groups"),
    "X": Symbol("X", "input"),
    "K": Symbol("K", "kernel"),
    "Y": Symbol("Y", "output"),
    "y": Symbol("y", "one output cell"),
}
AXES = ("h", "w")  # rows, columns: the subscripts of per-axis sizes


def sym(name, axis=None):
    """The LaTeX of symbol `name`, with the axis ('h', 'w' or None) as a subscript."""
    base = SYMBOLS[name].latex
    if not axis:
        return base
    if axis not in AXES:
        raise ValueError(f"Unknown axis {axis!r}: use one of {', '.join(AXES)}.")
    return f"{base}_{axis}" if "_" not in base else base.replace("}", f",{axis}}}", 1)


def count(n, unit, units=None):
    """'1 pixel', '2 pixels', '0 pixels': a number with its unit in the right number (units: an irregular plural)."""
    return f"{n} {unit if n == 1 else units or unit + 's'}"
