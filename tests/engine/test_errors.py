"""Bad arguments raise ValueError with a message a student can act on (checked by a key phrase)."""
from __future__ import annotations

import numpy as np
import pytest

from engine import conv1d, conv2d, convolve1d, convolve2d, correlate1d, correlate2d, pad, resolve_padding, trace_conv

X = np.arange(25.0).reshape(1, 1, 5, 5)  # (N, C, H, W)
W = np.ones((2, 1, 3, 3))                # (C_out, C_in, k, k)
X1 = np.arange(10.0).reshape(1, 2, 5)    # (N, C, L)
W1 = np.ones((3, 2, 2))


@pytest.mark.parametrize("call, phrase", [
    # kernel larger than the padded input
    (lambda: conv2d(X, np.ones((1, 1, 6, 6))), r"kernel covers 6 x 6 cells but the padded input is only 5 x 5"),
    (lambda: conv2d(X, np.ones((1, 1, 6, 3)), padding=(0, 1)), r"padded input is only 5 x 7"),
    (lambda: conv2d(X, W, dilation=3), r"kernel covers 7 x 7 cells"),
    (lambda: conv1d(X1, np.ones((1, 2, 6))), r"kernel covers 6 cells but the padded input is only 5"),
    (lambda: correlate2d(np.ones((2, 2)), np.ones((3, 3))), r"only 2 x 2: use a smaller kernel, or more padding"),
    (lambda: correlate2d(np.ones((4, 4)), np.ones((2, 2)), dilation=(1, 4)), r"use a smaller kernel or dilation, or"),
    (lambda: trace_conv(np.ones(3), np.ones(4)), r"kernel covers 4 cells"),
    # stride / dilation / groups
    (lambda: conv2d(X, W, stride=0), r"stride must be a whole number of at least 1, got 0"),
    (lambda: conv2d(X, W, stride=(1, 0)), r"stride must be a whole number of at least 1"),
    (lambda: conv1d(X1, W1, stride=-1), r"stride must be a whole number of at least 1"),
    (lambda: conv2d(X, W, stride=1.5), r"stride must be a whole number"),
    (lambda: conv2d(X, W, dilation=0), r"dilation must be a whole number of at least 1"),
    (lambda: conv2d(X, W, stride=(1, 1, 1)), r"stride needs 2 value\(s\), one per spatial axis; got 3"),
    (lambda: trace_conv(np.ones((4, 4)), np.ones((2, 2)), stride=0), r"stride must be a whole number"),
    (lambda: conv2d(X, W, groups=0), r"groups must be a whole number of at least 1"),
    # padding amounts
    (lambda: conv2d(X, W, padding=-1), r"Padding must be a whole number of at least 0, got -1"),
    (lambda: conv2d(X, W, padding=((0, -1), (1, 1))), r"Padding must be a whole number of at least 0"),
    (lambda: conv2d(X, W, padding=1.5), r"Padding must be a whole number of at least 0, got 1.5"),
    (lambda: conv1d(X1, W1, padding=0.5), r"Padding must be a whole number"),
    (lambda: conv2d(X, W, padding=(1, 1, 1)), r"padding needs 2 value\(s\), one per spatial axis; got 3"),
    (lambda: conv2d(X, W, padding="half"), r"Unknown padding 'half': use 'valid', 'same', 'full' or a number"),
    (lambda: resolve_padding(-2, (3,)), r"at least 0"),
    (lambda: pad(np.ones((3, 3)), (1, -1)), r"Padding must be whole numbers of at least 0"),
    (lambda: pad(np.ones((3, 3)), (1, 0.5)), r"Padding must be whole numbers of at least 0"),
    (lambda: pad(np.ones((3, 3)), (1, 1, 1)), r"a \(before, after\) pair for each padded axis"),
    (lambda: pad(np.ones(3), (1, 1, 1, 1)), r"a \(before, after\) pair for each padded axis"),
    (lambda: trace_conv(np.ones(4), np.ones(2), padding=-1), r"at least 0"),
    # channels and groups
    (lambda: conv2d(np.ones((1, 3, 5, 5)), W), r"weight expects 1 input channels .* but the input has 3"),
    (lambda: conv2d(np.ones((1, 4, 5, 5)), np.ones((2, 1, 3, 3)), groups=2),
     r"weight expects 2 input channels \(1 per group x 2 groups\) but the input has 4"),
    (lambda: conv1d(X1, np.ones((3, 1, 2))), r"but the input has 2"),
    (lambda: conv2d(np.ones((1, 3, 5, 5)), np.ones((2, 1, 3, 3)), groups=2),
     r"groups=2 must divide both the input channels \(3\) and the output channels \(2\)"),
    (lambda: conv2d(np.ones((1, 4, 5, 5)), np.ones((3, 2, 3, 3)), groups=2), r"groups=2 must divide both"),
    # padding modes
    (lambda: conv2d(X, W, padding=1, padding_mode="mirror"),
     r"Unknown padding_mode 'mirror': use zeros, reflect, replicate, circular"),
    (lambda: conv2d(X, W, padding=1, padding_mode="constant"), r"Unknown padding_mode 'constant'"),
    (lambda: pad(np.ones((3, 3)), (1, 1), mode="mirror"), r"Unknown padding mode 'mirror'"),
    (lambda: trace_conv(np.ones((4, 4)), np.ones((2, 2)), padding=1, padding_mode="wrap"), r"Unknown padding_mode"),
    (lambda: trace_conv(np.ones((4, 4)), np.ones((2, 2)), padding_mode="constant"), r"Unknown padding_mode"),
    (lambda: conv2d(X, W, padding=((1, 2, 3), (0, 0))), r"a number or a \(before, after\) pair"),
    (lambda: conv2d(X, np.ones((2, 3, 0, 3))), r"empty axis"),
    # 'same' needs stride 1
    (lambda: conv2d(X, W, stride=2, padding="same"), r"padding='same' only works with stride 1"),
    (lambda: conv2d(X, W, stride=(1, 2), padding="same"), r"padding='same' only works with stride 1"),
    (lambda: conv1d(X1, W1, stride=2, padding="same"), r"only works with stride 1"),
    (lambda: trace_conv(np.ones(5), np.ones(3), stride=2, padding="same"), r"only works with stride 1"),
    # reflect / circular limits
    (lambda: conv2d(np.ones((1, 1, 3, 5)), np.ones((1, 1, 1, 1)), padding=3, padding_mode="reflect"),
     r"Reflect padding of 3 needs an input longer than that \(this axis has 3\)"),
    (lambda: conv2d(np.ones((1, 1, 2, 2)), np.ones((1, 1, 3, 3)), padding="full", padding_mode="reflect"),
     r"Reflect padding of 2 needs an input longer"),
    (lambda: pad(np.ones((1, 1, 4, 2)), (2, 0, 0, 0), mode="reflect"), r"Reflect padding of 2 .*this axis has 2"),
    (lambda: pad(np.ones((1, 1, 4, 2)), (3, 0, 0, 0), mode="circular"),
     r"Circular padding of 3 cannot exceed the input size 2"),
    (lambda: trace_conv(np.ones(2), np.ones(1), padding=2, padding_mode="reflect"), r"Reflect padding of 2"),
    # ranks
    (lambda: conv2d(np.ones((5, 5)), W),
     r"conv2d expects input of shape \(N, C, H, W\) or \(C, H, W\); got shape \(5, 5\)"),
    (lambda: conv2d(np.ones((1, 1, 1, 5, 5)), W), r"conv2d expects input of shape"),
    (lambda: conv1d(np.ones(5), W1), r"conv1d expects input of shape \(N, C, L\) or \(C, L\)"),
    (lambda: conv2d(X, np.ones((1, 3, 3))), r"conv2d expects weight of shape \(C_out, C_in / groups, k_h, k_w\)"),
    (lambda: conv1d(X1, np.ones((3, 2))), r"conv1d expects weight of shape"),
    (lambda: correlate2d(np.ones((1, 5, 5)), np.ones((3, 3))), r"Expected a 2D input and a 2D kernel"),
    (lambda: convolve2d(np.ones((5, 5)), np.ones(3)), r"Expected a 2D input and a 2D kernel"),
    (lambda: convolve2d(np.ones(5), np.ones((3, 3))), r"Expected a 2D input and a 2D kernel"),
    (lambda: convolve1d(np.ones(5), np.ones((3, 3))), r"Expected a 1D input and a 1D kernel"),
    (lambda: correlate1d(np.ones((5, 5)), np.ones(3)), r"Expected a 1D input and a 1D kernel"),
    (lambda: trace_conv(np.ones((2, 3, 3)), np.ones((1, 1, 1))), r"A trace needs a 1D or 2D input"),
    (lambda: trace_conv(np.ones((5, 5)), np.ones(3)), r"kernel of the same rank"),
    # bias
    (lambda: conv2d(X, W, bias=np.ones(3)), r"bias needs one value per output channel \(2\), got shape \(3,\)"),
    (lambda: conv2d(X, W, bias=1.0), r"bias needs one value per output channel"),
    (lambda: conv1d(X1, W1, bias=np.ones((3, 1))), r"bias needs one value per output channel \(3\)"),
])
def test_value_error_with_a_useful_message(call, phrase):
    with pytest.raises(ValueError, match=phrase):
        call()


