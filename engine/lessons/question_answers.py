"""Reading a student's typed answer: '4', ' 4.0 ', '-3', '−3', '1/2', '2 1/4', '2,5', '1,792', '1 792', 'o = 4'.

`parse_answer` returns a float, or None for anything that is not one number (never raises).
"""
from __future__ import annotations

import math
import re

_MINUS = str.maketrans({"−": "-", "–": "-", "—": "-", "\u00a0": " ", "\u2009": " ", "\u202f": " "})
_MIXED = re.compile(r"([+-]?)(\d+) +(\d+) */ *(\d+)")  # 2 1/4
_FRACTION = re.compile(r"(.+?) */ *(.+)")
_GROUPED = re.compile(r"[+-]?\d{1,3}([, ]\d{3})+(\.\d*)?")  # 1,792 or 1 792 (thousands)
_DECIMAL_COMMA = re.compile(r"[+-]?\d*,\d+")  # 2,5
_PLAIN = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
MAX_LENGTH = 40


def parse_answer(text):
    """The number a student typed, or None when it is not one (empty, words, two numbers, 1/0, ...)."""
    if not isinstance(text, str) or len(text) > MAX_LENGTH:
        return None
    s = text.translate(_MINUS).strip()
    s = s.rsplit("=", 1)[-1].strip()  # 'o = 4' -> '4'
    s = re.sub(r"(?<=[\d.]) *[A-Za-z][A-Za-z ]*\.?$", "", s).strip()  # '4 cells' -> '4' (not '1e3')
    s = re.sub(r"^([+-]) +", r"\1", s)  # '- 3' -> '-3'
    mixed = _MIXED.fullmatch(s)
    if mixed:
        sign, whole, num, den = mixed.groups()
        value = None if int(den) == 0 else int(whole) + int(num) / int(den)
        return None if value is None else (-value if sign == "-" else value)
    fraction = _FRACTION.fullmatch(s)
    if fraction:
        num, den = (_number(part.strip()) for part in fraction.groups())
        if num is None or den is None or den == 0:
            return None
        return _finite(num / den)
    return _number(s)


def _number(s):
    if _GROUPED.fullmatch(s):
        s = s.replace(",", "").replace(" ", "")
    elif _DECIMAL_COMMA.fullmatch(s):
        s = s.replace(",", ".")
    if not _PLAIN.fullmatch(s):
        return None
    return _finite(float(s))


def _finite(value):
    return value if math.isfinite(value) and abs(value) < 1e15 else None


def answer_text(value) -> str:
    """A parsed answer written back in full, exactly (1234567, 0.5, -2.25; no exponent): what a class poll stores,
    shows and exports, and parse_answer reads again.

    >>> answer_text(1234567.0), answer_text(0.5), answer_text(-2.25)
    ('1234567', '0.5', '-2.25')
    """
    value = float(value)
    return str(int(value)) if value.is_integer() else f"{value:.12f}".rstrip("0").rstrip(".")
