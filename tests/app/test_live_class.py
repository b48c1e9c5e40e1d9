"""A live class's links and codes in AppTest: unusable join links get a plain note, a good one joins."""
import time

import pytest

from engine.classroom import ClassStore


@pytest.mark.parametrize("join, note", [
    ("<script>", "A class code is 6 letters and digits"),
    ("HK7M2", "A class code is 6 letters and digits"),
    ("ZZZZZZ", "There is no live class ZZZZZZ"),
])
def test_an_unusable_join_link_says_what_is_wrong_and_the_page_runs(open_page, join, note):
    at = open_page("padding.py", {"join": join})
    assert not at.exception
    assert note in "".join(w.value for w in at.warning)
    assert "join" not in at.query_params  # not carried on by a shared link
    assert at.button(key="class_join_open").label == "Join a class"  # the tab can try again


def test_a_join_link_follows_the_instructors_lesson_and_values():
    """The class's position (published by a driving tab) moves a student's page to its lesson and values."""
    store = ClassStore.from_env()
    started = store.start("tab-of-the-instructor", time.time())
    store.publish(started.code, "tab-of-the-instructor",
                  {"path": "strides", "title": "Strides", "values": {"sd_sh": 3, "not_a_key": 1}}, time.time())
    from streamlit.testing.v1 import AppTest
    from tests.app.conftest import ROOT

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["join"] = started.code.lower()
    at.run()
    assert not at.exception
    assert "Following the instructor" in "".join(m.value for m in at.markdown)
    assert at.slider(key="sd_sh").value == 3 and at.query_params["sd_sh"] == "3"  # a value bound to the URL
    assert store.members(started.code) == 1
    at.slider(key="sd_sh").set_value(1).run()  # the student tries a value of their own while following
    at.run()
    assert at.slider(key="sd_sh").value == 1 and not at.exception  # theirs until the instructor's next move

    store.publish(started.code, "tab-of-the-instructor",
                  {"path": "padding", "title": "Padding", "values": {"pd_stride": 2}}, time.time())
    at.run()  # the class moves to another lesson (the pushed run of a server; AppTest runs it when asked)
    assert not at.exception
    assert at.slider(key="pd_stride").value == 2 and "sd_sh" not in at.query_params

    at.button(key="class_leave").click().run()  # Leave: no longer counted in the class
    assert not at.exception and store.members(started.code) == 0
    at.query_params["join"] = started.code  # the same tab joins again: one student, not two
    at.run()
    assert "Following the instructor" in "".join(m.value for m in at.markdown)
    assert store.members(started.code) == 1


def _code_on_screen(at):
    return at.text[0].value  # the dialog's code (st.text: no HTML)


def test_an_instructor_tab_keeps_its_class_against_a_join_link_and_lets_an_ended_class_go(open_page):
    at = open_page("padding.py", {"demo": "1"})
    at.button(key="class_start").click().run()
    code = _code_on_screen(at)
    assert "Live class" in "".join(m.value for m in at.markdown)

    at.query_params["join"] = code  # the projected link, opened on the instructor's own screen
    at.run()
    assert "a join link is for your students' screens" in "".join(w.value for w in at.warning)
    assert not at.exception and at.button(key="class_end").label == "End the class"

    from sqlalchemy import update

    from engine.classroom.schema import classes
    with ClassStore.from_env().db.begin() as db:  # ended elsewhere (another tab), or expired
        db.execute(update(classes).where(classes.c.code == code).values(ended=True))
    at.run()
    assert f"Your live class {code} has ended" in "".join(w.value for w in at.warning)
    assert at.button(key="class_start").label == "Start a live class" and not at.exception


@pytest.mark.parametrize("held", ["", "s:ABC:x:1", "i:HK7M2P:", "s:HK7M2P:" + "t" * 65 + ":1", "x:HK7M2P:y", None, 7,
                                  {"held": 1}, "i:hk7m2p:secret", "s:HK7M2P:token:1:extra"])
def test_a_tab_memory_that_is_not_a_role_is_ignored(held):
    """What a browser's sessionStorage (or a hostile client) reports back is only trusted when it is well formed."""
    from pages.shell.live_class.roles import decode

    assert decode(held) is None


def test_a_tab_memory_role_reads_back():
    from pages.shell.live_class.roles import Instructor, Student, decode

    assert decode("i:HK7M2P:secret#1700000000") == Instructor("HK7M2P", "secret")  # after a reconnection
    assert decode("s:HK7M2P:0123abcd:0") == Student("HK7M2P", "0123abcd", following=False)
