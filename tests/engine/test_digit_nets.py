"""The trained digit CNNs (engine/nets): shipped weights and manifest, activations, SE blocks, gate overrides."""
import json
from dataclasses import FrozenInstanceError, asdict

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.data.digits import example, load_split, shift
from engine.nets import digit_loading, train_digits
from engine.nets.digit_nets import CONFIGS, GAP_HEAD, DigitNetConfig, build, config, parameter_count
from engine.nets.train_digits import MODELS_DIR, TrainConfig

NAMES = ("max_pool", "avg_pool", "strided", "global_pool", "se", "se_r2", "se_r8", "max_pool_gap", "avg_pool_gap",
         "strided_gap")
UPSAMPLERS = ("transposed_k3", "transposed_k4", "resize_conv")


@pytest.fixture(scope="module")
def split():
    return load_split()


@pytest.fixture(scope="module")
def shipped():
    return json.loads((MODELS_DIR / "manifest.json").read_text())


def fresh(name):
    """The shipped weights loaded again, independently of digit_loading's cache."""
    model = build(name)
    state = torch.load(MODELS_DIR / f"digits_{name}.pt", map_location="cpu", weights_only=True)
    missing, unexpected = model.load_state_dict(state, strict=True)
    assert not missing and not unexpected
    return model.eval()


def tensor(images):
    return torch.tensor(np.array(images, dtype=np.float32)).reshape(-1, 1, 28, 28)


# --- shipped weights and manifest --------------------------------------------------------------------

@pytest.mark.parametrize("name", NAMES)
def test_shipped_weights_reload_strictly_and_reproduce_the_manifest_accuracy(name, shipped, split):
    model = fresh(name)
    with torch.inference_mode():
        predicted = model(tensor(split.test_x)).argmax(dim=1).numpy()
    measured = float(np.mean(predicted == split.test_y))
    recorded = shipped["digits"]["models"][name]
    assert measured == pytest.approx(recorded["test_accuracy"], abs=1e-9)
    assert digit_loading.test_accuracy(name) == pytest.approx(measured, abs=1e-9)
    assert measured >= 0.95
    assert recorded["parameters"] == parameter_count(model)
    assert 10_000 <= recorded["parameters"] <= 30_000
    assert recorded["architecture"] == CONFIGS[name].to_dict()


def test_max_pool_net_reaches_97_percent(shipped):
    assert shipped["digits"]["models"]["max_pool"]["test_accuracy"] >= 0.97
    assert digit_loading.test_accuracy("max_pool") >= 0.97


def test_a_changed_state_dict_is_refused():
    state = torch.load(MODELS_DIR / "digits_se.pt", map_location="cpu", weights_only=True)
    with pytest.raises(RuntimeError):
        build("max_pool").load_state_dict(state, strict=True)  # the SE weights are unexpected there


def test_manifest_keeps_the_upsamplers_and_describes_the_digit_training(shipped, split):
    assert set(shipped["models"]) == set(UPSAMPLERS)  # the upsamplers' entries are untouched
    digits = shipped["digits"]
    assert set(digits["models"]) == set(NAMES) == set(digit_loading.names())
    assert digits["data"]["train"] == len(split.train_y) == 1347
    assert digits["data"]["test"] == len(split.test_y) == 450
    assert digits["data"]["canvas"] == 28
    training = {k: v for k, v in digits["training"].items() if k not in ("optimizer", "device", "threads")}
    assert training == {k: v for k, v in asdict(TrainConfig()).items() if k != "threads"}
    for name in NAMES:
        assert digits["models"][name]["file"] == f"digits_{name}.pt"
        assert digits["models"][name]["train_seconds"] > 0


def test_training_is_reproducible_and_the_writer_merges_the_manifest(tmp_path, split):
    (tmp_path / "manifest.json").write_text(json.dumps({"models": {"kept": 1}, "other": [1, 2]}))
    cfg = TrainConfig(epochs=1)
    entry = train_digits.main(cfg, out_dir=tmp_path, only=["strided"])
    written = json.loads((tmp_path / "manifest.json").read_text())
    assert written["models"] == {"kept": 1} and written["other"] == [1, 2]
    assert written["digits"] == json.loads(json.dumps(entry)) and set(entry["models"]) == {"strided"}
    state = torch.load(tmp_path / "digits_strided.pt", weights_only=True)
    again, _ = train_digits.train_one("strided", split, cfg)
    assert all(torch.equal(state[k], v) for k, v in again.state_dict().items())
    model = build("strided")
    model.load_state_dict(state, strict=True)
    recorded = entry["models"]["strided"]["test_accuracy"]
    assert train_digits.accuracy(model.eval(), split.test_x, split.test_y) == recorded


