"""Views of the ImageNet classifier lesson: the photo (a sample or the student's upload), the top-5, the
feature maps of the stem and of a chosen block, and where the parameters and multiply-adds go.

The network runs once per photo (cached by the photo's label, or by the hash of the uploaded bytes);
switching the block only picks other maps from that result. Nothing the student typed or uploaded is
put into HTML: the file name is never shown, and upload messages come from engine/data/uploads.py.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from engine.data.photos import SAMPLE_PHOTOS, rgb_photo
from engine.data.uploads import ALLOWED_TEXT, MAX_UPLOAD_MB, load_upload
from engine.figures.classifier_figures import (KIND_LABELS, block_cost, blocks_total, cost_sentence, cost_share_figure,
                                               feature_maps_figure, kind_shares, top_classes_figure)
from engine.figures.common import percent
from engine.nets.imagenet import IMAGE_SIZE, MAX_ASPECT, MIN_SIDE, activation_names, classify, feature_maps, layer_table
from engine.pytorch_code import mbconv_block_code
from pages.shell.caching import shared
from pages.shell.controls import drawn
from pages.shell.figures import show, spec

N_MAPS = 16  # channels shown per layer
MAX_SIDE = 512  # uploads are downscaled to this before the centre crop (the network sees 224 x 224)
UPLOAD_TYPES = ["png", "jpg", "jpeg", "gif", "bmp", "webp", "tif", "tiff"]
BLOCKS = 16
KEEP_SECONDS = 1800  # cached results (of uploads too) are dropped after this long: kept in memory only
_GENERATION, _LAST_PHOTO = "_cp_upload_generation", "_cp_last_photo"


@dataclass(frozen=True)
class Photo:
    key: str  # what the network's results are cached under: "sample:<label>" or "upload:<sha256>"
    rgb: np.ndarray  # (H, W, 3) uint8
    what: str  # "the sample photo Coffee" or "your upload": for captions
    notes: tuple = ()  # what was done to an upload to read it


# --- the photo ------------------------------------------------------------------------------------------

@st.cache_resource(max_entries=len(SAMPLE_PHOTOS))
def _sample(label):
    rgb = rgb_photo(label)
    rgb.flags.writeable = False  # shared by every session
    return rgb


@st.cache_data(max_entries=8, ttl=KEEP_SECONDS, show_spinner=False)
def _decode(digest, _data):
    """(UploadedImage, None) or (None, message): load_upload's verdict on the bytes whose sha256 is `digest`."""
    try:
        return load_upload(_data, max_side=MAX_SIDE, min_side=MIN_SIDE, max_aspect=MAX_ASPECT), None
    except ValueError as error:
        return None, str(error)


def upload_box(page, label):
    """The file uploader; it is emptied when the sample photo changes or a preset is clicked, so that
    choosing a sample always shows it. Returns the UploadedFile or None."""
    generation = st.session_state.get(_GENERATION, 0)
    if page.preset_clicked() or st.session_state.get(_LAST_PHOTO, label) != label:
        generation += 1  # a new key: a new, empty uploader
        st.session_state[_GENERATION] = generation
    st.session_state[_LAST_PHOTO] = label
    drawn("cp_upload")
    with st.container(key="cp_upload"):
        return st.file_uploader(
            f"Or classify your own photo ({ALLOWED_TEXT}, up to {MAX_UPLOAD_MB} MB)", type=UPLOAD_TYPES,
            key=f"cp_upload_{generation}",
            help="Your photo is kept in the server's memory only (its results for at most half an hour), never "
                 "on disk, and it is not part of the page's link.")


def chosen_photo(label, file):
    """The upload if there is one and it can be read, else the sample photo `label`. A file that cannot be
    read gets load_upload's message (it says what was wrong and what to do), and the sample is shown."""
    if file is not None:
        data = file.getvalue()
        digest = hashlib.sha256(data).hexdigest()
        upload, error = _decode(digest, data)
        if upload is not None:
            return Photo(f"upload:{digest}", upload.rgb, "your upload", upload.notes)
        st.error(f"{error} Showing the sample photo {label} instead.", icon=":material/error:")
    return Photo(f"sample:{label}", _sample(label), f"the sample photo {label}")


