"""PyTorch code for one-channel operations (F.conv2d, pooling, transposed convolution, padding modes,
receptive fields by backpropagation, separable kernels, the convolution matrix): x and k as literals."""
from __future__ import annotations

import numpy as np

from engine.ops.checks import check_flag
from engine.ops.padding import resolve_padding


def _literal(values):
    rows = np.atleast_2d(values)
    text = ",\n     ".join("[" + ", ".join(f"{v:g}" for v in row) + "]" for row in rows)
    return f"[{text}]" if np.ndim(values) == 2 else text


def preamble(x, k):
    """The opening lines every snippet shares: imports, then x and k as float64 tensors."""
    return ["import torch", "import torch.nn.functional as F", "",
            f"x = torch.tensor({_literal(x)}, dtype=torch.float64)",
            f"k = torch.tensor({_literal(k)}, dtype=torch.float64)"]


def _torch_padding(padding, kernel_shape, dilation):
    """PyTorch has no 'full': write it as the number(s) d(k - 1)."""
    if padding in ("valid", "same"):
        return f"'{padding}'"
    pairs = resolve_padding(padding, kernel_shape, dilation)
    sizes = tuple(before for before, _ in pairs)
    return str(sizes[0]) if len(set(sizes)) == 1 else str(sizes)


def conv_code(x, k, flip=False, padding=0, stride=1, dilation=1):
    """Code that computes the same output with torch.nn.functional.conv1d / conv2d."""
    flip = check_flag(flip, "flip")
    nd = np.ndim(x)
    dims = "(0, 1)" if nd == 2 else "(0,)"
    lines = preamble(x, k)
    if flip:
        lines.append(f"k = torch.flip(k, dims={dims})  # true convolution = cross-correlation with k flipped")
    extra = "".join(f", {name}={v}" for name, v in (("stride", stride), ("dilation", dilation)) if v != 1)
    pad = _torch_padding(padding, np.shape(k), dilation)
    # conv{nd}d wants (N, C, ...) input and (C_out, C_in, ...) weight: add two leading axes, drop them after
    lines.append(f"y = F.conv{nd}d(x[None, None], k[None, None], padding={pad}{extra})[0, 0]")
    lines.append("print(y)")
    return "\n".join(lines) + "\n"


def pool_code(x, kernel_size, stride, padding=0, ceil_mode=False, mode="max"):
    """Code that computes the same pooled output (and, for max, the switches and the unpooled map)."""
    ceil_mode = check_flag(ceil_mode, "ceil_mode")
    lines = ["import torch", "import torch.nn.functional as F", "",
             f"x = torch.tensor({_literal(x)}, dtype=torch.float64)"]
    args = f"kernel_size={kernel_size}, stride={stride}" + (f", padding={padding}" if padding else "") + \
        (", ceil_mode=True" if ceil_mode else "")
    if mode == "max":
        lines.append(f"y, switches = F.max_pool2d(x[None], {args}, return_indices=True)  # (1, H_out, W_out)")
        lines.append(f"back = F.max_unpool2d(y, switches, {args.split(', ceil_mode')[0]}, output_size=x.shape)")
        lines += ["print(y[0])", "print(back[0])"]
    else:
        lines.append(f"y = F.avg_pool2d(x[None], {args})[0]")
        lines.append("print(y)")
    return "\n".join(lines) + "\n"


def conv_transpose_code(x, k, stride=1, padding=0, output_padding=0):
    """F.conv_transpose1d / 2d for these settings, and the autograd check that it is conv's backward pass."""
    nd = np.ndim(x)
    args = f"stride={stride}, padding={padding}" + (f", output_padding={output_padding}" if output_padding else "")
    return "\n".join(preamble(x, k) + [
        f"y = F.conv_transpose{nd}d(x[None, None], k[None, None], {args})[0, 0]",
        "print(y)", "",
        f"# conv_transpose{nd}d is the backward pass of conv{nd}d: take a conv input z of y's shape,",
        "# push x back through the conv as the gradient of its output, and compare.",
        "z = torch.zeros(y.shape, dtype=torch.float64, requires_grad=True)",
        f"out = F.conv{nd}d(z[None, None], k[None, None], stride={stride}, padding={padding})  # out has x's shape",
        "out.backward(x[None, None])",
        "same = torch.allclose(z.grad, y)",
        "print(same)  # True", ""])


