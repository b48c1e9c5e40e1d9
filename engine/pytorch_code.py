"""The PyTorch code a student would type for the current settings, every kind in one place (tests run it)."""
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


# --- EfficientNet-Lite0: an MBConv block and the plain convolution with the same shapes ------------------

def mbconv_block_code(cost, block):
    """PyTorch modules for an MBConvCost: the block's convolutions and the plain convolution, with their weight
    counts as comments and a check of shapes and weights (padding k // 2 gives the network's H' × W')."""
    k, s, c_in, c_out, hid = cost.kernel, cost.stride, cost.in_channels, cost.out_channels, cost.hidden_channels
    stride = f", stride={s}" if s != 1 else ""
    _, h, w = cost.input_shape
    lines = ["import torch", "from torch import nn", "",
             f"# block {block} as built (BatchNorm and ReLU6 left out: only convolution weights are counted)",
             "block = nn.Sequential("]
    if cost.expand_ratio != 1:
        lines.append(f"    nn.Conv2d({c_in}, {hid}, 1, bias=False),  # expand ×{cost.expand_ratio}: "
                     f"{c_in}·{hid} = {c_in * hid:,} weights")
    lines += [f"    nn.Conv2d({hid}, {hid}, {k}{stride}, padding={k // 2}, groups={hid}, bias=False),  # depthwise: "
              f"{k}·{k}·{hid} = {k * k * hid:,}",
              f"    nn.Conv2d({hid}, {c_out}, 1, bias=False),  # project (linear): {hid}·{c_out} = {hid * c_out:,}",
              ")",
              f"plain = nn.Conv2d({c_in}, {c_out}, {k}{stride}, padding={k // 2}, bias=False)  # "
              f"{k}·{k}·{c_in}·{c_out} = {cost.plain.weights:,} weights",
              "",
              f"x = torch.zeros(1, {c_in}, {h}, {w})",
              "print(block(x).shape, plain(x).shape)  # the same shape"
              + (": add x for the skip" if cost.has_skip else ""),
              "print(sum(p.numel() for p in block.parameters()), plain.weight.numel())"
              f"  # {cost.weights} {cost.plain.weights}"]
    return "\n".join(lines)


_RESIDUAL_CLASS = '''class Residual(nn.Module):
    """y = body(x) + shortcut(x); the shortcut is the identity when none is given."""
    def __init__(self, body, shortcut=None):
        super().__init__()
        self.body, self.shortcut = body, shortcut or nn.Identity()

    def forward(self, x):
        return self.body(x) + self.shortcut(x)
'''
_SE_CLASS = '''class SqueezeExcitation(nn.Module):
    """Squeeze (mean per channel), excite (FC C -> C/r, ReLU, FC C/r -> C, sigmoid), scale the channels."""
    def __init__(self, channels, reduction):
        super().__init__()
        self.fc1, self.fc2 = nn.Linear(channels, channels // reduction), nn.Linear(channels // reduction, channels)

    def forward(self, x):
        s = torch.sigmoid(self.fc2(torch.relu(self.fc1(x.mean((2, 3))))))
        return x * s[:, :, None, None]
'''


def network_code(layers, input_shape, label):
    """nn.Module code for a network of engine.ops.network_arithmetic layers, built on the meta device (shapes,
    no memory), then its parameters and torch's FLOP count (2 per multiply-add)."""
    from engine.ops.network_arithmetic import ReLU, Residual, SE, analyse
    report = analyse(layers, input_shape)
    rows = iter(report.rows)
    kinds = set()

    def flat(layers):
        for layer in layers:
            yield layer
            if isinstance(layer, Residual):
                yield from flat(layer.body)
                yield from flat(layer.shortcut)
    for layer in flat(layers):
        kinds.add(type(layer))

    def sequential(layers, shape, indent):
        pad = " " * indent
        lines = []
        for layer in layers:
            if isinstance(layer, Residual):
                body, shape_out = sequential(layer.body, shape, indent + 4)
                shortcut, _ = sequential(layer.shortcut, shape, indent + 4)
                next(rows)  # the add
                lines.append(f"{pad}Residual(nn.Sequential(\n{body}{pad})"
                             + (f", nn.Sequential(\n{shortcut}{pad})" if layer.shortcut else "") + "),")
                shape = shape_out
                continue
            lines.append(f"{pad}{_module(layer, shape)},")
            shape = next(rows).output_shape
        return "".join(line + "\n" for line in lines), shape

    body, _ = sequential(layers, tuple(input_shape), 8)
    classes = ([_RESIDUAL_CLASS] if Residual in kinds else []) + ([_SE_CLASS] if SE in kinds else [])
    return "\n".join([
        "import torch", "from torch import nn", "from torch.utils.flop_counter import FlopCounterMode", "",
        *(c + "\n" for c in classes),
        f"# {label}", *([] if ReLU in kinds else
                        ["# (ReLUs left out: they change no shape and add no parameters or multiply-adds)"]),
        "# on the meta device: shapes only, no memory and no arithmetic (leave it out to run for real)",
        'with torch.device("meta"):', f"    model = nn.Sequential(\n{body}    )",
        f"x = torch.zeros(1, {', '.join(str(v) for v in input_shape)}, device=\"meta\")",
        "with FlopCounterMode(display=False) as counter:",
        "    y = model(x)",
        f"print(tuple(y.shape))  # {(1, *report.output_shape)}",
        f"print(sum(p.numel() for p in model.parameters()))  # {report.params:,} parameters",
        f"print(counter.get_total_flops())  # {report.flops:,} = 2 x {report.macs:,} multiply-adds"])


def _module(layer, shape):
    """The torch.nn module for one layer applied to `shape` (its input)."""
    from engine.ops.network_arithmetic import BatchNorm, Conv, Flatten, GlobalPool, Linear, Pool, ReLU, SE
    c = shape[0]
    if isinstance(layer, Conv):
        extra = [f"{name}={getattr(layer, name)}" for name, default in
                 (("stride", 1), ("padding", 0), ("dilation", 1), ("groups", 1), ("bias", True))
                 if getattr(layer, name) != default]
        return f"nn.Conv2d({', '.join([str(c), str(layer.out_channels), str(layer.kernel_size), *extra])})"
    if isinstance(layer, Pool):
        cls = "nn.MaxPool2d" if layer.kind == "max" else "nn.AvgPool2d"
        extra = ([f"stride={layer.stride}"] if layer.stride not in (None, layer.kernel_size) else []) + \
            ([f"padding={layer.padding}"] if layer.padding else [])
        return f"{cls}({', '.join([str(layer.kernel_size), *extra])})"
    if isinstance(layer, Linear):
        return f"nn.Linear({shape[0]}, {layer.out_features}{'' if layer.bias else ', bias=False'})"
    if isinstance(layer, SE):
        return f"SqueezeExcitation({c}, {layer.reduction})"
    return {BatchNorm: f"nn.BatchNorm2d({c})", ReLU: "nn.ReLU()", GlobalPool: "nn.AdaptiveAvgPool2d(1)",
            Flatten: "nn.Flatten()"}[type(layer)]


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
