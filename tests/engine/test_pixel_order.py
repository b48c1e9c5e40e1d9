"""Shuffled pixels (engine/nets/pixel_order.py, train_pixel_order.py): the permutation, the exact MLP
equivalence, the CNN's dependence on pixel neighbourhoods, and the progress records a page draws."""
import subprocess
import sys
from dataclasses import FrozenInstanceError

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.data.digits import load_split, shift
from engine.nets.pixel_order import (PIXELS, CNNConfig, MLPConfig, TrainConfig, build, dataset, initial_model,
                                     mlp_templates, moved_test_set, parameter_count, permutation, shuffle_pixels,
                                     unshuffle_pixels)
from engine.nets.train_pixel_order import Progress, Result, run, train

SHORT = 2  # epochs of the short runs below


@pytest.fixture(scope="module")
def mlp_runs():
    return {shuffled: list(train("mlp", shuffled, epochs=3, seed=1)) for shuffled in (False, True)}


@pytest.fixture(scope="module")
def cnn_runs():
    return {shuffled: run("cnn", shuffled, epochs=SHORT, seed=0) for shuffled in (False, True)}


# --- the permutation ------------------------------------------------------------------------------------

def test_permutation_is_a_fixed_permutation_of_all_pixels():
    perm = permutation()
    assert perm.shape == (PIXELS,) and np.array_equal(np.sort(perm), np.arange(PIXELS))
    assert np.array_equal(perm, permutation(0)) and not perm.flags.writeable
    assert np.sum(perm == np.arange(PIXELS)) < 10  # almost every pixel moves (about 1 stays, on average)
    assert not np.array_equal(permutation(1), perm)
    code = "from engine.nets.pixel_order import permutation; print(permutation()[:8].tolist())"
    other_process = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert other_process.stdout.strip() == str(perm[:8].tolist())  # fixed across processes, not only cached


def test_shuffle_moves_pixel_perm_i_to_i():
    image = np.arange(PIXELS).reshape(28, 28)
    shuffled = shuffle_pixels(image, permutation())
    assert np.array_equal(shuffled.ravel(), permutation())  # out.flat[i] = image.flat[perm[i]]


@settings(max_examples=40, deadline=None)
@given(batch=st.lists(st.integers(1, 3), max_size=2), seed=st.integers(0, 2**32 - 1))
def test_unshuffle_restores_exactly(batch, seed):
    images = np.random.default_rng(seed).random((*batch, 28, 28)).astype(np.float32)
    perm = permutation(seed % 5)
    shuffled = shuffle_pixels(images, perm)
    assert shuffled.shape == images.shape
    assert np.array_equal(unshuffle_pixels(shuffled, perm), images)
    assert np.array_equal(np.sort(shuffled, axis=None), np.sort(images, axis=None))  # same values, moved
    if batch:  # one permutation for every image
        assert np.array_equal(shuffled.reshape(-1, 28, 28)[-1], shuffle_pixels(images.reshape(-1, 28, 28)[-1], perm))


def test_shuffled_dataset_unshuffles_to_the_digits():
    split = load_split()
    train_x, train_y, test_x, test_y = dataset(shuffled=True)
    assert train_x.shape == (len(split.train_y), 1, 28, 28) and train_x.dtype == np.float32
    assert np.array_equal(unshuffle_pixels(train_x[:, 0], permutation()), split.train_x)
    assert np.array_equal(unshuffle_pixels(test_x[:, 0], permutation()), split.test_x)
    assert np.array_equal(train_y, split.train_y) and np.array_equal(test_y, split.test_y)
    assert not np.array_equal(train_x[:, 0], split.train_x)


def test_moved_test_set_moves_each_digit_by_two_pixels():
    split = load_split()
    images, labels = moved_test_set()
    assert images.shape == (len(split.test_y), 1, 28, 28) and np.array_equal(labels, split.test_y)
    assert np.array_equal(images[1, 0], shift(split.test_x[1], 0, 2))  # digit 1 moved right
    assert np.array_equal(images[2, 0], shift(split.test_x[2], -2, 0))  # digit 2 moved up
    assert np.allclose(images.sum(axis=(1, 2, 3)), split.test_x.sum(axis=(1, 2)), rtol=1e-5)  # nothing lost
    shuffled, _ = moved_test_set(shuffled=True)
    assert np.array_equal(unshuffle_pixels(shuffled[:, 0], permutation()), images[:, 0])


