"""Shapes, parameters, multiply-adds, activations and receptive fields of a network, layer by layer.

A network is a sequence of layer specifications applied in order to an input (C, H, W) (square kernels,
the same stride, padding and dilation on both axes, as torch.nn.Conv2d with int arguments):

    Conv(C_out, k, s, p, d, groups, bias)   output H' = floor((H + 2p - d(k - 1) - 1) / s) + 1
                                            weights C_out (C_in / g) k²  (+ C_out biases)
                                            MACs    C_out H' W' (C_in / g) k²
    BatchNorm()                             2 C parameters (scale and shift), no MACs counted
    ReLU()                                  nothing (shown, and exported, but free)
    Pool("max" | "avg", k, s, p)            H' = floor((H + 2p - k) / s) + 1, no parameters
    GlobalPool()                            (C, H, W) -> (C, 1, 1), the mean of every channel
    Flatten()                               (C, H, W) -> (C H W,)
    Linear(out, bias)                       weights in·out (+ out), MACs in·out
    SE(r)                                   squeeze-and-excitation: FC C -> C/r -> C with biases,
                                            2 C²/r + C/r + C parameters, 2 C²/r MACs
    Residual(body, shortcut)                body and shortcut (identity when empty) on the same input, added

A MAC is one multiply-add (what the lectures and most papers call a FLOP); torch's FlopCounterMode counts
2 floating-point operations per MAC. Only convolutions, linear layers and SE's two FCs count MACs; pooling,
batch norm, activations, SE's squeeze and scale and the residual addition are cheap by comparison and left out.
Activations are the elements of every layer's output (float32: 4 bytes each), as kept for backpropagation.

Receptive field along one axis, from the input (size 1, jump 1): a layer with kernel span k_eff and stride s
gives size + (k_eff - 1) jump and jump s·jump; a residual block sees the larger of its two paths; after a
global pool or a flatten every output depends on the whole input (size None).

    >>> r = analyse([Conv(8, 3, padding=1), Pool("max", 2), Conv(16, 3, padding=1)], (1, 28, 28))
    >>> [(row.output_shape, row.params, row.rf_size) for row in r.rows]
    [((8, 28, 28), 80, 3), ((8, 14, 14), 0, 4), ((16, 14, 14), 1168, 8)]
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from engine.ops.arithmetic import conv_output_size


@dataclass(frozen=True)
class Conv:
    out_channels: int
    kernel_size: int
    stride: int = 1
    padding: int = 0
    dilation: int = 1
    groups: int = 1
    bias: bool = True
    name: str = "conv"


@dataclass(frozen=True)
class BatchNorm:
    name: str = "bn"


@dataclass(frozen=True)
class ReLU:
    name: str = "relu"


@dataclass(frozen=True)
class Pool:
    kind: str  # "max" or "avg"
    kernel_size: int
    stride: int | None = None  # None: the kernel size, as in torch
    padding: int = 0
    name: str = "pool"


@dataclass(frozen=True)
class GlobalPool:
    name: str = "global pool"


@dataclass(frozen=True)
class Flatten:
    name: str = "flatten"


@dataclass(frozen=True)
class Linear:
    out_features: int
    bias: bool = True
    name: str = "fc"


@dataclass(frozen=True)
class SE:
    reduction: int
    name: str = "se"


@dataclass(frozen=True)
class Residual:
    body: tuple
    shortcut: tuple = ()  # empty: the identity
    name: str = "block"


Layer = Union[Conv, BatchNorm, ReLU, Pool, GlobalPool, Flatten, Linear, SE, Residual]


@dataclass(frozen=True)
class Row:
    """One layer's result: its path name ("layer1.0.conv2"), kind, output shape ((C, H, W) or (F,)),
    parameters, MACs, output elements, receptive field size and jump (None: the whole input)."""
    name: str
    kind: str
    output_shape: tuple
    params: int
    macs: int
    activations: int
    rf_size: int | None
    rf_jump: int | None


@dataclass(frozen=True)
class Report:
    input_shape: tuple
    rows: tuple

    @property
    def output_shape(self):
        return self.rows[-1].output_shape if self.rows else self.input_shape

    @property
    def params(self):
        return sum(r.params for r in self.rows)

    @property
    def macs(self):
        return sum(r.macs for r in self.rows)

    @property
    def activations(self):
        return sum(r.activations for r in self.rows)

    @property
    def flops(self):
        """2 per MAC (torch's FlopCounterMode convention)."""
        return 2 * self.macs


class NetworkError(ValueError):
    """A layer that cannot be applied: the message names it (path and kind) and says what to change."""


def analyse(layers, input_shape) -> Report:
    """Every layer's row for `layers` applied to `input_shape` (C, H, W); NetworkError at the layer that breaks."""
    shape = tuple(int(v) for v in input_shape)
    if len(shape) != 3 or min(shape) < 1:
        raise NetworkError(f"The input must be (channels, height, width), each at least 1; got {input_shape}.")
    rows = []
    _walk(tuple(layers), shape, (1, 1), "", rows)
    return Report(shape, tuple(rows))


def _walk(layers, shape, rf, prefix, rows):
    """Append the rows of `layers` (names under `prefix`); return the output shape and receptive field."""
    counts = {}
    for layer in layers:
        counts[layer.name] = counts.get(layer.name, 0) + 1
        path = f"{prefix}{layer.name}{counts[layer.name]}"
        if isinstance(layer, Residual):
            shape, rf = _residual(layer, shape, rf, path, rows)
            continue
        try:
            shape, params, macs, rf = _apply(layer, shape, rf)
        except NetworkError as e:
            raise NetworkError(f"{path} ({_kind(layer)}): {e}") from None
        rows.append(Row(path, _kind(layer), shape, params, macs, _elements(shape), *rf))
    return shape, rf


def _residual(block, shape, rf, path, rows):
    body_shape, body_rf = _walk(block.body, shape, rf, f"{path}.", rows)
    short_shape, short_rf = _walk(block.shortcut, shape, rf, f"{path}.shortcut.", rows)
    if body_shape != short_shape:
        raise NetworkError(f"{path} (residual add): the body gives {_show(body_shape)} but the shortcut "
                           f"gives {_show(short_shape)}; they must match to be added (use a 1x1 convolution "
                           f"with the body's stride and channels as the shortcut).")
    size = None if None in (body_rf[0], short_rf[0]) else max(body_rf[0], short_rf[0])
    jump = body_rf[1] if body_rf[1] is not None else short_rf[1]
    rows.append(Row(f"{path}.add", "residual add", body_shape, 0, 0, _elements(body_shape), size, jump))
    return body_shape, (size, jump)


def _apply(layer, shape, rf):
    """(output shape, parameters, MACs, receptive field) of one layer on `shape`."""
    size, jump = rf
    if isinstance(layer, Linear):
        if len(shape) != 1:
            raise NetworkError(f"a linear layer needs a vector; got {_show(shape)} (add a flatten or a "
                               f"global pool before it).")
        weights = shape[0] * layer.out_features
        return (layer.out_features,), weights + layer.out_features * layer.bias, weights, (None, None)
    if len(shape) != 3:
        raise NetworkError(f"needs a (C, H, W) map; got the vector {_show(shape)} (only linear layers come "
                           f"after a flatten).")
    c, h, w = shape
    if isinstance(layer, (BatchNorm, ReLU)):
        return shape, 2 * c if isinstance(layer, BatchNorm) else 0, 0, rf
    if isinstance(layer, Flatten):
        return (c * h * w,), 0, 0, (None, None)
    if isinstance(layer, GlobalPool):
        return (c, 1, 1), 0, 0, (None, None)
    if isinstance(layer, SE):
        if layer.reduction < 1 or c % layer.reduction:
            raise NetworkError(f"the reduction r = {layer.reduction} must divide the {c} channels.")
        hidden = c // layer.reduction
        return shape, 2 * c * hidden + hidden + c, 2 * c * hidden, rf
    if isinstance(layer, Pool):
        if layer.kind not in ("max", "avg"):
            raise NetworkError(f"pooling is 'max' or 'avg', not {layer.kind!r}.")
        k, s, p = layer.kernel_size, layer.stride or layer.kernel_size, layer.padding
        if 2 * p > k:
            raise NetworkError(f"padding {p} is more than half the kernel {k} (torch refuses it).")
        out = (c, _side(h, k, s, p, 1), _side(w, k, s, p, 1))
        return out, 0, 0, _grow(rf, k, s)
    if isinstance(layer, Conv):
        g = layer.groups
        if g < 1 or c % g or layer.out_channels % g:
            raise NetworkError(f"groups = {g} must divide both the {c} input channels and the "
                               f"{layer.out_channels} output channels.")
        k, d = layer.kernel_size, layer.dilation
        out = (layer.out_channels, _side(h, k, layer.stride, layer.padding, d),
               _side(w, k, layer.stride, layer.padding, d))
        weights = layer.out_channels * (c // g) * k * k
        macs = weights * out[1] * out[2]
        return out, weights + layer.out_channels * layer.bias, macs, _grow(rf, d * (k - 1) + 1, layer.stride)
    raise NetworkError(f"unknown layer {layer!r}.")


def _side(i, k, s, p, d):
    try:
        return conv_output_size(i, k, s, p, d)
    except ValueError:
        span = d * (k - 1) + 1
        raise NetworkError(f"its {span}-cell kernel does not fit the {i}-cell input padded to {i + 2 * p} "
                           f"(the map has shrunk to nothing: remove a downsampling layer before it, or pad "
                           f"more).") from None


def _grow(rf, span, stride):
    size, jump = rf
    if size is None:
        return rf
    return size + (span - 1) * jump, jump * stride


def _elements(shape):
    n = 1
    for v in shape:
        n *= v
    return n


def _show(shape):
    return " x ".join(str(v) for v in shape)


def _kind(layer):
    if isinstance(layer, Conv):
        parts = [f"conv {layer.kernel_size}x{layer.kernel_size}"]
        parts += [f"s{layer.stride}"] if layer.stride != 1 else []
        parts += [f"d{layer.dilation}"] if layer.dilation != 1 else []
        parts += [f"g{layer.groups}"] if layer.groups != 1 else []
        return " ".join(parts)
    if isinstance(layer, Pool):
        return f"{layer.kind} pool {layer.kernel_size}x{layer.kernel_size}"
    return {BatchNorm: "batch norm", ReLU: "ReLU", GlobalPool: "global avg pool", Flatten: "flatten",
            Linear: "linear", SE: "squeeze-excitation"}.get(type(layer), type(layer).__name__)
