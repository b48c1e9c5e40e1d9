"""The live-class store against both databases it supports: SQLite (a file) and a throwaway PostgreSQL."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from engine.classroom import ClassStore, normalise_code
from engine.classroom.classes import AWAY_S, LIFETIME_S, WRONG_CODES_MAX
from harness import postgres


@pytest.fixture(scope="module")
def postgres_url():
    if not postgres.available():
        pytest.fail("PostgreSQL is not installed: `make test` installs it (Debian's postgresql package)")
    server = postgres.Postgres()
    yield server.url
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    if request.param == "sqlite":
        return ClassStore(f"sqlite:///{tmp_path / 'classes.sqlite'}")
    return ClassStore(request.getfixturevalue("postgres_url"))


NOW = 1_800_000_000.0
ROOT = Path(__file__).resolve().parents[2]


def test_a_class_is_driven_by_its_tab_and_followed_by_position(store):
    started = store.start("tab-a", NOW)
    assert normalise_code(started.code.lower()) == started.code
    assert store.join(started.code, "student-1", "client", NOW + 1)
    assert store.publish(started.code, "tab-a", {"path": "padding", "values": {"pad_p": 2}}, NOW + 2)
    state = store.state(started.code, NOW + 3)
    assert (state.seq, state.position["values"], state.paused, state.ended) == (1, {"pad_p": 2}, False, False)
    store.publish(started.code, "tab-a", {"path": "padding", "values": {"pad_p": 2}}, NOW + 4)
    assert store.state(started.code, NOW + 5).seq == 1  # the same position again is no move
    assert store.publish(started.code, "tab-a", {"path": "strides"}, NOW + 6)
    assert store.state(started.code, NOW + 7).seq == 2
    assert store.members(started.code) == 1
    assert store.join(started.code, "student-1", "client", NOW + 8) and store.members(started.code) == 1


def test_only_the_secret_takes_over_a_class_and_the_old_tab_stops_driving(store):
    started = store.start("tab-a", NOW)
    assert not store.claim(started.code, "a guess", "tab-x", NOW + 1)
    assert not store.publish(started.code, "tab-x", {"path": "x"}, NOW + 2)
    assert store.claim(started.code, started.secret, "tab-b", NOW + 3)  # the instructor's reloaded or second tab
    assert store.drives(started.code, "tab-b") and not store.drives(started.code, "tab-a")
    assert not store.publish(started.code, "tab-a", {"path": "x"}, NOW + 4)
    assert store.state(started.code, NOW + 5).position == {}


def test_a_silent_instructor_pauses_the_class_and_an_ended_or_expired_class_refuses_joins(store):
    started = store.start("tab-a", NOW)
    assert store.state(started.code, NOW + AWAY_S + 1).paused
    store.publish(started.code, "tab-a", {}, NOW + AWAY_S + 2)  # the laptop is opened again
    assert not store.state(started.code, NOW + AWAY_S + 3).paused
    assert store.state(started.code, NOW + LIFETIME_S + 1).ended
    assert not store.join(started.code, "s", "client", NOW + LIFETIME_S + 1)
    store.end(started.code, "tab-a")
    assert store.state(started.code, NOW + 10).ended and not store.join(started.code, "s", "client", NOW + 10)


def test_wrong_codes_are_rate_limited_per_client(store):
    for n in range(WRONG_CODES_MAX):
        assert store.may_try_code("guesser", NOW + n)
        assert not store.join("AAAAAA", "s", "guesser", NOW + n)
    assert not store.may_try_code("guesser", NOW + WRONG_CODES_MAX)
    assert store.may_try_code("someone-else", NOW + WRONG_CODES_MAX)
    assert store.may_try_code("guesser", NOW + 3600)  # the window has passed


def test_a_poll_counts_one_answer_per_student_and_keeps_its_history(store):
    started = store.start("tab-a", NOW)
    assert store.open_poll(started.code, "tab-x", "padding", {"prompt": "?"}, NOW) is None
    poll = store.open_poll(started.code, "tab-a", "padding", {"prompt": "Output size?", "answer": 4}, NOW + 1)
    assert store.answer(poll, "s1", 4, "4", NOW + 2) and store.answer(poll, "s2", 5, "5", NOW + 3)
    assert not store.answer(poll, "s1", 5, "5", NOW + 4)  # answering twice: the first answer counts
    assert store.answer_of(poll, "s1") == "4"
    assert store.tally(poll) == {4.0: 1, 5.0: 1}
    signal = store.signals([started.code], NOW + 5)[started.code]
    assert signal[3:] == (poll, False)
    assert not store.reveal(poll, started.code, "tab-x") and store.reveal(poll, started.code, "tab-a")
    assert store.signals([started.code], NOW + 6)[started.code][3:] == (poll, True)
    rows = store.history(started.code)
    assert [(r["prompt"], r["answer"], r["correct"]) for r in rows] == [("Output size?", "4", 4),
                                                                         ("Output size?", "5", 4)]


def test_the_class_counts_each_student_once_and_a_student_who_left_only_in_the_poll_they_answered(store):
    started = store.start("tab-a", NOW)
    for student in ("s1", "s2", "s1"):  # s1 joins twice (a reloaded tab, or Leave then join again)
        assert store.join(started.code, student, "client", NOW + 1)
    assert store.members(started.code) == 2
    poll = store.open_poll(started.code, "tab-a", "padding", {"prompt": "Output size?", "answer": 4}, NOW + 2)
    assert store.answer(poll, "s1", 4, "4", NOW + 3)
    store.leave(started.code, "s1")
    assert store.members(started.code) == 1  # in the class now
    assert store.members(started.code, poll) == 2  # "1 of 2 answered", not "1 of 1"
    store.leave(started.code, "s2")
    assert (store.members(started.code), store.members(started.code, poll)) == (0, 1)
    assert store.tally(poll) == {4.0: 1}  # what was answered stays


_ANSWER_MANY = """
import sys, time
from engine.classroom import ClassStore
url, poll, first, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
store = ClassStore(url)
print(sum(store.answer(poll, f"s{n}", n % 3, str(n % 3), time.time()) for n in range(first, first + count)))
"""


def test_processes_answering_at_once_lose_nothing(store):
    """Two processes write answers into one poll at the same time (as a class's server processes do)."""
    started = store.start("tab-a", NOW)
    poll = store.open_poll(started.code, "tab-a", "padding", {"prompt": "?"}, NOW)
    url = store.db.url.render_as_string(hide_password=False)
    writers = [subprocess.Popen([sys.executable, "-c", _ANSWER_MANY, url, str(poll), str(100 * k), "25"],
                                cwd=ROOT, stdout=subprocess.PIPE, text=True) for k in range(2)]
    written = [int(w.communicate(timeout=60)[0]) for w in writers]
    assert written == [25, 25] and sum(store.tally(poll).values()) == 50
