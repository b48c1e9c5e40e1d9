"""Load and validate lesson files.

    ---
    title: Cross-correlation vs convolution
    order: 1
    icon: ":material/flip:"
    page: cross_correlation          # pages/cross_correlation/page.py, URL /cross_correlation
    key_prefix: xc                   # every widget key of the lesson starts with "xc_" (unique across lessons)
    step_key: xc_step                # the stepper a demo step's `step` moves (lessons with a stepper)
    summary: One line for the home page.
    presets:
      - {name: lecture, label: "Lecture example", values: {xc_mode: Convolution, ...}}
    demo:                            # section: the part of the page the step is about (demo mode scrolls to it)
      - {preset: lecture, step: 0, section: "Step by step", say: "One line of narration."}
    questions:                         # self-checks, kinds in engine/lessons/questions.py
      - {kind: conv_output_size, params: {s: [1, 3], d: 1}}   # a param: fixed, [lo, hi] or a list
    ---
    ## Idea ... ## Try it ... ## What to notice ... ## Summary ...
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from engine.lessons.page_parts import page_parts
from engine.lessons.questions import QuestionSpec, validate

SECTIONS = ("Idea", "Try it", "What to notice", "Summary")
LESSONS_DIR = Path(__file__).resolve().parents[2] / "lessons"
KEY_PREFIX = re.compile(r"[a-z]{2,3}")  # a lesson's widget keys are "<prefix>_<name>"


def page_path(page):
    """The script of a page, relative to the repository: pages/<page>/page.py (a lesson's folder, or "home")."""
    return f"pages/{page}/page.py"


class LessonError(ValueError):
    """A lesson file that does not follow the schema; the message names the file and the field."""


@dataclass(frozen=True)
class Preset:
    name: str
    label: str
    values: dict  # widget key -> value


@dataclass(frozen=True)
class DemoStep:
    preset: str
    say: str
    step: int | None = None  # animation frame to show, if any
    section: str | None = None  # the part of the page the step is about (engine/lessons/page_parts.py)


@dataclass(frozen=True)
class Lesson:
    slug: str
    title: str
    order: int
    icon: str
    page: str
    key_prefix: str  # every widget key of the lesson starts with key_prefix + "_"
    summary: str
    presets: tuple
    demo: tuple
    sections: dict  # section title -> Markdown
    questions: tuple = ()  # QuestionSpec, in order: the lesson's "Check yourself" section
    step_key: str | None = None  # the widget key of the stepper that demo steps' `step` moves

    def preset(self, name):
        """The preset called `name`; LessonError if there is none."""
        for p in self.presets:
            if p.name == name:
                return p
        raise LessonError(f"{self.slug}: no preset named {name!r}")

    def owns_key(self, key):
        """Whether a widget key belongs to this lesson ("xc_step" for prefix "xc")."""
        return key.startswith(self.key_prefix + "_")


def load_lessons(directory=LESSONS_DIR):
    """All lessons in `directory`, sorted by `order`; slugs and orders must be unique."""
    lessons = sorted((load_lesson(p) for p in Path(directory).glob("*.md")), key=lambda l: l.order)
    for field in ("order", "page", "key_prefix"):
        seen = [getattr(l, field) for l in lessons]
        if len(seen) != len(set(seen)):
            raise LessonError(f"Two lessons share the same {field}: {seen}")
    return lessons


def load_lesson(path):
    """Parse and validate one lesson file."""
    path = Path(path)
    match = re.match(r"^---\n(.*?)\n---\n(.*)$", path.read_text(encoding="utf-8"), re.S)
    if not match:
        raise LessonError(f"{path.name}: must start with YAML front matter between '---' lines")
    meta = yaml.safe_load(match.group(1)) or {}
    where = path.name

    def need(d, key, kind, ctx=where):
        if not isinstance(d.get(key), kind):
            raise LessonError(f"{ctx}: '{key}' is missing or not a {getattr(kind, '__name__', kind)}")
        return d[key]

    presets = tuple(
        Preset(need(p, "name", str, f"{where} preset"), need(p, "label", str, f"{where} preset"),
               dict(need(p, "values", dict, f"{where} preset {p.get('name')}")))
        for p in meta.get("presets") or [])
    lesson = Lesson(
        slug=path.stem, title=need(meta, "title", str), order=need(meta, "order", int),
        icon=need(meta, "icon", str), page=need(meta, "page", str), key_prefix=need(meta, "key_prefix", str),
        summary=need(meta, "summary", str),
        presets=presets,
        demo=tuple(DemoStep(need(s, "preset", str, f"{where} demo"), need(s, "say", str, f"{where} demo"),
                            s.get("step"), s.get("section")) for s in meta.get("demo") or []),
        sections=_sections(match.group(2), where), questions=_questions(meta.get("questions"), where),
        step_key=meta.get("step_key"))
    if lesson.page != lesson.slug:
        raise LessonError(f"{where}: 'page' must equal the file name ({lesson.slug!r}), the lesson's one name "
                          "for its file, its page and its URL")
    if not KEY_PREFIX.fullmatch(lesson.key_prefix):
        raise LessonError(f"{where}: 'key_prefix' must be 2-3 lower-case letters, got {lesson.key_prefix!r}")
    if lesson.step_key is not None and not (isinstance(lesson.step_key, str) and lesson.owns_key(lesson.step_key)):
        raise LessonError(f"{where}: 'step_key' must be a widget key starting with {lesson.key_prefix + '_'!r}")
    for p in presets:
        foreign = sorted(k for k in p.values if not lesson.owns_key(k))
        if foreign:
            raise LessonError(f"{where}: preset {p.name!r} sets {foreign}, keys without the lesson's prefix "
                              f"{lesson.key_prefix + '_'!r}")
    names = [p.name for p in presets]
    if len(names) != len(set(names)):
        raise LessonError(f"{where}: preset names must be unique")
    for step in lesson.demo:
        lesson.preset(step.preset)
        if step.step is not None and (not isinstance(step.step, int) or step.step < 0):
            raise LessonError(f"{where}: demo step must be a whole number >= 0, got {step.step!r}")
        if step.step is not None and lesson.step_key is None:
            raise LessonError(f"{where}: a demo step sets 'step' but the lesson names no 'step_key'")
        _check_section(lesson, step, where)
    return lesson


def _check_section(lesson, step, where):
    """Every demo step names the part of its page it is about: the title, or a heading of the page's code."""
    parts = page_parts(lesson.page) | {lesson.title}
    if not isinstance(step.section, str) or step.section not in parts:
        raise LessonError(f"{where}: demo step {step.say[:30]!r}... needs 'section:', the part of the page it is "
                          f"about (demo mode scrolls it into view): the lesson's title or one of the page's "
                          f"headings {sorted(parts - {lesson.title})}, got {step.section!r}")


def _questions(entries, where):
    """The `questions:` list: each entry {kind: name, params: {...}} with a known kind and usable params."""
    if entries is None:
        return ()
    if not isinstance(entries, list):
        raise LessonError(f"{where}: 'questions' must be a list of {{kind: ..., params: {{...}}}} entries")
    specs = []
    for n, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or not isinstance(entry.get("kind"), str):
            raise LessonError(f"{where}: question {n} needs a 'kind' (for example {{kind: conv_output_size}})")
        extra = sorted(set(entry) - {"kind", "params"})
        params = entry.get("params") or {}
        if extra or not isinstance(params, dict):
            raise LessonError(f"{where}: question {n} ({entry['kind']}) takes only 'kind' and a 'params' mapping"
                              + (f", not {extra}" if extra else ""))
        spec = QuestionSpec(entry["kind"], dict(params))
        try:
            validate(spec)
        except ValueError as err:
            raise LessonError(f"{where}: question {n}: {err}") from None
        specs.append(spec)
    return tuple(specs)


def _sections(body, where):
    parts = re.split(r"^## +(.+?)\s*$", body, flags=re.M)
    sections = {title: text.strip() for title, text in zip(parts[1::2], parts[2::2])}
    missing = [s for s in SECTIONS if s not in sections]
    if missing:
        raise LessonError(f"{where}: missing section(s) {missing}; every lesson has {list(SECTIONS)}")
    return sections
