"""The build-your-own-CNN engine: the layer text (parse, text, check), the torch network built from it against
analyse (parameters, every layer's shape, multiply-adds by torch's FLOP counter) for every preset of the lesson,
the exported code run, and a short seeded training run."""
import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode

from engine.lessons.schema import LESSONS_DIR, load_lesson
from engine.nets.architectures import NETWORKS, digit_net
from engine.nets.designed_net import Result, build, train
from engine.nets.digit_loading import manifest
from engine.nets.digit_nets import CONFIGS
from engine.ops.layer_text import (DIGITS_INPUT, MAX_LAYERS, MAX_MACS, MAX_PARAMS, LayerTextError, check, parse,
                                   text)
from engine.ops.network_arithmetic import Conv, NetworkError, Pool, ReLU, analyse
from engine.pytorch_code import network_code

PRESETS = {p.name: p.values["bc_layers"] for p in load_lesson(LESSONS_DIR / "build_cnn.md").presets}
WORKING = [name for name in PRESETS if name != "too-deep"]


@pytest.mark.parametrize("name", PRESETS)
def test_presets_read_back_to_their_own_text(name):
    assert text(parse(PRESETS[name])) == PRESETS[name]


def test_the_options_and_spelling_are_read():
    (conv, pool, relu) = parse("  CONV 12 5 s2 p2 d1 g4 ;maxpool 3 s2 p1; relu;")
    assert conv == Conv(12, 5, 2, 2, 1, 4) and pool == Pool("max", 3, 2, 1) and relu == ReLU()
    assert text((conv, pool)) == "conv 12 5 s2 p2 g4; maxpool 3 s2 p1"
    assert parse("avgpool 2 s2")[0] == Pool("avg", 2, 2) and text(parse("avgpool 2 s2")) == "avgpool 2"


@pytest.mark.parametrize("source, message", [
    ("", "empty"),
    ("conv 8 3;; relu", "Layer 2 is empty"),
    ("conv 8", "Layer 1 ('conv 8'): write conv CHANNELS KERNEL"),
    ("relu; dense 10", "Layer 2 ('dense 10'): unknown layer 'dense'"),
    ("relu 2", "'relu' takes no numbers"),
    ("conv 8 3 q1", "'q1' is not an option of conv (options: sN, pN, dN, gN)"),
    ("maxpool 2 g2", "'g2' is not an option of maxpool"),
    ("conv 8 3 p1 p2", "'p' is given twice"),
    ("conv 0 3", "at least 1"),
    ("conv 8 3 s0", "at least 1"),
    ("linear 100000", "too large"),
    ("linear ²", "write linear FEATURES"),
    ("; ".join(["relu"] * (MAX_LAYERS + 1)), f"at most {MAX_LAYERS}"),
    ("relu " * 200, "characters"),
])
def test_text_that_cannot_be_read_says_where_and_what(source, message):
    with pytest.raises(LayerTextError, match=None) as err:
        parse(source)
    assert message in str(err.value)


def test_the_too_deep_preset_breaks_at_its_fourth_convolution():
    with pytest.raises(NetworkError, match=r"^conv4 \(conv 3x3\): .*shrunk to nothing"):
        analyse(parse(PRESETS["too-deep"]), DIGITS_INPUT)
    with pytest.raises(NetworkError, match=r"^conv4"):
        build(parse(PRESETS["too-deep"]))


def test_check_names_the_limits_and_the_ten_classes():
    with pytest.raises(NetworkError, match=f"at most {MAX_PARAMS:,}"):
        check(parse("conv 64 3 p1; relu; flatten; linear 10"))
    with pytest.raises(NetworkError, match=f"at most {MAX_MACS:,}"):
        check(parse("conv 64 3 p1; conv 64 3 p1; gap; flatten; linear 10"))
    with pytest.raises(NetworkError, match="must end with 10"):
        check(parse("conv 8 3 p1; gap; flatten"))
    for name in WORKING:
        assert check(parse(PRESETS[name])).output_shape == (10,)


def test_the_max_pool_preset_is_the_shipped_digit_net():
    layers = parse(PRESETS["max-pool"])
    shipped = analyse(digit_net(CONFIGS["max_pool"]), DIGITS_INPUT)
    report = analyse(layers, DIGITS_INPUT)
    assert (report.params, report.macs) == (shipped.params, shipped.macs) == (
        manifest()["models"]["max_pool"]["parameters"], NETWORKS["digit_max_pool"].report().macs)


@pytest.mark.parametrize("name", WORKING)
def test_the_torch_network_matches_analyse(name):
    layers = parse(PRESETS[name])
    report = analyse(layers, DIGITS_INPUT)
    model = build(layers)
    assert sum(p.numel() for p in model.parameters()) == report.params
    x = torch.zeros(2, *DIGITS_INPUT)
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        for module, row in zip(model, report.rows, strict=True):
            x = module(x)
            assert tuple(x.shape[1:]) == row.output_shape, row.name
    assert counter.get_total_flops() == 2 * 2 * report.macs  # 2 images, 2 FLOPs per multiply-add


@pytest.mark.parametrize("name", WORKING)
def test_the_exported_code_runs_and_builds_the_same_network(name):
    layers = parse(PRESETS[name])
    report = analyse(layers, DIGITS_INPUT)
    scope = {}
    exec(network_code(layers, DIGITS_INPUT, name), scope)  # noqa: S102 (our own generated code)
    assert sum(p.numel() for p in scope["model"].parameters()) == report.params
    assert scope["counter"].get_total_flops() == report.flops
    assert tuple(scope["y"].shape[1:]) == report.output_shape


def test_training_is_short_seeded_and_bounded():
    torch.set_num_threads(1)
    layers = parse("conv 4 3 p1 s2; relu; maxpool 2; flatten; linear 10")
    *progress, result = train(layers, epochs=2, seed=3)
    assert isinstance(result, Result) and not result.stopped_early
    assert result.parameters == analyse(layers, DIGITS_INPUT).params
    assert progress[-1].fraction == 1 and [r.epoch for r in result.epochs] == [1, 2]
    assert result.test_accuracy == result.epochs[-1].test_accuracy > 0.5  # far above chance (0.1)
    *_, again = train(layers, epochs=2, seed=3)
    assert (again.test_accuracy, again.moved_accuracy) == (result.test_accuracy, result.moved_accuracy)
    *_, cut = train(layers, epochs=2, seed=3, budget=0)  # the time budget is spent after the first epoch
    assert cut.stopped_early and len(cut.epochs) == 1


def test_the_demo_scripts_claims():
    """Half the channels: conv2's weights / 4, conv1's and the linear layer's / 2; all-conv: about a third of the
    max-pool net's parameters; max-pool: the linear layer holds most parameters, the convolutions most MACs."""
    rows = lambda name: {r.name: r for r in analyse(parse(PRESETS[name]), DIGITS_INPUT).rows}  # noqa: E731
    full, half = rows("max-pool"), rows("small")
    weights = lambda r: r.macs // (r.output_shape[1] * r.output_shape[2]) if len(r.output_shape) == 3 else r.macs  # noqa: E731
    assert [weights(full[n]) / weights(half[n]) for n in ("conv1", "conv2", "fc1")] == [2, 4, 2]
    params = lambda name: analyse(parse(PRESETS[name]), DIGITS_INPUT).params  # noqa: E731
    assert 0.28 < params("all-conv") / params("max-pool") < 0.36
    assert full["fc1"].params > params("max-pool") / 2
    assert full["conv1"].macs + full["conv2"].macs > sum(r.macs for r in full.values()) / 2
