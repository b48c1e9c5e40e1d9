"""Instructor demo mode and accessibility, through AppTest: scripts, hidden parts, shared links,
auto-advance, figure captions and PNG options. (Walking every script step by step: test_pages.py.)"""
import json
import time
from urllib.parse import parse_qsl, urlsplit

import pytest

from engine.lessons import load_lessons
from pages.shell import controls, demo_mode, demo_tools
from pages.shell.figures import DEMO_FONT, figure_filename, legible, taller
from tests.app.checks import assert_clean, assert_link_note, assert_values, go_to_step, step_of

LESSONS = load_lessons()
XC = next(l for l in LESSONS if l.slug == "cross_correlation")


def narration(at):
    return next(m.value for m in at.markdown if m.value.startswith(("**Step", "**Demo script")))


def demo_page(open_page, lesson, **query):
    return open_page(f"{lesson.page}.py", {"demo": "1", **query})


def preset_values(lesson, index):
    """The widget values demo step `index` (1-based) shows: its preset, with its animation frame."""
    step = lesson.demo[index - 1]
    values = dict(lesson.preset(step.preset).values)
    return {**values, lesson.step_key: step.step} if step.step is not None else values


# ---- the scripts -------------------------------------------------------------------------------

@pytest.mark.parametrize("lesson", LESSONS, ids=lambda l: l.slug)
def test_every_lesson_has_a_demo_script_of_5_to_12_steps(lesson):
    assert 5 <= len(lesson.demo) <= 12, f"{lesson.slug}: {len(lesson.demo)} demo steps"
    assert all(len(step.say) >= 20 for step in lesson.demo), "every step has a line of narration"
    assert len({step.preset for step in lesson.demo}) >= 3, "a story walks through several presets"


def test_a_bare_script_link_opens_that_step_and_bad_steps_are_explained(open_page):
    at = demo_page(open_page, XC, demo_step="3")
    assert_clean(at)
    assert narration(at).startswith(f"**Step 3 / {len(XC.demo)}**")
    assert_values(at, preset_values(XC, 3))
    at = demo_page(open_page, XC, demo_step="99")
    assert_link_note(at, {"demo_step": "99"})
    assert narration(at).startswith("**Demo script")


def test_back_and_next_stop_at_the_ends(open_page):
    n = len(XC.demo)
    at = demo_page(open_page, XC, demo_step=str(n))
    assert at.button(key="demo_next").disabled and not at.button(key="demo_back").disabled
    at.button(key="demo_back").click().run()
    assert narration(at).startswith(f"**Step {n - 1} / {n}**")
    assert at.query_params["demo_step"] == str(n - 1)


def test_lesson_links_keep_demo_mode_and_hidden_groups(open_page):
    at = demo_page(open_page, XC, hide="presets,xc_pad,tools")  # xc_pad is this page's own widget
    links = [link.proto for link in at.sidebar.get("page_link")]
    assert len(links) == len(LESSONS) + 1
    for link in links:
        assert dict(parse_qsl(link.query_string)) == {"demo": "1", "hide": "presets,tools"}


# ---- hiding parts of a page --------------------------------------------------------------------

def hide_styles(at):
    return "".join(h.proto.body for h in at.get("html") if ".st-key-" in h.proto.body and "display: none" in h.proto.body)


def test_hide_names_groups_and_single_controls_and_stays_in_the_link(open_page):
    at = open_page("cross_correlation.py", {"hide": "presets,controls,xc_pad,xc_step,xc_flip_fig"})
    assert_clean(at)
    assert not at.warning
    css = hide_styles(at)
    for selector in (controls.HIDE_GROUPS["presets"], controls.HIDE_GROUPS["controls"], ".st-key-xc_pad",
                     ".st-key-ctl_xc_step", ".st-key-xc_flip_fig"):
        assert selector in css
    assert ".st-key-xc_op" not in css
    go_to_step(at, "xc_step", step_of(at, "xc_step") + 1)
    assert at.query_params["hide"] == "presets,controls,xc_pad,xc_step,xc_flip_fig"
    assert step_of(at, "xc_step") == 1, "a hidden stepper still steps (its keys work)"


@pytest.mark.parametrize("value", ["<b>x</b>", "presets;controls", "a" * 50])
def test_malformed_hide_values_are_explained(open_page, value):
    at = open_page("cross_correlation.py", {"hide": value})
    assert_link_note(at, {"hide": value})
    assert "<b>" not in hide_styles(at)


