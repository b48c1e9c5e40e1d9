"""What the CNN-vs-MLP lesson draws: rows of small images (digits, weights), training curves while a run
trains, per-epoch curves of finished runs, and the sentences that compare the runs, made from their results.

    image_rows_figure([("Original", digits, False), ("Shuffled", shuffled, False)])   # (n, 28, 28) per row
    training_curves_figure(progress_records, epochs=8)            # loss and accuracy, x = epochs done
    epoch_curves_figure({"CNN, original pixels": result.epochs, ...})   # one line per finished run
    comparison_sentences({("cnn", False): result, ...})          # Markdown, every number from the results

Pure: no Streamlit, no torch. A "result" is anything with the fields of engine.nets.train_pixel_order.Result
that are used (test_accuracy, moved_accuracy, rolled_accuracy, predictions); a "record" has the fields of its Progress.
"""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from engine.figures.classifier_figures import PAGE_WIDTH
from engine.figures.common import percent
from engine.figures.grid import to_display_bytes
from engine.figures.invariance_figures import LINE_STYLES, curves_figure
from engine.figures.style import base_layout
from engine.nets.pixel_order import MOVE, ROLL

RUNS = (("cnn", False), ("cnn", True), ("mlp", False), ("mlp", True))  # the four runs, in table order


def run_label(kind, shuffled):
    """("cnn", True) -> 'CNN, shuffled pixels'."""
    if kind not in ("cnn", "mlp"):
        raise ValueError(f"Unknown model {kind!r}: choose cnn or mlp.")
    return f"{kind.upper()}, {'shuffled' if shuffled else 'original'} pixels"


def points(difference):
    """A difference of two accuracies in percentage points: 0.031 -> '+3.1 points'."""
    return f"{100 * float(difference):+.1f} points"


# --- images ---------------------------------------------------------------------------------------------

def image_rows_figure(rows, column_titles=None, height=None, font_size=15, label_width=150, gap=3):
    """Rows of small images with a label left of each row, all on one pair of axes (one small uint8 heatmap
    per image, `gap` pixels apart), which builds and draws far faster than a subplot per image.

    Args:
        rows: [(label, images (n, H, W), signed)], the same n, H, W in every row; signed images are drawn
            blue (negative) - white (0) - red (positive), each on its own symmetric range; others gray.
        column_titles: n titles over the first row (or None).
        height: pixels (default: what fits the images when the figure is PAGE_WIDTH pixels wide).
        label_width: pixels of left margin for the labels (a label may break lines with <br>).
    Image c of row r covers x from c (W + gap) to c (W + gap) + W - 1 and y from r (H + gap) down to
    r (H + gap) + H - 1 (y grows downwards, as in an image).
    """
    if not rows:
        raise ValueError("image_rows_figure needs at least one row of images.")
    shapes = {np.shape(images) for _, images, _ in rows}
    if len(shapes) != 1 or len(next(iter(shapes))) != 3 or 0 in next(iter(shapes)):
        raise ValueError(f"Every row needs the same number of images of the same size (n, H, W), got {sorted(shapes)}.")
    n, h, w = next(iter(shapes))
    if column_titles is not None and len(column_titles) != n:
        raise ValueError(f"{len(column_titles)} column titles for {n} columns.")
    fig = go.Figure()
    for r, (label, images, signed) in enumerate(rows):
        for c, image in enumerate(images):
            fig.add_trace(go.Heatmap(z=to_display_bytes(image, signed), x0=c * (w + gap), y0=r * (h + gap),
                                     colorscale="RdBu_r" if signed else "Gray", zmin=0, zmax=255, showscale=False,
                                     hoverinfo="skip", name=f"{label}, {c + 1}"))
        fig.add_annotation(text=label, x=-0.5, xanchor="right", xshift=-8,
                           y=r * (h + gap) + (h - 1) / 2, showarrow=False, align="right", font=dict(size=font_size - 1))
    for c, title in enumerate(column_titles or []):
        fig.add_annotation(text=title, x=c * (w + gap) + (w - 1) / 2, y=-0.5, yanchor="bottom", showarrow=False,
                           font=dict(size=font_size - 1))
    top, bottom, right = (12 + 2 * font_size if column_titles else 10), 5, 5
    width, tall = n * (w + gap) - gap, len(rows) * (h + gap) - gap  # figure units (image pixels)
    base_layout(fig, height or round(top + bottom + tall * (PAGE_WIDTH - label_width - right) / width), font_size)
    fig.update_xaxes(visible=False, range=[-0.5, width - 0.5], autorange=False, scaleanchor="y")
    fig.update_yaxes(visible=False, range=[tall - 0.5, -0.5], autorange=False)
    fig.update_layout(margin=dict(l=label_width, r=right, t=top, b=bottom))
    return fig


