"""1x1, grouped, depthwise and depthwise-separable convolution: what each filter sees, and what it costs.

A conv2d with `groups` = G splits the C_in input channels and the C_out filters into G groups; a filter of
group g sees only the C_in / G input channels of group g. Weight (C_out, C_in / G, k, k); on an output of
H_out x W_out it does C_out * (C_in / G) * k^2 * H_out * W_out multiply-adds (one per weight per output cell).
G = 1 is the standard convolution, G = C_in the depthwise one (one filter per channel when C_out = C_in).

Depthwise separable (MobileNet) = depthwise k x k (groups = C_in, C_in -> C_in), then pointwise 1x1 C_in -> C_out:
    weights  C_in k^2 + C_in C_out       vs  standard  C_in C_out k^2
    speedup  standard / separable = k^2 C_out / (k^2 + C_out)   (the same for weights and for multiply-adds)

    >>> separable_cost(3, 5, 3, 1, 1).standard.weights, separable_cost(3, 5, 3, 1, 1).weights
    (135, 42)
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from engine.ops.checks import check_numbers, positive_int
from engine.ops.conv import conv2d
from engine.ops.mbconv_cost import LayerCost, conv_cost


def valid_groups(in_channels, out_channels):
    """The group counts G that divide both C_in and C_out, smallest first.

    >>> valid_groups(8, 12)
    [1, 2, 4]
    """
    c_in, c_out = positive_int(in_channels, "in_channels"), positive_int(out_channels, "out_channels")
    return [g for g in range(1, math.gcd(c_in, c_out) + 1) if c_in % g == 0 and c_out % g == 0]


def check_groups(in_channels, out_channels, groups):
    """groups as an int; ValueError naming the usable values when G does not divide both C_in and C_out."""
    g = positive_int(groups, "groups")
    usable = valid_groups(in_channels, out_channels)
    if g not in usable:
        raise ValueError(f"groups = {g} must divide both the input channels (C_in = {in_channels}) and the output "
                         f"channels (C_out = {out_channels}); with these channels use one of "
                         f"{', '.join(map(str, usable))}.")
    return g


def group_inputs(in_channels, out_channels, groups):
    """For every filter (output channel) o, the input channels it sees: range(g C_in/G, (g + 1) C_in/G),
    g = o // (C_out / G) its group. -> list of C_out ranges."""
    g = check_groups(in_channels, out_channels, groups)
    per_in, per_out = in_channels // g, out_channels // g
    return [range((o // per_out) * per_in, (o // per_out + 1) * per_in) for o in range(out_channels)]


def grouped_cost(in_channels, out_channels, kernel, groups, height, width):
    """LayerCost of a k x k conv with `groups` on an H x W input, stride 1, padding k // 2 (odd k: H_out = H).

    weights = C_out (C_in / G) k^2; macs = weights * H_out * W_out.
    """
    g = check_groups(in_channels, out_channels, groups)
    c_in, c_out, k, h, w = (positive_int(v, n) for v, n in ((in_channels, "in_channels"), (out_channels, "out_channels"),
                                                            (kernel, "kernel"), (height, "height"), (width, "width")))
    h_out, w_out = h + 2 * (k // 2) - k + 1, w + 2 * (k // 2) - k + 1
    weights = c_out * (c_in // g) * k * k
    return LayerCost("grouped", k, 1, c_in, c_out, g, (c_out, h_out, w_out), weights, weights * h_out * w_out)


@dataclass(frozen=True)
class SeparableCost:
    """Depthwise k x k (C_in -> C_in, groups = C_in) then pointwise 1x1 (C_in -> C_out), against the standard
    k x k conv C_in -> C_out on the same input ('SAME' padding, stride 1)."""
    depthwise: LayerCost
    pointwise: LayerCost
    standard: LayerCost

    @property
    def weights(self):
        return self.depthwise.weights + self.pointwise.weights

    @property
    def macs(self):
        return self.depthwise.macs + self.pointwise.macs

    @property
    def speedup(self):
        """standard / separable multiply-adds = k^2 C_out / (k^2 + C_out)."""
        return self.standard.macs / self.macs


def separable_cost(in_channels, out_channels, kernel, height, width):
    """SeparableCost on a C_in x H x W input (see the module docstring for the formulas)."""
    c_in, c_out, k, h, w = (positive_int(v, n) for v, n in ((in_channels, "in_channels"), (out_channels, "out_channels"),
                                                            (kernel, "kernel"), (height, "height"), (width, "width")))
    return SeparableCost(conv_cost("depthwise", c_in, c_in, k, 1, h, w, groups=c_in),
                         conv_cost("pointwise", c_in, c_out, 1, 1, h, w),
                         conv_cost("standard", c_in, c_out, k, 1, h, w))


def separable_speedup(out_channels, kernel):
    """k^2 C_out / (k^2 + C_out): how many times fewer multiply-adds (and weights) depthwise separable needs.

    Array-friendly in out_channels; it tends to k^2 as C_out grows.
    """
    k = positive_int(kernel, "kernel")
    c = check_numbers(out_channels, "separable_speedup", "out_channels").astype(float)
    if not (np.isfinite(c).all() and (c >= 1).all()):
        raise ValueError("separable_speedup needs output channels C_out >= 1.")
    return k * k * c / (k * k + c)


def pointwise_as_matmul(input, weight):
    """A 1x1 convolution as one matrix product over channels at every pixel: Y[:, i, j] = W X[:, i, j].

    Shape: input (C_in, H, W); weight (C_out, C_in) or (C_out, C_in, 1, 1) -> (C_out, H, W),
    computed as W (C_out, C_in) @ X.reshape(C_in, H * W). Equals conv2d(input, weight[..., None, None]).
    """
    x, w = check_numbers(input, "pointwise_as_matmul"), check_numbers(weight, "pointwise_as_matmul", "weight")
    if w.ndim == 4 and w.shape[2:] == (1, 1):
        w = w[:, :, 0, 0]
    if x.ndim != 3 or w.ndim != 2 or w.shape[1] != x.shape[0]:
        raise ValueError(f"pointwise_as_matmul expects input (C_in, H, W) and weight (C_out, C_in); got shapes "
                         f"{x.shape} and {w.shape}.")
    return (w @ x.reshape(x.shape[0], -1)).reshape(w.shape[0], *x.shape[1:])  # (C_out, H, W)


def depthwise_separable(input, depthwise_weight, pointwise_weight, padding=0):
    """Depthwise then pointwise: conv2d(x, dw, groups=C_in, padding), then conv2d(., pw).

    Shape: input (C_in, H, W); depthwise_weight (C_in, 1, k, k); pointwise_weight (C_out, C_in, 1, 1)
    -> (middle (C_in, H_out, W_out), output (C_out, H_out, W_out)).
    """
    x = check_numbers(input, "depthwise_separable")
    if x.ndim != 3:
        raise ValueError(f"depthwise_separable expects an input of shape (C_in, H, W); got shape {x.shape}.")
    middle = conv2d(x, depthwise_weight, padding=padding, groups=x.shape[0])
    return middle, conv2d(middle, pointwise_weight)