def test_unknown_hide_names_are_named_in_the_note(open_page):
    at = open_page("padding.py", {"hide": "presets,pd_modee"})
    assert_link_note(at, {"hide": "x"})
    notes = "".join(w.value for w in at.warning)
    assert "`pd_modee`" in notes and "`presets`" not in notes
    assert controls.HIDE_GROUPS["presets"] in hide_styles(at)


def test_hide_css_only_takes_safe_names():
    css = controls.hide_css(["tools", "pd_mode", "x{}</style><b>", "A"])
    assert controls.HIDE_GROUPS["tools"] in css and ".st-key-pd_mode" in css
    assert "<b>" not in css and "st-key-A" not in css and css.count("<style>") == 1
    assert controls.hide_css([]) == ""


# ---- share this view ---------------------------------------------------------------------------

def shared_link(at):
    at.session_state["demo_share"] = True  # open the popover (it reruns the app when opened)
    at.run()
    (code,) = [c.value for c in at.code if c.value.startswith(("?", "http"))]
    return code


def test_share_this_view_reproduces_the_view(open_page):
    at = demo_page(open_page, XC, hide="presets", demo_every="5")
    for _ in range(4):
        at.button(key="demo_next").click().run()
    go_to_step(at, "xc_step", step_of(at, "xc_step") + 1)  # a frame within the step
    frame = step_of(at, "xc_step")
    assert frame == (XC.demo[3].step or 0) + 1
    link = shared_link(at)
    query = dict(parse_qsl(urlsplit(link).query))
    assert query["demo"] == "1" and query["demo_step"] == "4" and query["hide"] == "presets"
    assert query["demo_every"] == "5"
    assert query == dict(at.query_params)

    again = demo_page(open_page, XC, **{k: v for k, v in query.items() if k != "demo"})
    assert_clean(again)
    assert narration(again) == narration(at)
    for key in [*preset_values(XC, 4), "demo_every"]:
        if key != "xc_step":
            assert again.session_state[key] == at.session_state[key], key
    assert step_of(again, "xc_step") == frame, "the link keeps the frame within the step"


def test_share_url_round_trips_every_value():
    params = {"demo": "1", "xc_x": "0 1; 2 3", "xc_k": "1/8 -2", "hide": "presets,xc_pad", "xc_op": "a&b=c"}
    link = demo_tools.share_url("http://host:8501/cross_correlation", params)
    parts = urlsplit(link)
    assert (parts.scheme, parts.netloc, parts.path) == ("http", "host:8501", "/cross_correlation")
    assert dict(parse_qsl(parts.query)) == params
    assert " " not in link
    assert demo_tools.share_url("http://host/x", {}) == "http://host/x"


# ---- auto-advance ------------------------------------------------------------------------------

def test_space_button_turns_auto_advance_on_and_off_and_keeps_it_in_the_link(open_page):
    at = demo_page(open_page, XC)
    at.button(key="demo_play").click().run()
    assert at.button(key="demo_play").label == "Pause"
    assert at.query_params["demo_auto"] == "1"
    assert narration(at).startswith("**Step 1 /"), "starting auto-advance shows the first step at once"
    at.button(key="demo_play").click().run()
    assert at.button(key="demo_play").label == "Auto-advance"
    assert "demo_auto" not in at.query_params


def test_auto_advance_moves_on_when_due_and_stops_at_the_last_step(open_page):
    n = len(XC.demo)
    at = demo_page(open_page, XC, demo_auto="1")  # a kiosk link starts the script
    assert narration(at).startswith(f"**Step 1 / {n}**")
    at.run()
    assert narration(at).startswith(f"**Step 1 / {n}**"), "not due yet: no step"
    for index in range(2, n + 1):
        at.session_state[demo_mode.AUTO_AT] = time.monotonic() - 3600  # the interval has passed
        at.run()
        assert_clean(at)
        assert narration(at).startswith(f"**Step {index} / {n}**")
        assert_values(at, preset_values(XC, index))
    assert at.button(key="demo_play").label == "Auto-advance", "stopped at the last step"
    assert "demo_auto" not in at.query_params
    at.session_state[demo_mode.AUTO_AT] = time.monotonic() - 3600
    at.run()
    assert narration(at).startswith(f"**Step {n} / {n}**")


def test_the_tick_is_due_after_the_interval():
    assert demo_mode.due(now=108.0, last=100.0, every=8)
    assert demo_mode.due(now=107.9, last=100.0, every=8), "a timer tick a little early still counts"
    assert not demo_mode.due(now=105.0, last=100.0, every=8)


