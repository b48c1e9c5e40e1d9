"""Views of the "Draw a digit" lesson: the canvas, the prediction, the preprocessing steps, every layer's
feature maps, the first layer's kernels and, for the SE network, its gates.

The drawing arrives as the canvas's RGBA pixels (streamlit-drawable-canvas, white pen on black). An example
digit is drawn on the canvas as pen strokes (engine.data.drawing.STROKES); until the student adds a stroke,
the page uses the same strokes rendered on the server, so a link or a test shows the prediction without a
browser drawing. The network runs once per 28x28 input (cached by its bytes). No user text reaches HTML.
"""
from __future__ import annotations

import numpy as np
import streamlit as st

from engine.data import digits
from engine.data.drawing import INK_SHARE, STROKES, fabric_drawing, preprocess_drawing, render_strokes
from engine.figures.classifier_figures import feature_maps_figure
from engine.figures.common import class_bars_figure, percent
from engine.figures.digit_figures import (kernels_figure, layer_caption, map_layers, preprocessing_figure,
                                          se_gates_figure)
from engine.nets import digit_loading
from engine.nets.digit_nets import COMPARED, config
from pages.shell.controls import drawn
from pages.shell.figures import show, spec

CANVAS, PEN = 280, 18  # canvas side and pen width in pixels (render_strokes draws the examples alike)
DEMO_ZOOM = 2  # demo mode: the canvas shown twice as large (its pixels, and so the network's input, stay the same)
_DEMO_CSS = f"<style>.st-key-dd_canvas {{ zoom: {DEMO_ZOOM}; }}</style>"  # a constant: no user text
BLANK = "Blank"
EXAMPLES = [BLANK] + [str(d) for d in range(10)]
LABELS = {name: digit_loading.label(name) for name in COMPARED}
_CLEARS = "dd_clears"  # how often the canvas was cleared: part of its key, so a new key is an empty canvas


# --- inputs ---------------------------------------------------------------------------------------------

def choose_net(page):
    """The trained digit network (a URL-bound choice); returns its name, e.g. "max_pool"."""
    label = page.choice("Network", list(LABELS.values()), "dd_net", horizontal=False,
                        help="Five small CNNs trained on scikit-learn's handwritten digits (weights in assets/models).")
    return next(name for name, text in LABELS.items() if text == label)


def _clear():
    st.session_state[_CLEARS] = st.session_state.get(_CLEARS, 0) + 1
    st.session_state["dd_example"] = BLANK


@st.cache_resource(max_entries=len(STROKES))
def _example_pixels(digit):
    """The example's strokes rendered as the canvas shows them (shared by every session, read-only)."""
    rgba = render_strokes(STROKES[digit], size=CANVAS, width=PEN)
    rgba.flags.writeable = False
    return rgba


def canvas(page):
    """The drawing canvas, the example choice and Clear. Returns the drawing as (H, W, 4) uint8, or None.

    The canvas gets a new key (so it starts empty, or with the example) on Clear, on another example, on a
    preset and on a demo step."""
    from streamlit_drawable_canvas import st_canvas  # registers its component: only inside a running page

    box = st.container()
    example = page.choice("Or start from an example", EXAMPLES, "dd_example", default=BLANK, horizontal=False,
                          help="The pen strokes of a digit, drawn on the canvas: add strokes to change it.")
    drawn("dd_clear")
    st.button("Clear", key="dd_clear", on_click=_clear, icon=":material/ink_eraser:",
              help="An empty canvas (the toolbar over the canvas also has undo and delete).")
    if page.preset_clicked():
        st.session_state[_CLEARS] = st.session_state.get(_CLEARS, 0) + 1
    digit = None if example == BLANK else int(example)
    key = (f"dd_canvas_{st.session_state.get(_CLEARS, 0)}_{example}_"
           f"{page.demo_step}")
    drawn("dd_canvas")
    if page.demo:
        st.html(_DEMO_CSS)
    with box, st.container(key="dd_canvas"):
        result = st_canvas(stroke_width=PEN, stroke_color="#ffffff", background_color="#000000", height=CANVAS,
                           width=CANVAS, drawing_mode="freedraw", return_image_data=True, key=key,
                           initial_drawing=None if digit is None else fabric_drawing(STROKES[digit], CANVAS, PEN))
    image = result.image_data
    return _example_pixels(digit) if image is None and digit is not None else image


