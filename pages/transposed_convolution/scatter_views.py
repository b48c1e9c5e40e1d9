"""Views of the transposed-convolution lesson: scatter steps with C^T, the equivalent convolution,
the output size and output_padding, checkerboards (the PyTorch code: engine/pytorch_code/)."""
from __future__ import annotations

import numpy as np
import streamlit as st

from engine.figures.style import fmt
from engine.figures.transposed_figures import (counts_figure, resize_conv_counts, scatter_view, shape_text,
                                               stacked_counts, transpose_fits)
from engine.notation import count, sym
from engine.ops.conv_matrix import conv_matrix, conv_output_shape
from engine.ops.conv_transpose import (conv_transpose_single, equivalent_conv_input, equivalent_conv_weight,
                                       output_padding_cells, overlap_counts, trace_conv_transpose)
from engine.ops.trace import trace_conv
from pages.shell.figures import show, show_grids, spec
from pages.shell.stepping import step_through

MAX_ROWS, MAX_COLS = 64, 36  # C^T is drawn up to 64 x 36 (numbers up to 49 rows); larger: shape and a note


def size_latex(axis, i, k, s, p, op):
    """o = (i - 1)s - 2p + d(k - 1) + output_padding + 1 with the numbers written in (d = 1)."""
    out = (i - 1) * s - 2 * p + (k - 1) + op + 1
    name = sym("o", axis or None)
    return rf"{name} = ({i} - 1) \cdot {s} - 2 \cdot {p} + 1 \cdot ({k} - 1) + {op} + 1 = {out}"


def output_size(x, k, s, p, op):
    axes = ("h", "w") if x.ndim == 2 else ("",)
    st.latex(r"o = (i - 1)s - 2p + d(k - 1) + \text{output\_padding} + 1")
    for axis, i, kk in zip(axes, x.shape, k.shape):
        st.latex(size_latex(axis, i, kk, s, p, op))


@st.fragment
def scatter_and_matrix(page, tc, key):
    """Stepper over the scatter: each step's stamp and C^T with the column it uses (drawn in the browser)."""
    trace = trace_conv_transpose(**tc)
    page.stepper(len(trace.steps), key, views=(scatter_views, tc))
    C = conv_matrix(trace.output.shape, trace.kernel, tc["stride"], tc["padding"])
    if not transpose_fits(C, MAX_ROWS, MAX_COLS):
        st.info(f"C^T has {C.shape[1]} × {C.shape[0]} = {C.size} entries, too many to draw; use a smaller input, "
                f"kernel or stride to see it.", icon=":material/grid_on:")
    same = np.allclose(C.T @ trace.input.ravel(), trace.output.ravel())
    st.caption(f"C^T · flatten(X) {'equals' if same else 'differs from'} the output, computed cell by cell.")


def scatter_views(tc):
    """view(n) -> step n's stamp and C^T (for the stepper)."""
    trace = trace_conv_transpose(**tc)
    C = conv_matrix(trace.output.shape, trace.kernel, tc["stride"], tc["padding"])
    return scatter_view(trace, C, MAX_ROWS, MAX_COLS)


def equivalent_convolution(page, tc, key):
    """Zero-inserted, padded input and the flipped kernel; a plain convolution of them, stepped."""
    x, k, s, p, op = tc["input"], tc["kernel"], tc["stride"], tc["padding"], tc["output_padding"]
    z = equivalent_conv_input(x, s, k.shape, p, op)
    flipped = equivalent_conv_weight(k[None, None])[0, 0]
    st.markdown(f"Insert **s − 1 = {s - 1}** zero(s) between input cells, {_border_text(k.shape, p)}"
                + (f" (plus output_padding = {op} at the end)" if op else "") +
                ", flip the kernel, and run a plain stride-1 convolution:")
    show_grids([("Zero-inserted, padded input", z, False), ("Kernel flipped", flipped, True)],
               key=f"{key}_fig", alt="The zero-inserted and padded input, and the flipped kernel.",
         caption=f"Input X ({shape_text(x.shape)}) with {s - 1} zero(s) between cells and padding: "
                 f"{shape_text(z.shape)}; the {shape_text(k.shape)} kernel rotated by 180°.")
    conv = dict(input=z, kernel=flipped)
    step_through(page, conv, key, label="Convolution step", shortcuts=False)
    plain, transposed = trace_conv(**conv).output, trace_conv_transpose(**tc).output
    same = plain.shape == transposed.shape and np.allclose(plain, transposed)
    show_grids([("Plain convolution", plain, False), ("Transposed convolution", transposed, False)],
               key=f"{key}_same", alt="The two results side by side.",
         caption=f"Plain convolution {shape_text(plain.shape)}, transposed convolution "
                 f"{shape_text(transposed.shape)}: {'equal' if same else 'different'}.")
    st.markdown(f"Both results, computed separately: **{'equal' if same else 'different'}** "
                f"(shape {shape_text(plain.shape)}).")


def _border_text(k_shape, p):
    """'pad by k − 1 − p = 2' (one number per axis when the kernel is not square; 'crop' when negative)."""
    sizes = [k - 1 - p for k in k_shape]
    if len(set(sizes)) > 1:
        axes = ", ".join(f"{name} {'pad by' if v >= 0 else 'crop'} **{abs(v)}**"
                         for name, v in zip(("rows", "columns"), sizes))
        return f"then along each axis k − 1 − p: {axes}"
    v = sizes[0]
    if v >= 0:
        return f"pad by **k − 1 − p = {v}**"
    return f"crop **p − (k − 1) = {-v}** from each end (k − 1 − p < 0)"


