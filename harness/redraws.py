"""Which Plotly figures the browser drew again after an action: each redraw is work a student's browser does.

    tag_figures(page); <an action>; redrawn(page) -> keys of the figures drawn again (re-plotted, or a new node)
    redrawn_unchanged(page) -> those of them whose content (Plotly data and layout) is the same as before
Figures are named by their element key (`st-key-<key>`, the `key=` of pages.shell.figures.show).
"""
from __future__ import annotations

_TAG_JS = """() => {  // remember each figure's Plotly node and content, and count its re-plots
  window.__clFigures = [...document.querySelectorAll('.js-plotly-plot')].map((node) => {
    const box = node.closest('[class*="st-key-"]'), key = box && box.className.match(/st-key-(\\S+)/)[1];
    const fig = {key, node, plots: 0, content: JSON.stringify([node.data, node.layout])};
    node.on('plotly_afterplot', () => { fig.plots++; });
    return fig;
  }).filter((fig) => fig.key);
  return window.__clFigures.map((fig) => fig.key);
}"""

_REDRAWN_JS = """(unchanged) => window.__clFigures.filter((fig) => {  // drawn anew (and, if asked, with the same content)
  const now = document.querySelector('.st-key-' + fig.key + ' .js-plotly-plot');
  const drawn = !now || now !== fig.node || fig.plots > 0;
  return drawn && (!unchanged || (now && JSON.stringify([now.data, now.layout]) === fig.content));
}).map((fig) => fig.key)"""


def tag_figures(page) -> list[str]:
    """Start watching the page's Plotly figures; returns their keys."""
    return page.evaluate(_TAG_JS)


def redrawn(page) -> list[str]:
    """Keys of the figures tagged by tag_figures that were re-plotted or replaced (or are gone) since."""
    return page.evaluate(_REDRAWN_JS, False)


def redrawn_unchanged(page) -> list[str]:
    """Keys of the tagged figures drawn again with the same content: work the student's browser did for nothing
    (e.g. a Plotly config that changed)."""
    return page.evaluate(_REDRAWN_JS, True)
