"""Digit networks on one drawing: inference per network (what the "Draw a digit" page runs per stroke).

predict = check the (28, 28) input + forward + softmax, one thread, under inference_mode; activations =
the same with every intermediate map returned (what the page draws). The drawn 7 comes through the
page's preprocessing (also timed, as a figure). Target: one inference under 5 ms (median) per network.
"""
from __future__ import annotations

TARGET_MS = 5.0
REPEATS = 50


def run(report):
    import torch

    from benchmarks.report import time_calls
    from engine.data.drawing import STROKES, preprocess_drawing, render_strokes
    from engine.nets import digit_loading
    from engine.nets.digit_nets import COMPARED

    torch.set_num_threads(1)  # as the app serves: one thread per request
    canvas = render_strokes(STROKES[7])
    report.add("drawing preprocess (280x280 canvas -> 28x28)", time_calls(lambda: preprocess_drawing(canvas), n=20),
               note="no target: once per stroke, cached")
    image = preprocess_drawing(canvas).network_input
    for name in COMPARED:
        digit_loading.load(name)  # loading is not inference
        report.add(f"digit net {name}: predict one 28x28", time_calls(lambda: digit_loading.predict(name, image),
                                                                      n=REPEATS, warmup=5), target=TARGET_MS)
        report.add(f"digit net {name}: activations (every map)",
                   time_calls(lambda: digit_loading.activations(name, image), n=REPEATS, warmup=5), target=TARGET_MS)
