"""Receptive fields of a stack of convolutions: size, jump and start per layer, and the cells it sees.

For a stack applied in order, layer l with kernel k, stride s, padding p, dilation d:

    k_eff     = d (k - 1) + 1
    jump_out  = jump_in * s                              (input cells between neighbouring outputs)
    size_out  = size_in + (k_eff - 1) * jump_in          (receptive field size, in input cells)
    start_out = start_in + ((k_eff - 1) / 2 - p) * jump_in   (centre of output 0's field)

starting from the input itself: size 1, jump 1, start 0 (cell i has centre i).
Output i of a layer then sees input cells start + i * jump -/+ (size - 1) / 2 (a span that may reach
into the padding; with dilation the cells it depends on can have holes: see `receptive_cells`).

    >>> [r.size for r in receptive_field([Layer(3, dilation=d) for d in (1, 2, 4, 8)])]
    [3, 7, 15, 31]
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.data.matrix_text import as_code, parse_int

from engine.ops.arithmetic import conv_output_size, effective_kernel_size
from engine.ops.checks import check_elements, check_flag, check_work, positive_int, show_value, whole_number
from engine.notation import count


@dataclass(frozen=True)
class Layer:
    """One convolution of a stack, with torch.nn.Conv1d's arguments (the same for every axis)."""
    kernel_size: int
    stride: int = 1
    padding: int = 0
    dilation: int = 1

    def __post_init__(self):
        for name, lo in (("kernel_size", 1), ("stride", 1), ("padding", 0), ("dilation", 1)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < lo:
                raise ValueError(f"A layer's {name} must be a whole number >= {lo}; got {value!r}.")

    @property
    def effective_kernel_size(self):
        return effective_kernel_size(self.kernel_size, self.dilation)


@dataclass(frozen=True)
class ReceptiveField:
    """After a prefix of the stack: field size, jump and start (all in input cells)."""
    size: int
    jump: int
    start: float

    def span(self, index=0):
        """(first, last) input cell seen by output `index`; may lie outside the input (padding)."""
        centre = self.start + index * self.jump
        half = (self.size - 1) / 2
        return int(round(centre - half)), int(round(centre + half))


def receptive_field(layers):
    """One ReceptiveField per layer: entry l describes the output of layers[0..l] on the input.

    Example: receptive_field([Layer(3, 1, 1), Layer(3, 2, 1)]) -> sizes 3, 5; jumps 1, 2; starts 0, 0.
    """
    size, jump, start = 1, 1, 0.0
    out = []
    for layer in _checked(layers):
        k_eff = layer.effective_kernel_size
        size, start = size + (k_eff - 1) * jump, start + ((k_eff - 1) / 2 - layer.padding) * jump
        jump *= layer.stride
        out.append(ReceptiveField(size, jump, start))
    return out


def input_range(layers, index):
    """(first, last): the input cells spanned by output `index` of the last layer (padding included)."""
    if whole_number(index) is None:
        raise ValueError(f"An output index is a whole number, got {show_value(index)}.")
    index = whole_number(index)
    if not _checked(layers):
        return index, index
    return receptive_field(layers)[-1].span(index)


def layer_lengths(layers, input_length):
    """[input_length, length after layer 1, ...]; ValueError when a layer gets no output at all."""
    lengths = [positive_int(input_length, "input_length")]
    check_elements(lengths, "receptive_cells", "input")
    for n, layer in enumerate(_checked(layers), start=1):
        padded = lengths[-1] + 2 * layer.padding
        if layer.effective_kernel_size > padded:
            raise ValueError(f"Layer {n}'s kernel spans {layer.effective_kernel_size} cells but its padded input "
                             f"is only {padded}: use a longer input, a smaller kernel or dilation, or more padding.")
        lengths.append(conv_output_size(lengths[-1], layer.kernel_size, layer.stride, layer.padding, layer.dilation))
        check_elements(lengths[-1:], "receptive_cells", f"layer {n}'s output")
    return lengths


def receptive_cells(layers, input_length, index):
    """Which cells of every layer feed output `index` of the last layer (padding cells feed nothing).

    Returns a list of bool arrays, [input mask, layer-1 mask, ..., last-layer mask]; the input mask is
    exactly the set of input cells whose gradient is non-zero for that output (holes where dilation skips).
    """
    lengths = layer_lengths(layers, input_length)
    if whole_number(index) is None or not 0 <= index < lengths[-1]:
        raise ValueError(f"The last layer has {count(lengths[-1], 'output')} (0 to {lengths[-1] - 1}); "
                         f"there is no output {show_value(index)}.")
    masks = [np.zeros(n, dtype=bool) for n in lengths]
    masks[-1][whole_number(index)] = True
    for l in range(len(layers), 0, -1):
        layer = layers[l - 1]
        check_work(int(masks[l].sum()) * layer.kernel_size, "receptive_cells")
        taps = np.arange(layer.kernel_size) * layer.dilation - layer.padding  # (k,)
        cells = (np.flatnonzero(masks[l])[:, None] * layer.stride + taps).ravel()
        masks[l - 1][cells[(cells >= 0) & (cells < lengths[l - 1])]] = True
    return masks


def connections(layers, input_length, index):
    """Edges of the tree under output `index`: (layer, cell, cell below) for every tap inside the input."""
    masks = receptive_cells(layers, input_length, index)
    edges = []
    for l in range(len(layers), 0, -1):
        layer = layers[l - 1]
        for cell in np.flatnonzero(masks[l]):
            for tap in range(layer.kernel_size):
                below = int(cell) * layer.stride + tap * layer.dilation - layer.padding
                if 0 <= below < len(masks[l - 1]):
                    edges.append((l, int(cell), below))
    return edges


def _checked(layers):
    """layers as a list of Layer, else ValueError."""
    if isinstance(layers, Layer) or not isinstance(layers, (list, tuple)) or \
            not all(isinstance(layer, Layer) for layer in layers):
        raise ValueError("A stack is a list of Layer(kernel_size, stride, padding, dilation).")
    return list(layers)


def parameter_count(layers, channels=1, nd=1, bias=False):
    """Weights of the stack with `channels` channels in and out of every layer: sum of C^2 k^nd (+ C)."""
    bias = check_flag(bias, "bias")
    return sum(channels * channels * layer.kernel_size ** nd + (channels if bias else 0) for layer in layers)


def parse_layers(text, max_layers=8):
    """'3 1 1 1; 3 2 1 1' (one layer a row: k s p d, trailing values optional) -> [Layer, ...].

    Raises ValueError with a message a student can act on.
    """
    rows = [r for r in str(text).replace("\n", ";").split(";") if r.strip()]
    if not rows:
        raise ValueError("The stack is empty: type one layer a row, 'k s p d', rows separated by ';'.")
    if len(rows) > max_layers:
        raise ValueError(f"The stack has {len(rows)} layers; at most {max_layers} fit on the page.")
    layers = []
    for n, row in enumerate(rows, start=1):
        tokens = row.replace(",", " ").split()
        numbers = [parse_int(t, 0, 10**6) for t in tokens]
        if not 1 <= len(tokens) <= 4 or None in numbers:
            raise ValueError(f"Layer {n} should be 1 to 4 whole numbers 'k s p d'; got {as_code(row.strip(), 24)}.")
        k, s, p, d = numbers + [1, 1, 0, 1][len(tokens):]
        if not (1 <= k <= 9 and 1 <= s <= 4 and 0 <= p <= 16 and 1 <= d <= 16):
            raise ValueError(f"Layer {n}: use k from 1 to 9, s from 1 to 4, p from 0 to 16 and d from 1 to 16.")
        layers.append(Layer(k, s, p, d))
    return layers


def format_layers(layers):
    """The inverse of parse_layers."""
    return "; ".join(f"{l.kernel_size} {l.stride} {l.padding} {l.dilation}" for l in layers)
