"""Train the CNN or the MLP of engine.nets.pixel_order on the digits, live: a generator of progress records.

    from engine.nets.train_pixel_order import Progress, train
    for record in train("cnn", shuffled=True, epochs=10, seed=0):
        if isinstance(record, Progress):
            bar.progress(record.fraction)  # and live curves of record.train_loss, record.test_accuracy
        else:
            result = record  # the last item is the Result

    python -m engine.nets.train_pixel_order     # all four runs: accuracies and times (one thread)

Runs are short (about 6 s of CPU for the CNN, under 1 s for the MLP, 10 epochs) and deterministic for their
arguments and the number of torch threads; nothing is saved: a page trains while the student watches.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, replace

import numpy as np

from engine.nets.pixel_order import (MODEL_KINDS, TrainConfig, dataset, initial_model, moved_test_set, parameter_count,
                                     rolled_test_set)

EPOCHS = 10
EVAL_BATCH = 256  # images per forward pass when testing (bounds memory)


@dataclass(frozen=True)
class Progress:
    epoch: int  # 1-based
    batch: int  # 1-based, within the epoch
    fraction: float  # of all the run's mini-batches done, in (0, 1]
    train_loss: float  # mean cross-entropy over this epoch's mini-batches so far
    train_accuracy: float  # share of this epoch's training images so far classified correctly
    test_accuracy: float | None = None  # on the test digits; at the end of each epoch only
    moved_accuracy: float | None = None  # on the test digits moved by MOVE pixels; at epoch ends only


@dataclass(frozen=True, eq=False)
class Result:
    model_kind: str
    shuffled: bool
    test_accuracy: float
    moved_accuracy: float  # on the test digits moved by MOVE pixels (pixel_order.moved_test_set)
    rolled_accuracy: float  # on its own test images rolled by ROLL pixels (pixel_order.rolled_test_set); end only
    test_loss: float  # mean cross-entropy on the test digits
    seconds: float  # wall-clock training time, data preparation excluded
    cpu_seconds: float  # CPU time over the same span (what a busy machine does not inflate as much)
    parameters: int
    epochs: tuple  # the Progress record at the end of every epoch
    predictions: np.ndarray  # (N_test,) predicted digit of every test image, read-only
    weights: dict  # the trained state dict as read-only numpy arrays ("1.weight": the MLP's first layer)


def train(model_kind, shuffled=False, epochs=EPOCHS, seed=0, config=TrainConfig()):
    """Train `model_kind` ("cnn" or "mlp") on the digits, pixels in place or shuffled; yields a Progress
    record after every mini-batch, then one Result.

    Args:
        model_kind: "cnn" or "mlp" (see engine.nets.pixel_order.build).
        shuffled: train and test on the pixels shuffled by pixel_order.permutation(config.permutation_seed).
        epochs: passes over the training digits.
        seed: initial weights (identical for both pixel orders) and mini-batch order (identical for all runs).
        config: a pixel_order.TrainConfig (batch size, learning rate, model sizes, training subset).

    Example:
        >>> *progress, result = train("mlp", shuffled=True, epochs=2)
        >>> progress[-1].fraction, round(result.test_accuracy, 2)
        (1.0, 0.88)
    """
    import torch
    import torch.nn.functional as F

    if model_kind not in MODEL_KINDS:
        raise ValueError(f"Unknown model {model_kind!r}: choose one of {', '.join(MODEL_KINDS)}.")
    if epochs < 1:
        raise ValueError(f"epochs must be at least 1, got {epochs}.")
    train_x, train_y, test_x, test_y = (torch.from_numpy(a) for a in dataset(shuffled, config))
    moved_x, moved_y = (torch.from_numpy(a) for a in moved_test_set(shuffled, config))
    rolled_x, rolled_y = (torch.from_numpy(a) for a in rolled_test_set(shuffled, config))
    model = initial_model(model_kind, shuffled, seed, config)
    optimizer = torch.optim.Adam(model.parameters(), lr=config.learning_rate)
    batches = math.ceil(len(train_x) / config.batch_size)
    schedule = torch.optim.lr_scheduler.LambdaLR(  # cosine decay to 0 over the run
        optimizer, lambda step: 0.5 * (1 + math.cos(math.pi * step / (epochs * batches))))
    order = torch.Generator().manual_seed(seed)
    epoch_ends = []
    start, cpu_start = time.perf_counter(), time.process_time()
    for epoch in range(1, epochs + 1):
        model.train()
        loss_sum, correct, seen = 0.0, 0, 0
        for batch, index in enumerate(torch.randperm(len(train_x), generator=order).split(config.batch_size), 1):
            logits = model(train_x[index])  # (B, 10)
            loss = F.cross_entropy(logits, train_y[index])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            schedule.step()
            loss_sum += loss.item() * len(index)
            correct += int((logits.argmax(1) == train_y[index]).sum())
            seen += len(index)
            record = Progress(epoch, batch, ((epoch - 1) * batches + batch) / (epochs * batches),
                              loss_sum / seen, correct / seen)
            if batch == batches:
                test_loss, predictions = _evaluate(model, test_x, test_y)
                record = replace(record, test_accuracy=_accuracy(predictions, test_y),
                                 moved_accuracy=_accuracy(_evaluate(model, moved_x, moved_y)[1], moved_y))
                epoch_ends.append(record)
            yield record
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
    predictions.flags.writeable = False
    weights = {name: _read_only(value.numpy().copy()) for name, value in model.state_dict().items()}
    rolled = _accuracy(_evaluate(model, rolled_x, rolled_y)[1], rolled_y)
    yield Result(model_kind, shuffled, record.test_accuracy, record.moved_accuracy, rolled, test_loss, seconds,
                 cpu_seconds, parameter_count(model), tuple(epoch_ends), predictions, weights)


def run(model_kind, shuffled=False, epochs=EPOCHS, seed=0, config=TrainConfig()):
    """train() to the end: its Result only."""
    *_, result = train(model_kind, shuffled, epochs, seed, config)
    return result


def _evaluate(model, x, y):
    """(mean cross-entropy, predicted labels (N,) numpy) in eval mode (BatchNorm uses its running stats)."""
    import torch
    import torch.nn.functional as F

    model.eval()
    with torch.inference_mode():
        logits = torch.cat([model(chunk) for chunk in x.split(EVAL_BATCH)])  # (N, 10)
        return float(F.cross_entropy(logits, y)), logits.argmax(1).numpy()


def _accuracy(predictions, labels):
    return float(np.mean(predictions == labels.numpy()))


def _read_only(array):
    array.flags.writeable = False
    return array


def main(epochs=EPOCHS, seed=0, threads=1):
    import torch

    torch.set_num_threads(threads)
    results = {}
    for kind in MODEL_KINDS:
        for shuffled in (False, True):
            result = results[kind, shuffled] = run(kind, shuffled, epochs, seed)
            print(f"{kind} on {'shuffled' if shuffled else 'original'} pixels: test accuracy "
                  f"{result.test_accuracy:.4f}, moved digits {result.moved_accuracy:.4f}, "
                  f"rolled images {result.rolled_accuracy:.4f}, "
                  f"{result.seconds:.1f} s ({result.cpu_seconds:.1f} s CPU), {result.parameters} parameters",
                  flush=True)
    return results


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    main(args.epochs, args.seed, args.threads)
