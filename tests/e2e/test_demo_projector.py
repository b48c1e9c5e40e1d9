"""Demo mode on a 1920x1080 projector, the lessons opened one after another as a lecturer moves through them (one
session, harness.browser.open_lesson): Page Down walks the whole script, and after
every step the part the step is about (its `section:` in lessons/<slug>.md) is on screen, not under the
sticky script bar, no figure whose content stayed the same was drawn again, and the page reads from the back of
a lecture hall: figure text and control labels >= 20 px, no Plotly toolbar over a title, captions in full
contrast, the step grids scaled up to the width. Then the same page on a 1280x720 projector: the title fits,
nothing is wider than the screen, the step counter is on screen (a screenshot of each is kept in the test's
temporary directory). A phone: tests/e2e/test_phone_layout.py."""
import pytest

from engine.lessons import load_lessons
from harness.browser import assert_no_exception, expect_rerun, horizontal_overflow, open_lesson
from harness.redraws import redrawn_unchanged, tag_figures
from pages.shell.figures import DEMO_FONT

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

LEGIBLE_JS = """(least) => {  // what a projector's back row could not read, as a list of problems
  const problems = [];
  const overlaps = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  for (const plot of document.querySelectorAll('.js-plotly-plot')) {
    const texts = [...plot.querySelectorAll('text')]  // titles, axes, annotations, legends (not the marks' text)
      .filter((t) => t.textContent.trim() && !t.closest('.textpoint, .heatmaplayer, .hoverlayer'));
    for (const t of texts) {
      const size = parseFloat(getComputedStyle(t).fontSize);
      if (size < least) problems.push(`${size} px figure text ${JSON.stringify(t.textContent.slice(0, 30))}`);
    }
    const bar = plot.querySelector('.modebar-container')?.getBoundingClientRect();
    const titles = plot.querySelectorAll('.gtitle, .annotation-text, .g-xtitle text, .g-ytitle text');
    if (bar && bar.width && bar.height && [...titles].some((t) => overlaps(bar, t.getBoundingClientRect()))) {
      problems.push('the Plotly toolbar covers a title');
    }
  }
  for (const label of document.querySelectorAll('[data-testid="stWidgetLabel"] p')) {  // the controls' names
    const size = parseFloat(getComputedStyle(label).fontSize);
    const name = label.innerText.trim();
    if (name && size < least) problems.push(`${size} px control label ${JSON.stringify(name.slice(0, 30))}`);
  }
  const luminance = (rgb) => rgb.map((c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; })
    .reduce((sum, c, i) => sum + c * [0.2126, 0.7152, 0.0722][i], 0);
  for (const caption of document.querySelectorAll('[data-testid="stCaptionContainer"] p, .cl-stepper-view .cl-note')) {
    let [r, g, b, a = 1] = getComputedStyle(caption).color.match(/[\\d.]+/g).map(Number);
    for (let e = caption; e; e = e.parentElement) a *= Number(getComputedStyle(e).opacity);
    const mixed = [r, g, b].map((c) => a * c + (1 - a) * 255);  // on the white page
    if (1.05 / (luminance(mixed) + 0.05) < 7) problems.push(`a caption in low contrast (${getComputedStyle(caption).color})`);
  }
  for (const view of document.querySelectorAll('.cl-stepper-view')) {
    const panels = view.querySelector('.cl-step'), width = view.closest('.cl-stepper').getBoundingClientRect().width;
    const grids = panels && panels.getBoundingClientRect(), tall = grids && grids.bottom - view.getBoundingClientRect().top;
    if (panels && grids.width < 0.5 * width && tall < 0.4 * innerHeight) {  // neither as wide nor as tall as allowed
      problems.push(`step grids ${Math.round(grids.width)} x ${Math.round(tall)} px in a ${Math.round(width)} px stepper`);
    }
  }
  return [...new Set(problems)];
}"""

FIRST_ROW_UNCOVERED_JS = """() => {  // at the top of the page, the first row (the live-class bar) starts below the header
  const main = document.querySelector('[data-testid="stMain"]');
  main.scrollTop = 0;
  const first = document.querySelector('[data-testid="stMainBlockContainer"] [data-testid="stElementContainer"]');
  return first.getBoundingClientRect().top >= document.querySelector('[data-testid="stHeader"]').getBoundingClientRect().bottom;
}"""

WHERE_JS = """(target) => {  // for the failure message: where the heading and the script bar are
  const heading = document.getElementById(target)
    || [...document.querySelectorAll('h1, h2, h3, h4')].find((h) => h.innerText.trim() === target);
  const bar = document.querySelector('.st-key-demo_bar'), main = document.querySelector('[data-testid="stMain"]');
  return {heading: heading && heading.getBoundingClientRect().toJSON(), bar: bar && bar.getBoundingClientRect().bottom,
          scrollTop: main.scrollTop, scrollHeight: main.scrollHeight, height: innerHeight};
}"""


@pytest.fixture
def projector(reused_page):
    return reused_page(1920, 1080, timeout_ms=60_000)


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory):
    return tmp_path_factory.mktemp("screenshots")


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda l: l.slug)
def test_every_demo_step_brings_its_part_into_view_legibly(projector, app_url, screenshots, lesson):
    page = open_lesson(projector, app_url, f"/{lesson.page}?demo=1", walk="projector")
    assert page.locator("h1").first.inner_text() == lesson.title
    assert page.evaluate("() => parseFloat(getComputedStyle(document.documentElement).fontSize)") >= 20
    assert page.evaluate(FIRST_ROW_UNCOVERED_JS), "the page's first row is under Streamlit's header"
    page.locator("h1").first.click()  # focus away from widgets: Page Down is the script's shortcut
    for index, step in enumerate(lesson.demo, start=1):
        tag_figures(page)
        with expect_rerun(page, 60_000):
            page.keyboard.press("PageDown")
        assert page.locator(".st-key-demo_narration").inner_text().startswith(f"Step {index} / {len(lesson.demo)}")
        assert redrawn_unchanged(page) == [], f"{lesson.slug} step {index}: figures drawn again with nothing changed"
        try:
            page.wait_for_function(IN_VIEW_JS, arg=step.section, timeout=15_000)
        except Exception as err:
            where = page.evaluate(WHERE_JS, step.section)
            raise AssertionError(f"{lesson.slug} step {index}: {step.section!r} is not in view: {where}") from err
        assert page.evaluate(LEGIBLE_JS, DEMO_FONT) == [], f"{lesson.slug} step {index}"
    assert_no_exception(page)
    page.set_viewport_size({"width": 1280, "height": 720})  # a smaller projector, the same page
    page.wait_for_function("() => innerWidth === 1280")
    box = page.locator("h1").first.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 1280, "the title fits the screen"
    assert horizontal_overflow(page) <= 1, f"{lesson.slug} at 1280x720 in demo mode is wider than the screen"
    assert 0 <= page.locator(".st-key-demo_narration").bounding_box()["y"] < 720, "the step counter is on screen"
    page.screenshot(path=str(screenshots / f"{lesson.slug}_1280x720_demo.png"))
