"""Invariances CNNs do not have: rotation, scale and elastic distortion of a digit, and what the networks say."""
from __future__ import annotations

import numpy as np
import streamlit as st

from engine.data.digits import displacement_field, elastic, rotate, scale, typical
from engine.figures import images_figure
from engine.figures.common import class_bars_figure
from engine.figures.invariance_figures import curves_figure
from engine.nets import digit_loading
from engine.nets.digit_curves import curves
from engine.nets.digit_nets import COMPARED
from pages.pooling_invariance.invariance_views import LABELS
from pages.shell.figures import show, spec

MAX_ANGLE = 90


def transformed(digit, angle, zoom, alpha, seed):
    """The test digit rotated by `angle` degrees, zoomed by `zoom`, then elastically distorted (alpha px)."""
    image = np.clip(scale(rotate(typical(digit), angle), zoom), 0, 1)
    return np.clip(elastic(image, alpha, 3.0, seed), 0, 1) if alpha else image


def _digits_figure(digit, angle, zoom, alpha, seed, font_size):
    dy, dx = displacement_field((28, 28), alpha, 3.0, seed)
    panels = [("Test digit", typical(digit), False), ("Transformed", transformed(digit, angle, zoom, alpha, seed), False)]
    if alpha:
        panels.append(("Displacement |d| (pixels)", np.hypot(dy, dx), False))
    return images_figure(panels, height=260, font_size=font_size - 2)


def _bars(name, digit, probs, font_size):
    return class_bars_figure(probs, f"{LABELS[name]}", height=280, font_size=font_size, true_class=digit)


@st.fragment
def transformations(page, name, digit):
    """Sliders for rotation, scale and distortion; the transformed digit and the chosen network's verdict
    (a fragment: these sliders rerun this section only; a new digit or network reruns the page)."""
    left, right = st.columns(2)
    with left:
        angle = page.int_slider("Rotation (degrees)", -MAX_ANGLE, MAX_ANGLE, "pl_angle", default=0, step=5)
        zoom = page.int_slider("Scale (%)", 50, 150, "pl_scale", default=100, step=10) / 100
    with right:
        alpha = page.int_slider("Elastic distortion α (pixels)", 0, 12, "pl_alpha",
                                help="A random displacement field, smoothed by a Gaussian (σ = 3 px), scaled by α.")
        seed = page.int_slider("Distortion pattern", 0, 9, "pl_seed")
    show(spec(_digits_figure, digit, angle, zoom, alpha, seed, page.font_size), key="pl_tf_fig",
         alt=f"The test digit {digit} and its copy rotated by {angle} degrees, scaled by {zoom:.0%}, distorted by "
             f"alpha {alpha}.")
    probs = digit_loading.predict(name, transformed(digit, angle, zoom, alpha, seed))[0]
    show(spec(_bars, name, digit, probs, page.font_size), key="pl_tf_bars",
         alt="The chosen network's probability for each of the ten classes on the transformed digit.")
    verdict = "right" if probs.argmax() == digit else "wrong"
    st.caption(f"{LABELS[name]} says **{int(probs.argmax())}** ({probs.max():.0%}) for a {digit}: **{verdict}**.")


def _rotation_figure(font_size):
    measured = curves()
    lines = {LABELS[n]: measured["rotation"][n] for n in COMPARED}
    return curves_figure([("Accuracy on the 450 rotated test digits", "accuracy", lines, [0, 1.02])],
                         measured["rotation_amounts"], None, "rotation (degrees)", height=380, font_size=font_size)


def accuracy_under_rotation(page):
    """Test accuracy against the rotation, per network (measured by engine.nets.digit_curves)."""
    show(spec(_rotation_figure, page.font_size), key="pl_rot_fig",
         alt=f"Test accuracy of the {len(COMPARED)} networks named in the legend for digits rotated from -90 to 90 "
             "degrees.")
    measured = curves()
    column = {a: i for i, a in enumerate(measured["rotation_amounts"])}
    at = {a: np.mean([measured["rotation"][n][column[a]] for n in COMPARED]) for a in (0, 45, 90)}
    st.caption(f"Averaged over these {len(COMPARED)} networks: {at[0]:.0%} upright, {at[45]:.0%} at 45°, "
               f"{at[90]:.0%} at 90°. No layer here is built to ignore rotation; training on rotated copies (data "
               "augmentation) is the usual way to teach it.")
