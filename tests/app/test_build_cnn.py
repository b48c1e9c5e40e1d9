"""The build-your-own-CNN lesson: the table is analyse's, every preset runs, a breaking stack names its layer and
the session goes on, limits and bad links are explained, and a short training run shows the engine's result
next to the shipped digit net."""
import contextlib

import torch

from engine.figures.common import percent
from engine.nets.designed_net import train
from engine.nets.digit_loading import manifest
from engine.ops.layer_text import DIGITS_INPUT, parse
from engine.ops.network_arithmetic import analyse
from tests.app.checks import assert_clean, assert_link_note
from tests.engine.test_build_cnn import PRESETS

PAGE = "build_cnn"
TRAINING = 300  # s: AppTest timeout for a run that trains (generous: the machine may be busy)


def metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def test_defaults_show_the_max_pool_net_computed(open_page):
    at = open_page(PAGE)
    assert_clean(at)
    report = analyse(parse(PRESETS["max-pool"]), DIGITS_INPUT)
    table = at.dataframe[0].value
    assert list(table["layer"]) == [r.name for r in report.rows]
    assert list(table["parameters"]) == [r.params for r in report.rows]
    assert list(table["multiply-adds"]) == [r.macs for r in report.rows]
    assert metric(at, "Parameters") == f"{report.params:,}"
    assert metric(at, "Multiply-adds per image") == f"{report.macs:,}"
    assert f"{report.params:,} parameters" in at.code[0].value
    assert any(i.value.startswith("Not trained yet") for i in at.info)
    assert not at.button(key="bc_train").disabled


def test_every_preset_runs_and_the_session_survives_the_broken_one(open_page):
    at = open_page(PAGE)
    for name, source in PRESETS.items():
        at.button(key=f"preset_{name}").click().run()
        assert not at.exception, name
        assert at.text_input(key="bc_layers").value == source
        if name == "too-deep":
            assert not at.error and [w.value for w in at.warning] == [
                "conv4 (conv 3x3): its 3-cell kernel does not fit the 1-cell input padded to 1 (the map has shrunk "
                "to nothing: remove a downsampling layer before it, or pad more)."]
            assert len(at.dataframe[0].value) == 6  # the six layers that work
        else:
            assert_clean(at)
            assert metric(at, "Parameters") == f"{analyse(parse(source), DIGITS_INPUT).params:,}"
    at.text_input(key="bc_layers").input("conv 8 3 p1; relu; maxpool 4; flatten; linear 10").run()
    assert_clean(at)
    assert metric(at, "Output") == "10"


def test_breaking_stacks_and_unreadable_text_say_where(open_page):
    cases = {"conv 8 3 p1; conv 12 3 g3; flatten; linear 10": "conv2 (conv 3x3 g3): groups = 3 must divide",
             "conv 8 3; linear 10": "fc1 (linear): a linear layer needs a vector",
             "conv 8 3; pool 2": "Layer 2 ('pool 2'): unknown layer 'pool'"}
    for source, message in cases.items():
        at = open_page(PAGE, {"bc_layers": source})
        assert not at.exception
        shown = [m.value for m in (*at.error, *at.warning)]
        assert [m for m in shown if m.startswith(message)], (source, shown)
        assert at.text_input(key="bc_layers").value == source  # kept, to be fixed


def test_a_network_over_the_limits_is_shown_but_not_trained(open_page):
    at = open_page(PAGE, {"bc_layers": "conv 64 3 p1; relu; flatten; linear 10"})
    assert_clean(at)
    assert any("at most 200,000" in w.value for w in at.warning)
    assert not [b for b in at.button if b.key == "bc_train"]


def test_bad_links_get_a_note(open_page):
    assert_link_note(open_page(PAGE, {"bc_epochs": "99"}), {"bc_epochs": "99"})
    too_long = "relu; " * 80  # 480 characters
    at = open_page(PAGE, {"bc_layers": too_long})
    assert_link_note(at, {"bc_layers": too_long})
    assert at.text_input(key="bc_layers").value != too_long
    at = open_page(PAGE, {"tr_epochs": "3"})
    assert "another lesson" in "".join(w.value for w in at.warning)


def test_a_short_run_shows_the_engines_result_next_to_the_shipped_net(open_page):
    source = "conv 4 3 s2 p1; relu; maxpool 2; flatten; linear 10"
    at = open_page(PAGE, {"bc_layers": source, "bc_epochs": "1", "bc_seed": "7"})
    at.button(key="bc_train").click().run(timeout=TRAINING)
    assert_clean(at)
    torch.set_num_threads(1)
    *_, expected = train(parse(source), epochs=1, seed=7)
    rows = at.dataframe[1].value
    assert list(rows["test accuracy"]) == [percent(expected.test_accuracy),
                                           percent(manifest()["models"]["max_pool"]["test_accuracy"])]
    assert rows["moved 2 px"][0] == percent(expected.moved_accuracy)
    assert rows["parameters"][0] == f"{analyse(parse(source), DIGITS_INPUT).params:,}"
    assert any("points below" in m.value or "points above" in m.value for m in at.markdown)


def test_a_busy_server_says_so_at_once_and_keeps_nothing(open_page):
    """Every training slot of the process taken (the CNN-vs-MLP lesson shares them): the press is answered with
    a message, nothing is trained or kept, and the controls unlock."""
    from pages.train_cnn_mlp.slots import SLOTS, training_slot

    at = open_page(PAGE, {"bc_layers": "conv 4 3 s2 p1; relu; maxpool 2; flatten; linear 10", "bc_epochs": "1",
                          "bc_seed": "6"})
    with contextlib.ExitStack() as others:
        assert all(others.enter_context(training_slot()) for _ in range(SLOTS))
        at.button(key="bc_train").click().run(timeout=30)
        assert_clean(at)
        assert ["busy training for other students: your network was not trained" in w.value for w in at.warning] \
            == [True]
        assert len(at.dataframe) == 1 and not at.session_state["_bc_results"]
        assert not at.button(key="bc_train").disabled and not at.text_input(key="bc_layers").disabled
