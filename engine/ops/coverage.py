"""How often the kernel touches each input cell: count maps, and cells a stride never reaches."""
from __future__ import annotations

import math

import numpy as np

from engine.ops.checks import check_elements, check_fits, check_shape, check_work, positive
from engine.ops.padding import resolve_padding


def participation_counts(input_shape, kernel_size, stride=1, padding=0, dilation=1):
    """For each cell of the padded input, the number of outputs whose window covers it.

    Shape: input_shape (L,) or (H, W) -> counts of the padded input's shape; 0 = never reached.
    With 'full' padding and stride 1 every original input cell is counted k (k_h * k_w) times.
    Example: participation_counts((3,), (2,)) -> [1, 2, 1]
    """
    input_shape = check_shape(input_shape, "participation_counts")
    nd = len(input_shape)
    kernel_size = positive(kernel_size, nd, "kernel_size")
    stride, dilation = positive(stride, nd, "stride"), positive(dilation, nd, "dilation")
    pads = resolve_padding(padding, kernel_size, dilation)
    padded = tuple(i + a + b for i, (a, b) in zip(input_shape, pads))
    check_elements(padded, "participation_counts", "padded input")
    span = check_fits(padded, kernel_size, dilation)
    out = [(p - e) // s + 1 for p, e, s in zip(padded, span, stride)]
    check_work(math.prod((*kernel_size, *out)), "participation_counts")
    counts = np.zeros(padded, dtype=int)
    for tap in np.ndindex(*kernel_size):
        window = tuple(slice(t * d, t * d + s * (o - 1) + 1, s) for t, d, s, o in zip(tap, dilation, stride, out))
        counts[window] += 1
    return counts


def unpadded(counts, input_shape, padding, kernel_size, dilation=1):
    """The part of a padded-shape array that lies over the original input."""
    pads = resolve_padding(padding, tuple(kernel_size), dilation)
    return counts[tuple(slice(a, a + i) for (a, _), i in zip(pads, input_shape))]
