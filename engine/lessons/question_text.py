"""Numbers and small matrices written into question prompts and explanations (Markdown + LaTeX)."""
from __future__ import annotations

import numpy as np

from engine.figures.style import fmt


def num(value):
    """A number for LaTeX: 3, -0.25; negative numbers in parentheses where they follow an operator."""
    text = fmt(value)
    return f"({text})" if text.startswith("-") else text


def bmatrix(values):
    r"""A LaTeX matrix: \begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix}."""
    rows = [" & ".join(fmt(v) for v in row) for row in np.atleast_2d(values)]
    return r"\begin{bmatrix} " + r" \\ ".join(rows) + r" \end{bmatrix}"


def products(window, kernel):
    """'2 \\cdot 1 + 0 \\cdot (-1) + ...' over the cells of a window and a kernel of the same shape."""
    return " + ".join(f"{num(x)} \\cdot {num(w)}" for x, w in zip(np.ravel(window), np.ravel(kernel)))


def cells(first, last):
    """A span of rows or columns: '1' when first == last, else '1 to 2' (also '-1 to 1' into the padding)."""
    return str(first) if first == last else f"{first} to {last}"


def as_shown(values):
    """Rows of plain Python numbers (int when whole) for a Shown grid; NaN becomes None (a blank cell)."""
    return tuple(tuple(None if np.isnan(v) else (int(v) if float(v).is_integer() else float(v)) for v in row)
                 for row in np.atleast_2d(np.asarray(values, dtype=float)))


def worked(shown, answer):
    """Guard: the arithmetic an explanation shows must end in the engine's answer."""
    if not np.isclose(float(shown), float(answer), rtol=1e-6, atol=1e-9):
        raise AssertionError(f"the explanation works out {shown} but the engine says {answer}")
