"""The CNN-vs-MLP lesson: the page runs, a Train button trains live and its table row is the engine's run, "Train
all four" fills the table, a run stopped half-way leaves nothing behind but a note, and a busy server (every
training slot taken) says so at once. One epoch per run."""
import contextlib

import pytest
import torch

from engine.figures.common import percent
from engine.figures.training_figures import run_label
from engine.nets.train_pixel_order import run
from tests.app.checks import assert_clean

PAGE = "train_cnn_mlp.py"
ONE_EPOCH = {"tr_epochs": "1", "tr_seed": "2"}  # seed 2: runs no other test file trains
TRAINING = 300  # s: AppTest timeout for a run that trains (generous: the machine may be busy)
torch.set_num_threads(1)  # as the page trains: the same numbers to the last bit


@pytest.fixture(scope="module")
def engine_runs():
    """The engine's own results for the page's settings, computed on demand and kept."""
    done = {}

    def get(kind, shuffled):
        if (kind, shuffled) not in done:
            done[kind, shuffled] = run(kind, shuffled, epochs=1, seed=2)
        return done[kind, shuffled]
    return get


def table(at):
    (frame,) = [t.value for t in at.table]
    return frame


def test_page_runs_and_waits_for_a_click(open_page):
    at = open_page(PAGE)
    assert_clean(at)
    assert not at.table, "nothing is trained before a button is pressed"
    assert any("No finished runs yet" in i.value for i in at.info)
    buttons = [at.button(key=k) for k in ("tr_train_cnn_original", "tr_train_cnn_shuffled", "tr_train_mlp_original",
                                          "tr_train_mlp_shuffled", "tr_train_all")]
    assert not any(b.disabled for b in buttons)
    assert at.slider(key="tr_epochs").value == 8 and not at.slider(key="tr_epochs").disabled


def test_one_run_shows_the_engines_result(open_page, engine_runs):
    at = open_page(PAGE, ONE_EPOCH)
    at.button(key="tr_train_cnn_shuffled").click().run(timeout=TRAINING)
    assert_clean(at)
    rows = table(at)
    label = run_label("cnn", True)
    assert list(rows.index) == [label]
    expected, kept = engine_runs("cnn", True), at.session_state["_tr_results"][("cnn", True, 1, 2)]
    assert (kept.test_accuracy, kept.moved_accuracy) == (expected.test_accuracy, expected.moved_accuracy)
    assert rows.loc[label, "Test accuracy"] == percent(expected.test_accuracy)
    assert rows.loc[label, "Moved 2 px accuracy"] == percent(expected.moved_accuracy)
    assert rows.loc[label, "Rolled 4 px accuracy"] == percent(expected.rolled_accuracy)
    assert kept.rolled_accuracy == expected.rolled_accuracy
    assert rows.loc[label, "Parameters"] == f"{expected.parameters:,}"
    assert not at.button(key="tr_train_all").disabled and not at.slider(key="tr_epochs").disabled
    assert at.session_state["_tr_last"].startswith(f"Finished: {label}, 1 epoch, seed 2")
    # the two times on the page measure the same thing, or say what each measures
    assert rows.loc[label, "Training seconds"] == f"{kept.seconds:.1f}"
    assert f"of which {kept.seconds:.1f} s training (the table's Training seconds)" in at.session_state["_tr_last"]
    assert "_tr_running" not in at.session_state, "a finished run is not reported as stopped"
    at.run()  # a rerun does not train again
    assert list(table(at).index) == [label]


def test_train_all_four_fills_the_table_and_the_mlps_agree(open_page, engine_runs):
    at = open_page(PAGE, ONE_EPOCH)
    at.button(key="tr_train_all").click().run(timeout=TRAINING)
    assert_clean(at)
    rows = table(at)
    labels = [run_label(k, s) for k in ("cnn", "mlp") for s in (False, True)]
    assert list(rows.index) == labels
    mlp, shuffled = rows.loc[labels[2]], rows.loc[labels[3]]
    assert mlp["Test accuracy"] == shuffled["Test accuracy"]
    assert mlp["Moved 2 px accuracy"] == shuffled["Moved 2 px accuracy"]
    a, b = engine_runs("mlp", False), engine_runs("mlp", True)
    assert mlp["Test accuracy"] == percent(a.test_accuracy) and shuffled["Test accuracy"] == percent(b.test_accuracy)
    kept = at.session_state["_tr_results"]
    assert kept[("mlp", False, 1, 2)].test_accuracy == kept[("mlp", True, 1, 2)].test_accuracy == a.test_accuracy
    same, n = int((a.predictions == b.predictions).sum()), len(a.predictions)
    claim = f"same predictions on all {n} test digits" if same == n else f"same prediction on {same} of {n}"
    assert any(claim in m.value for m in at.markdown), "the agreement is counted from the runs on the page"
    c, m = engine_runs("cnn", True), engine_runs("mlp", True)
    rolled = next(x.value for x in at.markdown if "rolled 4 pixels sideways" in x.value)
    assert f"CNN {percent(c.test_accuracy)} → {percent(c.rolled_accuracy)}" in rolled
    assert f"MLP {percent(m.test_accuracy)} → {percent(m.rolled_accuracy)}" in rolled
    assert at.session_state["_tr_last"].startswith("Finished: all 4 runs")
    charts = [c.proto.id for c in at.get("plotly_chart")]
    for key in ("tr_digits_fig", "tr_epochs_fig", "tr_weights_fig"):  # digits, comparison curves, MLP weights
        assert any(key in chart for chart in charts), (key, charts)


def test_a_stopped_run_keeps_nothing_and_says_so(open_page):
    at = open_page(PAGE, ONE_EPOCH)
    at.session_state["_tr_running"] = run_label("cnn", False)  # what a rerun mid-run leaves behind
    at.run()
    assert_clean(at)
    assert any("was stopped" in i.value and run_label("cnn", False) in i.value for i in at.info)
    assert not at.table
    at.run()
    assert not any("was stopped" in i.value for i in at.info), "the note is shown once"


def test_a_busy_server_says_so_instead_of_stalling(open_page):
    """Every training slot taken (another student trains): the press is answered at once with a message, the
    controls unlock, nothing is kept; with the slot free again the same press trains."""
    from pages.train_cnn_mlp.slots import SLOTS, training_slot

    at = open_page(PAGE, {"tr_epochs": "1", "tr_seed": "9"})  # seed 9: trained by no other test
    with contextlib.ExitStack() as others:
        assert all(others.enter_context(training_slot()) for _ in range(SLOTS))
        at.button(key="tr_train_mlp_original").click().run(timeout=30)
        assert_clean(at)
        (busy,) = [w.value for w in at.warning]
        assert "busy training for other students" in busy and run_label("mlp", False) in busy
        assert not at.table and "_tr_running" not in at.session_state
        assert not at.button(key="tr_train_all").disabled and not at.slider(key="tr_epochs").disabled
    at.button(key="tr_train_mlp_original").click().run(timeout=TRAINING)
    assert_clean(at)
    assert not at.warning and list(table(at).index) == [run_label("mlp", False)]
