"""Figures of the dilation lesson (issue 13, item 4): their number of Plotly objects does not grow with what a
link asks for (the holes of a dilated kernel and the edges of a stack are one trace each), and a dilated
kernel no page can ask for is refused."""
import numpy as np
import pytest

from engine.figures.receptive_field_figures import MAX_SPREAD_CELLS, dilated_kernel_figure, spread_kernel, stack_figure
from engine.ops.receptive_field import connections, layer_lengths, parse_layers


def _squares(trace):
    """The closed outlines of a lines trace broken by None: [(centre x, centre y), ...]."""
    assert trace["x"][-1] is None and trace["y"][-1] is None
    out, square = [], []
    for x, y in zip(trace["x"], trace["y"]):
        if x is None:
            out.append((np.mean([p[0] for p in square[:4]]), np.mean([p[1] for p in square[:4]])))
            assert square[0] == square[-1] and len(square) == 5, square  # closed
            square = []
        else:
            square.append((x, y))
    return out


@pytest.mark.parametrize("k,d", [((3, 3), 2), ((5, 5), 4), ((2, 5), 3), ((4, 1), 4)])
def test_holes_are_one_trace_of_outlines_at_the_nan_cells(k, d):
    kernel = np.arange(np.prod(k), dtype=float).reshape(k) - 3
    fig = dilated_kernel_figure(kernel, d)
    holes = np.argwhere(np.isnan(spread_kernel(kernel, d)))  # (r, c) of every hole
    assert not fig["layout"].get("shapes")  # a shape per hole made 5 x 5 with d = 4 take ~17 s
    (outlines,) = [t for t in fig["data"] if t.get("name") == "hole outlines"]
    assert sorted(_squares(outlines)) == sorted((float(c), float(r)) for r, c in holes)
    assert len(fig["data"]) == len(dilated_kernel_figure(kernel, 2)["data"])  # traces do not grow with d


def test_no_hole_no_outline_trace():
    assert not [t for t in dilated_kernel_figure(np.ones((3, 3)), 1)["data"] if t.get("name") == "hole outlines"]


def test_a_kernel_spread_past_the_budget_is_refused():
    side = int(np.sqrt(MAX_SPREAD_CELLS)) + 1  # (side - 1) * 1 + 1 = side cells a row with d = 1: side^2 cells
    with pytest.raises(ValueError, match=f"at most {MAX_SPREAD_CELLS} cells"):
        dilated_kernel_figure(np.ones((side, side)), 1)
    with pytest.raises(ValueError, match=f"at most {MAX_SPREAD_CELLS} cells"):
        dilated_kernel_figure(np.ones((5, 5)), 9)  # 33 x 33


@pytest.mark.parametrize("text,n", [("3 1 1 1; 3 1 2 2; 3 1 4 4", 24), ("9 1 16 1; " * 7 + "9 1 16 1", 48)])
def test_stack_edges_are_one_trace_with_a_segment_per_connection(text, n):
    """The second stack (a link can ask for it) has ~2,000 edges: a trace each took ~1.6 s."""
    layers = parse_layers(text)
    index = layer_lengths(layers, n)[-1] // 2
    fig = stack_figure(layers, n, index)
    (lines,) = [t for t in fig["data"] if t.get("name") == "connections"]
    segments = [(lines["y"][i], lines["y"][i + 1]) for i in range(0, len(lines["y"]), 3)]
    assert lines["x"][2::3] == [None] * len(segments)
    assert sorted(segments) == sorted((l, l - 1) for l, _, _ in connections(layers, n, index))
    assert len(fig["data"]) <= len(layers) + 3  # the edges, a row of cells per layer and the input, the output
