"""Question kinds about one cell: of a cross-correlation, a true convolution, a padded input, a pooling.

The grids are small random whole numbers, so every answer is exact; the value comes from the engine
(correlate2d, convolve2d, pad, max_pool2d / avg_pool2d) and the explanation lists the window and
its arithmetic, checked against that value by `worked`.
"""
from __future__ import annotations

import numpy as np

import engine
from engine.figures.style import fmt
from engine.lessons.question_model import OneOf, Shown, Whole, ask, kind
from engine.lessons.question_text import as_shown, bmatrix, cells, products, worked
from engine.ops.padding_sources import pad_sources

_GRID = dict(rows=Whole(3, 5, 2, 8), cols=Whole(3, 5, 2, 8), k=Whole(2, 3, 1, 5), s=Whole(1, 1, 1, 3),
             p=Whole(0, 0, 0, 2))


@kind("correlation_cell", **_GRID)
def correlation_cell(draw):
    """One output cell of a cross-correlation (what F.conv2d computes)."""
    return _conv_cell(draw, flip=False)


@kind("convolution_cell", **_GRID)
def convolution_cell(draw):
    """One output cell of a true convolution (kernel flipped)."""
    return _conv_cell(draw, flip=True)


def _conv_cell(draw, flip):
    rows, cols, k, s, p = draw("rows"), draw("cols"), draw("k"), draw("s"), draw("p")
    if k > min(rows, cols) + 2 * p or p > k - 1:
        return None
    x = draw.integers(0, 9, (rows, cols)).astype(float)
    kernel = draw.integers(-2, 3, (k, k)).astype(float)
    if np.array_equal(kernel, np.flip(kernel)):  # the flip must make a difference
        return None
    corr = engine.correlate2d(x, kernel, stride=s, padding=p)
    conv = engine.convolve2d(x, kernel, stride=s, padding=p)
    r, c = draw.integers(0, corr.shape[0] - 1), draw.integers(0, corr.shape[1] - 1)
    value = (conv if flip else corr)[r, c]
    window = engine.pad(x, (p, p, p, p))[r * s:r * s + k, c * s:c * s + k]  # (k, k)
    applied = np.flip(kernel) if flip else kernel
    if corr[r, c] == conv[r, c] or np.count_nonzero(window * applied) < 2:
        return None
    worked(np.sum(window * applied), value)
    where = "" if s == 1 and p == 0 else f" with stride $s = {s}$ and zero padding $p = {p}$"
    if flip:
        prompt = (f"What is $Y[{r}, {c}]$ of the **true convolution** $Y = X * K${where}? "
                  "Rows and columns count from 0.")
    else:
        prompt = (f"What is $Y[{r}, {c}]$ of the **cross-correlation** $Y = X \\star K$ (what `F.conv2d` "
                  f"computes){where}? Rows and columns count from 0.")
    first_r, first_c = r * s - p, c * s - p
    padded = (f" of X padded with zeros (X itself has rows 0 to {rows - 1}, columns 0 to {cols - 1})" if p
              else " of X")
    span = f"rows {cells(first_r, first_r + k - 1)}, columns {cells(first_c, first_c + k - 1)}{padded}"
    flipped = f"Flip $K$ by 180° first: $\\tilde K = {bmatrix(applied)}$. " if flip else ""
    name = r"\tilde K" if flip else "K"
    explanation = (f"{flipped}The window of $Y[{r}, {c}]$ covers {span}: "
                   f"${bmatrix(window)}$. Multiply it cell by cell with ${name}$ and add: "
                   f"$Y[{r}, {c}] = {products(window, applied)} = {fmt(value)}$.")
    other = "cross-correlation" if flip else "true convolution"
    explanation += f" (The {other} would give {fmt((corr if flip else conv)[r, c])} here.)"
    shown = (Shown("Input X", as_shown(x)), Shown("Kernel K", as_shown(kernel)))
    return ask(prompt, value, explanation, shown, given=dict(r=r, c=c, k=k, s=s, p=p))


_MODE_WORDS = {
    "zeros": "zero padding fills every padding cell with 0",
    "reflect": "reflect mirrors X across its edge, without repeating the edge cell",
    "replicate": "replicate repeats the edge cell outward",
    "circular": "circular wraps around: cells past one edge come from the opposite edge",
}


