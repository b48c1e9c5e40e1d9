"""Convolution arithmetic: output sizes against the shapes PyTorch actually produces."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from engine import conv1d, conv2d, conv_output_size, effective_kernel_size

torch = pytest.importorskip("torch")
F = torch.nn.functional


@pytest.mark.parametrize("i, k, s, p, o", [
    (4, 3, 1, 0, 2),
    (5, 3, 2, 1, 3),
    (6, 3, 2, 1, 3),
    (5, 3, 2, 0, 2),
    (5, 4, 1, 2, 6),
])
def test_syllabus_cases(i, k, s, p, o):
    assert conv_output_size(i, k, s, p) == o
    assert conv_output_size(i, k, s=s, p=(p, p), d=1) == o
    assert conv2d(np.zeros((1, i, i)), np.zeros((1, 1, k, k)), stride=s, padding=p).shape == (1, o, o)
    assert F.conv2d(torch.zeros(1, 1, i, i), torch.zeros(1, 1, k, k), stride=s, padding=p).shape[-1] == o


@pytest.mark.parametrize("k, d, e", [(3, 1, 3), (3, 2, 5), (3, 4, 9), (1, 5, 1), (2, 3, 4), (5, 2, 9)])
def test_effective_kernel_size(k, d, e):
    assert effective_kernel_size(k, d) == e == k + (k - 1) * (d - 1) == d * (k - 1) + 1
    assert effective_kernel_size(k) == k


@settings(max_examples=150, deadline=None)
@given(i=st.integers(1, 20), k=st.integers(1, 5), s=st.integers(1, 4), p=st.integers(0, 4), d=st.integers(1, 3))
def test_output_size_matches_torch(i, k, s, p, d):
    assume(effective_kernel_size(k, d) <= i + 2 * p)
    o = conv_output_size(i, k, s, p, d)
    assert o == (i + 2 * p - d * (k - 1) - 1) // s + 1  # the lecture formula
    assert o >= 1
    got = F.conv1d(torch.zeros(1, 1, i), torch.zeros(1, 1, k), stride=s, padding=p, dilation=d).shape[-1]
    assert o == got
    assert conv1d(np.zeros((1, i)), np.zeros((1, 1, k)), stride=s, padding=p, dilation=d).shape == (1, o)


@settings(max_examples=150, deadline=None)
@given(h=st.integers(1, 12), w=st.integers(1, 12), kh=st.integers(1, 4), kw=st.integers(1, 4),
       sh=st.integers(1, 3), sw=st.integers(1, 3), top=st.integers(0, 3), bottom=st.integers(0, 3),
       left=st.integers(0, 3), right=st.integers(0, 3), dh=st.integers(1, 3), dw=st.integers(1, 3))
def test_output_size_with_asymmetric_pair_padding_matches_torch(h, w, kh, kw, sh, sw, top, bottom, left, right,
                                                                 dh, dw):
    assume(effective_kernel_size(kh, dh) <= h + top + bottom and effective_kernel_size(kw, dw) <= w + left + right)
    x = F.pad(torch.zeros(1, 1, h, w), (left, right, top, bottom))
    shape = F.conv2d(x, torch.zeros(1, 1, kh, kw), stride=(sh, sw), dilation=(dh, dw)).shape[-2:]
    expected = (conv_output_size(h, kh, sh, (top, bottom), dh), conv_output_size(w, kw, sw, (left, right), dw))
    assert tuple(shape) == expected
    got = conv2d(np.zeros((1, h, w)), np.zeros((1, 1, kh, kw)), stride=(sh, sw),
                 padding=((top, bottom), (left, right)), dilation=(dh, dw))
    assert got.shape == (1, *expected)


@pytest.mark.parametrize("i, k", [(5, 3), (6, 4), (7, 1)])
def test_named_paddings_give_the_named_sizes(i, k):
    assert conv_output_size(i, k, 1, 0) == i - k + 1                 # valid
    assert conv_output_size(i, k, 1, ((k - 1) // 2, k // 2)) == i    # same (odd extra after)
    assert conv_output_size(i, k, 1, k - 1) == i + k - 1             # full


def test_output_size_accepts_numpy_integers():
    assert conv_output_size(np.int64(5), np.int64(3), np.int64(2), np.int64(1)) == 3
