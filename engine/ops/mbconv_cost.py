"""Weights and multiply-adds of an MBConv block (MobileNetV2's inverted residual, EfficientNet's block)
against the plain k x k convolution with the same input and output shapes.

MBConv on an H x W x C_in input, expansion t, kernel k, stride s, H' = ceil(H / s) ('SAME' padding):
    expand      1x1 conv C_in -> t C_in (left out when t = 1)   weights C_in * t C_in,   MACs H * W * C_in * t C_in
    depthwise   k x k, one filter per channel, stride s         weights k^2 * t C_in,    MACs H' * W' * k^2 * t C_in
    project     1x1 conv t C_in -> C_out, linear (no ReLU6)     weights t C_in * C_out,  MACs H' * W' * t C_in * C_out
    skip        + input when s = 1 and C_in = C_out (no weights)
Plain conv:     k x k, C_in -> C_out, stride s                  weights k^2 C_in C_out,  MACs H' * W' * k^2 C_in C_out
Only convolution weights are counted (no BatchNorm, no bias), one multiply-add per weight per output cell.

Example: mbconv_cost(24, 40, 6, 5, 2, 56, 56).weights -> 12_816 (plain 5x5 conv: 24_000)
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from engine.ops.checks import positive_int


@dataclass(frozen=True)
class LayerCost:
    """One convolution of the block: name ('expand', 'depthwise', 'project'), kernel, stride, channels in and
    out, groups, output (C, H, W), weights and multiply-adds."""
    name: str
    kernel: int
    stride: int
    in_channels: int
    out_channels: int
    groups: int
    output_shape: tuple
    weights: int
    macs: int


@dataclass(frozen=True)
class MBConvCost:
    """An MBConv block's layers and the plain k x k convolution C_in -> C_out it is compared with."""
    in_channels: int
    out_channels: int
    expand_ratio: int
    kernel: int
    stride: int
    input_shape: tuple  # (C_in, H, W)
    layers: tuple  # LayerCost, in computation order
    plain: LayerCost

    @property
    def hidden_channels(self):
        return self.in_channels * self.expand_ratio

    @property
    def has_skip(self):
        return self.stride == 1 and self.in_channels == self.out_channels

    @property
    def weights(self):
        return sum(l.weights for l in self.layers)

    @property
    def macs(self):
        return sum(l.macs for l in self.layers)

    @property
    def weights_ratio(self):
        """block / plain weights."""
        return self.weights / self.plain.weights

    @property
    def macs_ratio(self):
        """block / plain multiply-adds."""
        return self.macs / self.plain.macs


def conv_cost(name, c_in, c_out, k, s, h, w, groups=1):
    """LayerCost of a k x k conv with 'SAME' padding on an H x W input: H' = ceil(H / s)."""
    h2, w2 = math.ceil(h / s), math.ceil(w / s)
    weights = k * k * (c_in // groups) * c_out
    return LayerCost(name, k, s, c_in, c_out, groups, (c_out, h2, w2), weights, h2 * w2 * weights)


def mbconv_cost(in_channels, out_channels, expand_ratio, kernel, stride, height, width):
    """MBConvCost of one block on a C_in x H x W input (see the module docstring for the formulas)."""
    c_in, c_out, t, k, s, h, w = (positive_int(v, n) for v, n in (
        (in_channels, "in_channels"), (out_channels, "out_channels"), (expand_ratio, "expand_ratio"),
        (kernel, "kernel"), (stride, "stride"), (height, "height"), (width, "width")))
    hidden = t * c_in
    layers = [conv_cost("expand", c_in, hidden, 1, 1, h, w)] if t != 1 else []
    layers.append(conv_cost("depthwise", hidden, hidden, k, s, h, w, groups=hidden))
    _, h2, w2 = layers[-1].output_shape
    layers.append(conv_cost("project", hidden, c_out, 1, 1, h2, w2))
    return MBConvCost(c_in, c_out, t, k, s, (c_in, h, w), tuple(layers), conv_cost("plain", c_in, c_out, k, s, h, w))
