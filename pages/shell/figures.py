"""Figures on the page: built once per content (cached as Plotly JSON dicts), shown without re-checks.

Every figure has a text alternative and a visible caption stating what it shows for the current
settings, and saves as a PNG from its toolbar (the camera icon) under a file name made of the lesson, the
figure and the settings in the URL. In demo mode figures are taller, their text is at least DEMO_FONT px
(legible()), and the toolbar is hidden (demo mode's CSS; "Download figure" presses its camera).
"""
from __future__ import annotations

import functools
import re

import plotly.io as pio
import streamlit as st

from engine.figures import SpecFigure
from engine.figures.grid import grids_html
from engine.figures.narrow import legend_below, stacked
from pages.shell import demo_mode, viewport
from pages.shell.caching import digest, qualname, store
from pages.shell.controls import drawn

CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d"]}
DEMO_SCALE, DEMO_MAX_HEIGHT = 1.4, 620  # demo mode: taller figures (projector), still inside a 720 px screen
DEMO_FONT = 20  # px: the smallest text of a figure's layout in demo mode (read from the back of a lecture hall)
_AXIS = re.compile(r"[xy]axis\d*")
_DATA_LISTS = frozenset({"images", "shapes"})  # layout lists with no text (image sources can be large)
LESSON_KEY = "_convlab_lesson"  # the lesson on screen (set by LessonPage), for file names
_TOOLBAR_ROOM = """[data-testid="stFullScreenFrame"]:has(> [data-testid="stPlotlyChart"]) { padding-top: 30px; }
  [data-testid="stPlotlyChart"] .js-plotly-plot { overflow: visible !important; }
  [data-testid="stPlotlyChart"] .modebar-container { top: -30px !important; }
  [data-testid="stElementContainer"]:has([data-testid="stDataFrame"]) { margin-top: 2.25rem; }"""
# On a narrow or touch screen (where Plotly shows its toolbar all the time) toolbars get a strip of their own above
# what they belong to, instead of covering titles, equations and the text field above a grid editor.
PHONE_STYLE = f"""<style>
@media (max-width: {viewport.NARROW_PX}px), (hover: none) {{ {_TOOLBAR_ROOM} }}
</style>"""


# Builders whose input is one drawing or one upload: a new figure for every stroke or photo, seldom seen
# again; a small store of their own each. Every other builder (the lessons' figures) keeps up to
# FIGURES_PER_BUILDER of its own.
ONE_OFF = frozenset({"engine.figures.common.class_bars_figure", "engine.figures.digit_figures.preprocessing_figure",
                     "engine.figures.classifier_figures.feature_maps_figure",
                     "engine.figures.digit_figures.se_gates_figure",
                     "engine.figures.classifier_figures.top_classes_figure"})
FIGURES_PER_BUILDER, ONE_OFF_FIGURES = 256, 64


def spec(build, *args, **kwargs):
    """build(*args, **kwargs) as a Plotly dict, cached by the builder's name and its arguments.

    Shared by every session and read-only: a hit is the stored dict itself (copy before changing it).
    """
    name = qualname(build)
    size = ONE_OFF_FIGURES if name in ONE_OFF else FIGURES_PER_BUILDER
    return store(f"figure:{name}", size).get(digest(args, kwargs),
                                             lambda: without_template(build(*args, **kwargs)))


def without_template(figure):
    """A builder's figure (go.Figure or dict) as a dict without layout.template (added back by themed())."""
    figure = figure if isinstance(figure, dict) else figure.to_dict()
    if "template" not in figure.get("layout", {}):
        return figure
    return {**figure, "layout": {k: v for k, v in figure["layout"].items() if k != "template"}}


def themed(figure):
    """The figure with the part of Streamlit's Plotly theme it uses as its layout.template.

    Every go.Figure carries the whole theme (~3.7 KB of JSON, mostly trace types it does not have);
    the browser applies template.data[type] to traces of that type only, so this draws the same.
    """
    layout = figure.get("layout", {})
    types = frozenset(trace.get("type", "scatter") for trace in figure.get("data", ()))
    return {**figure, "layout": {**{k: v for k, v in layout.items() if k != "template"},
                                 "template": _theme_for(types)}}


@functools.lru_cache(maxsize=64)
def _theme_for(types):
    theme = pio.templates[pio.templates.default].to_plotly_json()  # "streamlit" once Streamlit is loaded
    return {"data": {t: v for t, v in theme.get("data", {}).items() if t in types}, "layout": theme.get("layout", {})}


