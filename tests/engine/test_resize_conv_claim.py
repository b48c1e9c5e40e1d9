"""What the upsampler section says resize-then-convolve removes (uneven overlap: a flat input stays flat)
and what it does not (the input's own content can still make a 2-pixel pattern), against torch."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import conv_transpose1d, overlap_counts
from engine.nets.artifacts import CONTENT_EXAMPLE, nearest_then_correlate

torch = pytest.importorskip("torch")
F = torch.nn.functional


def _torch_resize_conv(signal, kernel):
    x = F.interpolate(torch.tensor(signal, dtype=torch.float64)[None, None], scale_factor=2, mode="nearest")
    return F.conv1d(x, torch.tensor(kernel, dtype=torch.float64)[None, None])[0, 0].numpy()


def test_content_example_is_a_pure_two_pixel_pattern():
    signal, kernel = CONTENT_EXAMPLE
    resized, out = nearest_then_correlate(signal, kernel)
    np.testing.assert_array_equal(out, _torch_resize_conv(signal, kernel))
    assert (out[0::2] == 0).all() and (out[1::2] != 0).all()  # every other value 0: period 2


@settings(max_examples=80, deadline=None)
@given(value=st.integers(-5, 5), length=st.integers(3, 8),
       kernel=st.lists(st.integers(-3, 3), min_size=1, max_size=5))
def test_flat_input_gives_flat_output(value, length, kernel):
    _, out = nearest_then_correlate(np.full(length, float(value)), kernel)
    np.testing.assert_array_equal(out, np.full(out.shape, value * sum(kernel)))
    np.testing.assert_array_equal(out, _torch_resize_conv(np.full(length, float(value)), kernel))


def test_transposed_convolution_of_a_flat_input_is_not_flat():
    """The contrast: stride 2, k = 3 stamps overlap unevenly (1 or 2 stamps per cell), so flat in is not flat out."""
    y = conv_transpose1d(np.ones((1, 1, 6)), np.ones((1, 1, 3)), stride=2)[0, 0]
    counts = overlap_counts((6,), (3,), 2)
    np.testing.assert_array_equal(y, counts)
    assert set(counts[2:-2].tolist()) == {1, 2}


def test_trained_resize_conv_keeps_a_flat_input_flat_away_from_the_borders():
    from engine.nets.loading import upsample
    flat = np.full((24, 24), 0.5)
    inner = upsample("resize_conv", flat)[5:-5, 5:-5]  # 2 feature convs + the last conv: 5 output pixels of border
    assert np.ptp(inner) < 1e-6
    assert np.ptp(upsample("transposed_k3", flat)[5:-5, 5:-5]) > 1e-4  # the uneven overlap shows