@st.cache_data(max_entries=12, ttl=KEEP_SECONDS, show_spinner="Running EfficientNet-Lite0 on the photo…")
def analyse(key, _rgb):
    """(Classification, maps, shapes) for the photo cached under `key`: maps[name] = the first N_MAPS
    channels of that layer's output (float32), shapes[name] = the full (C, H, W)."""
    result = classify(_rgb)
    maps = feature_maps(_rgb, activation_names())
    return result, {n: np.ascontiguousarray(m[:N_MAPS]) for n, m in maps.items()}, {n: m.shape for n, m in maps.items()}


def photo_source(photo):
    """Under the controls: what an upload needed to be read, and that it is not in the link."""
    if photo.key.startswith("upload:"):
        notes = "; ".join(photo.notes) if photo.notes else "read as it is"
        st.caption(f"Showing your upload ({notes}). Uploaded photos are not part of the link: a copied link "
                   "shows the sample photo. Choose a sample photo to go back.")


# --- what the network says ------------------------------------------------------------------------------

def prediction(photo, result, font_size):
    """The 224 x 224 crop the network sees, the top-5 as bars, and a sentence on its confidence."""
    left, right = st.columns([2, 3], vertical_alignment="center")
    h, w = photo.rgb.shape[:2]
    with left:
        st.image(result.image, width=300 if font_size < 20 else 380,
                 caption=f"What the network sees: the central square of {photo.what} ({h} × {w} pixels, "
                         f"H × W; 224/256 of the short side), resized to {IMAGE_SIZE} × {IMAGE_SIZE}.")
    names, probs = [p.name for p in result.top], [p.probability for p in result.top]
    with right:
        show(spec(top_classes_figure, names, probs, font_size=font_size), key="cp_top5_fig",
             alt="The five most probable ImageNet classes for the photo, as horizontal bars of probability.",
             caption="Top-5: " + " · ".join(f"{n} {percent(p)}" for n, p in zip(names, probs)))
    rest = 1.0 - sum(probs)
    top = result.top[0]
    if top.probability >= 0.5:
        verdict = f"The network is fairly sure: **{top.name}**, with {percent(top.probability)}."
    else:
        verdict = (f"No class gets half of the probability: the best guess, **{top.name}**, has "
                   f"{percent(top.probability)}.")
    st.markdown(f"{verdict} The other {1000 - len(probs)} classes share {percent(max(rest, 0.0))}. The softmax "
                "always sums to 100 %, so a top-5 names five classes even when the photo shows none of them.")


# --- feature maps ---------------------------------------------------------------------------------------

def _block_rows(block):
    return {r.name.rsplit(".", 1)[1]: r for r in layer_table().rows if r.name.startswith(f"blocks.{block}.")}


def block_description(block):
    """'1×1 expand, 5×5 depthwise (stride 2), 1×1 project: 24 → 144 → 40 channels', from the layer table."""
    rows = _block_rows(block)
    dw, pw = rows["depthwise"], rows["project"]
    c_in = rows["expand"].in_channels if "expand" in rows else dw.in_channels
    path = f"{c_in} → {dw.in_channels} → {pw.output_shape[0]}" if "expand" in rows else f"{c_in} → {pw.output_shape[0]}"
    return ("1×1 expand, " if "expand" in rows else "") + (
        f"{dw.kernel}×{dw.kernel} depthwise (stride {dw.stride}), 1×1 project: {path} channels")


PHONE_COLUMNS = 4  # maps a row on a phone: their channel labels clear of the row above


@st.cache_data(max_entries=4 * BLOCKS, ttl=KEEP_SECONDS, show_spinner=False)
def _maps_figure(key, name, title, font_size, _maps, columns=8):
    """feature_maps_figure of layer `name` of the photo cached under `key` (as analyse): cached by that key
    rather than by the maps, and dropped with the photo's other results."""
    return feature_maps_figure(_maps, title=title, columns=columns, font_size=font_size)


