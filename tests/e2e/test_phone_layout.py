"""Every lesson on a phone (390x844, touch): nothing that labels a figure or a control sits on what it labels.

The lessons are opened one after another in one session (harness.browser.open_lesson). In every figure on
screen: panel titles and the figure's title (the animation's equation) meet no plot area, no tick label and no
other title; the Plotly toolbar meets none of these; the animation's play buttons meet no part of its scrub
slider; no part of a figure is cut off. The grid editor's toolbar (shown on hover) meets no text field or
switch. Key hints (Left / Right) are hidden on a touch screen. The page is no wider than the screen and its
title fits.
"""
from __future__ import annotations

import pytest

from engine.lessons import load_lessons
from harness.browser import assert_no_exception, expect_rerun, horizontal_overflow, open_lesson
from harness.stepper import steppers_ready

PHONE = (390, 844)

# Boxes (x, y, w, h) of each visible Plotly figure, read from its own layout (which annotations are panel
# titles: paper coordinates) and the DOM it drew.
_FIGURE_BOXES = r"""() => {
  const box = (e) => { const r = e.getBoundingClientRect(); return [r.x, r.y, r.width, r.height]; };
  const shown = (e) => e.getClientRects().length > 0 && e.getBoundingClientRect().width > 0;
  return [...document.querySelectorAll('.js-plotly-plot')].filter(shown).map((gd) => {
    const key = (gd.closest('[class*="st-key-"]')?.className.match(/st-key-(\S+)/) || [])[1] || '?';
    const notes = gd.layout?.annotations || [];
    const labels = [...gd.querySelectorAll('g.annotation')].filter((g) => {
      const a = notes[+g.dataset.index];
      return a && a.xref === 'paper' && a.yref === 'paper' && (a.text || '').trim();
    }).map((g) => ({what: 'panel title "' + notes[+g.dataset.index].text + '"', box: box(g.querySelector('.annotation-text') || g)}));
    for (const t of gd.querySelectorAll('.g-gtitle text')) {
      if (t.textContent.trim()) labels.push({what: 'title "' + t.textContent + '"', box: box(t)});
    }
    const areas = [...gd.querySelectorAll('.draglayer .nsewdrag')].map((r) => ({what: 'plot area', box: box(r)}));
    const ticks = [...gd.querySelectorAll('.xtick text, .ytick text')].filter((t) => t.textContent.trim())
      .map((t) => ({what: 'tick label ' + t.textContent, box: box(t)}));
    const modebar = [...gd.querySelectorAll('.modebar')].filter(shown).map((m) => ({what: 'toolbar', box: box(m)}));
    const axes = [...gd.querySelectorAll('.g-xtitle text, .g-ytitle text')].filter((t) => t.textContent.trim())
      .map((t) => ({what: 'axis title "' + t.textContent + '"', box: box(t)}));
    const legend = [...gd.querySelectorAll('.legend .traces')].map((t) => ({what: 'legend entry', box: box(t)}));
    const buttons = [...gd.querySelectorAll('.updatemenu-button')].map((b) => ({what: 'play button', box: box(b)}));
    const slider = [...gd.querySelectorAll('.slider-rail-rect, .slider-grip-rect, .slider-label, .slider-current-value')]
      .filter((s) => s.textContent.trim() || s.tagName === 'rect').map((s) => ({what: 'slider', box: box(s)}));
    const element = gd.closest('[data-testid="stElementContainer"]');
    const cut = Math.max(element.scrollHeight - element.clientHeight, gd.getBoundingClientRect().bottom
                         - gd.closest('[data-testid="stPlotlyChart"]').getBoundingClientRect().bottom);
    return {key, labels, areas, ticks, modebar, buttons, slider, cut, axes, legend};
  });
}"""


def overlaps(a, b, slack=1.0):
    """Do two (x, y, w, h) boxes share more than `slack` px each way?"""
    return (min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]) > slack
            and min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]) > slack)


def clashes(first, second):
    """'A covers B' for every pair of boxes, one from each list, that overlap (each pair once)."""
    return [f"{a['what']} {[round(v) for v in a['box']]} covers {b['what']} {[round(v) for v in b['box']]}"
            for i, a in enumerate(first) for j, b in enumerate(second)
            if (first is not second or i < j) and overlaps(a["box"], b["box"])]


def figure_clashes(figure):
    """Everything in one figure that sits on what it labels (see the module docstring)."""
    f = figure
    found = (clashes(f["labels"], f["labels"]) + clashes(f["labels"], f["areas"]) + clashes(f["labels"], f["ticks"])
             + clashes(f["modebar"], f["labels"] + f["areas"] + f["ticks"] + f["slider"] + f["buttons"])
             + clashes(f["buttons"], f["slider"]) + clashes(f["legend"], f["axes"] + f["ticks"] + f["labels"]))
    if f["cut"] > 1:
        found.append(f"{f['cut']:.0f} px of the figure are cut off (or scroll inside it)")
    return [f"{f['key']}: {c}" for c in found]


_GRID_CHECKED = []  # the grid editor is one shared control: checked on the first lesson that has one (a rerun)


def grid_editor_clashes(page):
    """Open the first matrix's grid editor, hover it, and list what its toolbar covers."""
    toggle = page.get_by_text("Edit as a grid").first
    if _GRID_CHECKED or not toggle.count():
        return []
    _GRID_CHECKED.append(page.url)
    with expect_rerun(page):
        toggle.click()
    editor = page.locator('[data-testid="stDataFrame"]').first
    editor.hover()
    toolbar = page.locator('[data-testid="stElementToolbar"]').first
    toolbar.wait_for(state="visible")
    bar = toolbar.bounding_box()
    fields = page.locator('[data-testid="stTextInput"], [data-testid="stCheckbox"]')
    return [f"the grid editor's toolbar covers {fields.nth(i).inner_text()!r}" for i in range(fields.count())
            if (box := fields.nth(i).bounding_box()) and overlaps((bar["x"], bar["y"], bar["width"], bar["height"]),
                                                                 (box["x"], box["y"], box["width"], box["height"]))]


@pytest.fixture
def phone(reused_page):
    return reused_page(*PHONE, is_mobile=True, has_touch=True)


@pytest.mark.parametrize("lesson", load_lessons(), ids=lambda l: l.slug)
def test_nothing_covers_what_it_labels_on_a_phone(phone, app_url, lesson):
    page = open_lesson(phone, app_url, f"/{lesson.page}", walk="phone")
    assert_no_exception(page)
    title = page.locator("h1").first.bounding_box()
    assert title["x"] >= 0 and title["x"] + title["width"] <= PHONE[0], "the title fits the screen"
    steppers_ready(page)
    assert horizontal_overflow(page) <= 1, f"{lesson.slug} is wider than a phone"
    hints = page.locator(".cl-stepper-key").evaluate_all("es => es.filter((e) => e.offsetParent).length")
    page.wait_for_function("""() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
        .filter((c) => c.getClientRects().length).every((c) => c.querySelector('.main-svg'))""")  # drawn
    figures = page.evaluate(_FIGURE_BOXES)
    assert figures or not page.locator('[data-testid="stPlotlyChart"]').count(), "the figures were measured"
    found = ([f"{hints} Left / Right key hint(s) on a touch screen"] if hints else []) \
        + [c for figure in figures for c in figure_clashes(figure)] + grid_editor_clashes(page)
    assert not found, f"{lesson.slug} at {PHONE[0]}x{PHONE[1]}:\n" + "\n".join(found)