def test_the_upsampler_writer_merges_too(tmp_path, monkeypatch):
    from engine.nets import train_upsamplers

    monkeypatch.setattr(train_upsamplers, "CONFIGS", {})  # no training: only the manifest is written
    (tmp_path / "manifest.json").write_text(json.dumps({"digits": {"models": {"x": 1}}, "models": {"old": 1}}))
    train_upsamplers.main(train_upsamplers.TrainConfig(train_patches=4, test_patches=4, threads=1), out_dir=tmp_path)
    written = json.loads((tmp_path / "manifest.json").read_text())
    assert written["digits"] == {"models": {"x": 1}}
    assert written["models"] == {} and "baselines" in written  # its own keys are replaced


# --- architecture and activations ---------------------------------------------------------------------

def test_configs_are_frozen_and_checked():
    with pytest.raises(FrozenInstanceError):
        CONFIGS["max_pool"].channels = (8,)
    for bad in (dict(downsampling="median"), dict(channels=()), dict(channels=(16, 30), se_reduction=4),
                dict(channels=(8, 8, 8)), dict(dilations=(1,)), dict(downsampling="stride", se_reduction=4),
                dict(head="flat"), dict(tail=2), dict(tail=-1)):
        with pytest.raises(ValueError):
            DigitNetConfig("bad", **bad)
    with pytest.raises(ValueError, match="choose one of"):
        config("resnet")


def test_the_gap_twins_differ_from_each_other_in_downsampling_only():
    twins = [asdict(CONFIGS[n]) for n in GAP_HEAD.values()]
    assert {t["downsampling"] for t in twins} == {CONFIGS[n].downsampling for n in GAP_HEAD} == {"max", "avg", "stride"}
    for t in twins:
        t.pop("name"), t.pop("downsampling")
    assert all(t == twins[0] for t in twins) and twins[0]["head"] == "gap"
    for flat, gap in GAP_HEAD.items():
        assert CONFIGS[flat].head == "flatten" and CONFIGS[flat].downsampling == CONFIGS[gap].downsampling


@pytest.mark.parametrize("name", GAP_HEAD.values())
def test_a_gap_twin_is_its_torch_functional_computation(name, split):
    """Two downsampling stages, one 3x3 conv at 7x7, the mean over the 7x7 map, a linear layer."""
    m, x = digit_loading.load(name), tensor(split.test_x[:5])
    down = {"max": lambda u: F.max_pool2d(u, 2), "avg": lambda u: F.avg_pool2d(u, 2), "stride": lambda u: u}
    stride = 2 if m.cfg.downsampling == "stride" else 1
    with torch.inference_mode():
        h = down[m.cfg.downsampling](F.relu(F.conv2d(x, m.conv1.weight, m.conv1.bias, stride=stride, padding=1)))
        h = down[m.cfg.downsampling](F.relu(F.conv2d(h, m.conv2.weight, m.conv2.bias, stride=stride, padding=1)))
        h = F.relu(F.conv2d(h, m.conv3.weight, m.conv3.bias, padding=1))  # (N, 32, 7, 7)
        expected = F.linear(h.mean(dim=(2, 3)), m.fc.weight, m.fc.bias)
        torch.testing.assert_close(m(x), expected)
        _, acts = m.forward_with_activations(x)
    torch.testing.assert_close(acts["gap"][:, :, 0, 0], h.mean(dim=(2, 3)))
    assert m.fc.in_features == 32 and h.shape[-1] == 7


@pytest.mark.parametrize("name", NAMES)
def test_activations_have_the_documented_shapes_and_logits_equal_forward(name, split):
    model = digit_loading.load(name)
    x = tensor(split.test_x[:7])
    with torch.inference_mode():
        logits, acts = model.forward_with_activations(x)
        plain = model(x)
    torch.testing.assert_close(logits, plain, rtol=0, atol=1e-6)
    cfg = config(name)
    assert tuple(acts) == cfg.layer_names()
    side = 28
    for layer, value in acts.items():
        if layer.startswith(("pool", "stride")):
            side //= 2
        expected_side = 1 if layer.startswith(("gate", "gap")) else side
        assert value.shape[0] == 7 and value.shape[2:] == (expected_side, expected_side), layer
    assert tuple(acts.values())[-1].flatten(1).shape[1] == model.fc.in_features