def output_padding_why(x, k, s, p):
    """The s conv input sizes that a stride-s conv maps to this input's size (last axis), the transposed
    output for each output_padding, and where its extra cells come from (engine: output_padding_cells)."""
    o, kk = x.shape[-1], k.shape[-1]
    rows, values = [], []
    for op in range(s):
        try:
            cut, past = output_padding_cells(o, kk, s, p, op)
        except ValueError:  # this output_padding with this padding crops away everything
            continue
        size = (o - 1) * s - 2 * p + (kk - 1) + op + 1
        (back,) = conv_output_shape((size,), (kk,), s, p)
        extra = "none" if not op else ", ".join(t for t in (
            f"{cut} the crop would have cut (stamps)" if cut else "", f"{past} past the last stamp (0)" if past else "")
            if t)
        rows.append(f"| {size} | {back} | {op} | {size} | {extra} |")
        if x.ndim == 1:
            y = conv_transpose_single(x, k, s, p, op)
            values.append(f"- output_padding = {op}: `{' '.join(fmt(v) for v in y)}`")
    if len(rows) < 2:
        st.markdown(f"With k = {kk}, s = {s}, p = {p} only one conv input size gives an output of "
                    f"{count(o, 'cell')}, so "
                    "there is nothing to choose: `output_padding` must be smaller than the stride, here 0. Raise the "
                    "stride to see several input sizes share one output size.")
        return
    axis = "" if x.ndim == 1 else " along the width"
    intro = (f"A stride-{s} convolution maps **{len(rows)}** input size{'s' if len(rows) != 1 else ''} to the same "
             f"output size{axis} (see the [strides lesson](/strides?sd_p=1)): with k = {kk}, s = {s}, p = {p},")
    table = ("| conv input | conv output = transposed input i | output_padding | transposed output o | "
             "extra cells at the end |"
             "\n|---|---|---|---|---|\n" + "\n".join(rows))
    st.markdown(intro + "\n\n" + table + "\n\nGoing back, the transposed convolution cannot know which one you "
                "meant: `output_padding` (0 to s − 1) picks it by keeping that many more cells at the end. Up to p "
                "of them are canvas cells the crop would have removed, so they keep what the stamps put there (values "
                "from the input); any "
                "further ones lie past the last stamp and are zeros (plus the bias).")
    if values:
        st.markdown(f"This input (X = `{' '.join(fmt(v) for v in x)}`), for each output_padding:\n\n"
                    + "\n".join(values))


def checkerboard(k_shape, s, font_size, key):
    """Overlap counts for this kernel size and stride, 1D and 2D, stacked, and the two fixes."""
    k = k_shape[-1]
    even = k % s == 0
    line = overlap_counts((6,), (k,), s)
    st.markdown(f"Every output cell counts how many stamps land on it (an all-ones input and kernel). "
                f"k = {k}, s = {s}: {k} {'is' if even else 'is not'} divisible by {s}, so the interior is "
                f"**{'even' if even else 'uneven: a checkerboard'}**. In 1D (6 input cells): "
                f"`{' '.join(map(str, line))}`")
    sq = (k, k)
    fixed = -(-k // s) * s
    show(spec(counts_figure, [(f"1 layer, k={k}, s={s}", overlap_counts((4, 4), sq, s)),
                              ("2 layers", stacked_counts((4, 4), sq, s, 2)),
                              ("3 layers", stacked_counts((4, 4), sq, s, 3))], font_size),
         key=f"{key}_stack", alt="Overlap counts of one, two and three stacked transposed convolutions.",
         caption=f"Stamps landing on each output cell (4 × 4 all-ones input, all-ones kernels, k = {k}, s = {s}) "
                 "after one, two and three layers.")
    values = np.unique(overlap_counts((4, 4), sq, s))
    st.markdown(f"In 2D (4 × 4 input) an output cell gets {_listed(values)} stamp{'s' if values[-1] != 1 else ''}. "
                + ("Stacking transposed layers (all-ones kernels) keeps the interior even; only the borders can differ."
                   if even else "Stacking transposed layers (all-ones kernels) compounds the pattern"
                   + (" (k < s also leaves cells no stamp reaches: 0)" if k < s else "") + ".")
                + " Two fixes, side by side:")
    show(spec(counts_figure, [(f"Problem: k={k}, s={s}", overlap_counts((4, 4), sq, s)),
                              (f"Fix 1: k={fixed}, s={s}", overlap_counts((4, 4), (fixed, fixed), s)),
                              (f"Fix 2: upsample ×{s}, conv k={k}", resize_conv_counts((4, 4), sq, s))], font_size),
         key=f"{key}_fixes", alt="Overlap counts of the problem and the two fixes.",
         caption=f"Stamps per output cell: k = {k}, s = {s}; fix 1, k = {fixed}, s = {s}; fix 2, nearest upsampling "
                 f"×{s} then a k = {k} convolution.")
    st.caption("Fix 1: a kernel size divisible by the stride. Fix 2: resize-convolution: nearest (or bilinear) "
               "upsampling, then a regular convolution; every output cell sees the same number of cells.")


def _listed(values):
    """[1, 2, 4] -> '1, 2 or 4'."""
    words = [str(int(v)) for v in values]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]
