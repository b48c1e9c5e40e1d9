"""Small matrices as text, for editing and for URLs: rows separated by ';', numbers by spaces.

    parse_matrix("0 80 40; 20 40 0") -> array([[0., 80., 40.], [20., 40., 0.]])

Every number read from a URL or typed in a box goes through `parse_int` or `parse_decimal`: ASCII digits
only (str.isdigit and int() also accept '²' or Arabic-Indic digits, float() accepts '1_0', 'nan', 'inf'),
a leading '-' at most once, and a bounded length.

    >>> parse_int("12", 0, 20), parse_int("²", 0, 20), parse_int("--2", -5, 5), parse_decimal("-1.5e2")
    (12, None, None, -150.0)
"""
from __future__ import annotations

import math
import re

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


_LONG_NUMBER = re.compile(r"[-+]?[0-9]*\.?[0-9]*(?:[eE][-+]?[0-9]+)?")  # digits only, too many for _DECIMAL
_INT = re.compile(r"-?[0-9]{1,18}")
_DECIMAL = re.compile(r"[-+]?(?:[0-9]{1,18}(?:\.[0-9]{0,18})?|\.[0-9]{1,18})(?:[eE][-+]?[0-9]{1,3})?")


def parse_int(text, lo, hi):
    """The whole number written in `text` if it is one from lo to hi (ASCII digits, one optional '-',
    at most 18 digits), else None."""
    if not isinstance(text, str) or not _INT.fullmatch(text):
        return None
    value = int(text)
    return value if lo <= value <= hi else None


def parse_decimal(text):
    """The finite number written in `text` ('3', '-0.25', '.5', '1e-3'; ASCII digits, at most 18 before
    and after the point), else None."""
    if not isinstance(text, str) or not _DECIMAL.fullmatch(text):
        return None
    value = float(text)
    return value if math.isfinite(value) else None


def _number(token, name):
    num, slash, den = token.partition("/")
    value = parse_decimal(num)
    if slash:
        divisor = parse_decimal(den)
        value = None if value is None or not divisor else value / divisor
    digits = sum(c.isascii() and c.isdigit() for c in token)
    if value is None and digits > 18 and _LONG_NUMBER.fullmatch(token):
        raise ValueError(f"{name} contains a {digits}-digit number, {as_code(token)}: use at most 18 digits "
                         "before and 18 after the point.")
    if value is None:
        raise ValueError(f"{name} contains {as_code(token)}, which is not a number.")
    if not math.isfinite(value) or abs(value) > 1e6:
        raise ValueError(f"{name} contains {as_code(token)}: use numbers between -1e6 and 1e6.")
    return value


def as_code(text, limit=12):
    """User text for a message, as inert code (Markdown shows it literally, never as a link): `abc`.

    Text over `limit` characters is cut, and the message says so: `123456789012…` (30 characters).
    """
    text = str(text)
    code = "`" + text[:limit].replace("`", "'") + ("…`" if len(text) > limit else "`")
    return code + (f" ({len(text)} characters)" if len(text) > limit else "")


def format_matrix(values):
    """The inverse of parse_matrix: 2D (or 1D) array -> '1 2; 3 4' with compact numbers."""
    rows = np.atleast_2d(np.asarray(values, dtype=float))
    return "; ".join(" ".join(_compact(v) for v in row) for row in rows)


def _compact(v):
    return str(int(v)) if float(v).is_integer() else f"{v:.6g}"
