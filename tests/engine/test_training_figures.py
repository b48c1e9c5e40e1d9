"""The CNN-vs-MLP lesson's figures and sentences (engine/figures/training_figures.py): every image, point and
number drawn or written comes from its input, checked against a direct computation."""
import re
from types import SimpleNamespace

import numpy as np
import plotly.graph_objects as go
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.figures.common import percent
from engine.figures.grid import to_display_bytes
from engine.figures.training_figures import (RUNS, comparison_sentences, epoch_curves_figure, image_rows_figure,
                                             neighbour_distance, points, run_label, same_predictions,
                                             training_curves_figure)
from engine.nets.pixel_order import permutation
from engine.nets.train_pixel_order import Progress, Result, train

EPOCHS = 2


@pytest.fixture(scope="module")
def mlp_runs():
    """Both MLP runs, 2 epochs (about a second): {shuffled: (Progress records, Result)}."""
    out = {}
    for shuffled in (False, True):
        *records, result = train("mlp", shuffled, epochs=EPOCHS, seed=3)
        out[shuffled] = (records, result)
    return out


def fake(test, moved, predictions, rolled=0.5):
    return SimpleNamespace(test_accuracy=test, moved_accuracy=moved, rolled_accuracy=rolled,
                           predictions=np.asarray(predictions))


# --- labels --------------------------------------------------------------------------------------------

def test_run_labels_name_model_and_pixel_order():
    labels = [run_label(*run) for run in RUNS]
    assert len(set(labels)) == 4
    for (kind, shuffled), label in zip(RUNS, labels):
        assert label.startswith(kind.upper()) and ("shuffled" in label) == shuffled
    with pytest.raises(ValueError, match="cnn or mlp"):
        run_label("resnet", False)


def test_points_are_signed_percentage_points():
    assert points(0.031) == "+3.1 points" and points(-0.5) == "-50.0 points" and points(0) == "+0.0 points"


# --- image rows ----------------------------------------------------------------------------------------

@settings(max_examples=25, deadline=None)
@given(n_rows=st.integers(1, 3), n_cols=st.integers(1, 5), h=st.integers(2, 6), w=st.integers(2, 6),
       seed=st.integers(0, 2**16))
def test_image_rows_put_each_image_in_its_row_and_column(n_rows, n_cols, h, w, seed):
    rng = np.random.default_rng(seed)
    rows = [(f"row {r}", rng.normal(size=(n_cols, h, w)), bool(r % 2)) for r in range(n_rows)]
    fig = image_rows_figure(rows, column_titles=[f"c{c}" for c in range(n_cols)], gap=2)
    assert len(fig.data) == n_rows * n_cols
    boxes = []
    for r, (label, images, signed) in enumerate(rows):
        for c, image in enumerate(images):
            trace = fig.data[r * n_cols + c]
            assert np.array_equal(np.asarray(trace.z), to_display_bytes(image, signed))
            assert (trace.colorscale[0][1].replace(" ", "") == "rgb(0,0,0)") != signed  # gray from black
            boxes.append((trace.x0, trace.x0 + w - 1, trace.y0, trace.y0 + h - 1))
            assert (trace.x0, trace.y0) == (c * (w + 2), r * (h + 2))
        note = next(a for a in fig.layout.annotations if a.text == label)
        assert r * (h + 2) <= note.y <= r * (h + 2) + h - 1 and note.xanchor == "right"  # beside its row
    for i, a in enumerate(boxes):  # no two images overlap
        for b in boxes[i + 1:]:
            assert a[1] < b[0] or b[1] < a[0] or a[3] < b[2] or b[3] < a[2]
    x_lo, x_hi = fig.layout.xaxis.range
    y_bottom, y_top = fig.layout.yaxis.range
    assert x_lo <= min(b[0] for b in boxes) - 0.5 and x_hi >= max(b[1] for b in boxes) + 0.5
    assert y_top <= -0.5 and y_bottom >= max(b[3] for b in boxes) + 0.5  # first row at the top
    titles = [a for a in fig.layout.annotations if a.text.startswith("c")]
    assert [t.text for t in titles] == [f"c{c}" for c in range(n_cols)]
    assert all(c * (w + 2) <= t.x <= c * (w + 2) + w - 1 for c, t in enumerate(titles))