# --- padding: F.pad then F.conv2d ----------------------------------------------------------------------------

TORCH_MODE = {"zeros": "constant", "reflect": "reflect", "replicate": "replicate", "circular": "circular"}  # F.pad's names


def torch_pad(pads):
    """((top, bottom), (left, right)) -> F.pad's (left, right, top, bottom)."""
    return tuple(q for pair in reversed(pads) for q in pair)


def pad_conv_code(x, k, pads, mode, stride=1):
    """PyTorch code for the current settings: F.pad (mode names as F.pad spells them), then F.conv2d."""
    widths = torch_pad(pads)
    lines = preamble(x, k) + [""]
    if any(widths):
        fill = ", value=0" if mode == "zeros" else ""
        lines += ["# F.pad lists the last axis first: (left, right, top, bottom)",
                  f"xp = F.pad(x[None, None], {widths}, mode='{TORCH_MODE[mode]}'{fill})"]
    else:
        lines.append("xp = x[None, None]  # no padding ('valid')")
    extra = f", stride={stride}" if stride != 1 else ""
    lines.append(f"y = F.conv2d(xp, k[None, None]{extra})[0, 0]")
    if all(before == after for before, after in pads):  # nn.Conv2d pads the same on both sides only
        p = tuple(before for before, _ in pads)
        lines += ["", "# the same as a layer (bias off, weight = k):",
                  f"# torch.nn.Conv2d(1, 1, {tuple(np.shape(k))}{extra}, padding={p[0] if p[0] == p[1] else p}, "
                  f"padding_mode='{mode}', bias=False)"]
    lines.append("print(y)")
    return "\n".join(lines) + "\n"


# --- receptive fields: which input cells one output depends on, by backpropagation -------------------------

def receptive_field_code(layers, n, index):
    """PyTorch code that finds output `index`'s receptive field by backpropagation (tests run it)."""
    rows = ", ".join(f"({l.kernel_size}, {l.stride}, {l.padding}, {l.dilation})" for l in layers)
    return "\n".join([
        "import torch",
        "import torch.nn.functional as F",
        "",
        f"x = torch.ones(1, 1, {n}, requires_grad=True)  # (N, C, L)",
        "y = x",
        f"for k, s, p, d in [{rows}]:",
        "    y = F.conv1d(y, torch.ones(1, 1, k), stride=s, padding=p, dilation=d)",
        f"y[0, 0, {index}].backward()",
        "seen = x.grad[0, 0].nonzero().flatten()  # the input cells this output depends on",
        "print(seen.tolist())",
    ]) + "\n"


def separable_kernel_code(k, size=64):
    """SVD of k, and a random image filtered by k and by its rank-1 column then row."""
    return "\n".join([
        "import torch", "import torch.nn.functional as F", "",
        f"k = torch.tensor({_literal(k)}, dtype=torch.float64)",
        "u, s, vh = torch.linalg.svd(k)",
        "print(s)  # singular values; rank 1 (separable) when only s[0] is not 0",
        "column, row = u[:, 0] * s[0], vh[0]  # best rank-1: outer(column, row)",
        f"x = torch.rand(1, 1, {size}, {size}, dtype=torch.float64)",
        "full = F.conv2d(x, k[None, None])",
        "two_pass = F.conv2d(F.conv2d(x, column[None, None, :, None]), row[None, None, None, :])",
        "print((full - two_pass).abs().max())  # ~1e-16 for a rank-1 k", ""])


def conv_matrix_code(x, k, stride=1, padding=0):
    """C built column by column (the conv of each one-hot input), and C @ flatten(x) against F.conv2d."""
    return "\n".join(preamble(x, k) + [
        f"conv = lambda t: F.conv2d(t.reshape(1, 1, *x.shape), k[None, None], stride={stride}, padding={padding}).flatten()",
        "C = torch.stack([conv(e) for e in torch.eye(x.numel(), dtype=torch.float64)], dim=1)  # column j = conv(one-hot j)",
        "print(C)  # (output cells, input cells)",
        "print(torch.allclose(C @ x.flatten(), conv(x)))  # True", ""])
