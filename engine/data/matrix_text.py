"""Small matrices as text, for editing and for URLs: rows separated by ';', numbers by spaces.

    parse_matrix("0 80 40; 20 40 0") -> array([[0., 80., 40.], [20., 40., 0.]])
"""
from __future__ import annotations

import math

import numpy as np


def parse_matrix(text, max_rows=12, max_cols=12, name="The matrix"):
    """Parse '1 2; 3 4' (commas also separate numbers; fractions like 1/8 allowed) -> (rows, cols).

    Raises ValueError with a message a student can act on.
    """
    rows = [r for r in str(text).replace("\n", ";").split(";") if r.strip()]
    if not rows:
        raise ValueError(f"{name} is empty: type numbers, rows separated by ';' (for example 1 2; 3 4).")
    values = [[_number(tok, name) for tok in row.replace(",", " ").split()] for row in rows]
    widths = {len(r) for r in values}
    if len(widths) != 1:
        raise ValueError(f"{name} is not rectangular: its rows have {sorted(widths)} numbers; "
                         "give every row the same count.")
    if len(values) > max_rows or widths.pop() > max_cols:
        raise ValueError(f"{name} is too large for a step-by-step view: at most {max_rows} x {max_cols}.")
    return np.array(values, dtype=float)


def _number(token, name):
    try:
        if "/" in token:
            num, den = token.split("/", 1)
            value = float(num) / float(den)
        else:
            value = float(token)
    except (ValueError, ZeroDivisionError):
        raise ValueError(f"{name} contains {as_code(token)}, which is not a number.") from None
    if not math.isfinite(value) or abs(value) > 1e6:
        raise ValueError(f"{name} contains {as_code(token)}: use numbers between -1e6 and 1e6.")
    return value


def as_code(text, limit=12):
    """User text for a message, as inert code (Markdown shows it literally, never as a link): `abc`."""
    return "`" + str(text)[:limit].replace("`", "'") + "`"


def format_matrix(values):
    """The inverse of parse_matrix: 2D (or 1D) array -> '1 2; 3 4' with compact numbers."""
    rows = np.atleast_2d(np.asarray(values, dtype=float))
    return "; ".join(" ".join(_compact(v) for v in row) for row in rows)


def _compact(v):
    return str(int(v)) if float(v).is_integer() else f"{v:.6g}"
