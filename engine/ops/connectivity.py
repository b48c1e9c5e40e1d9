"""Why convolution: the parameters of a fully connected, a locally connected and a convolutional layer.

The three layers map the same H x W x C_in input to the same H x W x C_out output (stride 1, zero
padding p = (k - 1) / 2 for an odd k, so every unit has a k x k window centred on its own position):
    fully connected     every unit sees every input:          (H W C_in)(H W C_out) weights, H W C_out biases
    locally connected   every unit sees its own k x k x C_in
                        window with its own weights:          (H W C_out)(k² C_in) weights, H W C_out biases
    convolution         the units of a channel share weights: C_out (k² C_in) weights, C_out biases
(biases as torch's nn.Linear and nn.Conv2d have them, and one per unit for the locally connected layer,
as Keras' LocallyConnected2D has them).

Example (the lecture's 150 x 150 RGB image, 67,500 inputs, k = 5, C_out = 3):
    >>> [c.params for c in layer_counts(150, 150, 3, 3, 5)]
    [4556317500, 5130000, 228]
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.ops.checks import check_elements, check_numbers, non_negative, positive, positive_int
from engine.ops.padding import pad

LAYERS = ("Fully connected", "Locally connected", "Convolution")


@dataclass(frozen=True)
class LayerCount:
    """One layer's parameters: weights + biases = params; formula: the count with the symbols,
    numbers: the same with this layer's numbers written in (plain text)."""
    name: str
    weights: int
    biases: int
    formula: str
    numbers: str

    @property
    def params(self):
        return self.weights + self.biases


def layer_counts(height, width, c_in, c_out, k):
    """(fully connected, locally connected, convolution) for an H x W x C_in input and an H x W x C_out output.

    k: the odd kernel size of the locally connected layer and the convolution (padding (k - 1) / 2).
    """
    h, w, c_in, c_out, k = (positive_int(v, n) for v, n in
                            ((height, "height"), (width, "width"), (c_in, "C_in"), (c_out, "C_out"), (k, "k")))
    if k % 2 == 0:
        raise ValueError(f"The kernel size must be odd (a window centred on each unit), got {k}.")
    inputs, units, window = h * w * c_in, h * w * c_out, k * k * c_in
    return (
        LayerCount(LAYERS[0], inputs * units, units, "(H·W·C_in)·(H·W·C_out) + H·W·C_out",
                   f"{inputs:,}·{units:,} + {units:,}"),
        LayerCount(LAYERS[1], units * window, units, "(H·W·C_out)·(k²·C_in) + H·W·C_out",
                   f"{units:,}·{window:,} + {units:,}"),
        LayerCount(LAYERS[2], c_out * window, c_out, "C_out·(k²·C_in) + C_out", f"{c_out}·{window:,} + {c_out}"),
    )


def parameter_curves(sizes, c_in, c_out, k):
    """{layer name: [params at each square image size in `sizes`]}: how each count grows with H = W."""
    counts = [layer_counts(n, n, c_in, c_out, k) for n in sizes]
    return {name: [row[i].params for row in counts] for i, name in enumerate(LAYERS)}


def locally_connected2d(input, weight, bias=None, stride=1, padding=0):
    """A locally connected layer: a convolution whose weights are not shared (each output cell has its own).

    Shape: input (N, C_in, H, W) or (C_in, H, W); weight (H_out, W_out, C_out, C_in, k_h, k_w);
    bias (C_out, H_out, W_out) or None -> (N, C_out, H_out, W_out):
        y[o, i, j] = b[o, i, j] + sum_{c, m, n} w[i, j, o, c, m, n] x_pad[c, s i + m, s j + n]
    With w[i, j] the same for every (i, j) (and one bias per channel) it is conv2d.
    """
    x = check_numbers(input, "locally_connected2d").astype(float)
    wt = check_numbers(weight, "locally_connected2d", "weight").astype(float)
    unbatched = x.ndim == 3
    x = x[None] if unbatched else x
    if x.ndim != 4 or wt.ndim != 6 or wt.shape[3] != x.shape[1]:
        raise ValueError(f"locally_connected2d needs an input (N, C_in, H, W) and a weight (H_out, W_out, C_out, "
                         f"C_in, k_h, k_w) with the same C_in; got shapes {x.shape} and {wt.shape}.")
    (s_h, s_w), (p_h, p_w) = positive(stride, 2, "stride"), non_negative(padding, 2, "padding")
    h_out, w_out, c_out, _, k_h, k_w = wt.shape
    xp = pad(x, [p_w, p_w, p_h, p_h])
    expected = ((xp.shape[2] - k_h) // s_h + 1, (xp.shape[3] - k_w) // s_w + 1)
    if min(xp.shape[2] - k_h, xp.shape[3] - k_w) < 0 or expected != (h_out, w_out):
        raise ValueError(f"This input, kernel, stride and padding give a {expected[0]} x {expected[1]} output; "
                         f"the weight has one filter per cell of a {h_out} x {w_out} output.")
    check_elements((x.shape[0], c_out, h_out, w_out, *wt.shape[3:]), "locally_connected2d", "windows")
    windows = np.lib.stride_tricks.sliding_window_view(xp, (k_h, k_w), axis=(2, 3))[:, :, ::s_h, ::s_w]
    y = np.einsum("bcijmn,ijocmn->boij", windows, wt)  # windows (N, C_in, H_out, W_out, k_h, k_w)
    if bias is not None:
        b = check_numbers(bias, "locally_connected2d", "bias").astype(float)
        if b.shape != (c_out, h_out, w_out):
            raise ValueError(f"The bias needs one value per output unit, shape {(c_out, h_out, w_out)}; "
                             f"got {b.shape}.")
        y = y + b
    return y[0] if unbatched else y
