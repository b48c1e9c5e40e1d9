"""Class polls: the instructor sends one of the lesson's "Check yourself" questions (the same numbers for
everyone), students answer on their screens, the projector shows how many answered and what, and the reveal
puts the answer and its worked explanation on every screen. History: a CSV for the instructor."""
from __future__ import annotations

import csv
import io
import time

import streamlit as st

from engine.lessons.question_answers import answer_text
from engine.lessons.questions import TYPE_A_NUMBER, check, parse_answer
from pages.shell import demo_mode, self_check
from pages.shell.live_class import roles
from pages.shell.live_class.position import all_lessons, lesson_at

REFRESH_S = 2  # the projector's count and histogram while a poll is open
_ANCHOR = "class-poll"


def _question(poll):
    """(question, its grids' HTML) drawn again from the poll's lesson and seed (no question text is taken from
    the store); None if the poll names no question of a lesson."""
    lesson = next((l for l in all_lessons() if l.slug == poll["question"].get("slug")), None)
    index, seed = poll["question"].get("index"), poll["question"].get("seed")
    if lesson is None or not isinstance(index, int) or not 0 <= index < len(lesson.questions):
        return None
    spec = lesson.questions[index]
    question = self_check.drawn(spec.kind, seed, spec.params)
    return question, self_check.grids_html(spec.kind, seed, spec.params) if question.matrices else ""


def send_menu(who, path):
    """The driving instructor's "Poll the class" menu: one button per question of the lesson on screen."""
    lesson = lesson_at(path)
    if lesson is None or not lesson.questions:
        return
    with st.popover("Poll the class", icon=":material/ballot:"):
        for n, spec in enumerate(lesson.questions):
            question = self_check.question_for(f"{lesson.slug}_q{n}", spec)
            st.button(f"Question {n + 1}", key=f"class_poll_{n}", help="Sends the question with the numbers on "
                      "your screen; students answer on theirs.", on_click=_send,
                      args=(who, lesson, n, question))


def _send(who, lesson, n, question):
    roles.store().open_poll(who.code, roles.session_id(), lesson.slug,
                            {"slug": lesson.slug, "index": n, "seed": question.seed, "prompt": question.prompt,
                             "answer": question.answer}, time.time())


def history_csv(code) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, ["poll", "lesson", "prompt", "correct", "answer", "value", "answered"],
                            extrasaction="ignore")
    writer.writeheader()
    writer.writerows(roles.store().history(code))
    return out.getvalue()


def projector(who):
    """The newest poll on the instructor's screen: the count and the histogram live, then the reveal."""
    state = roles.store().state(who.code, time.time())
    if state is None or state.poll is None:
        return
    st.fragment(_projector_panel, run_every=None if state.revealed else REFRESH_S)(who, state.poll)


def _projector_panel(who, poll_id):
    store = roles.store()
    poll = store.poll(poll_id)
    drawn = _question(poll) if poll else None  # None: the class was cleaned away after it expired
    if drawn is None:
        return
    question, grids = drawn
    tally = store.tally(poll_id)
    answered, joined = sum(tally.values()), store.members(who.code, poll_id)
    with st.container(border=True, key="class_poll_projector"):
        st.subheader("Class poll", anchor=_ANCHOR)
        st.markdown(question.prompt)
        if grids:
            st.html(grids)
        st.markdown(f"**{answered} of {joined}** students answered.")
        st.html(histogram_html(tally, question if poll["revealed"] else None))
        if poll["revealed"]:
            st.markdown(check(question, str(question.answer))[1])
        else:
            st.button("Reveal the answer", key="class_reveal", type="primary", icon=":material/visibility:",
                      on_click=store.reveal, args=(poll_id, who.code, roles.session_id()))
            if answered:
                st.caption(f"The count refreshes every {REFRESH_S} s.")
        st.download_button("Poll history (CSV)", history_csv(who.code), f"convlab-class-{who.code}.csv",
                           mime="text/csv", key="class_history", icon=":material/download:", on_click="ignore",
                           help="Every poll of this class and every answer, as they are now.")


def histogram_html(tally, revealed=None) -> str:
    """One bar per answer value (most given first); once `revealed` (the question), its answer's bar is green
    (within the question's tolerance, as check() decides). Numbers only."""
    if not tally:
        return '<p class="cl-poll-empty">No answers yet.</p>'
    most = max(tally.values())
    rows = []
    for value, n in sorted(tally.items(), key=lambda item: (-item[1], item[0]))[:12]:
        right = revealed is not None and abs(value - revealed.answer) <= revealed.tolerance
        label = answer_text(value)
        colour = "#2e7d32" if right else "#5c6bc0"
        rows.append(f'<div class="cl-poll-row" data-value="{label}" data-count="{n}">'
                    f'<span style="display:inline-block;width:6em;text-align:right;padding-right:.5em">{label}</span>'
                    f'<span style="display:inline-block;height:1.2em;vertical-align:middle;background:{colour};'
                    f'width:{max(2, round(70 * n / most))}%"></span> {n}{" ✓" if right else ""}</div>')
    return "".join(rows)


def student_panel(who, state):
    """The newest poll on a student's screen: answer it once, then see the reveal."""
    if state is None or state.poll is None:
        return
    store = roles.store()
    poll = store.poll(state.poll)
    drawn = _question(poll) if poll else None
    if drawn is None:
        return
    question, grids = drawn
    mine = store.answer_of(state.poll, who.token)  # the number as stored (formatted), never the typed text
    with st.container(border=True, key="class_poll_student"):
        st.subheader("Class poll", anchor=_ANCHOR)
        st.markdown(question.prompt)
        if grids:
            st.html(grids)
        if mine is None and not poll["revealed"]:
            with st.form(f"class_poll_form_{state.poll}", border=False):
                st.text_input("Your answer", key=f"class_answer_{state.poll}", max_chars=40,
                              placeholder="a number, e.g. 4 or 1/2")
                st.form_submit_button("Send my answer", type="primary", icon=":material/send:", on_click=_answer,
                                      args=(who, state.poll))
            if st.session_state.pop("_convlab_class_answer_note", None):
                st.warning(TYPE_A_NUMBER, icon=":material/edit:")
        elif mine is not None and not poll["revealed"]:
            st.info(f"Your answer: {mine}. The answer appears here when the instructor reveals it.",
                    icon=":material/hourglass_top:")
        else:
            correct, feedback = check(question, mine) if mine is not None else (None, None)
            if mine is None:
                st.markdown(check(question, str(question.answer))[1])
            else:
                (st.success if correct else st.error)(feedback, icon=self_check.ICONS[
                    "success" if correct else "error"])
    seen = st.session_state.get("_convlab_class_poll_seen")
    if seen != (state.poll, poll["revealed"]):  # a new poll, or its reveal: bring it into view once
        st.session_state["_convlab_class_poll_seen"] = (state.poll, poll["revealed"])
        st.html(demo_mode.scroll_html(_ANCHOR, state.poll), width="content", unsafe_allow_javascript=True)


def _answer(who, poll_id):
    text = st.session_state.get(f"class_answer_{poll_id}") or ""
    value = parse_answer(text)
    if value is None:
        st.session_state["_convlab_class_answer_note"] = True
        return
    roles.store().answer(poll_id, who.token, value, answer_text(value), time.time())  # safe in Markdown and CSV
