"""Views of the pooling lesson's second half: trained digit networks under shifts (equivariance, invariance)."""
from __future__ import annotations

import numpy as np
import streamlit as st

from engine.data.digits import CANVAS, MARGIN, typical
from engine.figures import images_figure
from engine.figures.invariance_figures import curves_figure
from engine.notation import count
from engine.nets import digit_loading
from engine.nets.digit_curves import curves, shift_accuracy, worst_shift
from engine.nets.digit_nets import GAP_HEAD, MEASURED, config
from engine.nets.invariance import pooling_shift_demo, shift_response, translate
from pages.shell.figures import show, spec

MAX_SHIFT = MARGIN  # the digit stays whole on the canvas up to 6 pixels
LABELS = {name: digit_loading.label(name) for name in MEASURED}  # the networks of the lesson
FLATTEN_NETS = (*GAP_HEAD, "se")  # flatten -> linear head: max, avg, stride, max + SE
GAP_NETS = (*GAP_HEAD.values(), "global_pool")  # global-average-pool head: max, avg, stride, none (dilated)
SLOTS = ("Max pooling 2x2", "Average pooling 2x2", "Stride-2 convolutions", "Max pooling 2x2 + SE",
         "No downsampling (dilated convolutions)")  # one line style per downsampling, the same in both panels
SLOT_OF = {**dict(zip(FLATTEN_NETS, SLOTS)), **dict(zip(GAP_NETS, SLOTS[:3] + SLOTS[4:]))}
HEAD_TEXT = {"flatten": "flatten → linear", "gap": "global average pool → linear"}


def same_head(name):
    """The nets whose head is the head of `name`: the ones a fair comparison of downsampling may use."""
    return GAP_NETS if config(name).head == "gap" else FLATTEN_NETS


def networks_intro():
    """What the trained nets are and why they come in two groups (by head), with a table from the manifest."""
    st.markdown(f"Here {len(LABELS)} small CNNs were trained on scikit-learn's handwritten digits (centred, {CANVAS}×{CANVAS}; the "
                "same data, seed and schedule; weights in `assets/models`). They differ in how they downsample "
                "**and in their head**, the layer that turns the last feature maps into ten class scores. A "
                "*flatten → linear* head has its own weights for every position of the last map; a *global average "
                "pool → linear* head first averages each map over all positions, so it cannot see where in the map "
                "a feature is. Compare downsampling choices between nets with the same head.")
    models = digit_loading.manifest()["models"]
    with st.expander("The networks, layer by layer", icon=":material/account_tree:"):
        st.dataframe([{"network": LABELS[n], "head": HEAD_TEXT[config(n).head], "layers": "; ".join(config(n).describe()),
                       "parameters": models[n]["parameters"], "test accuracy": f"{models[n]['test_accuracy']:.1%}"}
                      for n in FLATTEN_NETS + GAP_NETS], hide_index=True)


def choose_digit_and_net(page, prefix):
    """The digit (a test image of the fixed split) and the network, as URL-bound choices."""
    left, right = st.columns([3, 2])  # room for all ten digit buttons at 1280 px (a narrower group scrolls)
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
                         height=300, font_size=font_size - 2, colorbar=True)


def equivariance(page, digit, shift):
    """conv(T x) against T conv(x) for the trained first layer: the same away from the border."""
    show(spec(_equivariance_figure, digit, shift, page.font_size), key="pl_equi_fig",
         alt=f"The digit {digit} moved {count(shift, 'pixel')} right, the first convolution of the moved digit, the "
             "first convolution moved, and their difference.")
    _, after, before, _ = _equivariance_maps(digit, shift)
    inner = np.abs(after - before)[:, shift + 1:].max() if shift else 0.0
    edge = np.abs(after - before).max()
    where = (f"; all of it in the {count(shift, 'column')} the shift filled with zeros, where the moved map has zeros "
             "but the convolution of the moved digit sees the background and its bias" if edge > inner else "")
    st.caption(f"Difference = conv1(moved) − (conv1, then moved), red positive, blue negative, pale grey 0 (the bar "
               f"gives the values). Largest |difference| away from the left border (columns {shift + 1} to 27): "
               f"**{inner:.2g}**. Anywhere: **{edge:.2g}**{where}.")


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


def _curves_figure(nets, digit, shift, font_size):
    responses = {SLOT_OF[n]: _response(n, digit) for n in nets}
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
             f"{count(shift, 'pixel')}.")
    r = _response(name, digit)
    first, pooled = r.roles["first_conv"], r.roles["first_downsampled"]
    st.caption(f"{LABELS[name]}, shift {shift}: the feature maps before downsampling changed by "
               f"**{r.change[first][shift]:.0%}**" + (f", after it by **{r.change[pooled][shift]:.0%}**" if pooled
                                                    else "; this network never downsamples before its global average")
               + f"; the prediction is **{r.predicted[shift]}** ({r.probs[shift].max():.0%}).")
    head = HEAD_TEXT[config(name).head]
    show(spec(_curves_figure, same_head(name), digit, shift, page.font_size), key="pl_curves_fig",
         alt=f"For each network with a {head} head, the relative change of its features and class probabilities "
             "against the shift.",
         caption=f"The networks with the same head as the chosen one ({head}). Relative change = ‖f(moved digit) − "
                 "f(digit)‖ / ‖f(digit)‖: 0 means the network cannot tell the moved digit apart. Dotted line: the "
                 "current shift.")


