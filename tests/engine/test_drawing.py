"""From a canvas drawing to the digit networks' input (engine/data/drawing.py): blank canvases, the crop,
the standard pen, the 32x32 bitmap and its 4x4 counts, centring; then the trained networks on drawn
digits: every example digit is read right, whatever the pen, the size or the place on the canvas."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.data.digits import CANVAS, DIGIT, MARGIN
from engine.data.drawing import (BITMAP, INK_SHARE, STROKES, block_counts, even_strokes, fabric_drawing,
                                 preprocess_drawing, render_strokes, stroke_points, to_bitmap, to_gray)
from engine.nets.digit_loading import predict

VARIANTS = {  # how else a student might draw the same digit: render_strokes arguments
    "thin pen": dict(width=8),
    "thick pen": dict(width=30),
    "small": dict(margin=0.32),
    "large": dict(margin=0.03),
    "small, top left": dict(margin=0.3, shift=(-0.22, -0.2)),
    "small, bottom right": dict(margin=0.3, shift=(0.2, 0.22)),
}


def canvas(size=280):
    return np.zeros((size, size, 4), np.uint8)


def ink_box(image, level=0.0):
    rows, cols = np.flatnonzero((image > level).any(axis=1)), np.flatnonzero((image > level).any(axis=0))
    return rows[0], rows[-1] + 1, cols[0], cols[-1] + 1


@pytest.fixture(scope="module")
def standard():
    """Each example digit drawn as the page's example is: {digit: DrawingSteps}."""
    return {d: preprocess_drawing(render_strokes(s)) for d, s in STROKES.items()}


def read(steps):
    return int(predict("max_pool", steps.network_input)[0].argmax())


# --- the canvas -------------------------------------------------------------------------------------

def test_a_blank_canvas_is_none():
    assert preprocess_drawing(canvas()) is None
    assert preprocess_drawing(np.zeros((280, 280, 3), np.uint8)) is None
    see_through = np.full((280, 280, 4), 255, np.uint8)
    see_through[..., 3] = 0  # white but fully transparent: what an untouched transparent canvas sends
    assert preprocess_drawing(see_through) is None
    faint = canvas()
    faint[100:120, 100:120, :3] = 20  # below the ink threshold (20/255 < 0.1)
    faint[..., 3] = 255
    assert preprocess_drawing(faint) is None


@pytest.mark.parametrize("shape", [(280, 280), (280, 280, 2), (0, 280, 4), (280, 280, 5)])
def test_not_a_canvas_is_a_clear_error(shape):
    with pytest.raises(ValueError, match="must be an"):
        to_gray(np.zeros(shape, np.uint8))


def test_transparent_pixels_are_dark():
    rgba = np.full((4, 4, 4), 255, np.uint8)
    rgba[0, 0, 3] = 0
    rgba[1, 1, 3] = 51
    gray = to_gray(rgba)
    assert gray[0, 0] == 0 and gray[1, 1] == pytest.approx(0.2) and gray[2, 2] == 1


def test_the_crop_is_the_ink_box_padded_to_a_square():
    image = canvas()
    image[40:200, 90:130] = 255  # a tall bar: rows 40..199, columns 90..129
    steps = preprocess_drawing(image)
    assert steps.box == (40, 200, 90, 130)
    side = steps.cropped.shape
    assert side == (160, 160)
    assert steps.cropped.sum() == pytest.approx(160 * 40)  # all the ink, nothing else
    left = ink_box(steps.cropped)[2]
    assert left == (160 - 40) // 2  # centred across


def test_shapes_and_ranges(standard):
    for steps in standard.values():
        assert steps.network_input.shape == (CANVAS, CANVAS) and steps.network_input.dtype == np.float32
        assert 0 <= steps.network_input.min() and steps.network_input.max() <= 1
        assert steps.bitmap.shape == (BITMAP, BITMAP) and steps.bitmap.dtype == bool
        counts = steps.small * 16
        np.testing.assert_allclose(counts, np.rint(counts))  # whole counts 0..16, as in the data set
        assert counts.min() >= 0 and counts.max() <= 16
        np.testing.assert_array_equal(np.rint(counts), block_counts(steps.bitmap))