def test_subset_takes_the_first_images_of_each_digit():
    train_x, train_y, _, _ = dataset(config=TrainConfig(images_per_class=3))
    assert len(train_y) == 30 and np.array_equal(np.bincount(train_y), [3] * 10)
    first = np.flatnonzero(load_split().train_y == 7)[:3]
    assert np.array_equal(train_x[train_y == 7, 0], load_split().train_x[first])


# --- the models -------------------------------------------------------------------------------------------

def test_parameter_counts_are_comparable():
    cnn, mlp = build("cnn"), build("mlp")
    (c1, c2, c3), k, hidden = CNNConfig().channels, CNNConfig().kernel_size, MLPConfig().hidden
    conv = sum(k * k * a * b + b + 2 * b for a, b in [(1, c1), (c1, c2), (c2, c3)])  # weights, bias, BN
    assert parameter_count(cnn) == conv + c3 * 10 + 10
    assert parameter_count(mlp) == 784 * hidden + hidden + hidden * 10 + 10
    assert abs(parameter_count(cnn) - parameter_count(mlp)) / parameter_count(mlp) < 0.05
    assert cnn(torch.zeros(5, 1, 28, 28)).shape == mlp(torch.zeros(5, 1, 28, 28)).shape == (5, 10)


def test_permuted_mlp_init_computes_the_same_function():
    original, permuted = initial_model("mlp", False, seed=3), initial_model("mlp", True, seed=3)
    perm = permutation()
    assert torch.equal(permuted[1].weight, original[1].weight[:, torch.from_numpy(perm.copy())])
    assert torch.equal(permuted[3].weight, original[3].weight)
    x = load_split().test_x[:50]
    with torch.no_grad():
        a = original(torch.from_numpy(x[:, None].copy()))
        b = permuted(torch.from_numpy(shuffle_pixels(x, perm)[:, None].copy()))
    assert torch.allclose(a, b, atol=1e-6) and not torch.allclose(a, original(torch.zeros(50, 1, 28, 28)))


def test_initial_models_leave_the_global_rng_alone():
    state = torch.get_rng_state()
    initial_model("cnn", seed=5)
    assert torch.equal(torch.get_rng_state(), state)
    first = [p.detach().clone() for p in initial_model("cnn", seed=5).parameters()]
    assert all(torch.equal(a, b) for a, b in zip(first, initial_model("cnn", seed=5).parameters()))


# --- training ---------------------------------------------------------------------------------------------

def test_mlp_learns_the_same_on_shuffled_pixels(mlp_runs):
    original, shuffled = mlp_runs[False], mlp_runs[True]
    a, b = original[-1], shuffled[-1]
    assert a.test_accuracy > 0.85  # it did learn
    assert a.test_accuracy == b.test_accuracy and a.moved_accuracy == b.moved_accuracy
    assert np.array_equal(a.predictions, b.predictions)
    losses = np.array([[r.train_loss for r in run[:-1]] for run in (original, shuffled)])
    assert np.allclose(losses[0], losses[1], rtol=1e-5)  # equal up to float rounding (sums in another order)
    assert np.allclose(mlp_templates(a.weights), mlp_templates(b.weights, shuffled=True), atol=1e-5)
    assert not np.allclose(mlp_templates(a.weights), mlp_templates(b.weights, shuffled=False), atol=1e-2)


def test_cnn_needs_pixel_neighbourhoods(cnn_runs, mlp_runs):
    original, shuffled = cnn_runs[False], cnn_runs[True]
    assert original.test_accuracy > 0.9 and shuffled.test_accuracy > 0.8  # both learn the digits seen ...
    assert original.moved_accuracy > shuffled.moved_accuracy + 0.25  # ... only one copes with moved digits
    assert original.moved_accuracy > mlp_runs[False][-1].moved_accuracy + 0.25


