"""The load benchmark's simulated student (benchmarks/load_client.py) against the served app: it opens a lesson
over Streamlit's websocket protocol, its control changes reach the server (the changed keys are what the URL
now holds), and nothing is counted as an error; a control drawn inside an st.fragment reruns only that fragment, as
in the browser. Also through nginx: tests/e2e/test_class_cluster.py."""
import asyncio
import random
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs

from benchmarks.load_bench import stream_url
from benchmarks.load_client import Stats, Student


def run_student(app_url: str, page: str, actions: int) -> tuple[Student, Stats]:
    stats = Stats()
    student = Student(stream_url(app_url), page, "", random.Random(3), stats, stop_at=time.monotonic() + 120,
                      max_actions=actions, think_s=(0.0, 0.0))
    with ThreadPoolExecutor(1) as pool:  # its own event loop: Playwright's may run in this thread
        pool.submit(asyncio.run, student.run()).result()
    return student, stats


def test_a_student_changes_controls_and_the_url_follows(app_url):
    student, stats = run_student(app_url, "pooling_invariance", 3)
    assert (stats.exceptions, stats.disconnects, stats.slow, stats.messages) == (0, 0, 0, [])
    assert len(stats.opens) == 1 and len(stats.interactions) == 3
    changed = {wid.rsplit("-", 1)[-1] for wid in student.states}  # widget ids end with the widget's key
    in_url = set(parse_qs(student.query))
    assert in_url and in_url <= changed, (in_url, changed)
    assert all(key.startswith("pl_") for key in changed)
    fragments = {fragment for _, _, fragment in student.widgets.values()}  # pooling's steps, networks, rotation
    assert len(fragments) >= 2, "after one fragment's run, the controls other fragments drew are still known"


def test_a_control_inside_a_fragment_reruns_only_that_fragment(app_url):
    student, stats = run_student(app_url, "cross_correlation", 2)  # every choice there lives in one fragment
    assert (stats.exceptions, stats.disconnects, stats.slow, stats.messages) == (0, 0, 0, [])
    assert stats.fragment_runs == len(stats.interactions) == 2
    assert student.widgets and all(fragment for _, _, fragment in student.widgets.values())
