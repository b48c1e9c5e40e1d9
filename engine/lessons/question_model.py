"""Self-check questions as data: a Question record, the parameters a kind draws, the registry of kinds.

A kind is a function `build(draw) -> Question | None` registered with the parameters it draws:

    @kind("dilated_kernel_size", k=Whole(2, 5, 1, 9), d=Whole(2, 4, 1, 8))
    def dilated_kernel_size(draw):
        k, d = draw("k"), draw("d")
        ...
        return ask(prompt, engine.effective_kernel_size(k, d), explanation)

`build` returns None for a degenerate draw (a window that does not fit, a cell where the flip
makes no difference, ...); `Kind.generate` then draws again from the same random stream, so a
seed always gives the same question.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

MAX_DRAWS = 500  # a kind whose parameters give no sensible question in this many draws is an error


@dataclass(frozen=True)
class Shown:
    """A small matrix shown with a question. values: rows of numbers (None: a blank cell);
    padding: width of the frame drawn as padding cells; mark: (row, col) of the cell asked about."""
    title: str
    values: tuple
    padding: int = 0
    mark: tuple | None = None

    @property
    def array(self):
        """values as a float array, blanks as NaN."""
        return np.array([[np.nan if v is None else v for v in row] for row in self.values], dtype=float)


@dataclass(frozen=True)
class Question:
    """One self-check question with its answer worked out.

    prompt, explanation: Markdown with LaTeX between $ signs, every number made by the generator;
    answer: int for whole numbers, else float; tolerance: absolute; matrices: Shown grids;
    given: the drawn values the prompt states, as (name, value) pairs (e.g. (("i", 7), ("k", 3), ...)).
    """
    kind: str
    seed: int | None
    prompt: str
    answer: float
    explanation: str
    tolerance: float = 1e-9
    matrices: tuple = ()
    given: tuple = ()

    def value(self, name):
        """One of the given values by name: q.value("k")."""
        return dict(self.given)[name]


@dataclass(frozen=True)
class Whole:
    """A whole-number parameter: drawn from lo..hi by default; a lesson may fix it or give another
    [lo, hi] inside min..max."""
    lo: int
    hi: int
    min: int
    max: int

    def candidates(self, value=None):
        if value is None:
            return tuple(range(self.lo, self.hi + 1))
        bounds = [value, value] if _is_int(value) else value
        if not (isinstance(bounds, list) and len(bounds) == 2 and all(_is_int(b) for b in bounds)
                and self.min <= bounds[0] <= bounds[1] <= self.max):
            raise ValueError(f"should be a whole number or a range [lo, hi] within {self.min}..{self.max}, "
                             f"got {value!r}")
        return tuple(range(bounds[0], bounds[1] + 1))


@dataclass(frozen=True)
class OneOf:
    """A parameter drawn from a list: `default` unless a lesson gives one value or a list of `allowed` ones."""
    default: tuple
    allowed: tuple

    def candidates(self, value=None):
        if value is None:
            return self.default
        values = value if isinstance(value, list) else [value]
        bad = [v for v in values if not any(v == a and type(v) is type(a) for a in self.allowed)]
        if not values or bad:
            shown = ", ".join(map(str, self.allowed[:12])) + (", ..." if len(self.allowed) > 12 else "")
            raise ValueError(f"should be one of (or a list of) {shown}; got {value!r}")
        return tuple(values)


@dataclass(frozen=True)
class QuestionSpec:
    """A question as a lesson file lists it: `- {kind: conv_output_size, params: {s: [1, 3]}}`."""
    kind: str
    params: dict = field(default_factory=dict)


class Draw:
    """What a builder draws from: draw('k') picks one of the parameter's candidates; .rng for the rest."""

    def __init__(self, rng, candidates):
        self.rng, self._candidates = rng, candidates

    def __call__(self, name):
        options = self._candidates[name]
        return options[int(self.rng.integers(len(options)))]

    def integers(self, lo, hi, size=None):
        """Whole numbers from lo to hi inclusive (an int, or an int array of `size`)."""
        values = self.rng.integers(lo, hi + 1, size=size)
        return int(values) if size is None else values


@dataclass(frozen=True)
class Kind:
    name: str
    build: object  # (Draw) -> Question | None
    params: dict  # name -> Whole | OneOf

    def candidates(self, params=None):
        """Each parameter's candidate values after a lesson's overrides; ValueError names a bad one."""
        params = dict(params or {})
        unknown = sorted(set(params) - set(self.params))
        if unknown:
            raise ValueError(f"question kind {self.name!r} has no parameter(s) {unknown}; "
                             f"it takes {sorted(self.params)}")
        out = {}
        for name, spec in self.params.items():
            try:
                out[name] = spec.candidates(params.get(name))
            except ValueError as err:
                raise ValueError(f"question kind {self.name!r}: parameter {name!r} {err}") from None
        return out

    def generate(self, seed=None, params=None):
        """A question drawn with `seed` (an int, or a numpy Generator); the same seed gives the same question."""
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        draw = Draw(rng, self.candidates(params))
        for _ in range(MAX_DRAWS):
            question = self.build(draw)
            if question is not None:
                return replace(question, kind=self.name, seed=seed if _is_int(seed) else None)
        raise ValueError(f"question kind {self.name!r} found no sensible question with parameters {params}: "
                         "widen the ranges")


KINDS = {}


def kind(name, **params):
    """Register `build` as question kind `name`, drawing `params` (Whole or OneOf)."""
    def register(build):
        KINDS[name] = Kind(name, build, params)
        return build
    return register


def ask(prompt, answer, explanation, matrices=(), given=None, tolerance=None):
    """A Question from a builder (kind and seed are filled in by Kind.generate); `given`: dict of drawn values.

    The answer is stored as an int when it is whole; a fractional answer accepts a rounding to 2 decimals.
    """
    value = float(answer)
    if not np.isfinite(value):
        raise ValueError(f"a question's answer must be a finite number, got {answer!r}")
    whole = value.is_integer()
    if tolerance is None:
        tolerance = 1e-9 if whole else 0.006
    given = tuple((name, _plain(v)) for name, v in (given or {}).items())
    return Question("", None, prompt, int(value) if whole else value, explanation, tolerance, tuple(matrices), given)


def _plain(value):
    """numpy scalars -> Python numbers, lists -> tuples (a Question stays hashable and prints cleanly)."""
    if isinstance(value, (list, tuple)):
        return tuple(_plain(v) for v in value)
    return value.item() if isinstance(value, np.generic) else value


def _is_int(value):
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)
