"""The shared figure caches: a hit is the stored object, each kind is bounded, kinds do not evict each other."""
import numpy as np

from engine.figures.common import class_bars_figure
from engine.figures.grid import grids_figure
from pages.shell import caching, figures
from pages.shell.caching import Store, digest


def test_a_hit_is_the_same_object_and_builds_once():
    calls = []

    def build(values, font_size=15):
        calls.append(1)
        return grids_figure([("A", values, False)], font_size=font_size)

    values = np.arange(6.0).reshape(2, 3)
    first = figures.spec(build, values, font_size=13)
    again = figures.spec(build, values.copy(), font_size=13)  # equal content, another array
    assert again is first and len(calls) == 1
    assert "template" not in first["layout"]  # the theme is added by show(), cut to the figure's traces
    assert first == figures.without_template(grids_figure([("A", values, False)], font_size=13))


def test_different_arguments_are_different_entries():
    base = np.arange(4.0).reshape(2, 2)
    keys = {digest((base,), {}), digest((base.astype(np.float32),), {}), digest((base.reshape(1, 4),), {}),
            digest((base + 1,), {}), digest((base,), {"font_size": 12}), digest((tuple(base.ravel()),), {}),
            digest(("1",), {}), digest((1,), {}), digest((1.0,), {})}
    assert len(keys) == 9
    assert digest((base,), {"a": [1, (2, "x")]}) == digest((base.copy(),), {"a": [1, (2, "x")]})


def test_a_store_is_bounded_and_least_recently_used_goes_first():
    store = Store(max_entries=3)
    for n in range(3):
        store.get(n, lambda n=n: [n])
    kept = store.get(0, lambda: "rebuilt")  # a hit: 0 becomes the most recent
    store.get(3, lambda: [3])
    assert len(store) == 3 and kept == [0] and 1 not in store and 0 in store


def test_one_off_figures_cannot_evict_lesson_figures():
    lesson = figures.spec(grids_figure, [("Lesson", np.eye(3), False)])
    one_off = caching.store(f"figure:{caching.qualname(class_bars_figure)}", figures.ONE_OFF_FIGURES)
    assert caching.qualname(class_bars_figure) in figures.ONE_OFF
    rng = np.random.default_rng(0)
    for _ in range(figures.ONE_OFF_FIGURES + 10):  # many drawings
        figures.spec(class_bars_figure, rng.dirichlet(np.ones(10)))
    assert len(one_off) == figures.ONE_OFF_FIGURES  # bounded
    assert figures.spec(grids_figure, [("Lesson", np.eye(3), False)]) is lesson  # still there


def test_themed_keeps_the_theme_of_the_figure_traces():
    import plotly.graph_objects as go
    import plotly.io as pio
    import streamlit.elements.plotly_chart  # noqa: F401  (registers Streamlit's theme as the default)

    full = go.Figure(go.Heatmap(z=np.eye(2))).to_dict()["layout"]["template"]  # what a go.Figure carries
    themed = figures.themed(figures.spec(grids_figure, [("A", np.eye(2), False)]))["layout"]["template"]
    assert pio.templates.default == "streamlit"
    assert themed["layout"] == full["layout"] and themed["data"] == {"heatmap": full["data"]["heatmap"]}


def test_find_never_builds_and_put_keeps_the_bound_least_recently_used_first():
    store = Store(2)
    assert store.find("a") is None and len(store) == 0  # a miss stores nothing
    run = object()
    assert store.put("a", run) is run and store.find("a") is run
    store.put("b", 2)
    store.find("a")  # "a" is now the most recently used: "b" goes first
    store.put("c", 3)
    assert "a" in store and "b" not in store and "c" in store and len(store) == 2