# --- curves ---------------------------------------------------------------------------------------------

def training_curves_figure(records, epochs, title="", height=330, font_size=15):
    """The curves of a run as it trains, x = epochs done (0 to `epochs`).

    Left: the training loss (mean cross-entropy over the epoch's mini-batches so far). Right: accuracy on the
    training mini-batches so far, and at each epoch's end on the test digits and on the moved test digits.
    records: Progress-like (fraction, train_loss, train_accuracy, test_accuracy, moved_accuracy).
    """
    if epochs < 1:
        raise ValueError(f"epochs must be at least 1, got {epochs}.")
    x = [r.fraction * epochs for r in records]
    ends = [r for r in records if r.test_accuracy is not None]
    x_ends = [r.fraction * epochs for r in ends]
    fig = make_subplots(rows=1, cols=2, subplot_titles=["Training loss", "Accuracy"], horizontal_spacing=0.1)
    lines = [(1, "training loss", x, [r.train_loss for r in records], "lines"),
             (2, "training batches", x, [r.train_accuracy for r in records], "lines"),
             (2, "test digits", x_ends, [r.test_accuracy for r in ends], "lines+markers"),
             (2, f"test digits moved by {MOVE} px", x_ends, [r.moved_accuracy for r in ends], "lines+markers")]
    for (col, name, xs, ys, mode), (colour, symbol, dash) in zip(lines, LINE_STYLES):
        fig.add_trace(go.Scatter(x=xs, y=[float(y) for y in ys], name=name, mode=mode,
                                 line=dict(color=colour, dash=dash, width=3 if col == 2 else 2),
                                 marker=dict(symbol=symbol, size=10, color=colour),
                                 hovertemplate=f"{name}<br>epoch %{{x:.2f}}: %{{y:.3g}}<extra></extra>"),
                      row=1, col=col)
    fig.update_xaxes(title_text="epochs done", range=[0, epochs * 1.02], dtick=1 if epochs <= 15 else None,
                     showgrid=True, gridcolor="#eee", zeroline=False)
    fig.update_yaxes(title_text="cross-entropy", rangemode="tozero", row=1, col=1)
    fig.update_yaxes(title_text="accuracy", range=[0, 1.02], tickformat=".0%", row=1, col=2)
    fig.update_yaxes(showgrid=True, gridcolor="#eee", zeroline=False)
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=60 if title else 40, b=10), plot_bgcolor="white",
                      font=dict(size=font_size), dragmode=False, title=dict(text=title) if title else None,
                      legend=dict(orientation="h", yanchor="top", y=-0.25, x=0, font=dict(size=font_size - 1)))
    fig.update_annotations(font_size=font_size)
    return fig


def epoch_curves_figure(runs, height=380, font_size=15):
    """Finished runs compared epoch by epoch: test accuracy, moved-digit accuracy, training loss.

    runs: {label: epoch-end records (one per epoch, Progress-like)}, every run the same number of epochs.
    """
    if not runs:
        raise ValueError("epoch_curves_figure needs at least one run.")
    lengths = {len(records) for records in runs.values()}
    if len(lengths) != 1:
        raise ValueError(f"Runs of different lengths cannot share an epoch axis: {sorted(lengths)} epochs.")
    (epochs,) = lengths
    panels = [("Test digits", "accuracy", {k: [r.test_accuracy for r in v] for k, v in runs.items()}, [0, 1.02]),
              (f"Test digits moved by {MOVE} px", "accuracy",
               {k: [r.moved_accuracy for r in v] for k, v in runs.items()}, [0, 1.02]),
              ("Training loss", "cross-entropy", {k: [r.train_loss for r in v] for k, v in runs.items()}, None)]
    fig = curves_figure(panels, np.arange(1, epochs + 1), None, "epoch", height=height, font_size=font_size)
    fig["layout"]["yaxis"]["tickformat"] = fig["layout"]["yaxis2"]["tickformat"] = ".0%"
    fig["layout"]["yaxis3"]["rangemode"] = "tozero"
    return fig


