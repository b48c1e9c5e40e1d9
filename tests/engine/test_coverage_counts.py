"""What the padding lesson says about how many outputs each input cell takes part in, checked on the
engine's count map, which is itself checked against PyTorch (the gradient of the summed output)."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.ops.coverage import participation_counts, unpadded

torch = pytest.importorskip("torch")
F = torch.nn.functional

pairs = st.tuples(st.integers(1, 4), st.integers(1, 4))


def _torch_counts(shape, k, s, pads):
    """d(sum of conv with a ones kernel)/d(input): how many outputs use each input cell."""
    (top, bottom), (left, right) = pads
    x = torch.zeros(1, 1, *shape, dtype=torch.float64, requires_grad=True)
    padded = F.pad(x, (left, right, top, bottom))
    F.conv2d(padded, torch.ones(1, 1, *k, dtype=torch.float64), stride=s).sum().backward()
    return x.grad[0, 0].numpy()


@st.composite
def cases(draw):
    k, s = draw(pairs), draw(pairs)
    pads = tuple((draw(st.integers(0, 4)), draw(st.integers(0, 4))) for _ in range(2))
    shape = tuple(max(1, kk - a - b) + draw(st.integers(0, 5)) for kk, (a, b) in zip(k, pads))
    return shape, k, s, pads


@settings(max_examples=120, deadline=None)
@given(cases())
def test_count_map_matches_torch(case):
    shape, k, s, pads = case
    counts = unpadded(participation_counts(shape, k, s, pads), shape, pads, k)
    np.testing.assert_array_equal(counts, _torch_counts(shape, k, s, pads))


@settings(max_examples=120, deadline=None)
@given(cases())
def test_stride_1_equal_counts_exactly_when_padding_is_at_least_k_minus_1(case):
    shape, k, _, pads = case
    counts = unpadded(participation_counts(shape, k, 1, pads), shape, pads, k)
    enough = all(min(a, b) >= kk - 1 for kk, (a, b) in zip(k, pads))
    assert (counts == k[0] * k[1]).all() == enough
    assert counts.max() <= k[0] * k[1]


@settings(max_examples=120, deadline=None)
@given(shape=pairs.map(lambda t: (t[0] + 2, t[1] + 3)), k=pairs, s=pairs)
def test_full_padding_at_any_stride_covers_floor_or_ceil_of_k_over_s_per_axis(shape, k, s):
    counts = unpadded(participation_counts(shape, k, s, "full"), shape, "full", k)
    for axis in range(2):
        along = participation_counts((shape[axis],), (k[axis],), (s[axis],), "full")[k[axis] - 1:][:shape[axis]]
        assert set(along.tolist()) <= {k[axis] // s[axis], -(-k[axis] // s[axis])}
    rows = participation_counts((shape[0],), (k[0],), (s[0],), "full")[k[0] - 1:][:shape[0]]
    cols = participation_counts((shape[1],), (k[1],), (s[1],), "full")[k[1] - 1:][:shape[1]]
    np.testing.assert_array_equal(counts, np.outer(rows, cols))  # the 2D count is the product


def test_lesson_example_k3_s2_full_gives_1_to_4():
    counts = unpadded(participation_counts((6, 6), (3, 3), 2, "full"), (6, 6), "full", (3, 3))
    assert (counts.min(), counts.max()) == (1, 4)
    assert participation_counts((4, 4), (3, 3))[0, 0] == 1  # 'valid': a corner takes part in one output


@settings(max_examples=120, deadline=None)
@given(k=pairs, s=pairs, extra=pairs)
def test_full_padding_counts_are_all_equal_exactly_when_s_divides_k(k, s, extra):
    """The lesson: 'the counts are all equal only when s divides k' (inputs at least s cells along each axis)."""
    shape = tuple(ss + e for ss, e in zip(s, extra))
    counts = unpadded(participation_counts(shape, k, s, "full"), shape, "full", k)
    divides = all(kk % ss == 0 for kk, ss in zip(k, s))
    assert (counts.min() == counts.max()) == divides, (shape, k, s)
    if divides:
        assert counts.min() == (k[0] // s[0]) * (k[1] // s[1])


def test_lesson_example_k4_s2_full_gives_4_everywhere():
    counts = unpadded(participation_counts((6, 6), (4, 4), 2, "full"), (6, 6), "full", (4, 4))
    assert counts.min() == counts.max() == 4
