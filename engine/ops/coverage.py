"""How often the kernel touches each input cell: count maps, and cells a stride never reaches."""
from __future__ import annotations

import numpy as np

from engine.ops.conv import _positive
from engine.ops.padding import resolve_padding


def participation_counts(input_shape, kernel_size, stride=1, padding=0, dilation=1):
    """For each cell of the padded input, the number of outputs whose window covers it.

    Shape: input_shape (L,) or (H, W) -> counts of the padded input's shape; 0 = never reached.
    With 'full' padding and stride 1 every original input cell is counted k (k_h * k_w) times.
    Example: participation_counts((3,), (2,)) -> [1, 2, 1]
    """
    input_shape, kernel_size = tuple(input_shape), tuple(kernel_size)
    nd = len(input_shape)
    stride, dilation = _positive(stride, nd, "stride"), _positive(dilation, nd, "dilation")
    pads = resolve_padding(padding, kernel_size, dilation)
    padded = tuple(i + a + b for i, (a, b) in zip(input_shape, pads))
    span = [d * (k - 1) + 1 for k, d in zip(kernel_size, dilation)]
    if any(e > p for e, p in zip(span, padded)):
        raise ValueError(f"The kernel covers {' x '.join(map(str, span))} cells but the padded input is only "
                         f"{' x '.join(map(str, padded))}.")
    out = [(p - e) // s + 1 for p, e, s in zip(padded, span, stride)]
    counts = np.zeros(padded, dtype=int)
    for tap in np.ndindex(*kernel_size):
        window = tuple(slice(t * d, t * d + s * (o - 1) + 1, s) for t, d, s, o in zip(tap, dilation, stride, out))
        counts[window] += 1
    return counts


def unpadded(counts, input_shape, padding, kernel_size, dilation=1):
    """The part of a padded-shape array that lies over the original input."""
    pads = resolve_padding(padding, tuple(kernel_size), dilation)
    return counts[tuple(slice(a, a + i) for (a, _), i in zip(pads, input_shape))]
