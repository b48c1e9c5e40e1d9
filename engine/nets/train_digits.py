"""Train the digit CNNs on the 28x28 digits (reproducible, CPU, one thread, a few minutes in all).

    python -m engine.nets.train_digits            # all of engine.nets.digit_nets.CONFIGS
    python -m engine.nets.train_digits --only se  # one of them (the others' entries are kept)

Data: engine.data.digits.load_split() (1,347 train / 450 test, stratified, fixed). No augmentation: the
digits are always centred, so what each architecture does with a shifted digit is its own doing.
Writes assets/models/digits_<name>.pt (plain state_dicts) and the "digits" entry of
assets/models/manifest.json (read, update, write: the upsamplers' entries are kept).
"""
from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from engine.data import digits
from engine.nets.digit_nets import CONFIGS, LABELS, build, parameter_count

from engine.nets.digit_loading import MANIFEST_KEY
from engine.nets.weights import MODELS_DIR, read_manifest


@dataclass(frozen=True)
class TrainConfig:
    seed: int = 0  # weights (torch.manual_seed) and batch order (a torch.Generator)
    epochs: int = 20
    batch_size: int = 32
    learning_rate: float = 1e-2  # peak of the one-cycle schedule
    threads: int = 1


def optimizer_text(cfg):
    return (f"Adam, torch.optim.lr_scheduler.OneCycleLR(max_lr={cfg.learning_rate}) "
            "(warm-up then cosine decay), cross-entropy loss")


def predict_logits(model, images, batch_size=500):
    """Logits (N, 10) numpy of `model` on numpy images (N, 28, 28)."""
    import torch

    with torch.inference_mode():
        x = torch.as_tensor(np.array(images, dtype=np.float32))[:, None]
        return torch.cat([model(x[i:i + batch_size]) for i in range(0, len(x), batch_size)]).numpy()


def accuracy(model, images, labels):
    """Fraction of `images` whose largest logit is at the true label."""
    return float(np.mean(predict_logits(model, images).argmax(axis=1) == np.asarray(labels)))


def train_one(name, split, cfg=TrainConfig()):
    """Train the network `name` from seed cfg.seed; returns (model in eval mode, last epoch's mean loss)."""
    import torch
    import torch.nn.functional as F

    torch.manual_seed(cfg.seed)
    model = build(name)
    x = torch.as_tensor(np.array(split.train_x))[:, None]  # (N, 1, 28, 28)
    y = torch.as_tensor(np.array(split.train_y))
    batches = -(-len(x) // cfg.batch_size)
    optimizer = torch.optim.Adam(model.parameters(), lr=cfg.learning_rate)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, cfg.learning_rate, total_steps=cfg.epochs * batches)
    generator = torch.Generator().manual_seed(cfg.seed)
    model.train()
    for _ in range(cfg.epochs):
        order, total = torch.randperm(len(x), generator=generator), 0.0
        for b in range(batches):
            index = order[b * cfg.batch_size:(b + 1) * cfg.batch_size]
            loss = F.cross_entropy(model(x[index]), y[index])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            schedule.step()
            total += loss.item() * len(index)
    return model.eval(), total / len(x)


def main(cfg=TrainConfig(), out_dir=MODELS_DIR, only=None):
    import torch

    torch.set_num_threads(cfg.threads)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    split = digits.load_split()
    previous = read_manifest(out_dir).get(MANIFEST_KEY, {}).get("models", {})
    entry = {
        "description": "Small CNNs on the 28x28 digits: max / average pooling, stride-2 convolutions, "
                       "a global-average-pool net without downsampling, max pooling with SE blocks, and "
                       "global-average-pool-head twins of the max / average pooling and stride-2 nets.",
        "data": {
            "source": "engine.data.digits.load_split(): scikit-learn's 8x8 digits, resized to 16x16 "
                      "(bilinear) and centred on a 28x28 canvas, float32 in [0, 1]",
            "canvas": digits.CANVAS, "digit": digits.DIGIT,
            "split": f"sklearn train_test_split(test_size={digits.TEST_SIZE}, stratify=labels, "
                     f"random_state={digits.SPLIT_SEED})",
            "split_seed": digits.SPLIT_SEED, "train": len(split.train_y), "test": len(split.test_y),
            "augmentation": "none (digits always centred)",
        },
        "training": {**asdict(cfg), "optimizer": optimizer_text(cfg), "device": "cpu"},
        "models": {},
    }
    for name, net_cfg in CONFIGS.items():
        if only and name not in only:
            if name in previous:
                entry["models"][name] = previous[name]
            continue
        start = time.perf_counter()
        model, last_loss = train_one(name, split, cfg)
        seconds = time.perf_counter() - start
        torch.save(model.state_dict(), out_dir / f"digits_{name}.pt")
        entry["models"][name] = {
            "label": LABELS[name], "file": f"digits_{name}.pt", "architecture": net_cfg.to_dict(),
            "stages": net_cfg.describe(), "layers": str(model), "parameters": parameter_count(model),
            "seed": cfg.seed, "epochs": cfg.epochs, "batch_size": cfg.batch_size,
            "learning_rate": cfg.learning_rate, "optimizer": optimizer_text(cfg),
            "final_train_loss": last_loss,
            "train_accuracy": accuracy(model, split.train_x, split.train_y),
            "test_accuracy": accuracy(model, split.test_x, split.test_y),
            "train_seconds": round(seconds, 1),
        }
        m = entry["models"][name]
        print(f"{name}: {m['parameters']} parameters, {seconds:.1f} s, train {m['train_accuracy']:.4f}, "
              f"test {m['test_accuracy']:.4f}", flush=True)
    manifest = read_manifest(out_dir)  # read again just before writing: keep every other entry
    manifest[MANIFEST_KEY] = entry
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return entry


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=TrainConfig.threads)
    parser.add_argument("--only", nargs="*", choices=list(CONFIGS), help="train only these networks")
    args = parser.parse_args()
    main(TrainConfig(threads=args.threads), only=args.only)
