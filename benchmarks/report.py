"""Benchmark results: figures, ratios against a baseline measured in the same run, PASS/FAIL."""

from __future__ import annotations

import math
import statistics
import time
from dataclasses import dataclass, field


@dataclass
class Row:
    name: str
    samples: list[float] = field(default_factory=list)
    unit: str = "ms"
    baseline: Row | None = None
    target: float | None = None  # max ratio vs baseline; without a baseline, max median
    p95_target: float | None = None  # max p95 / baseline median; without a baseline, max p95
    status: str = ""             # PASS, FAIL, SKIP, ERROR or "" (no target)
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:  # nearest rank
        s = sorted(self.samples)
        return s[max(0, math.ceil(0.95 * len(s)) - 1)]

    @property
    def ratio(self) -> float | None:
        return self.median / self.baseline.median if self.baseline else None

    @property
    def p95_ratio(self) -> float | None:
        return self.p95 / self.baseline.median if self.baseline else None


class Report:
    def __init__(self) -> None:
        self.rows: dict[str, Row] = {}

    def add(self, name: str, samples: list[float], *, unit: str = "ms",
            baseline: str | None = None, target: float | None = None, p95_target: float | None = None,
            note: str = "") -> Row:
        """Record samples; `baseline` names a row added earlier in this run. FAIL when the median (or its ratio
        to the baseline's median) is over `target`, or the p95 (or its ratio to the baseline's median) over
        `p95_target`."""
        base = self.rows.get(baseline) if baseline else None
        if baseline and (base is None or not base.samples):
            self.error(name, f"baseline {baseline!r} was not measured")
            return self.rows[name]
        row = Row(name, list(samples), unit, base, target, p95_target, note=note)
        checks = [(row.ratio if base else row.median, target), (row.p95_ratio if base else row.p95, p95_target)]
        checks = [value <= limit for value, limit in checks if limit is not None]
        if checks:
            row.status = "PASS" if all(checks) else "FAIL"
        self.rows[name] = row
        return row

    def skip(self, name: str, reason: str) -> None:
        self.rows[name] = Row(name, status="SKIP", note=reason)

    def error(self, name: str, reason: str) -> None:
        self.rows[name] = Row(name, status="ERROR", note=reason)

    @property
    def failed(self) -> bool:
        return any(r.status in ("FAIL", "ERROR") for r in self.rows.values())

    def render(self) -> str:
        w = max([len(r.name) for r in self.rows.values()] + [20])
        lines = [f"{'benchmark':<{w}} {'n':>3} {'median':>9} {'p95':>9} {'unit':<4} "
                 f"{'ratio':>6} {'target':>7}  status"]
        for r in self.rows.values():
            if not r.samples:
                lines.append(f"{r.name:<{w}} {'':>3} {'':>9} {'':>9} {'':<4} {'':>6} {'':>7}  "
                             f"{r.status}: {r.note}")
                continue
            ratio = f"{r.ratio:.2f}x" if r.ratio is not None else "-"
            target = "/".join("-" if t is None else f"{t:g}" for t in (r.target, r.p95_target)) \
                if r.p95_target is not None else "-" if r.target is None else f"{r.target:g}"
            target += "x" if r.baseline and target != "-" else ""
            p95 = f", p95 {r.p95_ratio:.1f}x" if r.baseline and r.p95_target is not None else ""
            vs = f" (vs {r.baseline.name}{p95})" if r.baseline else ""
            note = f"  {r.note}" if r.note else ""
            lines.append(f"{r.name:<{w}} {len(r.samples):>3} {r.median:>9.1f} {r.p95:>9.1f} "
                         f"{r.unit:<4} {ratio:>6} {target:>7}  {r.status or '-'}{vs}{note}")
        return "\n".join(lines)


def time_calls(fn, n: int = 20, warmup: int = 3) -> list[float]:
    """Wall time of `n` calls of fn() in ms, after `warmup` untimed calls."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1e3)
    return samples