# --- the work, cached -----------------------------------------------------------------------------------

@st.cache_data(max_entries=32, show_spinner=False)
def drawing_steps(rgba):
    """preprocess_drawing(rgba), cached by the pixels: DrawingSteps, or None for a blank canvas."""
    return preprocess_drawing(rgba)


@st.cache_data(max_entries=64, show_spinner=False)
def _outputs(name, input_bytes):
    image = np.frombuffer(input_bytes, dtype=np.float32).reshape(28, 28)
    probs, maps = digit_loading.activations(name, image)
    return probs, {layer: m.astype(np.float32) for layer, m in maps.items()}


def network_outputs(name, network_input):
    """(probs (10,), {layer: (C, H, W)}) of network `name` for the (28, 28) input, cached by its bytes."""
    return _outputs(name, np.ascontiguousarray(network_input, dtype=np.float32).tobytes())


# --- what the page shows --------------------------------------------------------------------------------

def prompt():
    st.info("**Draw a digit** on the black canvas with the mouse (or a finger): the network answers after each "
            "stroke. Or start from an example under the canvas.", icon=":material/draw:")


def prediction(page, name, probs):
    """The ten class probabilities as bars, and the answer in words."""
    order = np.argsort(probs)[::-1]
    best, second = int(order[0]), int(order[1])
    show(spec(class_bars_figure, probs, title=f"{LABELS[name]}: class probabilities", height=300,
              font_size=page.font_size), key="dd_probs_fig",
         alt="The ten digit classes as bars of softmax probability; the predicted class is highlighted.",
         caption=f"The network reads **{best}** ({percent(probs[best])}); next comes {second} "
                 f"({percent(probs[second])}).")
    if probs[best] < 0.5:
        st.markdown("Not sure: no digit gets half of the probability. Softmax always sums to 100 %, so the network "
                    "names a digit even for a scribble.")


def preprocessing(page, steps):
    show(spec(preprocessing_figure, steps, font_size=page.font_size), key="dd_steps_fig",
         alt="The drawing, its crop, the strokes redrawn with a standard pen, the 32 by 32 bitmap, the 8 by 8 "
             "block counts and the 28 by 28 network input.",
         caption=f"1 Crop: the box around the ink (orange), padded to a square. 2 Pen: thinned to its centre lines "
                 f"and redrawn with a pen of radius {steps.pen_radius:.1f} px, so that ink covers "
                 f"{_nbsp(percent(steps.bitmap.mean(), 0))} of the square (the training digits: "
                 f"{_nbsp(percent(INK_SHARE, 0))}). "
                 "3 Bitmap: scaled to 32 × 32, inked where at least half a pixel is. 4 Count: inked pixels in each "
                 "4 × 4 block, 0 to 16, which is how scikit-learn's 8 × 8 digits were made from scans. 5 Input: "
                 f"enlarged to {digits.DIGIT} × {digits.DIGIT} and centred on {digits.CANVAS} × {digits.CANVAS} "
                 f"(a margin of {digits.MARGIN}), like "
                 "every training digit.")


def _nbsp(text):
    """'32 %' -> '32\u00a0%': the number and its unit stay on one line."""
    return text.replace(" ", "\u00a0")


