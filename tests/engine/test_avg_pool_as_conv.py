"""The strides lesson: average pooling is a DEPTHWISE stride-s convolution (groups = C) with every weight
1/s²; a plain convolution with that kernel also sums over the channels. Checked against PyTorch."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import avg_pool2d, conv2d

torch = pytest.importorskip("torch")
F = torch.nn.functional


@settings(max_examples=60, deadline=None)
@given(c=st.integers(1, 4), f=st.integers(2, 4), h=st.integers(4, 9), w=st.integers(4, 9), seed=st.integers(0, 99))
def test_avg_pool_is_depthwise_conv_with_a_flat_kernel(c, f, h, w, seed):
    x = np.random.default_rng(seed).normal(size=(1, c, h, w))
    pooled = avg_pool2d(x, f)
    depthwise = conv2d(x, np.full((c, 1, f, f), 1 / f ** 2), stride=f, groups=c)  # weight (C, C/G = 1, f, f)
    np.testing.assert_allclose(depthwise, pooled, atol=1e-12)
    np.testing.assert_allclose(pooled, F.avg_pool2d(torch.tensor(x), f).numpy(), atol=1e-12)
    layer = torch.nn.Conv2d(c, c, f, stride=f, groups=c, bias=False, dtype=torch.float64)
    torch.nn.init.constant_(layer.weight, 1 / f ** 2)
    np.testing.assert_allclose(layer(torch.tensor(x)).detach().numpy(), pooled, atol=1e-12)


def test_plain_conv_sums_the_channels():
    x = np.random.default_rng(0).normal(size=(1, 3, 6, 6))
    plain = conv2d(x, np.full((3, 3, 2, 2), 1 / 4), stride=2)  # groups = 1: every output channel sees all 3
    pooled = avg_pool2d(x, 2)
    np.testing.assert_allclose(plain, np.repeat(pooled.sum(axis=1, keepdims=True), 3, axis=1), atol=1e-12)
    assert not np.allclose(plain, pooled)
