"""PyTorch code for layers over channels: nn.Conv2d with given weights, tensor layouts, 1x1, grouped, depthwise
and depthwise-separable convolution."""
from __future__ import annotations

import numpy as np


# --- Convolution over channels: a Conv2d layer with these weights, and the two tensor layouts -----------

def _nested(values, indent=None):
    """A nested list literal of whole numbers (or short decimals): [[1, 0], [2, -1]]; with `indent`, one
    entry of the first axis a line."""
    a = np.asarray(values, dtype=float)
    if a.ndim == 0:
        return f"{a.item():g}"
    sep = ", " if indent is None or a.ndim < 2 else ",\n" + " " * indent
    return "[" + sep.join(_nested(v) for v in a) + "]"


def channel_conv_code(x, weight, bias, stride=1, padding=0):
    """nn.Conv2d(C_in, C_out, k) with the page's weight (C_out, C_in, k, k) and bias (C_out,) applied to
    x (C_in, H, W); the shapes it prints are written as comments (from the engine's conv2d)."""
    from engine.ops.conv import conv2d  # the shapes in the comments

    x, weight = np.asarray(x, dtype=float), np.asarray(weight, dtype=float)
    c_out, c_in, k, _ = weight.shape
    y = conv2d(x, weight, bias, stride=stride, padding=padding)
    shape = lambda a: "(" + ", ".join(map(str, a.shape)) + ")"  # noqa: E731
    return "\n".join([
        "import torch", "from torch import nn", "",
        f"x = torch.tensor({_nested(x, 17)}, dtype=torch.float64)  # C_in x H x W = {shape(x)}",
        f"conv = nn.Conv2d({c_in}, {c_out}, kernel_size={k}, stride={stride}, padding={padding}, dtype=torch.float64)",
        "with torch.no_grad():  # the filters and biases on the page instead of random ones",
        f"    conv.weight.copy_(torch.tensor({_nested(weight, 36)}))",
        f"    conv.bias.copy_(torch.tensor({_nested(bias)}))",
        "y = conv(x[None])[0].detach()  # Conv2d wants a batch: N x C x H x W, here N = 1",
        f"print(conv.weight.shape)  # C_out x C_in x k x k = {shape(weight)}",
        f"print(y.shape)  # C_out x H_out x W_out = {shape(y)}",
        "print(y)"]) + "\n"


def layout_code(shape):
    """Code that puts an N x C x H x W tensor in channels-last order (PyTorch, and the TensorFlow line);
    the shapes and strides in its comments come from engine.ops.layouts."""
    from engine.ops.layouts import TO_NCHW, TO_NHWC, element_strides, to_layout

    n, c, h, w = shape
    nhwc = (n, h, w, c)
    last = element_strides(shape, "NHWC")
    return "\n".join([
        "import torch", "",
        f"x = torch.arange({n * c * h * w}.0).reshape{tuple(shape)}  # N x C x H x W, PyTorch's layout",
        f"print(x.stride())  # {element_strides(shape, 'NCHW')}: one step in c skips a whole H x W map",
        f"x_nhwc = x.permute{TO_NHWC}  # shape {nhwc}: a view, the memory is unchanged",
        f"print(x_nhwc.is_contiguous())  # {not (c > 1 and h * w > 1)}" + (": reading it in order jumps around memory"
                                                                if c > 1 and h * w > 1 else ""),
        "x_nhwc = x_nhwc.contiguous()  # copies the numbers into N x H x W x C order",
        "print(x_nhwc.flatten())  # memory order, the C values of a pixel side by side: "
        + " ".join(f"{v:g}" for v in to_layout(np.arange(n * c * h * w).reshape(shape), "NHWC").ravel()),
        f"back = x_nhwc.permute{TO_NCHW}  # N x C x H x W again",
        "x_cl = x.contiguous(memory_format=torch.channels_last)  # PyTorch's channels-last:",
        f"print(x_cl.shape, x_cl.stride())  # shape {tuple(shape)} stays, strides {last}",
        "# TensorFlow / Keras keep N x H x W x C by default: tf.transpose(x, [0, 2, 3, 1]) converts,",
        "# and Conv2D(..., data_format='channels_first') reads N x C x H x W."]) + "\n"


# --- grouped, depthwise and depthwise-separable convolution -------------------------------------------------

def grouped_conv_code(in_channels, out_channels, kernel, groups, size):
    """nn.Conv2d with `groups` on a (1, C_in, H, H) input: its weight shape, parameters and output shape."""
    c_in, c_out, k, g = in_channels, out_channels, kernel, groups
    return "\n".join([
        "import torch", "from torch import nn", "",
        f"conv = nn.Conv2d({c_in}, {c_out}, kernel_size={k}, padding={k // 2}, groups={g}, bias=False)",
        f"x = torch.randn(1, {c_in}, {size}, {size})",
        f"print(conv.weight.shape)  # (C_out, C_in / G, k, k) = ({c_out}, {c_in // g}, {k}, {k})",
        f"print(conv.weight.numel())  # {c_out * (c_in // g) * k * k}",
        f"print(conv(x).shape)  # (1, {c_out}, {size + 2 * (k // 2) - k + 1}, {size + 2 * (k // 2) - k + 1})", ""])


def separable_conv_code(in_channels, out_channels, kernel, size):
    """Depthwise (groups = C_in) then pointwise 1x1, against the standard conv: shapes and weight counts."""
    c_in, c_out, k = in_channels, out_channels, kernel
    return "\n".join([
        "import torch", "from torch import nn", "",
        f"standard = nn.Conv2d({c_in}, {c_out}, {k}, padding={k // 2}, bias=False)",
        "separable = nn.Sequential(",
        f"    nn.Conv2d({c_in}, {c_in}, {k}, padding={k // 2}, groups={c_in}, bias=False),  # depthwise",
        f"    nn.Conv2d({c_in}, {c_out}, 1, bias=False),  # pointwise",
        ")",
        f"x = torch.randn(1, {c_in}, {size}, {size})",
        "print(standard(x).shape, separable(x).shape)  # the same shape",
        "count = lambda m: sum(p.numel() for p in m.parameters())",
        f"print(count(standard), count(separable))  # {k * k * c_in * c_out} {k * k * c_in + c_in * c_out}", ""])


def pointwise_code(x, w):
    """A 1x1 convolution (x (C_in, H, W), w (C_out, C_in), whole numbers) and the same as a matrix product."""
    return "\n".join([
        "import torch", "import torch.nn.functional as F", "",
        f"x = torch.tensor({np.asarray(x).astype(int).tolist()}, dtype=torch.float64)  # (C_in, H, W)",
        f"W = torch.tensor({np.asarray(w).astype(int).tolist()}, dtype=torch.float64)  # (C_out, C_in)",
        "y = F.conv2d(x[None], W[:, :, None, None])[0]  # a 1x1 convolution: (C_out, H, W)",
        "by_matmul = (W @ x.reshape(x.shape[0], -1)).reshape(W.shape[0], *x.shape[1:])  # W times every pixel",
        "print(torch.equal(y, by_matmul))  # True", ""])
