"""A live class in Chromium against the nginx cluster (2 processes, one shared store: PostgreSQL, see the
`cluster` fixture): an instructor and two students join, follow, explore, answer a poll, and the class goes on
after a server process restarts."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from engine.classroom import ClassStore
from harness.browser import assert_no_exception, new_app_page, open_page, wait_for_app_idle

FOLLOW_MS = 10_000  # the bound is 2 s p95 under load (make bench); here a generous ceiling


def banner(page):
    return page.locator(".st-key-class_banner")


def start_class(page, url):
    open_page(page, url, "/cross_correlation?demo=1")
    page.get_by_role("button", name="Start a live class").click()
    code = page.locator(".st-key-class_code").inner_text().replace(" ", "").strip()
    page.keyboard.press("Escape")
    wait_for_app_idle(page)
    return code


def join_in_sidebar(page, url, text):
    open_page(page, url, "/")
    page.get_by_role("button", name="Join a class").click()
    page.get_by_role("textbox", name="Class code").fill(text)
    page.get_by_role("button", name="Join", exact=True).click()
    wait_for_app_idle(page)


def next_step(instructor, n):
    instructor.keyboard.press("PageDown")
    wait_for_app_idle(instructor)
    expect(instructor.locator(".st-key-demo_narration")).to_contain_text(f"Step {n} / ")


def expect_at_step(student, n):
    expect(banner(student)).to_contain_text(f"step {n} of", timeout=FOLLOW_MS)
    expect(student).to_have_url(re.compile(r"/cross_correlation"), timeout=FOLLOW_MS)


@pytest.fixture
def people(browser):
    pages = [new_app_page(browser) for _ in range(3)]
    yield pages
    for page in pages:
        page.context.close()


def test_students_follow_explore_answer_a_poll_and_the_class_survives_a_restart(people, cluster):
    instructor, ana, ben = people
    url = cluster.url
    code = start_class(instructor, url)
    expect(instructor.locator(".st-key-class_bar")).to_contain_text(f"Live class {code}")

    join_in_sidebar(ana, url, "ZZZZZZ")  # a wrong code: said plainly in the dialog, where it is typed again
    expect(ana.get_by_role("dialog")).to_contain_text("There is no live class ZZZZZZ")
    ana.get_by_role("textbox", name="Class code").fill(code.lower())  # typed from the projector, in lower case
    ana.get_by_role("button", name="Join", exact=True).click()
    open_page(ben, url, f"/?join={code}")  # the link (or QR code) on the projector
    for student in (ana, ben):
        expect(banner(student)).to_contain_text("Following the instructor")
    expect(instructor.locator(".st-key-class_bar")).to_contain_text("2 joined")

    for n in (1, 2, 3):  # three demo steps reach both screens: the lesson, the step, the preset's values
        next_step(instructor, n)
        for student in (ana, ben):
            expect_at_step(student, n)
    assert "xc_op=Convolution" in ana.url and "xc_op=Convolution" in instructor.url
    instructor.get_by_text("Controls").first.click()  # a control moved inside a fragment (no full run) follows too
    instructor.locator(".st-key-xc_pad").get_by_text("same", exact=True).click()
    for student in (ana, ben):
        expect(student).to_have_url(re.compile(r"xc_pad=same"), timeout=FOLLOW_MS)
    instructor.get_by_text("Controls").first.click()

    ana.get_by_role("button", name="Explore on my own").click()
    expect(banner(ana)).to_contain_text("Exploring on your own")
    next_step(instructor, 4)
    expect_at_step(ben, 4)
    expect(banner(ana)).to_contain_text("Exploring on your own")
    instructor.get_by_role("button", name="Poll the class").click()
    instructor.get_by_role("button", name="Question 1").click()
    wait_for_app_idle(instructor)
    instructor.keyboard.press("Escape")
    expect(ana.locator(".st-key-class_poll_student")).to_be_visible(timeout=FOLLOW_MS)  # a poll reaches explorers
    ana.get_by_role("button", name="Back to the instructor").click()
    expect_at_step(ana, 4)
    for student, answer in ((ana, "3"), (ben, "5")):
        poll = student.locator(".st-key-class_poll_student")
        poll.get_by_role("textbox", name="Your answer").fill(answer, timeout=FOLLOW_MS)
        poll.get_by_role("button", name="Send my answer").click()
        expect(poll).to_contain_text(f"Your answer: {answer}")
    projector = instructor.locator(".st-key-class_poll_projector")
    expect(projector).to_contain_text("2 of 2 students answered", timeout=FOLLOW_MS)
    for value in ("3", "5"):
        expect(projector.locator(f'.cl-poll-row[data-value="{value}"]')).to_have_attribute("data-count", "1")
    instructor.get_by_role("button", name="Reveal the answer").click()
    expect(projector).to_contain_text("Correct:")
    for student in (ana, ben):  # the worked answer on every screen, each told whether they were right
        expect(student.locator(".st-key-class_poll_student [data-testid=stAlert]")).to_contain_text(
            re.compile(r"Correct: |you typed \d+, the answer is "), timeout=FOLLOW_MS)

    cluster.restart_worker(0)  # a process restarts mid-class: its sessions reconnect and find the class again
    for page in people:
        page.wait_for_function("() => document.querySelector('[data-testid=stApp]')?.dataset.testConnectionState"
                               " === 'CONNECTED'", timeout=30_000)
        wait_for_app_idle(page)
    next_step(instructor, 5)
    for student in (ana, ben):
        expect_at_step(student, 5)
        expect(banner(student)).to_contain_text("Following the instructor")
    # The instructor opens another lesson in the same tab (a new session: the tab's secret keeps the class).
    # The students leave a lesson whose values are bound to their URL (xc_op) for another one.
    open_page(instructor, url, "/padding?demo=1")
    expect(instructor.locator(".st-key-class_bar")).to_contain_text(f"Live class {code}")
    for student in (ana, ben):
        expect(student).to_have_url(re.compile(r"/padding"), timeout=FOLLOW_MS)
        expect(student.locator("h1").first).to_have_text("Padding")
    for page in people:
        assert_no_exception(page)
    store = ClassStore(cluster.db_url)  # what both processes wrote went to the PostgreSQL store
    assert store.members(code) == 2 and [r["answer"] for r in store.history(code)] == ["3", "5"]
