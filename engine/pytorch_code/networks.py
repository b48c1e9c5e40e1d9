"""PyTorch code for whole blocks and networks: EfficientNet-Lite0's MBConv block, and nn.Module code for a list
of engine.ops.network_arithmetic layers (built on the meta device)."""
from __future__ import annotations


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
