"""Views of the strides lesson: the output-size formula, inputs sharing an output size, the known
example against a printed figure, and downsampling a photo four ways."""
from __future__ import annotations

import numpy as np
import streamlit as st

import engine
from engine.data.photos import PHOTOS, photo
from engine.figures import images_figure
from engine.notation import AXES, count, sym
from engine.ops.coverage import participation_counts
from engine.ops.pooling import avg_pool2d, max_pool2d
from pages.shell.figures import show, show_grids, spec

# The known example, and the output printed in Figure 1.2 of Dumoulin & Visin, "A guide to convolution
# arithmetic for deep learning" (arXiv:1603.07285; also the Theano tutorial's conv_arithmetic page).
# The misprint was reported in github.com/vdumoulin/conv_arithmetic/issues/17 and confirmed there by
# co-author F. Visin. Quoted from the figure, for comparison only: the lesson's numbers are the engine's.
KNOWN_X = [[2, 2, 3, 3, 3], [0, 1, 3, 0, 3], [2, 3, 0, 1, 3], [3, 3, 2, 1, 2], [3, 3, 0, 2, 3]]
KNOWN_K = [[2, 0, 1], [1, 0, 0], [0, 1, 1]]
KNOWN_STRIDE, KNOWN_PADDING = (2, 2), 1
FIGURE_PRINTS = [[1, 6, 5], [7, 10, 9], [7, 10, 8]]
FIGURE_SOURCE = ("Figure 1.2 of Dumoulin & Visin, *A guide to convolution arithmetic for deep learning* "
                 "(arXiv:1603.07285), reproduced in many courses and blog posts; reported in "
                 "[conv_arithmetic issue #17](https://github.com/vdumoulin/conv_arithmetic/issues/17)")


def size_latex(axis, i, k, s, p):
    """o = floor((i + 2p - k) / s) + 1 with the numbers written in; below it, the remainder the floor drops."""
    n = i + 2 * p - k
    top = rf"{sym('i', axis)} + 2{sym('p')} - {sym('k', axis)}"
    return (rf"\begin{{gathered}}{sym('o', axis)} = \left\lfloor \frac{{{top}}}{{{sym('s', axis)}}} \right\rfloor + 1"
            rf" = \left\lfloor \frac{{{i} + 2 \cdot {p} - {k}}}{{{s}}} \right\rfloor + 1"
            rf" = \left\lfloor \frac{{{n}}}{{{s}}} \right\rfloor + 1 = {n // s + 1}\\"
            rf"\text{{dropped: }} ({top}) \bmod {sym('s', axis)} = {n} \bmod {s} = {n % s}\end{{gathered}}")


def unreached_cells(shape, kernel_shape, stride, padding):
    """(padded shape) bool: cells no window covers."""
    return participation_counts(shape, kernel_shape, stride, padding) == 0


def output_size(x, k, stride, padding, unreached):
    """The size formula per axis (st.latex), and what the floor leaves out, in words."""
    for axis, i, kk, s in zip(AXES, x.shape, k.shape, stride):
        st.latex(size_latex(axis, i, kk, s, padding))
    inner = unreached[padding:padding + x.shape[0], padding:padding + x.shape[1]]
    if not unreached.any():
        st.caption("Every cell is under the kernel at least once: nothing is dropped.")
    else:
        where = ("all of them padding" if not inner.any() else "all of them input cells"
                 if inner.sum() == unreached.sum() else f"{int(inner.sum())} of them input cells")
        st.caption(f"The hatched cells in the step view ({int(unreached.sum())}, {where}) are never under the kernel.")


def _grid_html(i, p, unreached):
    rows = []
    for r in range(i + 2 * p):
        cells = "".join('<td class="{}"></td>'.format(
            "skip" if unreached[r, c] else "pad" if min(r, c) < p or max(r, c) >= i + p else "in")
            for c in range(i + 2 * p))
        rows.append(f"<tr>{cells}</tr>")
    return "".join(rows)


_GRID_CSS = """<style>
.sd-grid { border-collapse: separate; border-spacing: 2px; }
.sd-grid td { width: 1.1em; height: 1.1em; padding: 0; }
.sd-grid td.in { background: #9ab; }
.sd-grid td.pad { border: 2px dotted #aaa; background: #fff; }
.sd-grid td.skip { background: repeating-linear-gradient(45deg, #fff, #fff 3px, #888 3px, #888 5px); }
</style>"""  # a constant; the grids below are made from whole numbers only


