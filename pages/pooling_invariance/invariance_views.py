"""Views of the pooling lesson's second half: trained digit networks under shifts (equivariance, invariance)."""
from __future__ import annotations

import numpy as np
import streamlit as st

from engine.data.digits import MARGIN, typical
from engine.figures import images_figure
from engine.figures.invariance_figures import curves_figure
from engine.nets import digit_loading
from engine.nets.digit_nets import COMPARED
from engine.nets.digit_curves import curves
from engine.nets.invariance import pooling_shift_demo, shift_response, translate
from pages.shell.figures import show, spec

MAX_SHIFT = MARGIN  # the digit stays whole on the canvas up to 6 pixels
LABELS = {name: digit_loading.label(name) for name in COMPARED}  # the five networks compared


def choose_digit_and_net(page, prefix):
    """The digit (a test image of the fixed split) and the network, as URL-bound choices."""
    left, right = st.columns([1, 2])
    with left:
        digit = int(page.choice("Digit", [str(d) for d in range(10)], f"{prefix}_digit", default="7"))
    with right:
        label = page.choice("Network", list(LABELS.values()), f"{prefix}_net", horizontal=False)
    return digit, next(name for name, text in LABELS.items() if text == label)


def strongest_channel(maps):
    """The channel of a (C, H, W) map with the largest mean activation: the one worth showing."""
    return int(np.asarray(maps).mean(axis=(1, 2)).argmax())


# --- equivariance -----------------------------------------------------------------------------------------

@st.cache_data(max_entries=32, show_spinner=False)
def _equivariance_maps(digit, shift):
    """(moved digit, conv1(moved), conv1 moved, channel c): shared by the figure and its caption."""
    image = typical(digit)
    _, maps = digit_loading.activations("max_pool", image)
    _, moved_maps = digit_loading.activations("max_pool", translate(image, shift))
    c = strongest_channel(maps["conv1"])
    after = moved_maps["conv1"][c]  # conv1(T x)
    before = translate(maps["conv1"][c], shift)  # T conv1(x)
    return translate(image, shift), after, before, c


def _equivariance_figure(digit, shift, font_size):
    moved, after, before, c = _equivariance_maps(digit, shift)
    return images_figure([(f"Digit moved by {shift} px", moved, False), (f"conv1(moved), channel {c}", after, False),
                          ("conv1, then moved", before, False), ("Difference", after - before, True)],
                         height=300, font_size=font_size - 2)


def equivariance(page, digit, shift):
    """conv(T x) against T conv(x) for the trained first layer: the same away from the border."""
    show(spec(_equivariance_figure, digit, shift, page.font_size), key="pl_equi_fig",
         alt=f"The digit {digit} moved {shift} pixels right, the first convolution of the moved digit, the first "
             "convolution moved, and their difference.")
    _, after, before, _ = _equivariance_maps(digit, shift)
    inner = np.abs(after - before)[:, shift + 1:].max() if shift else 0.0
    edge = np.abs(after - before).max()
    st.caption(f"Largest difference away from the left border (columns {shift + 1} to 27): **{inner:.2g}**. "
               f"Anywhere: {edge:.2g}, in the {shift} column(s) the shift filled with zeros, where the moved map "
               "has zeros but the convolution of the moved digit sees the background and its bias.")


# --- invariance from pooling --------------------------------------------------------------------------------

@st.cache_data(max_entries=64, show_spinner=False)
def _response(name, digit):
    return shift_response(name, typical(digit), MAX_SHIFT)


def _maps_figure(name, digit, shift, font_size):
    image = typical(digit)
    roles = _response(name, digit).roles
    first, pooled = roles["first_conv"], roles["first_downsampled"] or roles["last"]
    _, maps = digit_loading.activations(name, image)
    _, moved = digit_loading.activations(name, translate(image, shift))
    c = strongest_channel(maps[first])
    panels = [("Before downsampling", maps[first][c], False), (f"Moved {shift} px", moved[first][c], False)]
    if maps[pooled].shape[-1] > 1:
        panels += [("After downsampling", maps[pooled][c], False), (f"Moved {shift} px", moved[pooled][c], False)]
    return images_figure(panels, height=260, font_size=font_size - 2)