def test_the_digit_fills_the_height_and_is_centred_like_the_training_digits(standard):
    for d, steps in standard.items():
        top, bottom, left, right = ink_box(steps.small)
        assert (top, bottom) == (0, 8), d  # the tall side spans the 8x8 (every training digit does)
        assert abs((left + right) / 2 - 4) <= 0.5, d  # centred across
        top, bottom, left, right = ink_box(steps.network_input)
        assert MARGIN <= top and bottom <= MARGIN + DIGIT and MARGIN <= left and right <= MARGIN + DIGIT, d
        assert abs((left + right) / 2 - CANVAS / 2) <= 1, d


def test_the_ink_covers_about_the_training_digits_share(standard):
    """The scans behind scikit-learn's digits are 32 x 32 bitmaps counted in 4 x 4 blocks: the counts sum to
    the inked pixels, so their mean share is measured from the data (about 30 %), and drawings get it too."""
    from sklearn.datasets import load_digits

    images = load_digits().images  # (1797, 8, 8) counts 0..16
    share = images.sum(axis=(1, 2)) / (16 * 64)
    assert abs(share.mean() - INK_SHARE) < 0.02 and share.std() < 0.05
    for d, steps in standard.items():
        assert abs(steps.bitmap.mean() - INK_SHARE) < 0.05, (d, steps.bitmap.mean())


def test_the_pen_does_not_matter():
    """Thin and thick pens give nearly the same bitmap (the strokes are redrawn with one standard pen), though
    the drawings themselves overlap little."""
    overlaps = []
    for d, strokes in STROKES.items():
        thin, thick = (preprocess_drawing(render_strokes(strokes, width=w)) for w in (8, 30))
        overlaps.append(iou(thin.bitmap, thick.bitmap))
        as_drawn = iou(to_bitmap(thin.cropped > 0.5), to_bitmap(thick.cropped > 0.5))
        assert as_drawn < 0.5, (d, as_drawn)  # the pens really differ
        assert overlaps[-1] > 0.65, (d, overlaps[-1])
        assert thick.pen_radius == pytest.approx(thin.pen_radius, rel=0.2)
        assert np.abs(thin.network_input - thick.network_input).mean() < 0.03
    assert np.mean(overlaps) > 0.85


def iou(a, b):
    return (a & b).sum() / (a | b).sum()


def test_a_high_density_screen_gives_the_same_input():
    """A 2x screen sends a 560 x 560 image of the 280 x 280 canvas."""
    for d in (3, 8):
        small = preprocess_drawing(render_strokes(STROKES[d]))
        large = preprocess_drawing(render_strokes(STROKES[d], size=560, width=36))
        assert large.gray.shape == (280, 280)  # shrunk by 2 first
        assert np.abs(small.network_input - large.network_input).mean() < 0.03


def test_a_dot_and_a_line_work():
    dot = canvas()
    dot[140, 140] = 255
    steps = preprocess_drawing(dot)
    assert steps is not None and steps.network_input.max() > 0 and steps.box == (140, 141, 140, 141)
    line = render_strokes([[(0.1, 0.5), (0.9, 0.5)]])  # wider than tall: the width fills the bitmap
    top, bottom, left, right = ink_box(preprocess_drawing(line).small)
    assert (left, right) == (0, 8) and bottom - top < 8


@settings(max_examples=30, deadline=None)
@given(points=st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1)), min_size=2, max_size=6),
       width=st.integers(4, 30), margin=st.floats(0.05, 0.35))
def test_any_scribble_gives_a_valid_input(points, width, margin):
    steps = preprocess_drawing(render_strokes([points], width=width, margin=margin))
    assert steps is not None
    assert steps.network_input.shape == (28, 28) and 0 <= steps.network_input.min() <= steps.network_input.max() <= 1
    top, bottom, left, right = ink_box(steps.small)
    assert max(bottom - top, right - left) >= 7  # the long side fills (almost) all 8 cells
    top, bottom, left, right = steps.box
    gray = steps.gray.copy()
    gray[top:bottom, left:right] = 0
    assert gray.max() <= 0.1  # no ink outside the box


def test_even_strokes_reaches_the_share_for_a_long_drawing():
    ink = np.zeros((200, 200), bool)
    ink[20:180, 100] = True  # a 1-pixel line 160 long
    mask, radius = even_strokes(ink)
    assert abs(mask.mean() - INK_SHARE) < 0.02 and radius > 1


