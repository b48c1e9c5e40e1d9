"""Does a network know where the pixels are? The digits with their pixels in place or shuffled, a CNN, an MLP.

    from engine.nets.pixel_order import permutation, shuffle_pixels, unshuffle_pixels
    perm = permutation()                          # (784,) the one fixed pixel order
    scrambled = shuffle_pixels(digit, perm)       # (28, 28) -> (28, 28); unshuffle_pixels undoes it

Every 28x28 digit of engine.data.digits is shuffled by ONE fixed permutation of its 784 pixels (the same for
every image, train and test): no information is lost, the pixels have only changed places. An MLP flattens
its input, so for it the shuffle only renames its inputs: with its first layer's weight columns permuted the
same way (an equally likely initialisation: PyTorch draws them i.i.d.) it computes the same function on
shuffled pixels as on the originals, at every training step. A CNN's 3x3 kernels combine neighbouring pixels
with the same weights everywhere; after the shuffle, "neighbours" are unrelated pixels. Training is in
engine.nets.train_pixel_order. torch is imported inside the functions only.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from engine.data.digits import CANVAS, load_split, shift
from engine.nets.weights import parameter_count, seeded_model  # noqa: F401  (parameter_count: re-exported for the training scripts)

MODEL_KINDS = ("cnn", "mlp")
PIXELS = CANVAS * CANVAS  # 784
CLASSES = 10
PERMUTATION_SEED = 0
MOVE = 2  # pixels: how far moved_test_set moves each test digit


@dataclass(frozen=True)
class CNNConfig:
    """Blocks of Conv2d(k x k, 'same' padding) - BatchNorm2d - ReLU with a MaxPool2d(2) after all but the last
    (28 -> 14 -> 7), then the mean of every channel over all positions (AdaptiveAvgPool2d(1)) and
    Linear(channels[-1], 10), the shape of modern CNNs. A last-block output sees an 18 x 18 input window."""
    channels: tuple = (16, 32, 64)
    kernel_size: int = 3


@dataclass(frozen=True)
class MLPConfig:
    """Flatten - Linear(784, hidden) - ReLU - Linear(hidden, 10); hidden = 30 gives the CNN's parameter count."""
    hidden: int = 30


@dataclass(frozen=True)
class TrainConfig:
    """Adam on the cross-entropy, learning rate decaying to 0 (cosine) over the run; mini-batches in an
    order drawn from the seed (the same for both models and both pixel orders)."""
    batch_size: int = 32
    learning_rate: float = 1e-2
    images_per_class: int | None = None  # train on the first n training images of each digit (None: all)
    permutation_seed: int = PERMUTATION_SEED
    cnn: CNNConfig = field(default_factory=CNNConfig)
    mlp: MLPConfig = field(default_factory=MLPConfig)

    def __post_init__(self):
        if self.batch_size < 1 or self.learning_rate <= 0:
            raise ValueError("batch_size must be at least 1 and learning_rate positive.")
        if self.images_per_class is not None and self.images_per_class < 1:
            raise ValueError("images_per_class must be at least 1 (or None for all training images).")


def total_stride(config=TrainConfig()):
    """Input pixels per cell of the CNN's last map: 2 ** (number of 2x2 max poolings) = 2 ** (blocks - 1)."""
    return 2 ** (len(config.cnn.channels) - 1)


ROLL = total_stride()  # pixels: how far rolled_test_set rolls each test image (4 for the default CNN)


@lru_cache(maxsize=8)
def permutation(seed=PERMUTATION_SEED, size=PIXELS):
    """The fixed pixel order for `seed`: shuffled.flat[i] = original.flat[perm[i]]. (size,) int64, read-only."""
    perm = np.random.default_rng(seed).permutation(size)
    perm.flags.writeable = False
    return perm


def shuffle_pixels(images, perm):
    """(..., H, W) -> (..., H, W) with out.flat[i] = image.flat[perm[i]] for every image (H * W = len(perm))."""
    images = np.asarray(images)
    if images.ndim < 2 or images.shape[-2] * images.shape[-1] != len(perm):
        raise ValueError(f"Images of shape {images.shape} do not have {len(perm)} pixels each.")
    flat = images.reshape(*images.shape[:-2], -1)
    return flat[..., perm].reshape(images.shape)


def unshuffle_pixels(images, perm):
    """The inverse of shuffle_pixels: every pixel back in its place (argsort(perm) is the inverse order)."""
    return shuffle_pixels(images, np.argsort(perm))


