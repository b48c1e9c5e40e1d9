"""The PyTorch code a student would type for the current settings (tests run it)."""
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