def test_signed_images_put_zero_at_the_middle_of_the_scale():
    image = np.array([[-2.0, 0.0], [1.0, 2.0]])
    z = np.asarray(image_rows_figure([("w", image[None], True)]).data[0].z)
    assert z[0, 0] == 0 and z[1, 1] == 255 and z[0, 1] in (127, 128)


@pytest.mark.parametrize("rows,titles,message", [
    ([], None, "at least one row"),
    ([("a", np.zeros((2, 3, 3)), False), ("b", np.zeros((3, 3, 3)), False)], None, "same number"),
    ([("a", np.zeros((2, 3, 3)), False), ("b", np.zeros((2, 3, 4)), False)], None, "same size"),
    ([("a", np.zeros((3, 3)), False)], None, "(n, H, W)"),
    ([("a", np.zeros((2, 3, 3)), False)], ["only one"], "column titles"),
])
def test_image_rows_reject_unusable_input(rows, titles, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        image_rows_figure(rows, column_titles=titles)


# --- curves --------------------------------------------------------------------------------------------

def test_training_curves_draw_the_records_against_epochs_done(mlp_runs):
    records, result = mlp_runs[False]
    fig = training_curves_figure(records, EPOCHS, "MLP")
    loss, train_acc, test_acc, moved_acc = fig.data
    assert np.allclose(loss.x, [r.fraction * EPOCHS for r in records])
    assert np.allclose(loss.y, [r.train_loss for r in records])
    assert np.allclose(train_acc.y, [r.train_accuracy for r in records])
    assert list(test_acc.x) == pytest.approx(list(range(1, EPOCHS + 1)))  # one point at each epoch's end
    assert list(test_acc.y) == pytest.approx([r.test_accuracy for r in result.epochs])
    assert list(moved_acc.y) == pytest.approx([r.moved_accuracy for r in result.epochs])
    assert fig.layout.xaxis.range[0] == 0 and fig.layout.xaxis.range[1] >= EPOCHS  # room for the whole run
    assert fig.layout.yaxis2.range[1] >= 1 and fig.layout.title.text == "MLP"


def test_training_curves_while_the_first_epoch_runs_have_no_test_points(mlp_runs):
    records, _ = mlp_runs[True]
    first = [r for r in records if r.epoch == 1 and r.test_accuracy is None][:5]
    fig = training_curves_figure(first, EPOCHS)
    assert len(fig.data[0].x) == 5 and len(fig.data[2].x) == 0
    with pytest.raises(ValueError, match="epochs"):
        training_curves_figure(first, 0)


def test_epoch_curves_show_every_finished_run_epoch_by_epoch(mlp_runs):
    runs = {run_label("mlp", s): mlp_runs[s][1].epochs for s in (False, True)}
    fig = go.Figure(epoch_curves_figure(runs))  # a plain dict, checked property by property here
    assert len(fig.data) == 3 * len(runs)  # three panels, one line per run in each
    for label, records in runs.items():
        lines = [t for t in fig.data if t.name == label]
        assert [list(t.x) for t in lines] == [list(range(1, EPOCHS + 1))] * 3
        assert list(lines[0].y) == pytest.approx([r.test_accuracy for r in records])
        assert list(lines[1].y) == pytest.approx([r.moved_accuracy for r in records])
        assert list(lines[2].y) == pytest.approx([r.train_loss for r in records])
    assert fig.layout.yaxis.tickformat == fig.layout.yaxis2.tickformat == ".0%"
    assert fig.layout.yaxis3.rangemode == "tozero"


def test_epoch_curves_need_runs_of_one_length(mlp_runs):
    records = mlp_runs[False][1].epochs
    with pytest.raises(ValueError, match="different lengths"):
        epoch_curves_figure({"a": records, "b": records[:1]})
    with pytest.raises(ValueError, match="at least one run"):
        epoch_curves_figure({})


# --- sentences -----------------------------------------------------------------------------------------

def test_neighbour_distance_is_one_for_orders_that_keep_neighbours():
    side = 28
    grid = np.arange(side * side).reshape(side, side)
    for perm in (grid.ravel(), grid.T.ravel(), grid[::-1].ravel(), grid.ravel()[::-1]):
        assert neighbour_distance(perm, side) == pytest.approx(1.0)
    assert neighbour_distance(permutation()) > 10  # the lesson's order scatters neighbours
    with pytest.raises(ValueError, match="permutation"):
        neighbour_distance(np.zeros(side * side, int))


@settings(max_examples=30, deadline=None)
@given(side=st.integers(2, 6), seed=st.integers(0, 2**16))
def test_neighbour_distance_matches_a_direct_count(side, seed):
    perm = np.random.default_rng(seed).permutation(side * side)
    where = {i: divmod(int(p), side) for i, p in enumerate(perm)}  # shuffled index -> original (row, col)
    distances = []
    for r in range(side):
        for c in range(side):
            for r2, c2 in ((r, c + 1), (r + 1, c)):
                if r2 < side and c2 < side:
                    (a, b), (d, e) = where[r * side + c], where[r2 * side + c2]
                    distances.append(((a - d) ** 2 + (b - e) ** 2) ** 0.5)
    assert neighbour_distance(perm, side) == pytest.approx(np.mean(distances))


def test_sentences_state_the_runs_numbers_and_count_agreements():
    labels = np.arange(20) % 10
    results = {("cnn", False): fake(0.99, 0.98, labels), ("cnn", True): fake(0.97, 0.5, labels, rolled=0.96),
               ("mlp", False): fake(0.95, 0.47, labels), ("mlp", True): fake(0.95, 0.47, labels, rolled=0.12)}
    cnn, mlp, original, shuffled, rolled = comparison_sentences(results)
    assert f"CNN {percent(0.97)} → {percent(0.96)} ({points(0.96 - 0.97)})" in rolled
    assert f"MLP {percent(0.95)} → {percent(0.12)} ({points(0.12 - 0.95)})" in rolled
    assert percent(0.99) in cnn and percent(0.5) in cnn and points(0.97 - 0.99) in cnn and points(0.5 - 0.98) in cnn
    assert "same predictions on all 20 test digits" in mlp
    assert points(0.99 - 0.95) in original and points(0.98 - 0.47) in original
    assert points(0.97 - 0.95) in shuffled and points(0.5 - 0.47) in shuffled
    changed = labels.copy()
    changed[[3, 7, 11]] += 1
    results[("mlp", True)] = fake(0.9, 0.4, changed)
    assert "same prediction on 17 of 20 test digits" in comparison_sentences(results)[1]


@pytest.mark.parametrize("present", [(), (0,), (0, 2), (1, 3), (2, 3), (0, 1)])
def test_sentences_need_their_runs(present):
    results = {RUNS[i]: fake(0.9, 0.5, [1, 2]) for i in present}
    sentences = comparison_sentences(results)
    expected = ({0, 1} <= set(present)) + ({2, 3} <= set(present)) + ({0, 2} <= set(present)) \
        + ({1, 3} <= set(present)) + bool({1, 3} & set(present))
    assert len(sentences) == expected


def test_real_mlp_runs_are_compared_on_their_own_predictions(mlp_runs):
    a, b = mlp_runs[False][1], mlp_runs[True][1]
    assert isinstance(a, Result) and isinstance(mlp_runs[False][0][0], Progress)
    same, n = same_predictions(a, b)
    assert n == len(a.predictions) and same == sum(int(x == y) for x, y in zip(a.predictions, b.predictions))
    sentence, rolled = comparison_sentences({("mlp", False): a, ("mlp", True): b})
    assert (f"all {n} test digits" in sentence) == (same == n)
    assert f"MLP {percent(b.test_accuracy)} → {percent(b.rolled_accuracy)}" in rolled
    assert not re.search(r"CNN \d", rolled)  # no CNN run, no CNN number
    with pytest.raises(ValueError, match="different digits"):
        same_predictions(a, fake(0, 0, [1, 2, 3]))
