"""Fuzz the grouped-convolution lesson's engine entry points (engine/ops/grouped.py, engine/ops/separable_kernel.py)
with hostile channels, kernels and shapes: each call returns or raises ValueError with a message, within the time
and memory budget of fuzz_support.guarded."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.ops.grouped import (depthwise_separable, group_inputs, grouped_cost, pointwise_as_matmul, separable_cost,
                                separable_speedup, valid_groups)
from engine.ops.separable_kernel import (kernel_rank, rank1_factors, separable_correlate, separable_count,
                                         singular_values)
from tests.engine.fuzz_support import FUZZ, array_or_hostile, guarded, mostly, param, spatial
from tests.engine.fuzz_support import bounded_memory  # noqa: F401 (the fixture, used by pytestmark)

pytestmark = [pytest.mark.filterwarnings("ignore::RuntimeWarning"), pytest.mark.usefixtures("bounded_memory")]


@FUZZ
@given(*[param(st.integers(1, 64)) for _ in range(3)], param(st.sampled_from([1, 3, 5])), param(st.integers(1, 32)))
def test_costs_and_groups(c_in, c_out, groups, k, h):
    cost = guarded(grouped_cost, c_in, c_out, k, groups, h, h)
    assert cost is None or cost.macs == cost.weights * cost.output_shape[1] * cost.output_shape[2]
    usable = guarded(valid_groups, c_in, c_out)
    assert usable is None or all(c_in % g == 0 and c_out % g == 0 for g in usable)
    sees = guarded(group_inputs, c_in, c_out, groups)
    assert sees is None or len(sees) == c_out
    both = guarded(separable_cost, c_in, c_out, k, h, h)
    if both is not None:
        assert both.speedup == pytest.approx(float(separable_speedup(c_out, k)))


@FUZZ
@given(st.data())
def test_pointwise_and_separable_paths(data):
    c_in, c_out, h = (data.draw(st.integers(1, 4)) for _ in range(3))
    x = data.draw(array_or_hostile((c_in, h, h)))
    w = data.draw(array_or_hostile((c_out, c_in)))
    guarded(pointwise_as_matmul, x, w)
    dw, pw = data.draw(array_or_hostile((c_in, 1, 3, 3))), data.draw(array_or_hostile((c_out, c_in, 1, 1)))
    guarded(depthwise_separable, x, dw, pw, padding=data.draw(param(st.integers(0, 1))))


@FUZZ
@given(st.data())
def test_separable_kernels(data):
    kernel = data.draw(array_or_hostile(data.draw(spatial(2, 1, 4))))
    guarded(singular_values, kernel)
    guarded(kernel_rank, kernel)
    factors = guarded(rank1_factors, kernel)
    image = data.draw(array_or_hostile(data.draw(spatial(2, 1, 8))))
    if factors is not None:
        guarded(separable_correlate, image, *factors)
    shapes = mostly(spatial(2, 1, 300), st.sampled_from([(0, 3), (10 ** 9, 10 ** 9), (2,), None, "ab", (1.5, 2)]))
    count = guarded(separable_count, data.draw(shapes), data.draw(shapes))
    assert count is None or count.separable > 0