def test_progress_records(mlp_runs):
    records = mlp_runs[False]
    progress, result = records[:-1], records[-1]
    assert all(isinstance(r, Progress) for r in progress) and isinstance(result, Result)
    batches = -(-len(load_split().train_y) // TrainConfig().batch_size)
    assert len(progress) == 3 * batches
    fractions = [r.fraction for r in progress]
    assert np.all(np.diff(fractions) > 0) and fractions[-1] == 1.0 and fractions[0] > 0
    assert [(r.epoch, r.batch) for r in progress[:2]] == [(1, 1), (1, 2)]
    ends = [r for r in progress if r.test_accuracy is not None]
    assert ends == list(result.epochs) and [r.batch for r in ends] == [batches] * 3
    assert all(r.moved_accuracy is not None for r in ends)
    assert all(r.moved_accuracy is None for r in progress if r.batch != batches)
    assert all(0 <= r.train_accuracy <= 1 and r.train_loss > 0 for r in progress)
    assert ends[-1].train_loss < ends[0].train_loss and result.test_accuracy == ends[-1].test_accuracy
    assert result.seconds > 0 and result.cpu_seconds > 0 and result.parameters == parameter_count(build("mlp"))


def test_runs_are_deterministic():
    config = TrainConfig(images_per_class=5)
    a, b = (list(train("cnn", True, epochs=2, seed=4, config=config)) for _ in range(2))
    assert [r.train_loss for r in a[:-1]] == [r.train_loss for r in b[:-1]]
    assert np.array_equal(a[-1].predictions, b[-1].predictions)
    assert all(np.array_equal(a[-1].weights[name], b[-1].weights[name]) for name in a[-1].weights)
    other_seed = run("cnn", True, epochs=2, seed=5, config=config)
    assert not np.array_equal(other_seed.weights["0.weight"], a[-1].weights["0.weight"])


def test_result_is_frozen_and_read_only(mlp_runs):
    result = mlp_runs[False][-1]
    with pytest.raises(FrozenInstanceError):
        result.test_accuracy = 1.0
    with pytest.raises(ValueError):
        result.predictions[0] = 0
    with pytest.raises(ValueError):
        result.weights["1.weight"][0, 0] = 0.0


@pytest.mark.parametrize("call, phrase", [
    (lambda: next(train("rnn")), "Unknown model 'rnn'"),
    (lambda: next(train("mlp", epochs=0)), "epochs must be at least 1"),
    (lambda: TrainConfig(batch_size=0), "batch_size"),
    (lambda: TrainConfig(images_per_class=0), "images_per_class"),
    (lambda: build("lstm"), "choose one of cnn, mlp"),
    (lambda: shuffle_pixels(np.zeros((3, 27, 28)), permutation()), "784 pixels"),
])
def test_bad_arguments(call, phrase):
    with pytest.raises(ValueError, match=phrase):
        call()


def test_importing_does_not_import_torch():
    code = "import sys, engine.nets.pixel_order, engine.nets.train_pixel_order; print('torch' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.strip() == "False"


# --- what the CNN can use on shuffled pixels (the lesson's sentences) ------------------------------------

def test_rolled_test_set_rolls_the_images_a_run_is_given():
    from engine.nets.pixel_order import ROLL, rolled_test_set, total_stride

    cnn = build("cnn")
    pools = sum(isinstance(m, torch.nn.MaxPool2d) for m in cnn.modules())
    assert ROLL == total_stride() == 2 ** pools == 4
    for shuffled in (False, True):
        _, _, test_x, test_y = dataset(shuffled)
        rolled, labels = rolled_test_set(shuffled)
        assert np.array_equal(labels, test_y)
        np.testing.assert_array_equal(rolled, torch.roll(torch.from_numpy(test_x), ROLL, dims=3).numpy())


def test_the_cnn_has_no_weight_per_place():
    """Global average pool before the linear layer: the head's input has no spatial axes."""
    cnn = build("cnn").eval()
    assert isinstance(cnn[-3], torch.nn.AdaptiveAvgPool2d) and cnn[-1].in_features == CNNConfig().channels[-1]


def test_on_shuffled_pixels_the_cnn_reads_its_windows_and_the_mlp_reads_places(cnn_runs, mlp_runs):
    """Rolling by the total stride keeps every window's content and the pooling grid: the shuffled-pixel CNN
    keeps its accuracy, the shuffled-pixel MLP (one weight per place) loses it."""
    cnn, mlp = cnn_runs[True], mlp_runs[True][-1]
    assert cnn.rolled_accuracy > cnn.test_accuracy - 0.05
    assert mlp.rolled_accuracy < mlp.test_accuracy - 0.5
    original = cnn_runs[False]
    assert abs(original.rolled_accuracy - original.test_accuracy) < 0.05  # a 4-pixel move of the centred digit
