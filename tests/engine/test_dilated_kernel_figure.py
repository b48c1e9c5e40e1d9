"""The dilated kernel figure (issue 13, item 4): its work does not grow with the number of holes (one trace
of outlines, no Plotly shape per hole), and what no page can ask for is refused."""
import numpy as np
import pytest

from engine.figures.receptive_field_figures import MAX_SPREAD_CELLS, dilated_kernel_figure, spread_kernel


def _squares(trace):
    """The closed outlines of a lines trace broken by None: [(centre x, centre y), ...]."""
    assert trace.x[-1] is None and trace.y[-1] is None
    out, square = [], []
    for x, y in zip(trace.x, trace.y):
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
    assert len(fig.layout.shapes) == 0  # a shape per hole made 5 x 5 with d = 4 take ~17 s
    (outlines,) = [t for t in fig.data if t.name == "hole outlines"]
    assert sorted(_squares(outlines)) == sorted((float(c), float(r)) for r, c in holes)
    assert len(fig.data) == len(dilated_kernel_figure(kernel, 2).data)  # traces do not grow with d


def test_no_hole_no_outline_trace():
    assert not [t for t in dilated_kernel_figure(np.ones((3, 3)), 1).data if t.name == "hole outlines"]


def test_a_kernel_spread_past_the_budget_is_refused():
    side = int(np.sqrt(MAX_SPREAD_CELLS)) + 1  # (side - 1) * 1 + 1 = side cells a row with d = 1: side^2 cells
    with pytest.raises(ValueError, match=f"at most {MAX_SPREAD_CELLS} cells"):
        dilated_kernel_figure(np.ones((side, side)), 1)
    with pytest.raises(ValueError, match=f"at most {MAX_SPREAD_CELLS} cells"):
        dilated_kernel_figure(np.ones((5, 5)), 9)  # 33 x 33