def show(figure_spec, key, alt, caption=None, phone=None):
    """Render a cached spec (dict) or SpecFigure with its caption under it.

    alt: what the figure is (read by screen readers); caption: what it shows for the current settings,
    shown under the figure and added to the text alternative (alt is shown when there is no caption).
    On a phone-sized screen (pages/shell/viewport.py) `phone` (a spec, or a function returning one) is shown
    instead, else a row of panels is shown as a column (engine.figures.narrow.stacked); elsewhere it is not built.
    """
    figure = themed(_spec_of(figure_spec))
    demo = demo_mode.is_on()
    config = {**CONFIG, "toImageButtonOptions": {
        "format": "png", "scale": 2, "filename": figure_filename(st.session_state.get(LESSON_KEY, ""), key)}}
    if demo:
        figure = legible(taller(figure, DEMO_SCALE, DEMO_MAX_HEIGHT), DEMO_FONT)
    drawn(key)
    text = _alt_text(alt, caption)
    if viewport.narrow():
        phone = phone() if callable(phone) else phone
        figure = themed(_spec_of(phone)) if phone is not None else (stacked(figure) or legend_below(figure) or figure)
    st.plotly_chart(SpecFigure(figure), key=key, alt=text, config=config)
    st.caption(caption or alt)


def show_grids(panels, key, alt, caption=None):
    """Small matrices, panels = [(title, values, signed)], as coloured grids of numbers (engine grids_html: light
    HTML, no Plotly figure to draw; its text grows with demo mode's font) under the key `key`, caption below."""
    drawn(key)
    text = _alt_text(alt, caption)
    with st.container(key=key):
        st.html(store("html:grids", FIGURES_PER_BUILDER).get(digest(panels, text), lambda: grids_html(panels, text)))
    st.caption(caption or alt)


def _alt_text(alt, caption):
    """The text alternative: what the figure is, then its caption without the caption's Markdown."""
    return f"{alt} {caption.replace('**', '')}" if caption else alt


def _spec_of(figure):
    return figure.spec if isinstance(figure, SpecFigure) else figure


def taller(figure, scale, max_height):
    """The figure dict with its layout height scaled (up to max_height); unchanged without a height."""
    height = figure.get("layout", {}).get("height")
    if not height:
        return figure
    return {**figure, "layout": {**figure["layout"], "height": min(round(height * scale), max(height, max_height))}}


def legible(figure, size):
    """The figure dict with its layout's text at least `size` px: the default font, titles, every axis's title
    and tick labels (set on each axis, over any theme), annotations, legends, sliders, colour bars, and the
    layouts of animation frames. Text inside the marks (a heatmap's cell values) keeps the builder's size.
    """
    def fonts(value, key=None):  # a copy with every font dict (font, tickfont) at least `size`
        if isinstance(value, dict):
            value = {k: fonts(v, k) for k, v in value.items()}
            if key in ("font", "tickfont"):
                value["size"] = max(value.get("size") or 0, size)
            return value
        return [fonts(v) for v in value] if isinstance(value, list) and key not in _DATA_LISTS else value

    def layout_of(layout):
        layout = fonts(layout)
        for name in [k for k in layout if _AXIS.fullmatch(k)]:
            layout[name] = titled({**layout[name], "tickfont": fonts(layout[name].get("tickfont", {}), "tickfont")})
        legend = layout.get("legend", {})  # set on the figure: Streamlit's theme sizes legends and titles in rem
        return titled({**layout, "font": fonts(layout.get("font", {}), "font"),
                       "legend": {**legend, "font": fonts(legend.get("font", {}), "font")}})

    def titled(part):  # its title's font set (a title given as a bare string becomes {"text": ...})
        title = part.get("title", {})
        title = title if isinstance(title, dict) else {"text": title}
        return {**part, "title": {**title, "font": fonts(title.get("font", {}), "font")}}

    def trace_of(trace):  # its colour bar only: a trace's text and data are left alone
        trace = {**trace, "colorbar": fonts(trace["colorbar"])} if isinstance(trace.get("colorbar"), dict) else trace
        marker = trace.get("marker")
        if isinstance(marker, dict) and isinstance(marker.get("colorbar"), dict):
            trace = {**trace, "marker": {**marker, "colorbar": fonts(marker["colorbar"])}}
        return trace

    out = {**figure, "layout": layout_of(figure.get("layout", {})), "data": [trace_of(t) for t in figure.get("data", ())]}
    if figure.get("frames"):
        out["frames"] = [{**f, "layout": layout_of(f["layout"])} if "layout" in f else f for f in figure["frames"]]
    return out


def figure_filename(lesson, key, max_len=100):
    """convlab-<lesson>-<figure key>, in safe characters.

    No settings from the URL: the name is part of the figure's Plotly config, and a changed config makes
    Plotly draw the figure anew, so a name that followed the controls redrew every figure on the page at every
    interaction (a browser saves a second download of the same name as "name (1).png").
    """
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", "-".join(p for p in ("convlab", lesson, key) if p))[:max_len]