def test_stages_match_torch_functional(split):
    """Each activation recomputed from the weights with torch.nn.functional (stride-2 convolution for "strided")."""
    x = tensor(split.test_x[:5])
    with torch.inference_mode():
        m = digit_loading.load("max_pool")
        _, a = m.forward_with_activations(x)
        torch.testing.assert_close(a["conv1"], F.relu(F.conv2d(x, m.conv1.weight, m.conv1.bias, padding=1)))
        torch.testing.assert_close(a["pool1"], F.max_pool2d(a["conv1"], 2))
        torch.testing.assert_close(a["pool2"], F.max_pool2d(a["conv2"], 2))
        a_avg = digit_loading.load("avg_pool").forward_with_activations(x)[1]
        torch.testing.assert_close(a_avg["pool1"], F.avg_pool2d(a_avg["conv1"], 2))
        s = digit_loading.load("strided")
        _, a = s.forward_with_activations(x)
        torch.testing.assert_close(a["stride1"], F.relu(F.conv2d(x, s.conv1.weight, s.conv1.bias, stride=2, padding=1)))
        torch.testing.assert_close(a["stride2"], F.relu(F.conv2d(a["stride1"], s.conv2.weight, s.conv2.bias, stride=2,
                                                                 padding=1)))
        g = digit_loading.load("global_pool")
        _, a = g.forward_with_activations(x)
        torch.testing.assert_close(a["conv4"], F.relu(F.conv2d(a["conv3"], g.conv4.weight, g.conv4.bias, padding=8,
                                                               dilation=8)))
        torch.testing.assert_close(a["gap"][:, :, 0, 0], a["conv4"].mean(dim=(2, 3)))


