"""Convolution as a matrix C and transposed convolution as C^T, against PyTorch."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from engine.ops.conv import correlate1d, correlate2d
from engine.ops.conv_matrix import (conv_matrix, conv_output_shape, conv_step_row, row_as_image,
                                    transpose_output_padding, transpose_step_column)
from engine.ops.conv_transpose import conv_transpose_single

torch = pytest.importorskip("torch")
F = torch.nn.functional
SETTINGS = settings(max_examples=120, deadline=None)


@st.composite
def matrix_cases(draw, nd):
    k = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(nd))
    padding = tuple(draw(st.integers(0, 2)) for _ in range(nd))
    sizes = tuple(draw(st.integers(1, 6)) for _ in range(nd))
    assume(all(d * (kk - 1) + 1 <= i + 2 * p for d, kk, i, p in zip(dilation, k, sizes, padding)))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    as_arg = lambda t: t[0] if len(set(t)) == 1 and draw(st.booleans()) else t  # noqa: E731
    return dict(x=rng.integers(-5, 6, sizes).astype(float), w=rng.integers(-3, 4, k).astype(float),
                args=dict(stride=as_arg(stride), padding=as_arg(padding), dilation=as_arg(dilation)),
                torch_args=dict(stride=stride, padding=padding, dilation=dilation))


def torch_conv(x, w, **kw):
    conv = F.conv1d if x.ndim == 1 else F.conv2d
    return conv(torch.from_numpy(x)[None, None], torch.from_numpy(w)[None, None], **kw)[0, 0].numpy()


@pytest.mark.parametrize("nd", [1, 2])
@given(data=st.data())
@SETTINGS
def test_matrix_times_input_is_the_convolution(nd, data):
    case = data.draw(matrix_cases(nd))
    x, w = case["x"], case["w"]
    C = conv_matrix(x.shape, w, **case["args"])
    expected = torch_conv(x, w, **case["torch_args"])
    assert C.shape == (expected.size, x.size)
    assert conv_output_shape(x.shape, w.shape, **case["args"]) == expected.shape
    np.testing.assert_array_equal(C @ x.ravel(), expected.ravel())
    correlate = correlate1d if nd == 1 else correlate2d
    np.testing.assert_array_equal(C @ x.ravel(), correlate(x, w, **case["args"]).ravel())


@pytest.mark.parametrize("nd", [1, 2])
@given(data=st.data())
@SETTINGS
def test_transposed_matrix_is_the_transposed_convolution(nd, data):
    case = data.draw(matrix_cases(nd))
    x, w = case["x"], case["w"]
    C = conv_matrix(x.shape, w, **case["args"])
    out = conv_output_shape(x.shape, w.shape, **case["args"])
    y = np.random.default_rng(int(x.sum()) + 100).integers(-5, 6, out).astype(float)
    op = transpose_output_padding(x.shape, w.shape, **case["args"])
    assert all(0 <= o < s for o, s in zip(op, case["torch_args"]["stride"]))
    transpose = F.conv_transpose1d if nd == 1 else F.conv_transpose2d
    expected = transpose(torch.from_numpy(y)[None, None], torch.from_numpy(w)[None, None], output_padding=op,
                         **case["torch_args"])[0, 0].numpy()
    assert expected.shape == x.shape
    np.testing.assert_array_equal((C.T @ y.ravel()).reshape(x.shape), expected)
    np.testing.assert_array_equal((C.T @ y.ravel()).reshape(x.shape),
                                  conv_transpose_single(y, w, output_padding=op, **case["args"]))


@pytest.mark.parametrize("nd", [1, 2])
@given(data=st.data())
@settings(max_examples=40, deadline=None)
def test_step_helpers_pick_the_row_and_column(nd, data):
    case = data.draw(matrix_cases(nd))
    x, w = case["x"], case["w"]
    C = conv_matrix(x.shape, w, **case["args"])
    conv_out = torch_conv(x, w, **case["torch_args"])
    op = transpose_output_padding(x.shape, w.shape, **case["args"])
    for n, cell in enumerate(np.ndindex(*conv_out.shape)):
        row = conv_step_row(cell, conv_out.shape)
        assert row == n  # steps in reading order use the rows in order
        assert C[row] @ x.ravel() == conv_out[cell]
        column = transpose_step_column(cell, conv_out.shape)
        one_hot = np.zeros(conv_out.shape)
        one_hot[cell] = 1.0  # the transposed conv step for this cell stamps exactly column `column` of C^T
        stamp = conv_transpose_single(one_hot, w, output_padding=op, **case["args"])
        np.testing.assert_array_equal(C.T[:, column].reshape(x.shape), stamp)
        np.testing.assert_array_equal(row_as_image(C, row, x.shape), stamp)


def test_small_example():
    np.testing.assert_array_equal(conv_matrix((4,), [1.0, 2.0], stride=2), [[1, 2, 0, 0], [0, 0, 1, 2]])
    np.testing.assert_array_equal(conv_matrix((3,), [1.0, 2.0, 3.0], padding=1),
                                  [[2, 3, 0], [1, 2, 3], [0, 1, 2]])
    # 4x4 input, 3x3 kernel: the classic 4 x 16 matrix with 9 non-zeros per row.
    C = conv_matrix((4, 4), np.arange(1.0, 10.0).reshape(3, 3))
    assert C.shape == (4, 16) and np.all((C != 0).sum(axis=1) == 9)
    assert conv_step_row(3, (6,)) == 3 and transpose_step_column((1, 0), (2, 2)) == 2


@pytest.mark.parametrize("call, phrase", [
    (lambda: conv_matrix((2, 2), np.ones((3, 3))), r"kernel covers 3 x 3 cells but the padded input is only 2 x 2"),
    (lambda: conv_matrix((5,), np.ones(2), stride=0), r"stride must be a whole number of at least 1"),
    (lambda: conv_matrix((5,), np.ones(2), padding=-1), r"padding must be a whole number of at least 0"),
    (lambda: conv_matrix((5,), np.ones(2), padding="same"), r"padding must be a whole number"),
    (lambda: conv_matrix((5, 5), np.ones(2)), r"1D or 2D input and a kernel of the same rank"),
    (lambda: conv_matrix((2, 2, 2), np.ones((1, 1, 1))), r"1D or 2D input"),
])
def test_bad_arguments_explain_themselves(call, phrase):
    with pytest.raises(ValueError, match=phrase):
        call()
