"""Every step's HTML view sent to the browser at once, small: the first view's tokens, then what changes.

The views of consecutive steps share almost all their markup (the same grids; the window moved by
one cell, a few products, one more output cell), so a view is cut into tokens (tags and the text
between them) and step n is stored as the tokens of step n - 1 that it replaces:

    packed = {"lo": 2, "hi": 9, "base": tokens of view 2, "patches": [patch of view 3, ..., of view 9]}
    patch  = {"n": number of tokens, "set": [[token index, new token], ...]}

A trace too large for `budget` characters is packed for a window of steps around the current one;
the browser asks the server for the rest. `unpack` rebuilds any packed view (what the browser does).
"""
from __future__ import annotations

import json
import re
from typing import Callable

TOKEN = re.compile(r"(<[^>]*>)")
BUDGET = 400_000  # characters of JSON per stepper: a rerun stays well under 1 MB
LOOKBACK = 8  # steps kept before the current one when a trace needs a window


def tokens(html: str) -> list[str]:
    """'<td class="win">3</td>' -> ['', '<td class="win">', '3', '</td>', '']."""
    return TOKEN.split(html)


def patch(old: list[str], new: list[str]) -> dict:
    """The tokens of `new` that differ from `old` (all of them when the lengths differ)."""
    if len(old) != len(new):
        return {"n": len(new), "set": [[i, t] for i, t in enumerate(new)]}
    return {"n": len(new), "set": [[i, t] for i, (a, t) in enumerate(zip(old, new)) if a != t]}


def pack_from(view: Callable[[int], str], n_steps: int, lo: int, budget: int = BUDGET) -> dict:
    """Views lo, lo + 1, ... as base + patches, as many as fit in `budget`."""
    base = previous = tokens(view(lo))
    size, patches = len(json.dumps(base)), []
    for n in range(lo + 1, n_steps):
        current = tokens(view(n))
        p = patch(previous, current)
        size += len(json.dumps(p["set"])) + 16
        if size > budget:
            break
        patches.append(p)
        previous = current
    return {"lo": lo, "hi": lo + len(patches), "base": base, "patches": patches}


def pack(view: Callable[[int], str], n_steps: int, step: int = 0, budget: int = BUDGET) -> dict:
    """Views 0..n_steps-1 (view(n) -> HTML), or the window around `step` that fits in `budget`."""
    packed = pack_from(view, n_steps, 0, budget)
    if packed["hi"] < step:
        packed = pack_from(view, n_steps, max(0, step - LOOKBACK), budget)
    return packed


def unpack(packed: dict, n: int) -> str:
    """View n rebuilt from `pack`'s output; n must lie in [packed["lo"], packed["hi"]]."""
    if not packed["lo"] <= n <= packed["hi"]:
        raise ValueError(f"step {n} is outside the packed window {packed['lo']}..{packed['hi']}")
    current = list(packed["base"])
    for p in packed["patches"][: n - packed["lo"]]:
        del current[p["n"]:]
        current += [""] * (p["n"] - len(current))
        for i, t in p["set"]:
            current[i] = t
    return "".join(current)
