"""Run every benchmark module and print one report: `python -m benchmarks [NAME...] [--strict]`.

A benchmark module is any `benchmarks/*_bench.py` defining `run(report)`; it measures, then calls
`report.add(name, samples_ms, baseline=..., target=...)` (or `report.skip` / `report.error`).
Baselines are rows measured in the same run (hello-world page, raw torch), targets are ratios
against them. `benchmarks.report.time_calls(fn)` times a Python callable. NAME filters modules
by substring (`python -m benchmarks engine`). --strict exits 1 on any FAIL or ERROR.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import traceback

import benchmarks
from benchmarks.report import Report


def main(argv: list[str]) -> int:
    strict = "--strict" in argv
    wanted = [a for a in argv if not a.startswith("-")]
    names = sorted(m.name for m in pkgutil.iter_modules(benchmarks.__path__)
                   if m.name.endswith("_bench") and (not wanted or any(w in m.name for w in wanted)))
    report = Report()
    for name in names:
        print(f"running benchmarks.{name} ...", flush=True)
        try:
            importlib.import_module(f"benchmarks.{name}").run(report)
        except Exception as e:  # one broken module must not hide the others' figures
            traceback.print_exc()
            report.error(name, f"{type(e).__name__}: {e}")
    print()
    print(report.render())
    return 1 if strict and report.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