def test_se_block_matches_an_independent_numpy_computation(split):
    model = digit_loading.load("se")
    with torch.inference_mode():
        _, a = model.forward_with_activations(tensor(split.test_x[:4]))
    for block in (1, 2):
        se = getattr(model, f"se{block}")
        w1, b1 = se.fc1.weight.numpy().astype(float), se.fc1.bias.numpy().astype(float)
        w2, b2 = se.fc2.weight.numpy().astype(float), se.fc2.bias.numpy().astype(float)
        u = a[f"conv{block}"].numpy().astype(float)  # (N, C, H, W)
        z = u.mean(axis=(2, 3))  # squeeze
        s = 1.0 / (1.0 + np.exp(-(np.maximum(z @ w1.T + b1, 0.0) @ w2.T + b2)))  # excitation
        assert w1.shape == (u.shape[1] // 4, u.shape[1])  # C -> C / r
        np.testing.assert_allclose(a[f"gate{block}"].numpy()[:, :, 0, 0], s, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(a[f"scaled{block}"].numpy(), s[:, :, None, None] * u, rtol=1e-5, atol=1e-6)


def test_all_gates_forced_to_one_is_the_net_without_se(split):
    model = digit_loading.load("se")
    x = tensor(split.test_x[:6])
    ones = {(b, c): 1.0 for b, n in ((1, 16), (2, 32)) for c in range(n)}
    with torch.inference_mode():
        logits, a = model.forward_with_activations(x, gate_override=ones)
        h = F.max_pool2d(F.relu(F.conv2d(x, model.conv1.weight, model.conv1.bias, padding=1)), 2)
        h = F.max_pool2d(F.relu(F.conv2d(h, model.conv2.weight, model.conv2.bias, padding=1)), 2)
        no_se = F.linear(h.flatten(1), model.fc.weight, model.fc.bias)
        natural = model(x)
    torch.testing.assert_close(logits, no_se)
    assert torch.all(a["gate1"] == 1) and torch.equal(a["scaled1"], a["conv1"])
    assert not torch.allclose(natural, no_se)  # the gates do something


def test_forcing_a_gate_to_zero_switches_that_channel_off_and_nothing_else(split):
    model = digit_loading.load("se")
    x = tensor(split.test_x[:3])
    before = {k: v.clone() for k, v in model.state_dict().items()}
    with torch.inference_mode():
        _, natural = model.forward_with_activations(x)
        _, off = model.forward_with_activations(x, gate_override={(1, 5): 0.0})
        _, again = model.forward_with_activations(x)
    for layer in ("gate1", "scaled1", "pool1"):
        assert torch.all(off[layer][:, 5] == 0), layer
    keep = [c for c in range(16) if c != 5]
    torch.testing.assert_close(off["scaled1"][:, keep], natural["scaled1"][:, keep], rtol=0, atol=0)
    assert not torch.equal(off["conv2"], natural["conv2"])  # the change reaches the next stage
    assert all(torch.equal(again[k], natural[k]) for k in natural)  # nothing was left behind on the model
    assert all(torch.equal(model.state_dict()[k], v) for k, v in before.items())
    probs, maps = digit_loading.activations("se", split.test_x[0], gate_override={(2, 7): 0.0})
    assert np.all(maps["scaled2"][7] == 0) and maps["gate2"][7, 0, 0] == 0
    assert digit_loading.se_gates(split.test_x[0], {(2, 7): 0.0})[2][7] == 0


@pytest.mark.parametrize("override, message", [
    ({(3, 0): 0.0}, "does not exist"), ({(1, 16): 0.0}, "channels 0..15"), ({(1, 0): 1.5}, r"\[0, 1\]"),
    ({(1, 0): float("nan")}, r"\[0, 1\]"), ({"gate1": 0.0}, "pairs")])
def test_bad_gate_overrides_are_explained(override, message, split):
    with pytest.raises(ValueError, match=message):
        digit_loading.activations("se", split.test_x[0], gate_override=override)


def test_gate_override_needs_an_se_net(split):
    with pytest.raises(ValueError, match="no squeeze-and-excitation"):
        digit_loading.activations("max_pool", split.test_x[0], gate_override={(1, 0): 0.0})


@settings(max_examples=25, deadline=None)
@given(index=st.integers(0, 449), dy=st.integers(-4, 4), dx=st.integers(-4, 4), name=st.sampled_from(NAMES))
def test_the_first_convolution_is_shift_equivariant(index, dy, dx, name, split):
    """conv1(T x) = T conv1(x) wherever neither map is within reach of the shifted-off border."""
    image = split.test_x[index]
    _, original = digit_loading.activations(name, image)
    _, moved = digit_loading.activations(name, shift(image, dy, dx))
    m = 1 + 2 * max(abs(dy), abs(dx))  # 3x3 kernel reach + the shift itself
    inner = np.s_[:, m:28 - m, m:28 - m]
    shifted_map = np.stack([shift(channel, dy, dx) for channel in original["conv1"]])  # T conv1(x)
    np.testing.assert_allclose(shifted_map[inner], moved["conv1"][inner], rtol=1e-5, atol=1e-5)


def test_max_pooling_is_equivariant_on_its_coarse_grid(split):
    """A shift by 2 pixels moves pool1 by exactly one cell (away from the border)."""
    image = example(4)
    _, original = digit_loading.activations("max_pool", image)
    _, moved = digit_loading.activations("max_pool", shift(image, 0, 2))
    np.testing.assert_allclose(moved["pool1"][:, 1:13, 2:13], original["pool1"][:, 1:13, 1:12], atol=1e-5)
    _, moved_one = digit_loading.activations("max_pool", shift(image, 0, 1))
    assert not np.allclose(moved_one["pool1"], original["pool1"])  # but not invariant to 1 pixel


# --- serving API ---------------------------------------------------------------------------------------

def test_predict_returns_probabilities_of_the_model(split):
    images = split.test_x[:9]
    probs = digit_loading.predict("avg_pool", images)
    with torch.inference_mode():
        expected = torch.softmax(fresh("avg_pool")(tensor(images)), dim=1).numpy()
    assert probs.shape == (9, 10) and probs.dtype == float
    np.testing.assert_allclose(probs, expected, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-6)
    single, maps = digit_loading.activations("avg_pool", images[0])
    np.testing.assert_allclose(single, probs[0], rtol=1e-5, atol=1e-7)
    assert digit_loading.predict("avg_pool", images[0]).shape == (1, 10)
    assert maps["conv1"].shape == (16, 28, 28) and maps["pool2"].shape == (32, 7, 7)


@pytest.mark.parametrize("bad, message", [
    (np.zeros((28, 27)), "shape"), (np.zeros((1, 1, 28, 28)), "shape"), (np.zeros((0, 28, 28)), "shape"),
    (np.full((28, 28), np.nan), "finite"), (np.full((28, 28), np.inf), "finite"), (np.full((28, 28), 255.0), "255"),
    (np.array([["a"] * 28] * 28), "numbers")])
def test_bad_images_are_explained(bad, message):
    with pytest.raises(ValueError, match=message):
        digit_loading.predict("max_pool", bad)


def test_activations_take_one_image():
    with pytest.raises(ValueError, match="one 28x28 image"):
        digit_loading.activations("max_pool", np.zeros((2, 28, 28)))


def test_se_gates_and_their_class_means(split):
    gates = digit_loading.se_gates(split.test_x[0])
    assert gates[1].shape == (16,) and gates[2].shape == (32,)
    assert np.all((gates[1] > 0) & (gates[1] < 1))
    means = digit_loading.mean_gates_per_class()
    assert means[1].shape == (10, 16) and means[2].shape == (10, 32)
    sevens = np.flatnonzero(split.test_y == 7)
    direct = np.mean([digit_loading.se_gates(split.test_x[i])[2] for i in sevens], axis=0)
    np.testing.assert_allclose(means[2][7], direct, rtol=1e-5)
    assert digit_loading.mean_gates_per_class()[1] is means[1]  # cached
    with pytest.raises(ValueError):
        means[1][0, 0] = 1.0  # read-only


def test_loaded_models_are_cached_and_in_eval_mode():
    model = digit_loading.load("se")
    assert model is digit_loading.load("se") and not model.training
    assert not any(p.requires_grad for p in model.parameters())
    assert digit_loading.label("global_pool") == "No downsampling, global average pool"
    with pytest.raises(ValueError, match="choose one of"):
        digit_loading.load("lenet")