def feature_maps_view(key, maps, shapes, block, font_size):
    """The stem's maps and block `block`'s maps, first N_MAPS channels each, with what they show."""
    stem = maps["stem"]
    c, h, w = shapes["stem"]
    dark = [i for i in range(len(stem)) if not stem[i].any()]
    silent = (f" {_channels(dark)} {'is' if len(dark) == 1 else 'are'} all black: "
              f"{'that filter' if len(dark) == 1 else 'those filters'} found {'its' if len(dark) == 1 else 'their'} "
              "pattern nowhere in this photo." if dark else "")
    stem_title = f"Stem: {len(stem)} of {c} maps, {h} × {w}"
    show(_maps_figure(key, "stem", stem_title, font_size, stem), key="cp_stem_fig",
         phone=lambda: _maps_figure(key, "stem", stem_title, font_size, stem, PHONE_COLUMNS), alt=f"The first {len(stem)} feature maps of the stem as small gray images.",
         caption=f"Stem (3×3 convolution, stride 2, 3 → {c} channels, then ReLU6): {c} maps of {h} × {w}, the first "
                 f"{len(stem)} shown. Each map is one filter's answer to \"is my pattern here?\": bright where its "
                 "edge or colour is, black where it is not (ReLU6 cuts negatives). Each map is scaled to its own "
                 f"maximum.{silent}")
    name = f"blocks.{block}"
    c, h, w = shapes[name]
    cells = IMAGE_SIZE // h
    title = f"Block {block}: {len(maps[name])} of {c} maps, {h} × {w}"
    figure = _maps_figure(key, name, title, font_size, maps[name])
    colours = ("Red is positive, blue negative, white zero (a block ends with a linear 1×1 projection, so its "
               "output is signed)") if figure["meta"]["signed"] else "Bright is large"
    show(figure, key="cp_block_fig", phone=lambda: _maps_figure(key, name, title, font_size, maps[name], PHONE_COLUMNS),
         alt=f"The first {len(maps[name])} feature maps of block {block} as small coloured images.",
         caption=f"Block {block} ({block_description(block)}): {c} maps of {h} × {w}, one cell for each "
                 f"{cells} × {cells} pixels of the input; the first {len(maps[name])} shown. {colours}; each map "
                 "is scaled to its own largest magnitude.")


def _channels(indices):
    """[11] -> 'Channel 11'; [3, 11] -> 'Channels 3 and 11'."""
    numbers = [str(i) for i in indices]
    return (f"Channel {numbers[0]}" if len(numbers) == 1
            else "Channels " + ", ".join(numbers[:-1]) + " and " + numbers[-1])


# --- parameters and multiply-adds -----------------------------------------------------------------------

def _cost_figure(font_size):
    return cost_share_figure(layer_table(), font_size=font_size)


@st.cache_data(max_entries=1, show_spinner=False)
def layer_frames():
    """(per-kind summary, per-layer table) as DataFrames, from engine.nets.imagenet.layer_table()."""
    table = layer_table()
    summary = pd.DataFrame([{"kind": KIND_LABELS[s.kind], "layers": s.layers, "parameters": s.params,
                             "% of parameters": 100 * s.params_share, "multiply-adds": s.macs,
                             "% of multiply-adds": 100 * s.macs_share} for s in kind_shares(table)])
    layers = pd.DataFrame([{"layer": r.name, "kind": r.kind, "kernel, stride": f"{r.kernel}×{r.kernel}, {r.stride}",
                            "C_in": r.in_channels, "output shape": " × ".join(map(str, r.output_shape)),
                            "parameters": r.params, "multiply-adds": r.macs,
                            "share": 100 * r.macs / table.macs} for r in table.rows])
    return summary, layers


def costs(font_size):
    """Shares per layer kind (figure, sentence, table), and every layer's parameters and multiply-adds."""
    table = layer_table()
    show(spec(_cost_figure, font_size), key="cp_cost_fig",
         alt="Two stacked bars: the share of the parameters and of the multiply-adds of each kind of layer.",
         caption=f"EfficientNet-Lite0 for one 224 × 224 photo: {table.params:,} parameters, {table.macs:,} "
                 "multiply-adds, split by the kind of layer.")
    st.markdown(cost_sentence(table))
    summary, layers = layer_frames()
    number = st.column_config.NumberColumn(format="localized")
    share = st.column_config.NumberColumn(format="%.2f %%")
    st.dataframe(summary, hide_index=True, column_config={"parameters": number, "multiply-adds": number,
                                                          "% of parameters": share, "% of multiply-adds": share})
    st.markdown("**Every layer** (BatchNorm's scale and shift are counted as parameters; one multiply-add per "
                "weight per output cell):")
    st.dataframe(layers, hide_index=True, height=420, column_config={
        "parameters": number, "multiply-adds": number,
        "share": st.column_config.ProgressColumn(
            format="%.1f %%", min_value=0, max_value=float(layers["share"].max()),
            help="This layer's multiply-adds as a share of the whole network's")})


