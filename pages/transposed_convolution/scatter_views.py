"""Views of the transposed-convolution lesson: scatter steps with C^T, the equivalent convolution,
the output size and output_padding, the PyTorch code (with the backward-pass check), checkerboards."""
from __future__ import annotations

import numpy as np
import streamlit as st

from engine.figures import grids_figure
from engine.figures.transposed_figures import (counts_figure, resize_conv_counts, scatter_view, shape_text,
                                              stacked_counts, transpose_fits)
from engine.ops.conv_matrix import conv_matrix, conv_output_shape
from engine.ops.conv_transpose import (conv_transpose_single, equivalent_conv_input, equivalent_conv_weight,
                                       overlap_counts, trace_conv_transpose)
from engine.ops.trace import trace_conv
from engine.pytorch_code import preamble
from pages.shell.figures import show, spec
from pages.shell.stepping import step_through

MAX_ROWS, MAX_COLS = 64, 36  # C^T is drawn up to 64 x 36 (numbers up to 49 rows); larger: shape and a note


def size_latex(axis, i, k, s, p, op):
    """i' = (i - 1)s - 2p + d(k - 1) + output_padding + 1 with the numbers written in (d = 1)."""
    out = (i - 1) * s - 2 * p + (k - 1) + op + 1
    name = f"i'_{axis}" if axis else "i'"
    return rf"{name} = ({i} - 1) \cdot {s} - 2 \cdot {p} + 1 \cdot ({k} - 1) + {op} + 1 = {out}"


def output_size(x, k, s, p, op):
    axes = ("h", "w") if x.ndim == 2 else ("",)
    st.latex(r"i' = (i - 1)s - 2p + d(k - 1) + \text{output\_padding} + 1")
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
    st.caption(f"C^T · flatten(x) {'equals' if same else 'differs from'} the output, computed cell by cell.")


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
    st.markdown(f"Insert **s − 1 = {s - 1}** zero(s) between input cells, pad by **k − 1 − p = "
                f"{k.shape[-1] - 1 - p}**" + (f" (plus output_padding = {op} at the end)" if op else "") +
                ", flip the kernel, and run a plain stride-1 convolution:")
    show(spec(grids_figure, [("Zero-inserted, padded input", z, False), ("Kernel flipped", flipped, True)],
              height=300, font_size=page.font_size),
         key=f"{key}_fig", alt="The zero-inserted and padded input, and the flipped kernel.",
         caption=f"Input x ({shape_text(x.shape)}) with {s - 1} zero(s) between cells and padding: "
                 f"{shape_text(z.shape)}; the {shape_text(k.shape)} kernel rotated by 180°.")
    conv = dict(input=z, kernel=flipped)
    step_through(page, conv, key, label="Convolution step", shortcuts=False)
    plain, transposed = trace_conv(**conv).output, trace_conv_transpose(**tc).output
    same = plain.shape == transposed.shape and np.allclose(plain, transposed)
    show(spec(grids_figure, [("Plain convolution", plain, False), ("Transposed convolution", transposed, False)],
              height=280, font_size=page.font_size),
         key=f"{key}_same", alt="The two results side by side.",
         caption=f"Plain convolution {shape_text(plain.shape)}, transposed convolution "
                 f"{shape_text(transposed.shape)}: {'equal' if same else 'different'}.")
    st.markdown(f"Both results, computed separately: **{'equal' if same else 'different'}** "
                f"(shape {shape_text(plain.shape)}).")


def output_padding_why():
    """i = 5 and i = 6 share the conv output size 3 (k = 3, s = 2, p = 1); output_padding picks one."""
    rows = []
    for i in (5, 6):
        (o,) = conv_output_shape((i,), (3,), 2, 1)
        back = conv_transpose_single(np.ones(o), np.ones(3), 2, 1, i - 5).shape[0]
        rows.append(f"| {i} | {o} | {i - 5} | {back} |")
    st.markdown("A stride-2 convolution maps **two** input sizes to the same output size (see the "
                "[strides lesson](/strides?sd_p=1)): with k = 3, s = 2, p = 1,\n\n"
                "| conv input i | conv output o | output_padding | transposed output from o |\n|---|---|---|---|\n"
                + "\n".join(rows) + "\n\nGoing back, the transposed convolution cannot know which one you meant: "
                "`output_padding` (0 to s − 1) adds that many cells at the end and picks it.")


def pytorch_code(x, k, s, p, op):
    """F.conv_transpose for the current settings, and the autograd check that it is conv's backward pass."""
    nd = x.ndim
    args = f"stride={s}, padding={p}" + (f", output_padding={op}" if op else "")
    return "\n".join(preamble(x, k) + [
        f"y = F.conv_transpose{nd}d(x[None, None], k[None, None], {args})[0, 0]",
        "print(y)", "",
        f"# conv_transpose{nd}d is the backward pass of conv{nd}d: take a conv input z of y's shape,",
        "# push x back through the conv as the gradient of its output, and compare.",
        "z = torch.zeros(y.shape, dtype=torch.float64, requires_grad=True)",
        f"out = F.conv{nd}d(z[None, None], k[None, None], stride={s}, padding={p})  # out has x's shape",
        "out.backward(x[None, None])",
        "same = torch.allclose(z.grad, y)",
        "print(same)  # True", ""])


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
    st.markdown("Stacking transposed layers (4 × 4 input, all-ones kernels) compounds the pattern"
                + (" (k < s also leaves cells no stamp reaches: 0)" if k < s else "") + ". Two fixes, side by side:")
    show(spec(counts_figure, [(f"Problem: k={k}, s={s}", overlap_counts((4, 4), sq, s)),
                              (f"Fix 1: k={fixed}, s={s}", overlap_counts((4, 4), (fixed, fixed), s)),
                              (f"Fix 2: upsample ×{s}, conv k={k}", resize_conv_counts((4, 4), sq, s))], font_size),
         key=f"{key}_fixes", alt="Overlap counts of the problem and the two fixes.",
         caption=f"Stamps per output cell: k = {k}, s = {s}; fix 1, k = {fixed}, s = {s}; fix 2, nearest upsampling "
                 f"×{s} then a k = {k} convolution.")
    st.caption("Fix 1: a kernel size divisible by the stride. Fix 2: resize-convolution: nearest (or bilinear) "
               "upsampling, then a regular convolution; every output cell sees the same number of cells.")