def _curves_figure(digit, shift, font_size):
    responses = {LABELS[n]: _response(n, digit) for n in LABELS}
    panels = [("Features after the first downsampling", "relative change",
               {k: r.role_change("first_downsampled") for k, r in responses.items()}, None),
              ("Last feature layer", "relative change", {k: r.role_change("last") for k, r in responses.items()}, None),
              ("Class probabilities", "relative change", {k: r.change["probs"] for k, r in responses.items()}, None)]
    return curves_figure(panels, np.arange(MAX_SHIFT + 1), shift, "shift (pixels)", height=380, font_size=font_size)


def pooling_invariance(page, name, digit, shift):
    """Feature maps before and after the first downsampling, and how much each network's features and
    probabilities change with the shift: ||f(T_d x) - f(x)|| / ||f(x)||."""
    show(spec(_maps_figure, name, digit, shift, page.font_size), key="pl_maps_fig",
         alt=f"{LABELS[name]}: the strongest channel before and after downsampling, for the digit and for it moved "
             f"{shift} pixels.")
    r = _response(name, digit)
    first, pooled = r.roles["first_conv"], r.roles["first_downsampled"]
    st.caption(f"{LABELS[name]}, shift {shift}: the feature maps before downsampling changed by "
               f"**{r.change[first][shift]:.0%}**" + (f", after it by **{r.change[pooled][shift]:.0%}**" if pooled
                                                    else "; this network never downsamples before its global average")
               + f"; the prediction is **{r.predicted[shift]}** ({r.probs[shift].max():.0%}).")
    show(spec(_curves_figure, digit, shift, page.font_size), key="pl_curves_fig",
         alt="For each network, the relative change of its features and class probabilities against the shift.")
    st.caption("Relative change = ‖f(moved digit) − f(digit)‖ / ‖f(digit)‖: 0 means the network cannot tell the "
               "moved digit apart. Dotted line: the current shift.")


@st.fragment
def shifted(page, digit, net):
    """The shift slider and what it changes (a move reruns only this fragment)."""
    shift = page.int_slider("Move the digit right by (pixels)", 0, MAX_SHIFT, "pl_shift", default=1)
    st.subheader("Convolution moves with the input")
    equivariance(page, digit, shift)
    st.subheader("Pooling makes small moves disappear")
    pooling_invariance(page, net, digit, shift)


def _claim_figure(digit, font_size):
    demo = pooling_shift_demo(typical(digit), 2)
    return images_figure([("Image", demo.image, False), ("Max pooled", demo.pooled, False),
                          (f"Pooled after moving {demo.same_shift} px", demo.pooled_same, False),
                          (f"Pooled after moving {demo.broken_shift} px", demo.pooled_broken, False)],
                         height=260, font_size=font_size - 2)


def lecture_claim(page, digit):
    """"Both images give the same feature map after pooling": where it holds and where it breaks."""
    demo = pooling_shift_demo(typical(digit), 2)
    if demo.constructed:
        st.markdown("The digit itself has maxima right at window boundaries, so any shift changes some pooled cell. "
                    "Keep only each 2×2 window's maximum, in the window's left column: now the claim can hold.")
    show(spec(_claim_figure, digit, page.font_size), key="pl_claim_fig",
         alt="An image, its 2x2 max pooling, the pooling after a shift that keeps it, and after one that breaks it.")
    st.caption(f"Moved by {demo.same_shift} px: the pooled map is **identical** (every maximum stayed in its window). "
               f"Moved by {demo.broken_shift} px: **{int(demo.changed.sum())} of {demo.changed.size}** pooled cells "
               "change, because maxima crossed into the next window.")


def _accuracy_figure(font_size):
    measured = curves()
    lines = {LABELS[n]: measured["shift"][n] for n in LABELS}
    return curves_figure([("Accuracy on the 450 test digits", "accuracy", lines, [0, 1.02])],
                         measured["shift_amounts"], None, "shift (pixels)", height=380, font_size=font_size)


def accuracy_under_shift(page):
    """Test accuracy against the shift, per network (measured by engine.nets.digit_curves)."""
    show(spec(_accuracy_figure, page.font_size), key="pl_acc_fig",
         alt="Test accuracy of each network for digits moved -6 to 6 pixels sideways.")
    worst = {n: min(curves()["shift"][n]) for n in LABELS}
    best, bad = max(worst, key=worst.get), min(worst, key=worst.get)
    st.caption(f"All networks were trained on centred digits only. At its worst shift, **{LABELS[best]}** keeps "
               f"{worst[best]:.0%} of the digits right, **{LABELS[bad]}** only {worst[bad]:.0%}.")