# --- the canvas's own JSON ----------------------------------------------------------------------------

def test_fabric_drawing_holds_the_strokes_as_paths():
    drawing = fabric_drawing(STROKES[4], size=280, width=18)
    paths = drawing["objects"]
    assert len(paths) == len(STROKES[4])
    for path, points in zip(paths, stroke_points(STROKES[4], 280)):
        assert path["type"] == "Path" and path["strokeWidth"] == 18 and path["stroke"] == "#ffffff"
        assert [c[0] for c in path["path"]] == ["M"] + ["L"] * (len(points) - 1)
        np.testing.assert_allclose([c[1:] for c in path["path"]], points, atol=0.01)
        xs, ys = zip(*points)
        assert (path["left"], path["top"]) == pytest.approx(((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2))


# --- trained networks on drawn digits -----------------------------------------------------------------

def test_the_example_digits_are_read_right(standard):
    read_as = {d: read(steps) for d, steps in standard.items()}
    wrong = {d: p for d, p in read_as.items() if d != p}
    assert len(wrong) <= 2, f"max_pool misreads drawn digits (drawn: read as) {wrong}"


def test_every_network_reads_most_examples(standard):
    x = np.stack([standard[d].network_input for d in range(10)])
    for name in ("avg_pool", "strided", "global_pool", "se"):
        read_as = predict(name, x).argmax(axis=1)
        wrong = {d: int(p) for d, p in enumerate(read_as) if d != p}
        assert len(wrong) <= 2, f"{name} misreads {wrong}"


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_the_same_digit_drawn_differently_is_read_the_same(standard, variant):
    changed = {}
    for d, strokes in STROKES.items():
        steps = preprocess_drawing(render_strokes(strokes, **VARIANTS[variant]))
        if read(steps) != read(standard[d]):
            changed[d] = read(steps)
    assert not changed, f"{variant}: read differently from the standard drawing {changed}"


def test_the_lesson_states_the_input_s_geometry_and_the_ink_share(standard):
    """draw_digit.md: enlarged to DIGIT x DIGIT and centred on CANVAS x CANVAS with a MARGIN, ink about INK_SHARE."""
    from engine.lessons.schema import LESSONS_DIR, load_lesson

    lesson = load_lesson(LESSONS_DIR / "draw_digit.md")
    summary, idea = (" ".join(lesson.sections[s].split()) for s in ("Summary", "Idea"))
    assert (f"enlarged to {DIGIT} × {DIGIT} and centred on the network's {CANVAS} × {CANVAS} input, with a black "
            f"margin of {MARGIN} pixels on each side") in summary
    assert f"its ink covers about {round(100 * INK_SHARE)} % of the square" in idea
    for steps in standard.values():  # nothing outside the centred DIGIT x DIGIT square
        outside = steps.network_input.copy()
        outside[MARGIN:MARGIN + DIGIT, MARGIN:MARGIN + DIGIT] = 0
        assert not outside.any() and steps.network_input.shape == (CANVAS, CANVAS)


def test_the_demo_s_statements_about_the_networks(standard):
    """draw_digit.md's demo: conv1 gives sixteen 28 x 28 maps, pool2 32 maps of 7 x 7; the strided net reads the
    7 as the max-pool net does; the no-downsampling net keeps 28 x 28 maps through four layers."""
    from engine.lessons.schema import LESSONS_DIR, load_lesson
    from engine.nets.digit_loading import activations

    say = " ".join(s.say for s in load_lesson(LESSONS_DIR / "draw_digit.md").demo)
    seven, one = standard[7].network_input, standard[1].network_input
    probs, maps = activations("max_pool", seven)
    assert maps["conv1"].shape == (16, CANVAS, CANVAS) and "sixteen 3 × 3 filters give sixteen 28 × 28 maps" in say
    assert maps["pool2"].shape == (32, 7, 7) and "into 32 maps, pool2 shrinks them to 7 × 7" in say
    strided, _ = activations("strided", seven)
    assert int(strided.argmax()) == int(probs.argmax()) == 7 and "Different maps, the same answer." in say
    _, maps = activations("global_pool", one)
    convs = [m.shape for name, m in maps.items() if name.startswith("conv")]
    assert len(convs) == 4 and all(s[1:] == (CANVAS, CANVAS) for s in convs)
    assert "its maps stay 28 × 28 through four layers" in say