@pytest.mark.parametrize("stride, padding, mode", [(2, 1, "zeros"), (1, "same", "reflect"), (3, "full", "zeros")])
def test_valid_neighbours_of_the_error_cases_do_not_raise(stride, padding, mode):
    """The checks are not over-eager: the closest legal settings run."""
    assert conv2d(X, W, stride=stride, padding=padding, padding_mode=mode).ndim == 4
    assert conv2d(np.ones((1, 1, 3, 5)), np.ones((1, 1, 1, 1)), padding=2, padding_mode="reflect").shape == (1, 1, 7, 9)
    assert pad(np.ones((1, 1, 4, 2)), (2, 0, 0, 0), mode="circular").shape == (1, 1, 4, 4)
    assert conv2d(np.ones((1, 5, 5)), np.ones((1, 1, 5, 5))).shape == (1, 1, 1)  # kernel == input fits


@pytest.mark.parametrize("text, phrase", [
    ("1 " + "9" * 25, "contains a 25-digit number, `999999999999…` (25 characters): use at most 18 digits"),
    ("1 -" + "12345." * 4, "`-12345.12345…` (25 characters), which is not a number"),  # four points: not a number
    ("abc" * 10, "`abcabcabcabc…` (30 characters), which is not a number"),
    ("1 x2", "contains `x2`, which is not a number"),  # short text: quoted whole, no count
])
def test_an_over_long_entry_is_quoted_with_its_length(text, phrase):
    from engine.data.matrix_text import parse_matrix
    with pytest.raises(ValueError) as err:
        parse_matrix(text)
    assert phrase in str(err.value)


def test_numbers_printed_with_units_agree_in_number():
    from engine.notation import count
    from engine.ops.pooling import pool_output_size
    assert [count(n, "pixel") for n in (0, 1, 2)] == ["0 pixels", "1 pixel", "2 pixels"]
    with pytest.raises(ValueError, match=r"A 2-cell window does not fit in 1 cell \(i = 1, p = 0\)"):
        pool_output_size(1, 2)
    with pytest.raises(ValueError, match=r"does not fit in 3 cells"):
        pool_output_size(3, 4)
