"""Train the three 2x upsamplers on patches of scikit-image's photos (reproducible, CPU, a minute or two).

    python -m engine.nets.train_upsamplers

Data: random 32x32 patches of the training photos are the targets; their 2x2 average pooling (16x16) is the
input. Test: patches of held-out photos, plus the held-out photos themselves (for the artifact score).
Writes assets/models/upsample_<name>.pt (plain state_dicts) and its entries of assets/models/manifest.json
(merged: the other keys there are kept).
"""
from __future__ import annotations

import json
import math
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from engine.data.photos import photo
from engine.nets.artifacts import checkerboard_score, phase_spread
from engine.nets.upsamplers import (CONFIGS, LABELS, UNTRAINED_SEED, build, downsample,  # noqa: F401
                                    parameter_count, untrained_model)
from engine.nets.weights import MODELS_DIR

TRAIN_PHOTOS = ("Cameraman", "Astronaut", "Coffee", "Brick wall")
TEST_PHOTOS = ("Coins", "Cat (Chelsea)")
SCORE_BORDER = 4  # output pixels dropped on each side before scoring (zero-padding effects at the edges)
FLAT_PROBE = (32, 0.5)  # a flat gray input (side, value) whose output should stay flat


@dataclass(frozen=True)
class TrainConfig:
    seed: int = 0
    steps: int = 2000
    batch_size: int = 64
    learning_rate: float = 3e-3  # Adam, cosine decay to 0
    patch_size: int = 32  # target size; inputs are patch_size // 2
    train_patches: int = 8192
    test_patches: int = 512
    photo_side: int = 256  # photos are loaded with engine.data.photos.photo(label, max_side=photo_side)
    threads: int = 2


def patches(labels, count, size, seed, photo_side=256):
    """`count` random size x size patches (float32 in [0, 1]) from the photos `labels`, photo chosen
    uniformly per patch, position uniformly; fully determined by `seed`."""
    rng = np.random.default_rng(seed)
    images = [photo(label, max_side=photo_side) for label in labels]
    out = np.empty((count, size, size), dtype=np.float32)
    which = rng.integers(len(images), size=count)
    for n, k in enumerate(which):
        image = images[k]
        i = rng.integers(image.shape[0] - size + 1)
        j = rng.integers(image.shape[1] - size + 1)
        out[n] = image[i : i + size, j : j + size]
    return out


def split(cfg=TrainConfig()):
    """(train_targets, test_targets): disjoint photos, deterministic patches (train seed, test seed + 1)."""
    train = patches(TRAIN_PHOTOS, cfg.train_patches, cfg.patch_size, cfg.seed, cfg.photo_side)
    test = patches(TEST_PHOTOS, cfg.test_patches, cfg.patch_size, cfg.seed + 1, cfg.photo_side)
    return train, test


