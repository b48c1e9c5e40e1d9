"""A network a student designs (engine.ops.network_arithmetic layers), built in torch and trained on the digits.

    layers = engine.ops.layer_text.parse("conv 8 3 p1; relu; maxpool 2; flatten; linear 10")
    model = build(layers)                       # nn.Sequential: (N, 1, 28, 28) -> (N, 10)
    for record in train(layers, epochs=3, seed=0):
        ...                                     # Progress after every mini-batch, then one Result

Training: Adam (learning rate 0.01, cosine decay to 0), cross-entropy, mini-batches of 32 of the 1,347
training digits in an order drawn from the seed, one torch thread; weights from torch.manual_seed(seed).
A run stops early (Result.stopped_early) before an epoch that would end after `budget` seconds, at the
pace of the epochs so far (the first epoch always runs). Deterministic for its arguments (unless cut).
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, replace

import numpy as np

from engine.nets.pixel_order import MOVE, moved_test_set  # noqa: F401  (MOVE: for the page's captions)
from engine.nets.train_pixel_order import Progress
from engine.ops.layer_text import DIGITS_INPUT
from engine.ops.network_arithmetic import (BatchNorm, Conv, Flatten, GlobalPool, Linear, Pool, ReLU, analyse)

LEARNING_RATE = 1e-2
BATCH_SIZE = 32
BUDGET_SECONDS = 30.0


@dataclass(frozen=True, eq=False)
class Result:
    test_accuracy: float  # on the 450 test digits, after the last epoch trained
    moved_accuracy: float  # on the test digits moved by MOVE pixels (pixel_order.moved_test_set)
    parameters: int
    seconds: float  # wall-clock training time (data preparation excluded)
    epochs: tuple  # the Progress record at the end of every epoch trained
    stopped_early: bool  # an epoch left out: it would have ended after the time budget


def build(layers, input_shape=DIGITS_INPUT):
    """nn.Sequential of `layers` (Conv, BatchNorm, ReLU, Pool, GlobalPool, Flatten, Linear) for `input_shape`
    (C, H, W); the shapes come from analyse (NetworkError where a layer breaks)."""
    from torch import nn

    report = analyse(layers, input_shape)
    shapes = [tuple(input_shape)] + [row.output_shape for row in report.rows]
    modules = []
    for layer, shape in zip(layers, shapes):
        c = shape[0]
        if isinstance(layer, Conv):
            modules.append(nn.Conv2d(c, layer.out_channels, layer.kernel_size, layer.stride, layer.padding,
                                     layer.dilation, layer.groups, layer.bias))
        elif isinstance(layer, Pool):
            pool = nn.MaxPool2d if layer.kind == "max" else nn.AvgPool2d
            modules.append(pool(layer.kernel_size, layer.stride, layer.padding))
        elif isinstance(layer, Linear):
            modules.append(nn.Linear(c, layer.out_features, layer.bias))
        elif isinstance(layer, (BatchNorm, ReLU, GlobalPool, Flatten)):
            modules.append({BatchNorm: lambda: nn.BatchNorm2d(c), ReLU: nn.ReLU, GlobalPool: lambda: nn.AdaptiveAvgPool2d(1),
                            Flatten: nn.Flatten}[type(layer)]())
        else:
            raise ValueError(f"{type(layer).__name__} layers are not built here (only a plain stack of layers).")
    return nn.Sequential(*modules)


def train(layers, epochs=3, seed=0, budget=BUDGET_SECONDS):
    """Train build(layers) on the digits; yields a Progress after every mini-batch (test and moved accuracy at
    each epoch's end), then one Result."""
    import torch
    import torch.nn.functional as F

    from engine.data.digits import load_split

    if epochs < 1:
        raise ValueError(f"epochs must be at least 1, got {epochs}.")
    split = load_split()
    train_x, test_x = (torch.from_numpy(np.array(a, dtype=np.float32))[:, None] for a in (split.train_x, split.test_x))
    train_y, test_y = (torch.from_numpy(np.array(a)) for a in (split.train_y, split.test_y))
    moved_x, moved_y = (torch.from_numpy(a) for a in moved_test_set())
    torch.manual_seed(seed)
    model = build(layers)
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    batches = math.ceil(len(train_x) / BATCH_SIZE)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: 0.5 * (1 + math.cos(math.pi * step / (epochs * batches))))
    order = torch.Generator().manual_seed(seed)
    ends, start, stopped = [], time.perf_counter(), False
    for epoch in range(1, epochs + 1):
        if epoch > 1 and (time.perf_counter() - start) * epoch / (epoch - 1) > budget:  # the next would end late
            stopped = True
            break
        model.train()
        loss_sum, correct, seen = 0.0, 0, 0
        for batch, index in enumerate(torch.randperm(len(train_x), generator=order).split(BATCH_SIZE), 1):
            logits = model(train_x[index])
            loss = F.cross_entropy(logits, train_y[index])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            schedule.step()
            loss_sum += loss.item() * len(index)
            correct += int((logits.argmax(1) == train_y[index]).sum())
            seen += len(index)
            record = Progress(epoch, batch, ((epoch - 1) * batches + batch) / (epochs * batches), loss_sum / seen,
                              correct / seen)
            if batch == batches:
                record = replace(record, test_accuracy=accuracy(model, test_x, test_y),
                                 moved_accuracy=accuracy(model, moved_x, moved_y))
                ends.append(record)
            yield record
    seconds = time.perf_counter() - start
    last = ends[-1]
    yield Result(last.test_accuracy, last.moved_accuracy, sum(p.numel() for p in model.parameters()), seconds,
                 tuple(ends), stopped)


def accuracy(model, x, y):
    """Share of images x (N, 1, 28, 28) whose largest logit is at label y, in eval mode."""
    import torch

    model.eval()
    with torch.inference_mode():
        predicted = torch.cat([model(chunk) for chunk in x.split(256)]).argmax(1)
    model.train()
    return float((predicted == y).float().mean())
