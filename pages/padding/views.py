"""Views of the padding lesson that are more than one call: sizes per side, sources, counts, photo borders."""
from __future__ import annotations

import streamlit as st

from engine.data.photos import PHOTOS
from engine.figures.padding_figures import border_figure, modes_html, output_size_latex, sources_html
from engine.ops.coverage import participation_counts, unpadded
from engine.ops.padding_sources import pad_sources
from pages.shell.figures import show, show_grids, spec
from engine.notation import count

SIZES = ["valid", "same", "full", "custom"]
CROP = 48  # pixels of the photo corner shown enlarged
SIDES = (("Top", "pd_top"), ("Bottom", "pd_bottom"), ("Left", "pd_left"), ("Right", "pd_right"))


def padding_size(page):
    """'valid', 'same', 'full', or ((top, bottom), (left, right)) from four sliders when 'custom'."""
    size = page.choice("Padding size", SIZES, "pd_size", default="same")
    if size != "custom":
        return size
    values = []
    for (label, key), column in zip(SIDES, st.columns(4)):
        with column:
            values.append(page.int_slider(label, 0, 4, key, default=1))
    top, bottom, left, right = values
    return (top, bottom), (left, right)


def sources(trace):
    """Input and padded grid: each padding cell shows its value and the input cell it copies."""
    torch_pad = tuple(q for pair in reversed(trace.pads) for q in pair)
    src = pad_sources(trace.input.shape, torch_pad, trace.padding_mode)
    st.html(sources_html(trace.input, trace.padded, src, trace.pads, trace.padding_mode))
    st.caption("Dotted, italic cells are padding; **← r, c** names the input cell whose value they copy, "
               "**fill** marks the constant 0. Input cells carry their own r, c.")
    with st.expander("All four modes side by side", icon=":material/view_column:"):
        st.html(modes_html(trace.input, trace.pads))


def output_size(trace):
    """The output-size formula per axis with the numbers written in; it ends in the real output shape."""
    st.latex(output_size_latex(trace.input.shape, trace.kernel.shape, trace.stride, trace.pads))
    h, w = trace.output.shape
    st.caption(f"The engine's output is **{h} × {w}**; input {trace.input.shape[0]} × {trace.input.shape[1]}, "
               f"padded {trace.padded.shape[0]} × {trace.padded.shape[1]}.")


def counts_title(trace):
    """The count maps' subheader, true for the current kernel and stride (from the engine's 'full' count map)."""
    shape, k, s = trace.input.shape, trace.kernel.shape, trace.stride
    full = unpadded(participation_counts(shape, k, s, "full"), shape, "full", k)
    if full.min() == full.max():
        n = int(full.min())
        return f"Full padding: every input cell takes part in {n} output{'s' if n != 1 else ''}"
    return (f"Outputs per input cell: at stride {' × '.join(map(str, s)) if len(set(s)) > 1 else s[0]} even full "
            f"padding gives {full.min()} to {full.max()}")


def count_maps(trace):
    """How many outputs use each input cell: 'valid', the current settings, 'full' (stride as set)."""
    shape, k, s = trace.input.shape, trace.kernel.shape, trace.stride
    panels, words = [], []
    for name, padding in (("valid", "valid"), ("current", trace.pads), ("full", "full")):
        if name == "current" and trace.pads in (((0, 0), (0, 0)), tuple((n - 1, n - 1) for n in k)):
            continue  # the current settings are 'valid' or 'full': already shown
        try:
            counts = unpadded(participation_counts(shape, k, s, padding), shape, padding, k)
        except ValueError:
            continue  # no window fits with this padding
        panels.append((f"{name}: outputs per input cell", counts, False))
        words.append(f"**{name}**: {counts.min()} to {counts.max()}" if counts.min() != counts.max()
                     else f"**{name}**: every cell {counts.min()}")
    show_grids(panels, key="pd_counts_fig",
         alt="For each input cell, the number of outputs whose window covers it, for each padding.",
         caption="Outputs each input cell takes part in: " + "; ".join(words)
                 + f". A {k[0]} × {k[1]} kernel has {count(k[0] * k[1], 'tap')}. " + _counts_rule(k, s))


def _counts_rule(k, s):
    """What is true in general of the counts, for this kernel size and stride."""
    if all(step == 1 for step in s):
        return (f"At stride 1 every input cell takes part in k_h · k_w = {count(k[0] * k[1], 'output')} exactly "
                "when the "
                "padding on each side is at least k - 1 ('full' or more); with less, cells near a border take part "
                "in fewer.")
    per_axis = [f"{name} {kk // step} or {-(-kk // step)}" if kk % step else f"{name} {kk // step}"
                for name, kk, step in zip(("rows", "columns"), k, s)]
    return ("At stride s > 1, even with full padding, a cell is covered ⌊k/s⌋ or ⌈k/s⌉ times along each axis "
            f"(here {', '.join(per_axis)}) and its count is the product of the two.")


@st.fragment
def photo_borders(page):
    """A box blur on a real photo with each padding mode: the top-left corner, enlarged (a fragment: its own
    controls redraw only this)."""
    left, right = st.columns([2, 3])
    with left:
        label = page.choice("Photo", list(PHOTOS), "pd_photo", horizontal=False)
    with right:
        radius = page.int_slider("Blur radius r (box blur of (2r + 1) × (2r + 1))", 1, 8, "pd_blur", default=4)
    figure = spec(border_figure, label, radius, CROP, height=300 if page.demo else 230, font_size=page.font_size)
    meta = figure["meta"]
    show(figure, key="pd_photo_fig", alt="The photo, and its top-left corner blurred with each padding mode.",
         caption=f"{label}: the boxed top-left {CROP} × {CROP} pixels, enlarged; black is 0, white 1. Mean brightness "
                 f"of the {radius}-pixel border band (and of the rest of the corner): " + "; ".join(
                     f"{name} **{m['band']:.2f}** ({m['inside']:.2f})" for name, m in meta.items()) + ".")
