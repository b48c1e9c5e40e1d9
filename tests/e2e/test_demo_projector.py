"""Demo mode on a 1920x1080 projector, one page load per lesson: Page Down walks the whole script, and after
every step the part the step is about (its `section:` in lessons/<slug>.md) is on screen, not under the
sticky script bar."""
import pytest

from engine.lessons import load_lessons
from harness.browser import assert_no_exception, expect_rerun, new_app_page, open_page

LESSONS = load_lessons()

IN_VIEW_JS = """(target) => {  // the heading (text or anchor) is on screen and uncovered; at the top, or the page's end
  const heading = document.getElementById(target)
    || [...document.querySelectorAll('h1, h2, h3, h4')].find((h) => h.innerText.trim() === target);
  if (!heading) return false;
  const r = heading.getBoundingClientRect();
  if (r.top < 0 || r.bottom > innerHeight) return false;
  const seen = document.elementFromPoint(r.left + 4, (r.top + r.bottom) / 2);
  if (!seen || !heading.contains(seen)) return false;  // under the script bar, or off screen
  const main = document.querySelector('[data-testid="stMain"]');
  const atEnd = main.scrollTop + main.clientHeight >= main.scrollHeight - 2;
  return r.top < innerHeight / 3 || atEnd;
}"""

WHERE_JS = """(target) => {  // for the failure message: where the heading and the script bar are
  const heading = document.getElementById(target)
    || [...document.querySelectorAll('h1, h2, h3, h4')].find((h) => h.innerText.trim() === target);
  const bar = document.querySelector('.st-key-demo_bar'), main = document.querySelector('[data-testid="stMain"]');
  return {heading: heading && heading.getBoundingClientRect().toJSON(), bar: bar && bar.getBoundingClientRect().bottom,
          scrollTop: main.scrollTop, scrollHeight: main.scrollHeight, height: innerHeight};
}"""


@pytest.fixture
def projector(browser):
    page = new_app_page(browser, 1920, 1080, timeout_ms=60_000)
    yield page
    page.context.close()


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda l: l.slug)
def test_every_demo_step_brings_its_part_into_view(projector, app_url, lesson):
    page = open_page(projector, app_url, f"/{lesson.slug}?demo=1")
    page.locator("h1").first.click()  # focus away from widgets: Page Down is the script's shortcut
    for index, step in enumerate(lesson.demo, start=1):
        with expect_rerun(page, 60_000):
            page.keyboard.press("PageDown")
        assert page.locator(".st-key-demo_narration").inner_text().startswith(f"Step {index} / {len(lesson.demo)}")
        try:
            page.wait_for_function(IN_VIEW_JS, arg=step.section, timeout=15_000)
        except Exception as err:
            where = page.evaluate(WHERE_JS, step.section)
            raise AssertionError(f"{lesson.slug} step {index}: {step.section!r} is not in view: {where}") from err
    assert_no_exception(page)
