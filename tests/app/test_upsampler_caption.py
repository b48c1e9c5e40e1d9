"""The trained-upsamplers section says what resize-then-convolve removes, with the engine's example."""
from engine.nets.artifacts import CONTENT_EXAMPLE, nearest_then_correlate

PAGE = "transposed_convolution.py"


def test_resize_conv_caption_shows_the_engine_example(open_page):
    at = open_page(PAGE)
    assert not at.exception and not at.error
    caption = next(c.value for c in at.caption if c.value.startswith("Nearest-resize then convolve"))
    signal, kernel = CONTENT_EXAMPLE
    resized, out = nearest_then_correlate(signal, kernel)
    assert "a flat input gives a flat output" in caption and "cannot" not in caption
    assert "(" + ", ".join(f"{v:g}" for v in out) + ")" in caption
    assert "(" + ", ".join(f"{v:g}" for v in resized) + ")" in caption