def block_view(block):
    """Block `block` as built (an MBConv block) against the plain k×k convolution with its input and output shapes."""
    table = layer_table()
    cost = block_cost(table, block)
    k, s, t, c_in, c_out, hid = (cost.kernel, cost.stride, cost.expand_ratio, cost.in_channels, cost.out_channels,
                                 cost.hidden_channels)
    (_, h, w), (_, h2, w2) = cost.input_shape, cost.plain.output_shape
    expand = (f"a 1×1 **expansion** to t·C_in = {t}·{c_in} = {hid} channels (ReLU6), " if t != 1 else
              "no expansion (t = 1), ")
    skip = ("; s = 1 and C_in = C_out, so the input is added back (an **identity skip**)" if cost.has_skip else
            "; no skip, since the shape changes")
    st.markdown(f"Block {block} takes {c_in} × {h} × {w} to {c_out} × {h2} × {w2}. It is an **MBConv** block "
                f"(MobileNetV2's inverted residual): {expand}a {k}×{k} **depthwise** convolution with stride {s} "
                f"(one filter per channel, ReLU6), and a 1×1 **projection** to {c_out} channels with no activation "
                f"(linear){skip}. Against the plain {k}×{k} convolution {c_in} → {c_out} with stride {s}, which has "
                "the same input and output shapes (convolution weights only; one multiply-add per weight per "
                "output cell):")
    number = st.column_config.NumberColumn(format="localized")
    st.dataframe(_block_frame(block), hide_index=True, column_config={"weights": number, "multiply-adds": number})
    st.markdown(f"The block has **{cost.weights_ratio:.2f}×** the plain convolution's weights and does "
                f"**{cost.macs_ratio:.2f}×** its multiply-adds"
                + (f", while its {k}×{k} filters work on {hid} channels instead of {c_in}" if t != 1 else
                   f", and its {k}×{k} filters work on its {c_in} input channels (no expansion)")
                + f". Its depthwise + projection pair is MobileNet's depthwise separable convolution "
                f"on those {hid} channels: 1/C_out + 1/k² = 1/{c_out} + 1/{k * k} = "
                f"{1 / c_out + 1 / (k * k):.3f} of a standard {k}×{k} convolution {hid} → {c_out}.")
    built, plain = blocks_total(table)
    st.markdown(f"All {BLOCKS} blocks as built: {built:,} multiply-adds; plain k×k convolutions with the same shapes: "
                f"{plain:,} ({built / plain:.2f}×).")
    st.code(mbconv_block_code(cost, block), language="python")


@shared(max_entries=2 * BLOCKS)
def _block_frame(block):
    """Block `block`'s layers, the block and the plain convolution as a table (read-only, shared)."""
    cost = block_cost(layer_table(), block)
    k, s, c_in, c_out = cost.kernel, cost.stride, cost.in_channels, cost.out_channels
    rows = [{"layer": l.name, "kernel, stride": f"{l.kernel}×{l.kernel}, {l.stride}",
             "channels": f"{l.in_channels} → {l.out_channels}" + (" (depthwise)" if l.groups > 1 else ""),
             "output": " × ".join(map(str, l.output_shape)), "weights": l.weights, "multiply-adds": l.macs}
            for l in cost.layers]
    rows.append({"layer": f"block {block}", "kernel, stride": "", "channels": f"{c_in} → {c_out}",
                 "output": " × ".join(map(str, cost.layers[-1].output_shape)), "weights": cost.weights,
                 "multiply-adds": cost.macs})
    p = cost.plain
    rows.append({"layer": "plain conv", "kernel, stride": f"{k}×{k}, {s}", "channels": f"{c_in} → {c_out}",
                 "output": " × ".join(map(str, p.output_shape)), "weights": p.weights, "multiply-adds": p.macs})
    return pd.DataFrame(rows)
