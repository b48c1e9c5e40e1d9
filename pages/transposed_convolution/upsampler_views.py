"""Trained upsamplers on a real photo: outputs side by side and the measured checkerboard score."""
from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from engine.data.photos import PHOTOS, photo
from engine.figures import images_figure
from engine.nets.artifacts import (CONTENT_EXAMPLE, checkerboard_rms, checkerboard_score, nearest_then_correlate,
                                   phase_spread)
from engine.nets.loading import manifest, names, upsample, upsample_untrained
from engine.nets.upsamplers import downsample
from pages.shell.figures import show, spec

BORDER = 4  # pixels dropped before scoring: edges are not what we measure
GREY = 255  # the photos are in [0, 1]: x 255 gives grey levels of an 8-bit image
SHORT = {"transposed_k3": "Transposed, k=3, s=2", "transposed_k4": "Transposed, k=4, s=2",
         "resize_conv": "Resize + 3x3 conv"}  # figure titles that fit side by side


@st.cache_data(max_entries=16, show_spinner="Running the networks…")
def _outputs(label, trained):
    """Half-size input, each network's 2x output, its scores on this photo (score, pattern RMS in grey levels,
    flat-input phase spread in grey levels), and the full-size photo's own (score, RMS)."""
    target = photo(label, max_side=128)
    target = target[: target.shape[0] // 2 * 2, : target.shape[1] // 2 * 2]  # even size: exact halving
    small = downsample(target)
    run = upsample if trained else upsample_untrained
    outputs = {name: run(name, small) for name in names()}
    flat = np.full((16, 16), 0.5)
    scores = {name: (checkerboard_score(out, BORDER), GREY * checkerboard_rms(out, BORDER),
                     GREY * phase_spread(run(name, flat))) for name, out in outputs.items()}
    return small, outputs, scores, (checkerboard_score(target, BORDER), GREY * checkerboard_rms(target, BORDER))


def _figure(label, trained, font_size):
    small, outputs, _, _ = _outputs(label, trained)
    return images_figure([("Input (half size)", small, False)] + [(SHORT[n], out, False) for n, out in outputs.items()],
                         height=300, font_size=font_size - 2)


@st.fragment
def trained_upsamplers(page):
    """Three networks trained to double a photo's resolution (weights in assets/models), trained or untrained
    (a fragment: its own controls redraw only this)."""
    left, right = st.columns(2)
    with left:
        label = page.choice("Photo", list(PHOTOS), "tc_photo", default="Coins", horizontal=False)
    with right:
        trained = page.choice("Networks", ["Trained", "Untrained"], "tc_nets") == "Trained"
    show(spec(_figure, label, trained, page.font_size), key="tc_nets_fig",
         alt="The half-size input and the three networks' 2x outputs side by side.",
         caption=f"{label}: the half-size input and the 2x outputs of the three "
                 f"{'trained' if trained else 'untrained'} networks.")
    _, _, scores, (original, original_rms) = _outputs(label, trained)
    table = pd.DataFrame({"network": [manifest()["models"][n]["label"] for n in scores],
                          "checkerboard score": [s for s, _, _ in scores.values()],
                          "pattern (grey levels)": [r for _, r, _ in scores.values()],
                          "× photo's own": [s / original if original else float("nan") for s, _, _ in scores.values()],
                          "flat-input spread": [p for _, _, p in scores.values()]})
    st.caption("Checkerboard score: the share of the output's power at the 2-pixel period. Pattern: that 2-pixel "
               f"pattern's RMS per pixel, in grey levels of {GREY} (1 is the smallest step of an 8-bit image). "
               "× photo's own: the score over the full-size photo's. Flat-input spread: feed a flat grey image, "
               f"compare the four 2x2 phases of the output, in grey levels of {GREY} (0 = no pattern).")
    st.dataframe(table, hide_index=True, column_config={
        "checkerboard score": st.column_config.NumberColumn(format="%.2e"),
        "pattern (grey levels)": st.column_config.NumberColumn(format="%.2f"),
        "× photo's own": st.column_config.NumberColumn(format="%.1f×"),
        "flat-input spread": st.column_config.NumberColumn(format="%.2f")})
    worst = max(scores, key=lambda n: scores[n][0])
    best = min(scores, key=lambda n: scores[n][0])
    st.caption(f"Measured on this photo: the strongest checkerboard is **{manifest()['models'][worst]['label']}**, the "
               f"weakest **{manifest()['models'][best]['label']}** (the full-size photo itself scores {original:.2e}, a 2-pixel "
               f"pattern of {original_rms:.2f} grey levels). "
               + training_effect(label))
    st.caption(resize_conv_caption())


def training_effect(label):
    """Each network's checkerboard score on photo `label`, untrained -> trained (measured, not asserted)."""
    untrained, trained = _outputs(label, False)[2], _outputs(label, True)[2]
    return ("Checkerboard score untrained → trained: "
            + "; ".join(f"{SHORT[n]} {untrained[n][0]:.2e} → {trained[n][0]:.2e} ({untrained[n][1]:.2f} → "
                        f"{trained[n][1]:.2f} grey levels)" for n in trained) + ".")


def _text(values):
    return "(" + ", ".join(f"{v:g}" for v in values) + ")"


def resize_conv_caption():
    """What nearest-resize-then-convolve removes, and what it does not (the example computed by the engine)."""
    signal, kernel = CONTENT_EXAMPLE
    resized, out = nearest_then_correlate(signal, kernel)
    return ("Nearest-resize then convolve removes the uneven overlap of a transposed convolution: every output "
            "pixel gets all of the kernel's taps, so a flat input gives a flat output away from the borders. "
            "It does not stop the input's own content from making a 2-pixel pattern: nearest ×2 of "
            f"{_text(signal)} is {_text(resized)}, and the kernel {_text(kernel)} turns it into {_text(out)}.")
