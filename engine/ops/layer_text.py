"""A network written as short text, one layer per `;`, for the build-your-own-CNN lesson (and its URL):

    conv C K [sS] [pP] [dD] [gG]    nn.Conv2d(C_in, C, K, stride=S, padding=P, dilation=D, groups=G)
    maxpool K [sS] [pP]             nn.MaxPool2d(K, stride=S (default K), padding=P);  avgpool: nn.AvgPool2d
    bn | relu | gap | flatten       BatchNorm2d, ReLU, global average pool (C, H, W) -> (C, 1, 1), Flatten
    linear N                        nn.Linear(F_in, N)

    >>> parse("conv 8 3 p1; relu; maxpool 2; flatten; linear 10")[0]
    Conv(out_channels=8, kernel_size=3, stride=1, padding=1, dilation=1, groups=1, bias=True, name='conv')
    >>> text(parse("conv 8 3 p1 ; RELU;maxpool 2"))
    'conv 8 3 p1; relu; maxpool 2'

Size limits (LIMITS) keep a designed network small enough to train in seconds on a shared server: check()
raises NetworkError when a stack is larger or does not end in the 10 digit classes.
"""
from __future__ import annotations

import re

from engine.ops.network_arithmetic import (BatchNorm, Conv, Flatten, GlobalPool, Linear, NetworkError, Pool, ReLU,
                                           analyse)

DIGITS_INPUT = (1, 28, 28)
CLASSES = 10
MAX_LAYERS = 12
MAX_PARAMS = 200_000
MAX_MACS = 5_000_000  # multiply-adds per image: bounds the training time as the parameters bound the memory
MAX_NUMBER = 512  # channels, features, kernel sizes, strides...
MAX_TEXT = 400  # characters
_OPTIONS = {"conv": "spdg", "maxpool": "sp", "avgpool": "sp"}
_PLAIN = {"bn": BatchNorm, "relu": ReLU, "gap": GlobalPool, "flatten": Flatten}
WORDS = ("conv", "maxpool", "avgpool", "linear", *_PLAIN)


class LayerTextError(ValueError):
    """Text that is not a list of layers: the message names the layer (1-based) and says what is expected."""


def parse(source):
    """The layers written in `source` (a tuple); LayerTextError for text that cannot be read."""
    if len(source) > MAX_TEXT:
        raise LayerTextError(f"The layer list is {len(source)} characters long; at most {MAX_TEXT} are read.")
    parts = [p.strip() for p in source.split(";")]
    if parts and not parts[-1]:
        parts.pop()  # a trailing ";"
    if not parts:
        raise LayerTextError("The layer list is empty: write layers separated by ';', e.g. "
                             "'conv 8 3 p1; relu; maxpool 2; flatten; linear 10'.")
    if len(parts) > MAX_LAYERS:
        raise LayerTextError(f"{len(parts)} layers: at most {MAX_LAYERS} here (a network that trains in seconds).")
    return tuple(_layer(part, i) for i, part in enumerate(parts, 1))


def _layer(part, i):
    words = part.lower().split()
    if not words:
        raise LayerTextError(f"Layer {i} is empty (two ';' in a row).")
    word, args = words[0], words[1:]
    where = f"Layer {i} ('{part}')"
    if word in _PLAIN:
        if args:
            raise LayerTextError(f"{where}: '{word}' takes no numbers.")
        return _PLAIN[word]()
    if word not in _OPTIONS and word != "linear":
        raise LayerTextError(f"{where}: unknown layer '{word}'; use one of {', '.join(WORDS)}.")
    numbers = [a for a in args if a.isdecimal()]
    options = args[len(numbers):]
    wanted = {"conv": 2, "linear": 1}.get(word, 1)
    usage = {"conv": "conv CHANNELS KERNEL [sSTRIDE] [pPADDING] [dDILATION] [gGROUPS], e.g. 'conv 16 3 p1'",
             "linear": "linear FEATURES, e.g. 'linear 10'"}.get(word, f"{word} KERNEL [sSTRIDE] [pPADDING], "
                                                                      f"e.g. '{word} 2'")
    if len(numbers) != wanted or any(a.isdecimal() for a in options):
        raise LayerTextError(f"{where}: write {usage}.")
    values = {}
    for option in options:
        match = re.fullmatch(r"([a-z])(\d+)", option)
        if not match or match[1] not in _OPTIONS.get(word, ""):
            allowed = ", ".join(f"{c}N" for c in _OPTIONS.get(word, "")) or "none"
            raise LayerTextError(f"{where}: '{option}' is not an option of {word} (options: {allowed}).")
        if match[1] in values:
            raise LayerTextError(f"{where}: '{match[1]}' is given twice.")
        values[match[1]] = int(match[2])
    numbers = [int(n) for n in numbers]
    for n in numbers + list(values.values()):
        if n > MAX_NUMBER:
            raise LayerTextError(f"{where}: {n} is too large here (at most {MAX_NUMBER}).")
    if min(numbers + [values.get(c, 1) for c in "sdg"]) < 1:
        raise LayerTextError(f"{where}: sizes, strides, dilations and groups are at least 1.")
    if word == "linear":
        return Linear(numbers[0])
    if word == "conv":
        return Conv(numbers[0], numbers[1], values.get("s", 1), values.get("p", 0), values.get("d", 1),
                    values.get("g", 1))
    return Pool(word[:3], numbers[0], values.get("s"), values.get("p", 0))


def text(layers):
    """The compact text of `layers` (what parse() reads back)."""
    return "; ".join(_word(layer) for layer in layers)


def _word(layer):
    if isinstance(layer, Conv):
        options = [f"{c}{v}" for c, v, default in (("s", layer.stride, 1), ("p", layer.padding, 0),
                                                    ("d", layer.dilation, 1), ("g", layer.groups, 1)) if v != default]
        return " ".join(["conv", str(layer.out_channels), str(layer.kernel_size), *options])
    if isinstance(layer, Pool):
        options = ([f"s{layer.stride}"] if layer.stride not in (None, layer.kernel_size) else []) + \
            ([f"p{layer.padding}"] if layer.padding else [])
        return " ".join([f"{layer.kind}pool", str(layer.kernel_size), *options])
    if isinstance(layer, Linear):
        return f"linear {layer.out_features}"
    return next(word for word, cls in _PLAIN.items() if isinstance(layer, cls))


def check(layers, input_shape=DIGITS_INPUT):
    """The network's Report if it fits the lesson's limits and ends in CLASSES outputs; NetworkError else
    (from analyse at the layer that breaks, or naming the limit)."""
    report = analyse(layers, input_shape)
    if report.params > MAX_PARAMS:
        raise NetworkError(f"{report.params:,} parameters: at most {MAX_PARAMS:,} here, so that the network trains "
                           "in seconds on a shared server (fewer channels, or downsample before the flatten).")
    if report.macs > MAX_MACS:
        raise NetworkError(f"{report.macs:,} multiply-adds per image: at most {MAX_MACS:,} here, so that the "
                           "network trains in seconds (fewer channels at full resolution, or downsample earlier).")
    if report.output_shape != (CLASSES,):
        raise NetworkError(f"The network ends with {' x '.join(map(str, report.output_shape))} outputs; to classify "
                           f"the digits it must end with {CLASSES} (one per digit): end with a flatten (or a global "
                           f"pool and a flatten) and 'linear {CLASSES}'.")
    return report