def dataset(shuffled=False, config=TrainConfig()):
    """(train_x, train_y, test_x, test_y), new writable arrays: images (N, 1, 28, 28) float32, labels (N,)."""
    split = load_split()
    keep = np.arange(len(split.train_y))
    if config.images_per_class is not None:
        keep = np.sort(np.concatenate([np.flatnonzero(split.train_y == digit)[:config.images_per_class]
                                       for digit in range(CLASSES)]))
    train_x, test_x = split.train_x[keep], split.test_x
    if shuffled:
        perm = permutation(config.permutation_seed)
        train_x, test_x = shuffle_pixels(train_x, perm), shuffle_pixels(test_x, perm)
    return np.array(train_x[:, None]), split.train_y[keep], np.array(test_x[:, None]), np.array(split.test_y)


@lru_cache(maxsize=4)
def _moved(move):
    split = load_split()
    moves = [(move, 0), (0, move), (-move, 0), (0, -move)]  # down, right, up, left
    images = np.stack([shift(x, *moves[i % 4]) for i, x in enumerate(split.test_x)])
    return images, split.test_y


def moved_test_set(shuffled=False, config=TrainConfig(), move=MOVE):
    """The test digits, each moved by `move` pixels (digits.shift, before any shuffle): digit i down, right,
    up or left for i % 4 = 0, 1, 2, 3. Images (N_test, 1, 28, 28) float32, labels (N_test,). The digit is the
    same; the pixels it covers are not, which a CNN's shared local kernels tolerate and an MLP's one weight
    per pixel does not."""
    images, labels = _moved(move)
    if shuffled:
        images = shuffle_pixels(images, permutation(config.permutation_seed))
    return np.array(images[:, None]), np.array(labels)


def rolled_test_set(shuffled=False, config=TrainConfig(), roll=ROLL):
    """The test images as a run sees them (shuffled or not), each rolled `roll` pixels right with wrap-around
    (np.roll: the columns pushed out on the right come back on the left). Images (N_test, 1, 28, 28) float32,
    labels (N_test,).

    Unlike moved_test_set this moves the image a network is given, not the digit before the shuffle: every
    window's content moves along whole. With roll a multiple of the CNN's total stride (ROLL = 4), its 2x2
    pooling windows also cover the same pixels as before; what changes is only where things are (which
    windows touch the zero padding, and the seam where the roll wraps). A CNN that reads what is inside its
    windows keeps its accuracy; an MLP, one weight per place, does not."""
    _, _, test_x, test_y = dataset(shuffled, config)
    return np.roll(test_x, roll, axis=-1), test_y


def build(model_kind, config=TrainConfig()):
    """The untrained model (PyTorch's default initialisation, from the global RNG):
    input (B, 1, 28, 28) -> logits (B, 10)."""
    from torch import nn

    if model_kind == "mlp":
        hidden = config.mlp.hidden
        return nn.Sequential(nn.Flatten(), nn.Linear(PIXELS, hidden), nn.ReLU(), nn.Linear(hidden, CLASSES))
    if model_kind == "cnn":
        channels, k = (1, *config.cnn.channels), config.cnn.kernel_size
        layers = []
        for i, (c_in, c_out) in enumerate(zip(channels, channels[1:]), 1):
            layers += [nn.Conv2d(c_in, c_out, k, padding=k // 2), nn.BatchNorm2d(c_out), nn.ReLU()]
            if i < len(channels) - 1:
                layers.append(nn.MaxPool2d(2))  # (B, c_out, H / 2, W / 2)
        return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(),  # (B, channels[-1])
                             nn.Linear(channels[-1], CLASSES))
    raise ValueError(f"Unknown model {model_kind!r}: choose one of {', '.join(MODEL_KINDS)}.")


def initial_model(model_kind, shuffled=False, seed=0, config=TrainConfig()):
    """The model before training, drawn from `seed` by a private generator (weights.seeded_model: concurrent
    runs never draw from each other's seeds, and the global RNG is left untouched). For the MLP on shuffled pixels the first layer's columns are
    permuted like the pixels, W'[:, i] = W[:, perm[i]], so that W' x' = W x for every image x and its
    shuffled x'."""
    import torch

    model = seeded_model(lambda: build(model_kind, config), seed)
    if model_kind == "mlp" and shuffled:
        first = model[1]
        perm = torch.from_numpy(permutation(config.permutation_seed).copy())
        with torch.no_grad():
            first.weight.copy_(first.weight[:, perm])
    return model


def mlp_templates(weights, shuffled=False, config=TrainConfig()):
    """The MLP's first-layer weights as images, in the digits' own pixel order: (hidden, 28, 28).
    `weights` is a state dict (tensors or arrays); for a run on shuffled pixels they are unshuffled."""
    w = np.asarray(weights["1.weight"], dtype=float).reshape(-1, CANVAS, CANVAS)  # (hidden, 28, 28)
    return unshuffle_pixels(w, permutation(config.permutation_seed)) if shuffled else w
