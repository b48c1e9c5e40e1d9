"""Engine speed: numpy conv2d against torch conv2d (one thread) on a 512 x 512 photo; trace + figure.

Target: engine within 3x of torch, for a grayscale photo through a kernel and for RGB -> 8 channels.
The 28 x 28 trace and its animation figure are reported as figures, no target.
"""
from __future__ import annotations

import numpy as np

import engine
from benchmarks.report import time_calls
from engine.data.kernels import kernel
from engine.figures import conv_animation


def _photo_512():
    import skimage.data
    return skimage.data.camera().astype(np.float32) / 255.0  # (512, 512)


def run(report):
    import torch
    torch.set_num_threads(1)  # as the app runs: one thread per request
    image = _photo_512()
    for name, x, w, target in [
        ("1 channel, 3x3 Sobel", image[None, None], kernel("Sobel x")[None, None], 3.0),
        ("RGB -> 8 channels, 3x3", np.repeat(image[None, None], 3, 1),
         np.random.default_rng(0).normal(size=(8, 3, 3, 3)), 3.0),
    ]:
        x, w = x.astype(np.float32), w.astype(np.float32)
        tx, tw = torch.from_numpy(x), torch.from_numpy(w)
        with torch.inference_mode():
            report.add(f"torch conv2d 512x512, {name}", time_calls(lambda: torch.nn.functional.conv2d(tx, tw, padding=1)))
        report.add(f"engine conv2d 512x512, {name}", time_calls(lambda: engine.conv2d(x, w, padding=1)),
                   baseline=f"torch conv2d 512x512, {name}", target=target)
    digit = np.random.default_rng(1).integers(0, 9, size=(28, 28)).astype(float)
    k = kernel("Sobel x")
    report.add("trace 28x28 (3x3, same)", time_calls(lambda: engine.trace_conv(digit, k, padding="same"), n=10))
    trace = engine.trace_conv(digit, k, padding="same")
    report.add("trace + figure + JSON 28x28", time_calls(
        lambda: conv_animation(engine.trace_conv(digit, k, padding="same")).to_json(), n=5, warmup=1),
        note=f"{len(trace.steps)} frames, {len(conv_animation(trace).to_json()) / 1e6:.2f} MB")
