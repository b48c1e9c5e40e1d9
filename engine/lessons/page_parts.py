"""The parts of a lesson page a demo step can bring into view (its `section:`), read from the page's code.

A part is a heading of the page: the lesson's title (the top of the page), or a heading the page's code
writes with `st.title`, `st.header` or `st.subheader` and a literal text, or, for a heading whose text is
computed, its literal `anchor=`:

    st.subheader("Step by step")                              # section: Step by step
    st.subheader(counts_title(trace), anchor="counts")        # section: counts
"""
from __future__ import annotations

import ast
import functools
from pathlib import Path

PAGES_DIR = Path(__file__).resolve().parents[2] / "pages"
HEADINGS = frozenset({"title", "header", "subheader"})


@functools.cache
def page_parts(page, pages_dir=PAGES_DIR):
    """The heading texts and anchors written by pages/<page>/*.py (a frozenset; empty without the folder)."""
    names = set()
    for path in sorted(Path(pages_dir, page).glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in HEADINGS):
                continue
            literals = [node.args[0]] if node.args else []
            literals += [kw.value for kw in node.keywords if kw.arg in ("body", "anchor")]
            names.update(v.value for v in literals if isinstance(v, ast.Constant) and isinstance(v.value, str))
    return frozenset(names)
