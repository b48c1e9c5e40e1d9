"""Classic kernels of the lecture (2D) and their 1D cousins, as float arrays."""
from __future__ import annotations

import numpy as np

KERNELS_2D = {
    "Identity": [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
    "Box blur": [[1 / 9] * 3] * 3,
    "Smooth /8": [[0, 1 / 8, 0], [1 / 8, 4 / 8, 1 / 8], [0, 1 / 8, 0]],
    "Sobel x": [[1, 0, -1], [2, 0, -2], [1, 0, -1]],
    "Laplacian": [[0, -1, 0], [-1, 4, -1], [0, -1, 0]],
    "Sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
}

KERNELS_1D = {
    "Identity": [0, 1, 0],
    "Moving average": [1 / 3, 1 / 3, 1 / 3],
    "Difference": [1, 0, -1],
    "Second difference": [1, -2, 1],
    "Shift": [0, 0, 1],
}


def kernel(name, nd=2):
    """A classic kernel by name: (3, 3) for nd=2, (3,) for nd=1."""
    table = KERNELS_2D if nd == 2 else KERNELS_1D
    if name not in table:
        raise ValueError(f"Unknown kernel {name!r}: choose one of {', '.join(table)}.")
    return np.array(table[name], dtype=float)