@st.fragment
def shifted(page, digit, net):
    """The shift slider and what it changes (a move reruns only this fragment)."""
    shift = page.int_slider("Move the digit right by (pixels)", 0, MAX_SHIFT, "pl_shift", default=1)
    st.subheader("Convolution moves with the input")
    equivariance(page, digit, shift)
    st.subheader("What pooling does to a small move")
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
    missing = [float("nan")] * len(measured["shift_amounts"])
    panels = [(f"{HEAD_TEXT[config(nets[0]).head]} head", "accuracy",
               {slot: missing for slot in SLOTS} | {SLOT_OF[n]: measured["shift"][n] for n in nets}, [0, 1.02])
              for nets in (FLATTEN_NETS, GAP_NETS)]
    return curves_figure(panels, measured["shift_amounts"], None, "shift (pixels)", height=420, font_size=font_size)


def last_side(name):
    """Side of the last feature map of net `name`: the canvas over its total stride (7 for 28 / 4)."""
    return CANVAS // max(config(name).strides().values())


def stride_layers(name):
    """How many stride-2 layers net `name` has before its head."""
    return sum(1 for layer in config(name).layer_names() if layer.startswith("stride"))


NUMBER_WORDS = {1: "one", 2: "two", 3: "three", 4: "four"}


def _worst(nets):
    return ", ".join(f"{SLOT_OF[n].lower()} {worst_shift(n)[1]:.0%}" for n in nets)


def accuracy_under_shift(page):
    """Test accuracy against the shift for each head: downsampling compared between nets with the same head
    (measured by engine.nets.digit_curves); every number in the captions is read from those measurements."""
    st.subheader("Accuracy under shift: the downsampling and the head, one at a time")
    show(spec(_accuracy_figure, page.font_size), key="pl_acc_fig",
         alt="Test accuracy for digits moved -6 to 6 pixels sideways: the flatten-head networks on the left, the "
             "global-average-pool-head networks on the right; one line style per downsampling.")
    flat, gap = tuple(GAP_HEAD), tuple(GAP_HEAD.values())
    side = last_side(flat[0])  # every flatten net's last map, and where the twins' extra convolution runs
    st.caption(f"All networks were trained on centred digits only. Lowest accuracy over the shifts −{MAX_SHIFT} to "
               f"{MAX_SHIFT} px, flatten → linear head: {_worst(flat)}; global-average-pool head, same downsampling "
               f"plus one 3×3 convolution at {side}×{side}: {_worst(gap)}.")
    spread = max(max(worst_shift(n)[1] for n in g) - min(worst_shift(n)[1] for n in g) for g in (flat, gap))
    gain = min(worst_shift(GAP_HEAD[n])[1] - worst_shift(n)[1] for n in flat)
    if gain > spread:
        st.markdown(f"Changing the head (with the one more convolution of the twins) moves the lowest accuracy "
                    f"by at least **{100 * gain:.0f} percentage points**; changing the downsampling (max, average, stride 2) "
                    f"under the same head, by at most **{100 * spread:.0f}**. The head matters more here. A 2×2 pooling window only "
                    f"absorbs a move inside it; the flatten head then reads every cell of the {side}×{side} map with its own "
                    "weights, so a digit whose features land in other cells is read with weights fitted to what centred "
                    "digits put there.")
    else:
        st.markdown(f"Changing the head (with the one more convolution of the twins) moves the lowest accuracy "
                    f"by at least **{100 * gain:.0f} percentage points**; changing the downsampling (max, average, "
                    f"stride 2) under the same head, by up to **{100 * spread:.0f}**.")
    strided = GAP_HEAD["strided"]
    layers = stride_layers(strided)
    total = 2 ** layers  # input pixels per cell of its last map, along each axis
    half = total // 2
    at = {d: (shift_accuracy(strided, d) + shift_accuracy(strided, -d)) / 2 for d in (half, total)}
    g = config("global_pool")
    text = (f"**Global average pooling removes where a feature is in the last map, not every effect of a shift.** "
            f"{LABELS['global_pool']} ({g.stages} 3×3 convolutions with dilations "
            f"{', '.join(str(g.dilation(i)) for i in range(g.stages))}) scores "
            f"{shift_accuracy('global_pool', 0):.0%} on centred digits, {shift_accuracy('global_pool', MAX_SHIFT):.0%} "
            f"at +{MAX_SHIFT} px and {shift_accuracy('global_pool', -MAX_SHIFT):.0%} at −{MAX_SHIFT} px: its maps "
            "move with the digit only away from the border. At the border the zero padding differs from the "
            "background a layer would otherwise see (from the second layer on, the background is ReLU(bias), not "
            f"0), so the averages change as the digit nears the edge, even though up to ±{MAX_SHIFT} px it stays "
            "whole on the canvas.")
    if layers and at[total] > at[half]:
        text += (f" Downsampling before the average breaks it in another way: with stride-2 convolutions and a "
                 f"global-average-pool head, digits moved by {total} px are recognised better ({at[total]:.0%} on "
                 f"average over ±{total}) than digits moved by {half} px ({at[half]:.0%} over ±{half}). After "
                 f"{NUMBER_WORDS.get(layers, layers)} stride-2 layer{'s' if layers > 1 else ''} the map keeps one "
                 f"pixel in {total} along each axis: a {total}-pixel move shifts it by a whole cell, a {half}-pixel "
                 "move changes which pixels are kept.")
    st.markdown(text)