def feature_maps(page, name, maps):
    """One tab per layer whose maps are larger than 1 × 1, each a mosaic of all its channels."""
    cfg = config(name)
    st.caption(f"{LABELS[name]}: " + "; ".join(cfg.describe()) + ".")
    layers = map_layers({layer: m.shape for layer, m in maps.items()})
    for tab, layer in zip(st.tabs([f"{layer} · {' × '.join(map(str, maps[layer].shape))}" for layer in layers]),
                          layers):
        with tab:
            c, h, w = maps[layer].shape
            title = f"{layer}: {c} maps, {h} × {w}"
            show(spec(feature_maps_figure, maps[layer], title=title, font_size=page.font_size),
                 key=f"dd_maps_{layer}_fig", phone=lambda m=maps[layer], t=title: spec(
                     feature_maps_figure, m, title=t, columns=PHONE_MAP_COLUMNS, font_size=page.font_size),
                 alt=f"All {c} feature maps of layer {layer} as small gray images.",
                 caption=layer_caption(cfg, layer, (c, h, w)) + " Each map is scaled to its own maximum.")


PHONE_MAP_COLUMNS = 4  # feature maps a row on a phone: their channel labels clear of the row above
PHONE_COLUMNS = 3  # kernels a row on a phone: 3 x 3 cells of ~30 px, their weights readable


def _kernels_figure(name, font_size, columns=8):
    conv1 = digit_loading.load(name).conv1
    return kernels_figure(conv1.weight.numpy(), conv1.bias.numpy(), columns=columns, font_size=font_size)


def kernels(page, name):
    c = config(name).channels[0]
    show(spec(_kernels_figure, name, page.font_size), key="dd_kernels_fig",
         phone=lambda: spec(_kernels_figure, name, page.font_size, columns=PHONE_COLUMNS),
         alt=f"The {c} trained 3 by 3 kernels of the first convolution, their weights written in the cells.",
         caption=f"conv1 of {LABELS[name]}: {c} kernels of 3 × 3 weights, and each one's bias b (one colour scale: "
                 "red positive, blue negative, white 0). Each kernel slides over the 28 × 28 input; a map above is "
                 "bright where the pixels under the kernel match its pattern.")


def se_gates(page, name, probs, maps):
    """The SE net's gates for this drawing against the mean gates over the test digits of the predicted class."""
    if not config(name).se_reduction:
        return
    blocks = sorted(int(layer[4:]) for layer in maps if layer.startswith("gate"))
    gates = {b: maps[f"gate{b}"][:, 0, 0] for b in blocks}
    best = int(np.argmax(probs))
    means, reference, label = None, None, ""
    if name == digit_loading.SE_NET:  # the class means are measured for this network
        with st.spinner("Averaging the gates over the test digits (once)…"):
            means = digit_loading.mean_gates_per_class()
        reference, label = {b: means[b][best] for b in blocks}, f"mean over test digits of class {best}"
    st.subheader("Squeeze-and-excitation: a gate per channel")
    show(spec(se_gates_figure, gates, reference, label, font_size=page.font_size), key="dd_gates_fig",
         alt="For each SE block, the gate of every channel for this drawing as bars, with the class mean as marks.",
         caption=gates_caption(gates, means, best))


def gates_caption(gates, means, best):
    """What the gates are and, with the class means {block: (10, C)}, how far this drawing's gates are from
    its class's and how far the classes are from each other (measured, so the sentence follows the numbers)."""
    text = ("Each block averages every channel's map to one number, passes the numbers through two small dense "
            "layers and a sigmoid, and multiplies each channel by its gate s_c (0 mutes it, 1 passes it on).")
    if means is None:
        return text
    mine = [float(np.abs(gates[b] - means[b][best]).mean()) for b in gates]
    spread = [float((means[b].max(axis=0) - means[b].min(axis=0)).max()) for b in gates]
    text += (f" Orange marks: the mean gates of the test digits of class {best}, the predicted class. This drawing's "
             "gates differ from them by " + " and ".join(f"{d:.3f}" for d in mine) + " on average (block "
             + " and ".join(map(str, gates)) + "); the ten class means differ from each other by at most "
             + " and ".join(f"{d:.3f}" for d in spread) + " in any channel.")
    if max(spread) < 0.05:
        text += (" In this small network the gates hardly depend on the digit: squeeze-and-excitation learned an "
                 "almost fixed volume for each channel.")
    return text
