"""engine.ops.network_arithmetic and engine.nets.architectures against torch: every layer's output shape,
the parameters (exactly) and the multiply-adds (counted independently by forward hooks), on the meta device
(shapes only, no arithmetic); the shipped nets against the modules the other lessons run."""
import math

import pytest
import torch
from torch import nn

from engine.nets import digit_nets, efficientnet_lite
from engine.nets.architectures import NETWORKS, bottleneck
from engine.ops.network_arithmetic import (SE, BatchNorm, Conv, Flatten, GlobalPool, Linear, NetworkError, Pool,
                                           ReLU, Residual, analyse)
from engine.ops.receptive_field import Layer, receptive_field


class Add(nn.Module):
    def __init__(self, body, shortcut):
        super().__init__()
        self.body, self.shortcut = body, shortcut

    def forward(self, x):
        return self.body(x) + self.shortcut(x)


class SqueezeExcite(nn.Module):
    def __init__(self, c, r):
        super().__init__()
        self.fc1, self.fc2 = nn.Linear(c, c // r), nn.Linear(c // r, c)
        self.fc1.inner = self.fc2.inner = True  # one row for the whole block

    def forward(self, x):
        s = torch.sigmoid(self.fc2(torch.relu(self.fc1(x.mean((2, 3))))))
        return x * s[:, :, None, None]


def to_torch(layers, x):
    """nn.Sequential for `layers`, built on x's device while x (a (1, C, H, W) tensor) runs through it."""
    mods = []
    for layer in layers:
        c = x.shape[1]
        if isinstance(layer, Residual):
            m = Add(to_torch(layer.body, x), to_torch(layer.shortcut, x))
        elif isinstance(layer, Conv):
            m = nn.Conv2d(c, layer.out_channels, layer.kernel_size, layer.stride, layer.padding, layer.dilation,
                          layer.groups, layer.bias)
        elif isinstance(layer, Pool):
            cls = nn.MaxPool2d if layer.kind == "max" else nn.AvgPool2d
            m = cls(layer.kernel_size, layer.stride, layer.padding)
        elif isinstance(layer, Linear):
            m = nn.Linear(c, layer.out_features, layer.bias)
        elif isinstance(layer, SE):
            m = SqueezeExcite(c, layer.reduction)
        else:
            m = {BatchNorm: lambda: nn.BatchNorm2d(c), ReLU: nn.ReLU, GlobalPool: lambda: nn.AdaptiveAvgPool2d(1),
                 Flatten: nn.Flatten}[type(layer)]()
        x = m(x)
        mods.append(m)
    return nn.Sequential(*mods)


def measured(model, input_shape):
    """(output shapes of the leaf layers and residual adds in forward order, parameters, MACs by hooks)."""
    shapes, macs = [], [0]

    def hook(m, inputs, out):
        if isinstance(m, nn.Conv2d):
            macs[0] += out[0].numel() * (m.in_channels // m.groups) * m.kernel_size[0] * m.kernel_size[1]
        elif isinstance(m, nn.Linear):
            macs[0] += m.in_features * m.out_features
        if (not list(m.children()) and not getattr(m, "inner", False)) or isinstance(m, (Add, SqueezeExcite)):
            shapes.append(tuple(out.shape[1:]))

    for m in model.modules():
        if not isinstance(m, nn.Sequential):
            m.register_forward_hook(hook)
    with torch.no_grad():
        out = model(torch.zeros(1, *input_shape, device="meta"))
    return shapes, sum(p.numel() for p in model.parameters()), macs[0], tuple(out.shape[1:])


def build_on_meta(layers, input_shape):
    with torch.device("meta"):
        return to_torch(layers, torch.zeros(1, *input_shape))


@pytest.mark.parametrize("name", [n for n in NETWORKS if not n.startswith("digit_")])
def test_every_layer_matches_torch(name):
    net = NETWORKS[name]
    report = net.report()
    shapes, params, macs, out = measured(build_on_meta(*net.spec()), net.input_shape)
    assert [r.output_shape for r in report.rows] == shapes
    assert (report.params, report.macs, report.output_shape) == (params, macs, out)


# Published parameter counts (torchvision's reference models; LeNet-5 with a 120-channel 5x5 conv C5) and
# multiply-adds at 224 x 224 (torchvision's model cards list them as "GFLOPS": AlexNet 0.71, VGG-16 15.47,
# ResNet-18 1.81, ResNet-50 4.09), MobileNet v1: 569 M multiply-adds and 4.2 M parameters (Howard et al., 2017)
PUBLISHED = {"lenet5": (61_706, None), "alexnet": (61_100_840, 0.71e9), "vgg16": (138_357_544, 15.47e9),
             "resnet18": (11_689_512, 1.81e9), "resnet50": (25_557_032, 4.09e9), "mobilenet_v1": (None, 569e6)}


@pytest.mark.parametrize("name", PUBLISHED)
def test_published_numbers(name):
    params, macs = PUBLISHED[name]
    report = NETWORKS[name].report()
    if params:
        assert report.params == params
    if macs:
        assert report.macs == pytest.approx(macs, rel=0.01)
    if name == "mobilenet_v1":
        assert round(report.params / 1e6, 1) == 4.2


def test_the_shipped_nets_are_described_exactly():
    lite = efficientnet_lite.build()
    shapes, params, macs, out = measured(lite.to("meta"), (3, 224, 224))
    report = NETWORKS["efficientnet_lite0"].report()
    assert (report.params, report.macs, report.output_shape) == (params, macs, out)
    for name, cfg in digit_nets.CONFIGS.items():
        model = digit_nets.build(cfg).to("meta")
        _, params, macs, out = measured(model, (1, 28, 28))
        report = NETWORKS[f"digit_{name}"].report()
        assert (report.params, report.macs, report.output_shape) == (params, macs, out), name


def test_lecture_numbers():
    c, h = 64, 56
    two_3x3 = analyse([Conv(c, 3, padding=1, bias=False)] * 2, (c, h, h))
    one_5x5 = analyse([Conv(c, 5, padding=2, bias=False)], (c, h, h))
    assert (two_3x3.params, one_5x5.params) == (18 * c * c, 25 * c * c)
    assert two_3x3.rows[-1].rf_size == one_5x5.rows[-1].rf_size == 5
    block = analyse([bottleneck(4 * c, c, 1)], (4 * c, h, h))  # 1x1 4C -> C, 3x3 C -> C, 1x1 C -> 4C
    assert block.macs == 17 * h * h * c * c
    assert block.flops == 2 * block.macs


def test_receptive_field_agrees_with_the_dilation_lessons_module():
    stack = [Layer(3, 1, 1), Layer(3, 2, 1), Layer(5, 1, 2, 2), Layer(2, 2, 0)]
    expected = receptive_field(stack)
    layers = [Conv(4, l.kernel_size, l.stride, l.padding, l.dilation) for l in stack]
    rows = analyse(layers, (1, 64, 64)).rows
    assert [(r.rf_size, r.rf_jump) for r in rows] == [(e.size, e.jump) for e in expected]
    assert analyse([*layers, GlobalPool()], (1, 64, 64)).rows[-1].rf_size is None


def test_vgg16_memory_is_early_and_parameters_are_late():
    """The lecture's point, computed: most activations in the first convolutions, most weights in the FCs."""
    rows = NETWORKS["vgg16"].report().rows
    fc = sum(r.params for r in rows if r.kind == "linear")
    assert fc / sum(r.params for r in rows) > 0.85
    first_two = sum(r.activations for r in rows[:4])
    assert first_two / sum(r.activations for r in rows) > 0.3


@pytest.mark.parametrize("layers, shape, message", [
    ([Conv(8, 3), Pool("max", 2), Conv(8, 3), Pool("max", 2), Conv(8, 5)], (1, 12, 12), "conv3 (conv 5x5)"),
    ([Conv(6, 3, groups=4)], (8, 5, 5), "groups = 4 must divide"),
    ([Linear(10)], (1, 4, 4), "flatten"),
    ([Flatten(), Conv(4, 3)], (1, 4, 4), "only linear layers"),
    ([Residual((Conv(8, 3, 2, 1),))], (8, 6, 6), "shortcut"),
    ([SE(3)], (8, 4, 4), "r = 3"),
])
def test_a_stack_that_breaks_names_the_layer(layers, shape, message):
    with pytest.raises(NetworkError, match=message.replace("(", r"\(").replace(")", r"\)")):
        analyse(layers, shape)


def test_torch_refuses_what_the_engine_refuses():
    with pytest.raises(RuntimeError):
        to_torch([Conv(8, 3), Pool("max", 2), Conv(8, 3), Pool("max", 2), Conv(8, 5)], torch.zeros(1, 1, 12, 12))
    assert math.prod(analyse([Conv(8, 3), Pool("max", 2), Conv(8, 3)], (1, 12, 12)).output_shape) == 8 * 3 * 3


def test_torch_flop_counter_counts_two_per_multiply_add():
    """What the lesson's "Counting it in PyTorch" code claims: FlopCounterMode's total is 2 x the MACs."""
    from torch.utils.flop_counter import FlopCounterMode
    for name in ("resnet18", "se_resnet_block", "mobilenet_v1"):
        net = NETWORKS[name]
        model = build_on_meta(*net.spec())
        with FlopCounterMode(display=False) as counter, torch.no_grad():
            model(torch.zeros(1, *net.input_shape, device="meta"))
        assert counter.get_total_flops() == net.report().flops, name


@pytest.mark.parametrize("name", ["vgg16", "resnet50", "se_resnet_block", "digit_global_pool"])
def test_the_exported_code_builds_the_same_network(name):
    from engine.pytorch_code import network_code
    net = NETWORKS[name]
    scope = {}
    exec(network_code(net.layers, net.input_shape, net.label), scope)  # noqa: S102 (our own generated code)
    model, report = scope["model"], net.report()
    assert sum(p.numel() for p in model.parameters()) == report.params
    assert scope["counter"].get_total_flops() == report.flops
    assert tuple(scope["y"].shape[1:]) == report.output_shape
