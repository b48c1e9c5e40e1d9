"""One layout per figure: rows of panels on a wide screen, a column once the browser reports a phone-sized one
(pages/shell/viewport.py); never both."""
import json

from tests.app.checks import assert_clean


def charts(at):
    return {c.proto.id: json.loads(c.proto.spec) for c in at.get("plotly_chart")}


def y_domains(figure):
    return sorted(tuple(v["domain"]) for k, v in figure["layout"].items() if k.startswith("yaxis"))


def test_a_phone_report_swaps_rows_for_columns_without_adding_figures(open_page):
    at = open_page("cross_correlation")
    wide = charts(at)
    photos = next(f for f in wide.values() if len(y_domains(f)) == 4)
    assert set(y_domains(photos)) == {(0.0, 1.0)}  # four panels side by side
    at.session_state["_convlab_viewport"] = {"narrow": True}  # what the browser's report sets
    at.run()
    assert_clean(at)
    narrow = charts(at)
    assert len(narrow) == len(wide)
    stacked = next(f for f in narrow.values() if len(y_domains(f)) == 4)
    bottoms = [lo for lo, _ in y_domains(stacked)]
    assert len(set(bottoms)) == 4  # one above the other