@kind("padded_cell", rows=Whole(3, 4, 2, 6), cols=Whole(3, 5, 2, 6), p=Whole(1, 2, 1, 3),
      mode=OneOf(("reflect", "replicate", "circular"), ("zeros", "reflect", "replicate", "circular")))
def padded_cell(draw):
    """The value of one cell of the padding, for a padding mode."""
    rows, cols, p, mode = draw("rows"), draw("cols"), draw("p"), draw("mode")
    def fits(m):  # reflect needs p < the size, circular p <= the size
        return not (m == "reflect" and p >= min(rows, cols) or m == "circular" and p > min(rows, cols))

    if not fits(mode):
        return None
    x = (draw.rng.permutation(rows * cols) + 1).reshape(rows, cols).astype(float)  # distinct values
    pad = (p, p, p, p)
    padded = engine.pad(x, pad, mode="constant" if mode == "zeros" else mode)
    border = [(r, c) for r, c in np.ndindex(padded.shape) if not (p <= r < rows + p and p <= c < cols + p)]
    r, c = border[draw.integers(0, len(border) - 1)]
    value = padded[r, c]
    others = [engine.pad(x, pad, mode=m)[r, c] for m in ("reflect", "replicate", "circular") if m != mode and fits(m)]
    if mode != "zeros" and all(v == value for v in others):  # the mode must make a difference here
        return None
    blank = np.full(padded.shape, np.nan)
    blank[p:rows + p, p:cols + p] = x
    prompt = (f"X is padded by $p = {p}$ cells on every side with `padding_mode='{mode}'`. What number goes in "
              f"the marked cell: row {r}, column {c} of the padded grid (counting from 0, padding included)?")
    explanation = _MODE_WORDS[mode]
    if mode == "zeros":
        worked(0, value)
        explanation += ": the marked cell holds $0$."
    else:
        a, b = (int(v) for v in pad_sources(x.shape, pad, mode)[r, c])
        worked(x[a, b], value)
        explanation += (f". In X's own coordinates the marked cell is at $({r - p}, {c - p})$ (negative: above or "
                        f"left of X); it copies $X[{a}, {b}] = {fmt(value)}$.")
    shown = (Shown(f"X padded by {p} ({mode})", as_shown(blank), padding=p, mark=(r, c)),)
    return ask(prompt, value, explanation, shown, given=dict(r=r, c=c, p=p, mode=mode))


@kind("pool_cell", rows=Whole(4, 6, 2, 8), cols=Whole(4, 6, 2, 8), k=Whole(2, 3, 1, 4), s=Whole(2, 3, 1, 4),
      op=OneOf(("max", "avg"), ("max", "avg")))
def pool_cell(draw):
    """One output cell of max or average pooling (no padding)."""
    rows, cols, k, s, op = draw("rows"), draw("cols"), draw("k"), draw("s"), draw("op")
    if k > min(rows, cols):
        return None
    x = draw.integers(0, 9, (rows, cols)).astype(float)
    y = (engine.max_pool2d if op == "max" else engine.avg_pool2d)(x[None], k, s)[0]  # (H_out, W_out)
    r, c = draw.integers(0, y.shape[0] - 1), draw.integers(0, y.shape[1] - 1)
    window = x[r * s:r * s + k, c * s:c * s + k]
    if len(np.unique(y)) < 2 or len(np.unique(window)) < 2:
        return None
    call = f"F.{op}_pool2d(X.unsqueeze(0), kernel_size={k}, stride={s})[0]"  # F.*_pool2d wants (C, H, W)
    prompt = f"What is $Y[{r}, {c}]$ of `Y = {call}`? Rows and columns count from 0."
    span = f"rows {cells(r * s, r * s + k - 1)}, columns {cells(c * s, c * s + k - 1)} of X"
    if op == "max":
        worked(window.max(), y[r, c])
        values = ", ".join(fmt(v) for v in window.ravel())
        result = f"its largest value is $Y[{r}, {c}] = \\max({values}) = {fmt(y[r, c])}$"
    else:
        total = window.sum()
        worked(total / window.size, y[r, c])
        result = f"its mean is $Y[{r}, {c}] = {fmt(total)} / {window.size} = {fmt(y[r, c])}$"
    explanation = f"The window of $Y[{r}, {c}]$ covers {span}: ${bmatrix(window)}$; {result}."
    shown = (Shown("Input X", as_shown(x)),)
    return ask(prompt, y[r, c], explanation, shown, given=dict(r=r, c=c, k=k, s=s, op=op))