def same_output_size(i, k, s, p):
    """Two square inputs of different size with the same output size (row axis settings)."""
    o = (i + 2 * p - k) // s + 1
    low = max(1, (o - 1) * s + k - 2 * p, k - 2 * p)
    sizes = [n for n in range(low, low + s) if (n + 2 * p - k) // s + 1 == o]
    if len(sizes) < 2:
        st.info("With stride 1 every input size has its own output size. Raise the stride s_h to see "
                "several input sizes collapse onto one output size.", icon=":material/info:")
        return
    other = sizes[-1] if i != sizes[-1] else sizes[0]
    columns = st.columns(2)
    for column, n in zip(columns, sorted({i, other})):
        hidden = unreached_cells((n, n), (k, k), s, p)
        with column:
            st.markdown(f"**i = {n}**, k = {k}, s = {s}, p = {p} → **o = {o}**, "
                        f"dropped (i + 2p − k) mod s = {(n + 2 * p - k) % s}")
            st.html(_GRID_CSS + f'<table class="sd-grid" aria-label="{n} by {n} input padded by {p}: '
                    f'{count(int(hidden.sum()), "cell")} never reached">{_grid_html(n, p, hidden)}</table>')
    st.markdown(f"Every input size from {sizes[0]} to {sizes[-1]} gives o = {o}. Going back from the output, a "
                "**transposed convolution** must be told which one: PyTorch's `output_padding` "
                f"(0 to {s - 1}) is that dropped remainder.")


def is_known_example(x, k, stride, padding):
    return (x.shape == (5, 5) and k.shape == (3, 3) and np.array_equal(x, KNOWN_X)
            and np.array_equal(k, KNOWN_K) and tuple(stride) == KNOWN_STRIDE and padding == KNOWN_PADDING)


def known_example_check(output):
    """The engine's output for the known example next to what the well-known figure prints."""
    printed = np.array(FIGURE_PRINTS, dtype=float)
    wrong = [f"({r}, {c}): printed {printed[r, c]:g}, correct {output[r, c]:g}"
             for r, c in np.argwhere(printed != output)]
    st.subheader("The known example vs a well-known figure")
    show_grids([("Engine (= PyTorch conv2d)", output, False),
                ("Printed in the figure", printed, False, printed != output)],
               key="sd_known_fig", alt="The engine's output next to the output printed in the figure.",
               caption=f"Left: the engine's {output.shape[0]} × {output.shape[1]} output for the known example; "
                       f"right: the values the figure prints. {len(wrong)} of {printed.size} cells differ "
                       "(dashed border).")
    st.markdown(f"{FIGURE_SOURCE}. The engine agrees with PyTorch; the figure gets **{len(wrong)} of "
                f"{printed.size} cells** wrong (row, column): " + "; ".join(wrong) + ".")


def _downsampling_figure(label, f, font_size):
    """A photo downsampled by f four ways; the sizes go in the figure's meta for the caption."""
    image = photo(label)
    panels = [(f"Conv 3×3 fixed blur, stride {f}", engine.correlate2d(image, np.full((3, 3), 1 / 9), stride=f, padding=1)),
              (f"Subsample, stride {f}", engine.correlate2d(image, np.ones((1, 1)), stride=f)),
              (f"Max pool {f}×{f}", max_pool2d(image[None], f)[0]),
              (f"Avg pool {f}×{f}", avg_pool2d(image[None], f)[0])]
    figure = images_figure([(t, y, False) for t, y in panels], height=330, font_size=font_size)
    sizes = [f"{t.split(',')[0].lower()} {y.shape[0]}×{y.shape[1]}" for t, y in panels]
    as_conv = engine.conv2d(image[None], np.full((1, 1, f, f), 1 / f ** 2), stride=f)[0]  # depthwise, C = 1
    return {**figure.to_dict(), "meta": {"caption": f"{label} {image.shape[0]}×{image.shape[1]} → " + ", ".join(sizes),
                                         "avg_vs_conv": float(np.abs(as_conv - panels[3][1]).max())}}


@st.fragment
def photo_downsampling(page):
    """Stride vs pooling on a real photo: strided conv, subsampling, max and average pooling (a fragment: its
    own controls redraw only this)."""
    left, right = st.columns(2)
    with left:
        label = page.choice("Photo", list(PHOTOS), "sd_photo", horizontal=False, default="Brick wall")
    with right:
        f = page.int_slider("Downsampling factor", 2, 4, "sd_f")
    figure = spec(_downsampling_figure, label, f, page.font_size)
    show(figure, key="sd_photo_fig", alt="The photo after a strided convolution, subsampling, max pooling and average pooling.",
         caption=f"Sizes: {figure['meta']['caption']}. The first panel's kernel is a fixed blur (every weight 1/9); "
                 "in a network a stride-2 convolution learns its kernel. Average pooling is a depthwise "
                 f"stride-{f} convolution (groups = C) with every weight 1/{f * f}: on this photo the two differ by "
                 f"at most {figure['meta']['avg_vs_conv']:.1e}.")