def test_photos(cfg=TrainConfig()):
    """The held-out photos cropped to even sizes (targets of the whole-photo evaluation)."""
    images = [photo(label, max_side=cfg.photo_side) for label in TEST_PHOTOS]
    return [im[: im.shape[0] // 2 * 2, : im.shape[1] // 2 * 2] for im in images]


def psnr(mse):
    return float(10 * math.log10(1.0 / mse))


def _run(model, inputs):
    """Apply `model` to numpy inputs (..., h, w) -> numpy outputs (..., 2h, 2w)."""
    import torch

    with torch.inference_mode():
        x = torch.as_tensor(np.asarray(inputs, dtype=np.float32))
        shape = x.shape
        y = model(x.reshape(-1, 1, *shape[-2:]))
        return y.reshape(*shape[:-2], *y.shape[-2:]).numpy().astype(float)


def evaluate(upsample_fn, cfg=TrainConfig(), test=None):
    """Test metrics of `upsample_fn` (numpy (..., h, w) -> (..., 2h, 2w)) on the held-out data."""
    if test is None:
        test = split(cfg)[1]
    test = test.astype(float)
    out = upsample_fn(downsample(test))
    mse = float(np.mean((out - test) ** 2))
    photo_outputs = [upsample_fn(downsample(im)) for im in test_photos(cfg)]
    photo_mse = [float(np.mean((o - im) ** 2)) for o, im in zip(photo_outputs, test_photos(cfg))]
    scores = [checkerboard_score(o, border=SCORE_BORDER) for o in photo_outputs]
    return {
        "test_patch_psnr_db": psnr(mse),
        "test_photo_psnr_db": {label: psnr(m) for label, m in zip(TEST_PHOTOS, photo_mse)},
        "artifact_score": float(np.mean(scores)),
        "artifact_score_per_photo": dict(zip(TEST_PHOTOS, scores)),
        "flat_phase_spread": phase_spread(upsample_fn(np.full((FLAT_PROBE[0],) * 2, FLAT_PROBE[1])),
                                          border=2 * SCORE_BORDER),
    }


def model_fn(model):
    return lambda inputs: _run(model, inputs)


def baseline_fn(mode):
    """Plain (untrained) resizing with torch.nn.functional.interpolate, for context in the manifest."""
    import torch
    import torch.nn.functional as F

    def run(inputs):
        x = torch.as_tensor(np.asarray(inputs, dtype=np.float32))
        y = F.interpolate(x.reshape(-1, 1, *x.shape[-2:]), scale_factor=2, mode=mode,
                          **({} if mode == "nearest" else {"align_corners": False}))
        return y.reshape(*x.shape[:-2], *y.shape[-2:]).numpy().astype(float)

    return run


def train_one(name, train, cfg=TrainConfig()):
    import torch

    torch.manual_seed(cfg.seed)
    model = build(name)
    optimizer = torch.optim.Adam(model.parameters(), lr=cfg.learning_rate)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: 0.5 * (1 + math.cos(math.pi * step / cfg.steps)))
    targets = torch.as_tensor(train).unsqueeze(1)
    inputs = torch.nn.functional.avg_pool2d(targets, 2)
    generator = torch.Generator().manual_seed(cfg.seed)
    model.train()
    for _ in range(cfg.steps):
        index = torch.randint(len(targets), (cfg.batch_size,), generator=generator)
        loss = torch.nn.functional.mse_loss(model(inputs[index]), targets[index])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        schedule.step()
    return model.eval(), loss.item()


def main(cfg=TrainConfig(), out_dir=MODELS_DIR):
    import torch

    torch.set_num_threads(cfg.threads)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    train, test = split(cfg)
    manifest = {
        "description": "2x upsamplers trained on photo patches; inputs are 2x2 average-pooled targets.",
        "data": {
            "source": "engine.data.photos.photo(label, max_side=photo_side), grayscale in [0, 1]",
            "train_photos": list(TRAIN_PHOTOS), "test_photos": list(TEST_PHOTOS),
            "patch_size": cfg.patch_size, "input_size": cfg.patch_size // 2,
            "train_patches": cfg.train_patches, "test_patches": cfg.test_patches,
            "downsampling": "2x2 average pooling", "train_seed": cfg.seed, "test_seed": cfg.seed + 1,
        },
        "training": {**asdict(cfg), "optimizer": f"Adam(lr={cfg.learning_rate}), cosine decay to 0",
                     "loss": "MSE"},
        "artifact_score": {"function": "engine.nets.artifacts.checkerboard_score",
                           "measured_on": "each whole test photo, downsampled then upsampled; mean",
                           "border": SCORE_BORDER},
        "flat_phase_spread": {"function": "engine.nets.artifacts.phase_spread",
                              "measured_on": f"upsampled flat input {FLAT_PROBE[0]}x{FLAT_PROBE[0]} "
                                             f"of value {FLAT_PROBE[1]}", "border": 2 * SCORE_BORDER},
        "untrained_seed": UNTRAINED_SEED,
        "baselines": {mode: evaluate(baseline_fn(mode), cfg, test) for mode in ("nearest", "bilinear")},
        "models": {},
    }
    manifest["baselines"]["original"] = {"artifact_score": float(np.mean(
        [checkerboard_score(im, border=2 * SCORE_BORDER) for im in test_photos(cfg)]))}
    for name, model_cfg in CONFIGS.items():
        start = time.perf_counter()
        model, last_loss = train_one(name, train, cfg)
        seconds = time.perf_counter() - start
        torch.save(model.state_dict(), out_dir / f"upsample_{name}.pt")
        manifest["models"][name] = {
            "label": LABELS[name], "file": f"upsample_{name}.pt", "architecture": model_cfg.to_dict(),
            "layers": str(model), "parameters": parameter_count(model), "seed": cfg.seed, "steps": cfg.steps,
            "optimizer": manifest["training"]["optimizer"], "final_train_loss": last_loss,
            "train_seconds": round(seconds, 1),
            "test": evaluate(model_fn(model), cfg, test),
            "untrained": evaluate(model_fn(untrained_model(name)), cfg, test),
        }
        print(f"{name}: {parameter_count(model)} parameters, {seconds:.1f} s, "
              f"test PSNR {manifest['models'][name]['test']['test_patch_psnr_db']:.2f} dB, "
              f"artifact {manifest['models'][name]['test']['artifact_score']:.3g} "
              f"(untrained {manifest['models'][name]['untrained']['artifact_score']:.3g}), "
              f"flat phase spread {manifest['models'][name]['test']['flat_phase_spread']:.3g}", flush=True)
    path = out_dir / "manifest.json"  # merge: other trainers' entries (e.g. "digits") are kept
    merged = {**(json.loads(path.read_text()) if path.exists() else {}), **manifest}
    path.write_text(json.dumps(merged, indent=2) + "\n")
    return manifest


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=TrainConfig.threads,
                        help="torch threads (2 by default; 1 is much faster on a busy machine)")
    main(TrainConfig(threads=parser.parse_args().threads))
