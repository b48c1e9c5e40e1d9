"""Effective receptive field of the trained digit nets: how much each input pixel actually moves one output.

For a map `layer` of a net (e.g. "conv4"; names as in digit_nets.forward_with_activations) and its centre
cell (r, c), summed over the map's channels:

    y_n = sum_ch  A_layer(x_n)[ch, r, c]                 one number per digit x_n (28, 28)
    ERF[i, j] = mean_n | d y_n / d x_n[i, j] |            (28, 28), over a fixed set of test digits

The theoretical receptive field (engine.ops.receptive_field, per axis) bounds it exactly: pixels outside
the span do not feed the cell, so their gradient is 0. Luo et al. (2016): the ERF is much smaller than the
theoretical field and roughly Gaussian.

    erf = effective_field("global_pool", "conv4")   # EffectiveField: .map (28, 28), .field, .span, ...
    central_shares(erf)                             # [(k, share of the gradient mass in the central k x k)]

torch is imported inside effective_field only; the shared model is never changed (its parameters have
requires_grad False, and torch.autograd.grad differentiates with respect to a copy of the input only).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.data.digits import CANVAS, load_split
from engine.nets.digit_nets import config
from engine.ops.receptive_field import Layer, receptive_field

NETS = ("global_pool", "max_pool", "strided")  # the nets the lesson offers: no SE gates (they see everything)
N_DIGITS = 100  # the first N_DIGITS test digits


@dataclass(frozen=True)
class EffectiveField:
    name: str
    layer: str
    map: np.ndarray  # (28, 28) mean |gradient| over the digits
    cell: int  # the output cell (cell, cell): the centre of a side x side map
    side: int  # side of the layer's map
    size: int  # theoretical receptive field size (input pixels, per axis)
    centre: float  # centre of the field on the input (per axis; a half pixel for even sizes)
    n_digits: int

    @property
    def span(self):
        """(first, last) input pixels of the theoretical field per axis (may reach past the 28 x 28 input)."""
        half = (self.size - 1) / 2
        return int(round(self.centre - half)), int(round(self.centre + half))


def map_layers(name):
    """The maps of net `name` whose cells have a receptive field: conv{i}, pool{i} / stride{i} (no gates, gap)."""
    return tuple(n for n in config(name).layer_names() if n.startswith(("conv", "pool", "stride")))


def layer_stack(name, layer):
    """The 1-D Layers (per axis) from the input to map `layer` of net `name`, as forward_with_activations
    computes them: conv{i} = Layer(3, 1, d, d) (stride 1, "same"), pool{i} = Layer(2, 2), stride{i} = the
    every-other-pixel subsampling Layer(1, 2)."""
    cfg = config(name)
    if layer not in map_layers(name):
        raise ValueError(f"The {name!r} network has no map {layer!r}: choose one of {', '.join(map_layers(name))}.")
    stack = []
    for n in cfg.layer_names():
        if n.startswith("conv"):
            d = cfg.dilation(int(n[4:]) - 1)
            stack.append(Layer(3, 1, d, d))
        elif n.startswith("pool"):
            stack.append(Layer(2, 2))
        elif n.startswith("stride"):
            stack.append(Layer(1, 2))
        if n == layer:
            return stack
    raise AssertionError(layer)  # unreachable: layer is one of map_layers(name)


def digits(n=N_DIGITS):
    """The fixed digits the ERF is averaged over: the first n test digits, (n, 28, 28) float32."""
    return load_split().test_x[:n]


def input_gradients(model, layer, images, cell):
    """d/dx of sum over channels of map `layer` at (cell, cell), for each image: (N, 28, 28) float.

    Differentiates with respect to a copy of the images only (the model's parameters stay untouched)."""
    import torch

    dtype = next(model.parameters()).dtype
    x = torch.tensor(np.asarray(images)[:, None], dtype=dtype, requires_grad=True)  # a copy, (N, 1, 28, 28)
    with torch.enable_grad():
        _, acts = model.forward_with_activations(x)
        y = acts[layer][:, :, cell, cell].sum()  # images are independent: d y / d x_n = d y_n / d x_n
        (grad,) = torch.autograd.grad(y, x)
    return grad[:, 0].numpy().astype(float)


def effective_field(name, layer, n_digits=N_DIGITS):
    """The ERF of the centre cell of map `layer` of the trained net `name`, over the first n_digits test digits."""
    from engine.nets.digit_loading import load

    stack = layer_stack(name, layer)
    field = receptive_field(stack)[-1]
    side = CANVAS // field.jump
    cell = side // 2
    grads = input_gradients(load(name), layer, digits(n_digits), cell)
    return EffectiveField(name, layer, np.abs(grads).mean(axis=0), cell, side, field.size,
                          field.start + cell * field.jump, len(grads))


def window(centre, k):
    """(first, last) pixels of the k-pixel window centred on `centre` (k odd for a whole centre, even for a half)."""
    return int(round(centre - (k - 1) / 2)), int(round(centre + (k - 1) / 2))


def central_shares(erf):
    """[(k, share)]: the share of the ERF's mass in the central k x k window, for k = size, size - 2, ... (the
    windows centred on the field: same parity as size), smallest first; pixels past the input count 0."""
    total = erf.map.sum()
    out = []
    for k in range(erf.size % 2 or 2, erf.size + 1, 2):
        first, last = window(erf.centre, k)
        lo, hi = max(first, 0), min(last, CANVAS - 1)
        out.append((k, float(erf.map[lo:hi + 1, lo:hi + 1].sum() / total) if total else 0.0))
    return out


def smallest_window(erf, share):
    """The smallest central k (same parity as the field) whose k x k window holds at least `share` of the mass."""
    return next(k for k, s in central_shares(erf) if s >= share - 1e-12)


def profile(erf):
    """The ERF along the row through the field's centre (the mean of the two middle rows for a half centre): (28,)."""
    rows = sorted({int(np.floor(erf.centre)), int(np.ceil(erf.centre))})
    rows = [r for r in rows if 0 <= r < CANVAS]
    return erf.map[rows].mean(axis=0)


def gaussian_fit(values):
    """Least-squares a exp(-(x - mu)^2 / (2 sigma^2)) to values (n,) at x = 0 .. n - 1, started from the
    moments. Returns (a, mu, sigma, r2), r2 = 1 - residual / total sum of squares (1 = a perfect fit)."""
    from scipy.optimize import curve_fit

    values = np.asarray(values, dtype=float)
    x = np.arange(len(values), dtype=float)
    mass = values.sum()
    mu = float((x * values).sum() / mass)
    sigma = float(np.sqrt(max(((x - mu) ** 2 * values).sum() / mass, 0.05)))
    start = (float(values.max()), mu, sigma)
    try:
        (a, mu, sigma), _ = curve_fit(gaussian, x, values, p0=start, maxfev=4000)
    except RuntimeError:  # no convergence: the moments' Gaussian
        a, mu, sigma = start
    residual = ((values - gaussian(x, a, mu, sigma)) ** 2).sum()
    total = ((values - values.mean()) ** 2).sum()
    return float(a), float(mu), abs(float(sigma)), float(1 - residual / total) if total else 1.0


def gaussian(x, a, mu, sigma):
    return a * np.exp(-((np.asarray(x, dtype=float) - mu) ** 2) / (2 * sigma ** 2))
