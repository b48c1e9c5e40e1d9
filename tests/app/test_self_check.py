"""The "Check yourself" section of every lesson page: right, wrong and unreadable answers, and new numbers."""
import pytest

from engine.figures.style import fmt
from engine.lessons import load_lessons
from engine.lessons.questions import TYPE_A_NUMBER, generate
from tests.app.checks import assert_clean

LESSONS = [l for l in load_lessons() if l.questions]


def _question(at, lesson, n):
    """The question on screen: the engine's question for the seed in Session State."""
    spec = lesson.questions[n]
    return generate(spec.kind, at.session_state[f"{lesson.slug}_q{n}_seed"], spec.params)


def _answer(at, lesson, n, text):
    key = f"{lesson.slug}_q{n}"
    at.text_input(key=f"{key}_answer").input(text)
    return at.button(key=f"{key}_check").click().run()


def _feedback(at, question):
    """(level, text) of the feedback boxes that belong to `question` (they contain its explanation)."""
    boxes = [("success", e) for e in at.success] + [("error", e) for e in at.error]
    boxes += [("warning", e) for e in at.warning]
    return [(level, e.value) for level, e in boxes if question.explanation in e.value or e.value == TYPE_A_NUMBER]


def test_some_lessons_have_questions():
    assert len(LESSONS) >= 5


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda l: l.slug)
def test_right_answers_are_confirmed_with_the_worked_answer(open_page, lesson):
    at = open_page(f"{lesson.page}.py")
    assert_clean(at)
    assert any(h.value == "Check yourself" for h in at.subheader)
    for n in range(len(lesson.questions)):
        question = _question(at, lesson, n)
        assert any(question.prompt in m.value for m in at.markdown), f"question {n} is not on the page"
        assert _feedback(at, question) == []
        _answer(at, lesson, n, f" {fmt(question.answer)} ")
        assert not at.exception
        expected = f"**Correct: {fmt(question.answer)}.**\n\n{question.explanation}"
        assert _feedback(at, question) == [("success", expected)]
        assert at.text_input(key=f"{lesson.slug}_q{n}_answer").value == f" {fmt(question.answer)} "


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda l: l.slug)
def test_wrong_and_unreadable_answers_then_new_numbers(open_page, lesson):
    at = open_page(f"{lesson.page}.py")
    n = len(lesson.questions) - 1
    question = _question(at, lesson, n)
    wrong = question.answer + 1
    _answer(at, lesson, n, fmt(wrong))
    ((level, text),) = _feedback(at, question)
    assert level == "error" and f"you typed {fmt(wrong)}" in text and question.explanation in text
    assert f"the answer is {fmt(question.answer)}" in text

    _answer(at, lesson, n, "four<script>")
    assert _feedback(at, question) == [("warning", TYPE_A_NUMBER)]
    assert not at.exception

    seed = at.session_state[f"{lesson.slug}_q{n}_seed"]
    at.button(key=f"{lesson.slug}_q{n}_new").click().run()
    assert_clean(at)
    fresh = _question(at, lesson, n)
    assert at.session_state[f"{lesson.slug}_q{n}_seed"] != seed
    assert (fresh.prompt, fresh.matrices) != (question.prompt, question.matrices)
    assert any(fresh.prompt in m.value for m in at.markdown)
    assert at.text_input(key=f"{lesson.slug}_q{n}_answer").value == ""
    assert _feedback(at, fresh) == [] and not at.warning


def test_questions_keep_their_numbers_while_the_page_reruns(open_page):
    lesson = next(l for l in LESSONS if l.slug == "strides")
    at = open_page(f"{lesson.page}.py")
    seeds = [at.session_state[f"{lesson.slug}_q{n}_seed"] for n in range(len(lesson.questions))]
    question = _question(at, lesson, 0)
    _answer(at, lesson, 0, fmt(question.answer))
    at.button(key="preset_i6-k3-s2-p1").click().run()  # another control: the question and its feedback stay
    assert [at.session_state[f"{lesson.slug}_q{n}_seed"] for n in range(len(lesson.questions))] == seeds
    assert [level for level, _ in _feedback(at, question)] == ["success"]


def test_matrices_are_shown_as_number_grids(open_page):
    lesson = next(l for l in LESSONS if l.slug == "padding")
    at = open_page(f"{lesson.page}.py")
    n = next(i for i, spec in enumerate(lesson.questions) if spec.kind == "padded_cell")
    question = _question(at, lesson, n)
    (shown,) = question.matrices
    html = next(h.value for h in at.get("html") if shown.title in h.value)
    cells = html.count("<td")
    assert cells == shown.array.size
    assert html.count('class="cur"') == 1  # the asked cell
    rows, cols, p = *shown.array.shape, shown.padding
    frame = rows * cols - (rows - 2 * p) * (cols - 2 * p)
    assert html.count('class="pad"') == frame - 1  # every padding cell but the asked one