@pytest.mark.parametrize("query", [{"demo_auto": "yes"}, {"demo_every": "1"}, {"demo_every": "fast"}])
def test_bad_auto_advance_values_are_explained(open_page, query):
    at = demo_page(open_page, XC, **query)
    assert_link_note(at, query)
    assert at.button(key="demo_play").label == "Auto-advance"


def test_a_bad_demo_value_is_explained_and_leaves_demo_mode_off(open_page):
    at = open_page("cross_correlation.py", {"demo": "<i>yes</i>"})
    assert_link_note(at, {"demo": "x"})
    assert not [b for b in at.button if b.key == "demo_next"]


# ---- figures: text alternatives, captions, PNG -------------------------------------------------

def test_demo_mode_makes_figures_taller_and_their_text_projector_sized(open_page):
    def charts(at):
        return {json.loads(c.proto.config)["toImageButtonOptions"]["filename"]: c for c in at.get("plotly_chart")}

    plain, demo = open_page("dilation.py"), demo_page(open_page, next(l for l in LESSONS if l.slug == "dilation"))
    name = "convlab-dilation-dl_growth_fig"  # the same figure, whatever the settings
    normal = json.loads(charts(plain)[name].proto.spec)["layout"]
    assert json.loads(charts(demo)[name].proto.spec)["layout"]["height"] > normal["height"]
    assert min(font_sizes(normal)) < DEMO_FONT, "the check below could fail"
    for chart in charts(demo).values():  # every figure's titles, axes, annotations and legend
        layout = json.loads(chart.proto.spec)["layout"]
        assert min(font_sizes(layout)) >= DEMO_FONT, chart.proto.id
        assert all(layout[a]["tickfont"]["size"] >= DEMO_FONT for a in layout if a.startswith(("xaxis", "yaxis")))


def font_sizes(value, key=None):
    """Every font size in a figure's layout: each font or tickfont dict's size (Plotly's 12 when it has none)."""
    if isinstance(value, dict):
        own = [value.get("size", 12)] if key in ("font", "tickfont") else []
        return own + [size for k, v in value.items() for size in font_sizes(v, k)]
    return [size for v in value for size in font_sizes(v)] if isinstance(value, list) else []


def test_legible_raises_layout_text_and_leaves_the_marks_and_the_cache_alone():
    figure = {"data": [{"type": "heatmap", "z": [[1]], "textfont": {"size": 9}, "colorbar": {"tickfont": {"size": 10}}}],
              "layout": {"font": {"size": 14}, "xaxis": {"tickfont": {"size": 11}}, "yaxis2": {"title": "t"},
                         "annotations": [{"text": "a", "font": {"size": 24}}], "images": [{"source": "data:"}]},
              "frames": [{"layout": {"title": {"text": "step 1", "font": {"size": 18}}}}]}
    out = legible(figure, 20)
    assert out["layout"]["font"]["size"] == 20 and out["layout"]["xaxis"]["tickfont"]["size"] == 20
    assert out["layout"]["yaxis2"]["title"] == {"text": "t", "font": {"size": 20}}
    assert out["layout"]["annotations"][0]["font"]["size"] == 24, "larger text stays larger"
    assert out["data"][0]["colorbar"]["tickfont"]["size"] == 20 and out["data"][0]["textfont"]["size"] == 9
    assert out["frames"][0]["layout"]["title"]["font"]["size"] == 20
    assert figure["layout"]["font"]["size"] == 14 and figure["data"][0]["colorbar"]["tickfont"]["size"] == 10


def test_figure_file_names_are_short_and_safe_and_do_not_follow_the_controls():
    name = figure_filename("padding", "pd_counts_fig")
    assert name == "convlab-padding-pd_counts_fig"
    assert figure_filename("a/../b", "c d") == "convlab-a_.._b-c_d"
    assert len(figure_filename("a" * 80, "b" * 80)) == 100


def test_taller_scales_the_height_within_limits():
    figure = {"data": [], "layout": {"height": 300, "title": "t"}}
    assert taller(figure, 1.4, 620)["layout"] == {"height": 420, "title": "t"}
    assert taller({"layout": {"height": 600}}, 1.4, 620)["layout"]["height"] == 620
    assert taller({"layout": {}}, 1.4, 620) == {"layout": {}}
    assert figure["layout"]["height"] == 300, "the cached figure is not changed"
