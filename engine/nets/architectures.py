"""Well-known CNNs as layer specifications for engine.ops.network_arithmetic, with their input shapes.

    analyse(*NETWORKS["vgg16"].spec())  -> 138,357,544 parameters, 15.5 G multiply-adds (224 x 224)

The definitions follow the papers as PyTorch's reference implementations build them (torchvision's AlexNet
is the one-GPU variant with 64-192-384-256-256 channels; ResNets are v1.5, the stride on the 3x3 convolution
of a bottleneck); convolutions followed by batch norm have no bias. Activations (ReLU) are free and left out
of the presets. EfficientNet-Lite0 and the digit nets come from ConvLab's own model configurations, so they
describe exactly the networks the other lessons run. (Lite0 pads like TensorFlow's 'SAME'; for odd kernels
that gives the same sizes as a symmetric padding of k // 2, which is what is written here.)
"""
from __future__ import annotations

from dataclasses import dataclass

from engine.nets.digit_nets import CANVAS, CLASSES, CONFIGS as DIGIT_CONFIGS, LABELS as DIGIT_LABELS
from engine.ops.network_arithmetic import (BatchNorm, Conv, Flatten, GlobalPool, Linear, Pool, Residual,
                                           SE, analyse)

IMAGENET = (3, 224, 224)


@dataclass(frozen=True)
class Network:
    """A named network: label, family (for the comparison plot), input (C, H, W) and its layers."""
    name: str
    label: str
    family: str
    input_shape: tuple
    layers: tuple

    def spec(self):
        return self.layers, self.input_shape

    def report(self):
        return analyse(self.layers, self.input_shape)


def conv_bn(c_out, k, s=1, groups=1, name="conv"):
    """k x k convolution (padding k // 2, no bias) and batch norm."""
    return (Conv(c_out, k, s, k // 2, groups=groups, bias=False, name=name), BatchNorm())


def lenet5():
    return (Conv(6, 5), Pool("avg", 2), Conv(16, 5), Pool("avg", 2), Conv(120, 5), Flatten(),
            Linear(84), Linear(CLASSES))


def alexnet():
    return (Conv(64, 11, 4, 2), Pool("max", 3, 2), Conv(192, 5, padding=2), Pool("max", 3, 2),
            Conv(384, 3, padding=1), Conv(256, 3, padding=1), Conv(256, 3, padding=1), Pool("max", 3, 2),
            Flatten(), Linear(4096), Linear(4096), Linear(1000))


def vgg16():
    layers = []
    for channels, repeats in ((64, 2), (128, 2), (256, 3), (512, 3), (512, 3)):
        layers += [Conv(channels, 3, padding=1)] * repeats + [Pool("max", 2)]
    return (*layers, Flatten(), Linear(4096), Linear(4096), Linear(1000))


def basic_block(c_in, c, s):
    """ResNet-18/34's block: 3x3, 3x3; a 1x1 projection shortcut when the shape changes."""
    shortcut = conv_bn(c, 1, s) if s != 1 or c_in != c else ()
    return Residual((*conv_bn(c, 3, s), *conv_bn(c, 3)), shortcut)


def bottleneck(c_in, width, s, se_reduction=0):
    """ResNet-50's block: 1x1 (C -> width), 3x3 (stride s), 1x1 (width -> 4 width); SE before the add."""
    c = 4 * width
    body = (*conv_bn(width, 1), *conv_bn(width, 3, s), *conv_bn(c, 1)) + ((SE(se_reduction),) if se_reduction else ())
    return Residual(body, conv_bn(c, 1, s) if s != 1 or c_in != c else ())


def resnet(block, repeats, expansion):
    layers, c_in = [*conv_bn(64, 7, 2), Pool("max", 3, 2, 1)], 64
    for stage, (width, n) in enumerate(zip((64, 128, 256, 512), repeats)):
        for i in range(n):
            layers.append(block(c_in, width, 2 if stage and not i else 1))
            c_in = width * expansion
    return (*layers, GlobalPool(), Flatten(), Linear(1000))


def mobilenet_v1():
    layers, c_in = list(conv_bn(32, 3, 2)), 32
    for c, s in ((64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), *[(512, 1)] * 5, (1024, 2), (1024, 1)):
        layers += [*conv_bn(c_in, 3, s, groups=c_in, name="dw"), *conv_bn(c, 1, name="pw")]
        c_in = c
    return (*layers, GlobalPool(), Flatten(), Linear(1000))


def efficientnet_lite0():
    from engine.nets.efficientnet_lite import LITE0  # torch is imported there
    layers = list(conv_bn(LITE0.stem_channels, 3, 2))
    for b in LITE0.blocks():
        body = conv_bn(b.hidden_channels, 1, name="expand") if b.expand_ratio != 1 else ()
        body += (*conv_bn(b.hidden_channels, b.kernel_size, b.stride, groups=b.hidden_channels, name="dw"),
                 *conv_bn(b.out_channels, 1, name="project"))
        layers += [Residual(body, name="mbconv")] if b.has_skip else body
    return (*layers, *conv_bn(LITE0.head_channels, 1, name="head"), GlobalPool(), Flatten(),
            Linear(LITE0.num_classes))


def digit_net(cfg):
    """A DigitNetConfig (engine.nets.digit_nets) as layers: its 3x3 convolutions, SE, pooling and head."""
    layers = []
    for i, c in enumerate(cfg.channels, start=1):
        d, down = cfg.dilation(i - 1), cfg.downsamples(i)
        layers.append(Conv(c, 3, 2 if cfg.downsampling == "stride" and down else 1, d, d))
        layers += [SE(cfg.se_reduction)] if cfg.se_reduction else []
        layers += [Pool(cfg.downsampling, 2)] if cfg.downsampling in ("max", "avg") and down else []
    head = (GlobalPool(), Flatten()) if cfg.head == "gap" else (Flatten(),)
    return (*layers, *head, Linear(CLASSES))


def _networks():
    nets = [
        Network("lenet5", "LeNet-5 (1998)", "LeNet", (1, 32, 32), lenet5()),
        Network("alexnet", "AlexNet (2012)", "AlexNet", IMAGENET, alexnet()),
        Network("vgg16", "VGG-16 (2014)", "VGG", IMAGENET, vgg16()),
        Network("resnet18", "ResNet-18 (2015)", "ResNet", IMAGENET, resnet(basic_block, (2, 2, 2, 2), 1)),
        Network("resnet50", "ResNet-50 (2015)", "ResNet", IMAGENET, resnet(bottleneck, (3, 4, 6, 3), 4)),
        Network("mobilenet_v1", "MobileNet v1 (2017)", "MobileNet", IMAGENET, mobilenet_v1()),
        Network("se_resnet_block", "SE-ResNet bottleneck block at 56 x 56 (2017)", "ResNet", (256, 56, 56),
                (bottleneck(256, 64, 1, se_reduction=16),)),
        Network("efficientnet_lite0", "EfficientNet-Lite0 (ConvLab's photo classifier)", "EfficientNet",
                IMAGENET, efficientnet_lite0()),
    ]
    nets += [Network(f"digit_{name}", f"Digit net: {DIGIT_LABELS[name]}", "ConvLab digit nets",
                     (1, CANVAS, CANVAS), digit_net(cfg)) for name, cfg in DIGIT_CONFIGS.items()]
    return {n.name: n for n in nets}


NETWORKS = _networks()