# --- the comparison in words ----------------------------------------------------------------------------

def neighbour_distance(perm, side=28):
    """How far apart, in the original image, two pixels were that are neighbours (right or below) after the
    shuffle: the mean Euclidean distance (1 for the identity order; about side / 2 for a random order).
    perm: (side * side,) with shuffled.flat[i] = original.flat[perm[i]]."""
    perm = np.asarray(perm)
    if perm.shape != (side * side,) or not np.array_equal(np.sort(perm), np.arange(side * side)):
        raise ValueError(f"perm must be a permutation of the {side * side} pixel indices.")
    rows, cols = np.divmod(perm.reshape(side, side), side)  # original position of each shuffled pixel
    right = np.hypot(np.diff(rows, axis=1), np.diff(cols, axis=1))  # (side, side - 1)
    below = np.hypot(np.diff(rows, axis=0), np.diff(cols, axis=0))  # (side - 1, side)
    return float(np.concatenate([right.ravel(), below.ravel()]).mean())


def same_predictions(a, b):
    """(number of test digits on which two runs predict the same class, number of test digits)."""
    a, b = np.asarray(a.predictions), np.asarray(b.predictions)
    if a.shape != b.shape:
        raise ValueError(f"The runs were tested on different digits: {a.shape} and {b.shape} predictions.")
    return int(np.sum(a == b)), int(a.size)


def comparison_sentences(results):
    """Markdown sentences comparing the runs present in `results` ({(kind, shuffled): result}).

    Each sentence needs its runs (a missing run leaves its sentences out); every number comes from the results.
    """
    sentences = []
    cnn, shuffled_cnn = results.get(("cnn", False)), results.get(("cnn", True))
    if cnn and shuffled_cnn:
        sentences.append(
            f"**CNN**, original → shuffled pixels: test digits {percent(cnn.test_accuracy)} → "
            f"{percent(shuffled_cnn.test_accuracy)} ({points(shuffled_cnn.test_accuracy - cnn.test_accuracy)}); "
            f"digits moved by {MOVE} pixels {percent(cnn.moved_accuracy)} → "
            f"{percent(shuffled_cnn.moved_accuracy)} ({points(shuffled_cnn.moved_accuracy - cnn.moved_accuracy)}).")
    mlp, shuffled_mlp = results.get(("mlp", False)), results.get(("mlp", True))
    if mlp and shuffled_mlp:
        same, n = same_predictions(mlp, shuffled_mlp)
        agree = f"same predictions on all {n} test digits" if same == n else \
            f"same prediction on {same} of {n} test digits"
        sentences.append(
            f"**MLP original and shuffled: {agree}** (test digits {percent(mlp.test_accuracy)} and "
            f"{percent(shuffled_mlp.test_accuracy)}; moved digits {percent(mlp.moved_accuracy)} and "
            f"{percent(shuffled_mlp.moved_accuracy)}).")
    for shuffled in (False, True):
        a, b = results.get(("cnn", shuffled)), results.get(("mlp", shuffled))
        if a and b:
            sentences.append(
                f"CNN minus MLP, both on {'shuffled' if shuffled else 'original'} pixels: "
                f"{points(a.test_accuracy - b.test_accuracy)} on the test digits, "
                f"{points(a.moved_accuracy - b.moved_accuracy)} on the moved digits.")
    rolled = [f"{name} {percent(r.test_accuracy)} → {percent(r.rolled_accuracy)} "
              f"({points(r.rolled_accuracy - r.test_accuracy)})"
              for name, r in (("CNN", shuffled_cnn), ("MLP", shuffled_mlp)) if r]
    if rolled:
        sentences.append(
            f"**Shuffled pixels, each test image rolled {ROLL} pixels sideways** (wrapping around: the values "
            f"inside every window the wrap-around does not cut move along together, and {ROLL} is the CNN's total "
            "stride, so its pooling windows stay in step): "
            + "; ".join(rolled) + ".")
    return sentences
