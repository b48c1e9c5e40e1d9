"""Flags must be real booleans (issue 13, item 10): ceil_mode="False" rounded up and flip="no" flipped when
they were read by truthiness. torch refuses these values too (TypeError); the engine says ValueError."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

import engine
from engine.ops.adaptive_pooling import adaptive_max_pool2d
from engine.ops.pool_trace import trace_pool
from engine.ops.pooling import avg_pool1d, avg_pool2d, max_pool1d, max_pool2d, pool_output_size
from engine.ops.receptive_field import Layer, parameter_count
from engine.pytorch_code import conv_code, pool_code

NOT_BOOLS = ["False", "no", "", 0, 1, 0.0, None, [True]]
X = np.arange(25.).reshape(1, 5, 5)
CALLS = {  # flag -> a call of an engine function with that flag set to v
    "ceil_mode": [lambda v: pool_output_size(5, 2, ceil_mode=v), lambda v: max_pool2d(X, 2, ceil_mode=v),
                  lambda v: max_pool1d(X[0], 2, ceil_mode=v), lambda v: avg_pool2d(X, 2, ceil_mode=v),
                  lambda v: avg_pool1d(X[0], 2, ceil_mode=v), lambda v: trace_pool(X[0], 2, ceil_mode=v),
                  lambda v: pool_code(X[0], 2, 2, ceil_mode=v)],
    "count_include_pad": [lambda v: avg_pool2d(X, 3, 1, 1, count_include_pad=v),
                          lambda v: trace_pool(X[0], 3, 1, 1, mode="avg", count_include_pad=v)],
    "return_indices": [lambda v: max_pool2d(X, 2, return_indices=v), lambda v: adaptive_max_pool2d(X, 2, v)],
    "flip": [lambda v: engine.trace_conv(X[0], np.ones((2, 2)), flip=v), lambda v: conv_code(X[0], np.ones((2, 2)), v)],
    "bias": [lambda v: parameter_count([Layer(3)], bias=v)],
}
CASES = [(flag, i) for flag, calls in CALLS.items() for i in range(len(calls))]


@pytest.mark.parametrize("flag,i", CASES)
@pytest.mark.parametrize("value", NOT_BOOLS, ids=repr)
def test_a_flag_that_is_not_a_bool_is_refused(flag, i, value):
    with pytest.raises(ValueError, match=f"{flag} must be True or False"):
        CALLS[flag][i](value)


@pytest.mark.parametrize("flag,i", CASES)
def test_real_bools_still_work(flag, i):
    for value in (True, False, np.True_, np.False_):
        CALLS[flag][i](value)


@pytest.mark.parametrize("value", NOT_BOOLS, ids=repr)
def test_torch_refuses_them_too(value):
    x = torch.from_numpy(X[None])
    with pytest.raises(TypeError):
        F.max_pool2d(x, 2, ceil_mode=value)
    with pytest.raises(TypeError):
        F.avg_pool2d(x, 3, 1, 1, count_include_pad=value)


def test_ceil_mode_string_no_longer_rounds_up():
    """The defect itself: "False" gave the ceil_mode size (3 for 5 cells, k = s = 2), not torch's 2."""
    assert pool_output_size(5, 2, ceil_mode=False) == F.max_pool2d(torch.zeros(1, 5, 5), 2).shape[-1] == 2
    with pytest.raises(ValueError):
        pool_output_size(5, 2, ceil_mode="False")
