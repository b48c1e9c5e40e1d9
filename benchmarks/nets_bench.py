"""ImageNet classifier speed: our serving path (classify) against a bare forward of the same model, one thread.

classify = preprocess (centre crop, bicubic resize, scale) + EfficientNet-Lite0 forward + softmax/top-5 +
class names, on the 451 x 300 cat photo. The baseline is `model(x)` on the already preprocessed input,
measured in the same run. Target: the serving path within 1.3x of the bare forward.
"""
from __future__ import annotations

import statistics
import time

CLASSIFY = "EfficientNet-Lite0 classify (preprocess + forward + top-5)"
FORWARD = "EfficientNet-Lite0 bare forward model(x), 224x224"
TARGET = 1.3


def _samples(repeats):
    import torch

    from engine.data.photos import rgb_photo
    from engine.nets.imagenet import classify, load, preprocess

    torch.set_num_threads(1)  # as the app serves: one thread per request
    model = load()
    rgb = rgb_photo("Cat (Chelsea)")
    x = torch.from_numpy(preprocess(rgb)[1])

    def forward():
        with torch.inference_mode():
            model(x)

    return _interleaved(lambda: classify(rgb), forward, repeats)


def _interleaved(first, second, n, warmup=3):
    """Wall times in ms of n calls of each, alternating, so load from other processes hits both alike."""
    for _ in range(warmup):
        first(), second()
    samples = ([], [])
    for _ in range(n):
        for fn, out in zip((first, second), samples):
            t0 = time.perf_counter()
            fn()
            out.append((time.perf_counter() - t0) * 1e3)
    return samples


def efficientnet_figures(repeats=20):
    """Median ms of classify() and of a bare forward (one thread, same run), their ratio, and the samples."""
    if int(repeats) != repeats or repeats < 1:
        raise ValueError(f"repeats must be a whole number of at least 1, got {repeats}.")
    classify_ms, forward_ms = _samples(int(repeats))
    c, f = statistics.median(classify_ms), statistics.median(forward_ms)
    return {"classify_ms": c, "forward_ms": f, "ratio": c / f, "repeats": int(repeats),
            "classify_samples_ms": classify_ms, "forward_samples_ms": forward_ms}


def run(report):
    figures = efficientnet_figures()
    report.add(FORWARD, figures["forward_samples_ms"])
    report.add(CLASSIFY, figures["classify_samples_ms"], baseline=FORWARD, target=TARGET)
