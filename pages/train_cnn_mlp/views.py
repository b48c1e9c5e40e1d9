"""Views of the CNN-vs-MLP lesson: shuffled digits, four training runs with live curves, the comparison, and
the MLP's first-layer weights.

Training runs in the session's script thread after the rest of the page is drawn (`train_requested`, the
page's last call), writing into placeholders made by `train_buttons`. A button's callback stores the runs
asked for; `requested()` takes them at the top of the next script run, so while they train the Train buttons
and the epochs and seed sliders are disabled (no second run can start). A finished run is kept in the session
and in a cache shared by all sessions: training is deterministic for its arguments with one torch thread.
Another widget changed mid-run stops the script at its next progress update: the half-finished run is
dropped, and a note says so.
"""
from __future__ import annotations

import itertools
import time
from dataclasses import replace

import numpy as np
import pandas as pd
import streamlit as st

from engine.data.digits import load_split
from engine.figures.common import percent
from engine.figures.training_figures import (RUNS, comparison_sentences, epoch_curves_figure, image_rows_figure,
                                             neighbour_distance, run_label, training_curves_figure)
from engine.nets.pixel_order import (MOVE, PIXELS, ROLL, TrainConfig, mlp_templates, moved_test_set, permutation,
                                     shuffle_pixels)
from pages.shell.caching import store
from pages.shell.controls import drawn
from pages.shell.figures import show, spec
from pages.train_cnn_mlp.slots import BUSY, training_slot

DIGIT_VIEWS = ("Test digits", f"Test digits moved by {MOVE} pixels")
UNITS_SHOWN = 10  # hidden units of the MLP drawn as images
MAX_KEPT = 24  # finished runs a session keeps
FIGURE_EVERY = 0.1  # of a run: how often the live curves are sent again
_PENDING, _RUNNING, _LAST, _RESULTS = "_tr_pending", "_tr_running", "_tr_last", "_tr_results"
_BUSY = "_tr_busy"


# --- the runs: asked for, kept, shared --------------------------------------------------------------------

def requested():
    """The runs a Train button asked for in this rerun, ((kind, shuffled), ...); () if none. Call first."""
    runs = st.session_state.pop(_PENDING, ())
    if runs:
        st.session_state.pop(_RUNNING, None)
    return runs


def _ask(runs):
    st.session_state[_PENDING] = runs


def kept(epochs, seed):
    """{(kind, shuffled): Result} of this session's finished runs with these settings."""
    results = st.session_state.get(_RESULTS, {})
    return {run: results[(*run, epochs, seed)] for run in RUNS if (*run, epochs, seed) in results}


def _keep(key, result):
    results = st.session_state.setdefault(_RESULTS, {})
    results.pop(key, None)
    results[key] = result
    while len(results) > MAX_KEPT:
        results.pop(next(iter(results)))


def finished_runs():
    """Runs someone finished, shared by every session (a run depends only on its settings):
    (kind, shuffled, epochs, seed) -> Result, at most 64, the least recently used dropped first."""
    return store("train_cnn_mlp.finished_runs", 64)


def _slim(result):
    """The Result without the weights the page does not draw (only the MLP's first layer is shown)."""
    return replace(result, weights={"1.weight": result.weights["1.weight"]} if result.model_kind == "mlp" else {})


# --- what shuffling does ----------------------------------------------------------------------------------

def _digit_rows(view):
    split = load_split()
    index = [int(np.flatnonzero(split.test_y == d)[0]) for d in range(10)]  # the first test digit of each class
    if view == DIGIT_VIEWS[0]:
        original = split.test_x[index]  # (10, 28, 28)
        shuffled = shuffle_pixels(original, permutation())
    else:
        original, shuffled = (moved_test_set(s)[0][index, 0] for s in (False, True))
    return original, shuffled


def _digits_figure(view, font_size):
    original, shuffled = _digit_rows(view)
    return image_rows_figure([("Original", original, False), ("Shuffled", shuffled, False)],
                             column_titles=[str(d) for d in range(10)], font_size=font_size, label_width=90)


def shuffled_digits(page, view):
    show(spec(_digits_figure, view, page.font_size), key="tr_digits_fig",
         alt="One test digit of each class, above with its pixels in place, below with the pixels shuffled.",
         caption=f"{view}, one of each class. Below, the same images with their {PIXELS} pixels put in a new order, "
                 "the same order for every image (training and test): the same values in new places, so nothing "
                 "is lost. Two pixels that are neighbours in a shuffled image were on average "
                 f"**{neighbour_distance(permutation()):.1f} pixels apart** in the original.")


# --- training ---------------------------------------------------------------------------------------------

def describe_networks():
    """The two networks and the training, in words made from the engine's configurations."""
    config = TrainConfig()
    k, channels, hidden = config.cnn.kernel_size, config.cnn.channels, config.mlp.hidden
    st.markdown(f"**CNN**: {len(channels)} convolutions {k}×{k} ({', '.join(map(str, channels))} channels), each "
                f"with batch norm and ReLU, 2×2 max pooling between them, then the mean of each channel and "
                f"`Linear({channels[-1]}, 10)`. **MLP**: `Linear({PIXELS}, {hidden})`, ReLU, `Linear({hidden}, 10)`. "
                f"Both learn with Adam from the same seed on the same mini-batches of {config.batch_size} of the "
                f"{len(load_split().train_y):,} training digits.")


def train_buttons(epochs, seed, runs):
    """The Train buttons (disabled while `runs` train), a note on an interrupted run, and the placeholders for
    the progress bar and the live curves. Returns the placeholders."""
    done = kept(epochs, seed)
    with st.container(horizontal=True, key="tr_buttons"):
        st.button("Train all four", key="tr_train_all", type="primary", on_click=_ask, args=(RUNS,),
                  disabled=bool(runs), icon=":material/fast_forward:")
        for run in RUNS:
            name = f"tr_train_{run[0]}_{'shuffled' if run[1] else 'original'}"
            st.button(run_label(*run).removesuffix(" pixels"), key=name, on_click=_ask, args=((run,),),
                      disabled=bool(runs),
                      icon=":material/check:" if run in done else ":material/play_arrow:",
                      help="Trained with these settings: shown below" if run in done else None)
    stopped = None if runs else st.session_state.pop(_RUNNING, None)
    busy = None if runs else st.session_state.pop(_BUSY, None)
    if busy:
        st.warning(BUSY.format(what=busy), icon=":material/hourglass_top:")
    if stopped:
        st.info(f"Training {stopped} was stopped by a change on the page before it finished; nothing of it was "
                "kept. Press its button to train it again.", icon=":material/stop_circle:")
    progress = st.empty()
    last = st.session_state.get(_LAST)
    if last and not runs:
        progress.progress(1.0, text=last)
    drawn("tr_buttons"), drawn("tr_live")  # `?hide=` may name them
    with st.container(key="tr_live"):
        return progress, st.empty()


def train_requested(page, placeholders, runs, epochs, seed):
    """Train `runs` one after the other (a stored result is taken at once), then rerun the page to show them."""
    if not runs:
        return
    import torch

    torch.set_num_threads(1)
    progress, curves = placeholders
    figures = itertools.count()  # a new key for every live figure sent in this script run
    start, trained, training = time.perf_counter(), 0, 0.0  # training: the seconds of the runs trained now
    for n, run in enumerate(runs, 1):
        key = (*run, epochs, seed)
        st.session_state[_RUNNING] = run_label(*run)
        prefix = f"Run {n} of {len(runs)} · " if len(runs) > 1 else ""
        result = st.session_state.get(_RESULTS, {}).get(key) or finished_runs().find(key)
        if result is None:
            with training_slot() as free:
                if not free:  # the other runs wait for the student's next press, not in a queue
                    st.session_state.pop(_RUNNING, None)
                    st.session_state[_BUSY] = " and ".join(run_label(*r) for r in runs[n - 1:])
                    st.rerun()
                result, trained = _train_live(page, key, prefix, progress, curves, figures), trained + 1
                training += result.seconds
        _keep(key, result)
    st.session_state.pop(_RUNNING, None)
    what = run_label(*runs[0]) if len(runs) == 1 else f"all {len(runs)} runs"
    found = len(runs) - trained
    reused = "" if not found else "found already trained, " if found == len(runs) == 1 else \
        f"{found} of them found already trained, "
    total = time.perf_counter() - start
    spent = (f"{total:.1f} s in all, of which {training:.1f} s training (the table's Training seconds); the rest "
             "prepared the digits and drew the live curves" if trained else f"{total:.1f} s")
    st.session_state[_LAST] = (f"Finished: {what}, {epochs} epoch{'s' * (epochs > 1)}, seed {seed} "
                               f"({reused}{spent}).")
    st.rerun()


def _train_live(page, key, prefix, progress, curves, figures):
    """One run with a progress bar and curves sent every FIGURE_EVERY of the run; its slim Result, stored."""
    from engine.nets.train_pixel_order import Result, train

    kind, shuffled, epochs, seed = key
    label, history, shown, next_figure = run_label(kind, shuffled), [], -1, 0.0
    progress.progress(0.0, text=f"{prefix}{label}: preparing the digits")
    for record in train(kind, shuffled, epochs, seed):
        if isinstance(record, Result):
            result = _slim(record)
            finished_runs().put(key, result)
            return result
        done = int(100 * record.fraction)
        if done == shown and record.test_accuracy is None:
            continue  # keep one record per percent and every epoch's end: a light figure
        history.append(record)
        shown = done
        tested = [r for r in history if r.test_accuracy is not None]
        progress.progress(record.fraction, text=f"{prefix}{label} · epoch {record.epoch} of {epochs} · training "
                          f"loss {record.train_loss:.3f}" + (f" · test accuracy after epoch {tested[-1].epoch}: "
                                                             f"{percent(tested[-1].test_accuracy)}" if tested else ""))
        if record.fraction >= next_figure or record.fraction == 1:
            next_figure += FIGURE_EVERY
            with curves.container():
                show(training_curves_figure(history, epochs, label, font_size=page.font_size).to_dict(),
                     key=f"tr_live_{next(figures)}",
                     alt=f"{label} while it trains: training loss, and accuracy on the training batches, the test "
                         "digits and the moved test digits.",
                     caption=f"{label}, {done} % done. Test accuracies are measured at the end of each epoch.")
    raise RuntimeError("train() ended without a Result")  # not reached: train always yields one


# --- results ----------------------------------------------------------------------------------------------

def comparison(page, epochs, seed):
    """The table of this session's finished runs for the settings, sentences made from them, their curves."""
    results = kept(epochs, seed)
    if not results:
        st.info(f"No finished runs yet for {epochs} epoch{'s' * (epochs > 1)} and seed {seed}: press a Train button "
                "above.", icon=":material/info:")
        return
    st.table(pd.DataFrame([{"Run": run_label(*run), "Parameters": f"{r.parameters:,}",
                            "Test accuracy": percent(r.test_accuracy),
                            f"Moved {MOVE} px accuracy": percent(r.moved_accuracy),
                            f"Rolled {ROLL} px accuracy": percent(r.rolled_accuracy),
                            "Training seconds": f"{r.seconds:.1f}"} for run, r in results.items()]).set_index("Run"))
    st.caption(f"{epochs} epoch{'s' * (epochs > 1)}, seed {seed}; accuracy on the {len(load_split().test_y)} test "
               f"digits, on the same digits moved by {MOVE} pixels (up, down, left or right) before any shuffle, and "
               f"on the images each run is given (shuffled or not) rolled {ROLL} pixels to the right, the columns "
               "pushed out coming back on the left. Training seconds: the training alone, measured when the run was "
               "trained (preparing the digits and drawing the live curves not counted; a run found in the cache "
               "appears at once).")
    for sentence in comparison_sentences(results):
        st.markdown(f"- {sentence}")
    runs = {run_label(*run): r.epochs for run, r in results.items()}
    show(spec(epoch_curves_figure, runs, font_size=page.font_size), key="tr_epochs_fig",
         alt="Accuracy on the test digits and on the moved test digits, and the training loss, after every epoch, "
             "one line per finished run.",
         caption=f"The {len(runs)} finished run{'s' * (len(runs) > 1)} after every epoch; the last point of each "
                 "line is its row in the table. Lines that lie on top of each other are runs that learned alike.")


def _weights_figure(rows, font_size):
    return image_rows_figure(rows, column_titles=[f"unit {u + 1}" for u in range(UNITS_SHOWN)], font_size=font_size,
                             label_width=190)


def mlp_weights(page, epochs, seed):
    """The MLP's first-layer weights as 28 x 28 images: each hidden unit's template of the digit."""
    results = kept(epochs, seed)
    mlp, shuffled = results.get(("mlp", False)), results.get(("mlp", True))
    if not (mlp or shuffled):
        st.info("Train an MLP run to see its first-layer weights.", icon=":material/info:")
        return
    rows = []
    if mlp:
        rows.append(("Original pixels", mlp_templates(mlp.weights)[:UNITS_SHOWN], True))
    if shuffled:
        learned = np.asarray(shuffled.weights["1.weight"]).reshape(-1, 28, 28)[:UNITS_SHOWN]  # shuffled order
        rows += [("Shuffled pixels:<br>as learned", learned, True),
                 ("Shuffled pixels:<br>put back in place", mlp_templates(shuffled.weights, True)[:UNITS_SHOWN], True)]
    show(spec(_weights_figure, rows, page.font_size), key="tr_weights_fig",
         alt="The first-layer weights of the MLP's first hidden units drawn as 28 by 28 images, red positive, "
             "blue negative.", caption=_weights_caption(mlp, shuffled))


def _weights_caption(mlp, shuffled):
    text = ("Each image is one hidden unit's 784 weights, one per pixel, drawn where its pixel is (red: positive, "
            "blue: negative, white: 0): the unit's output is the sum of pixel × weight.")
    if mlp and shuffled:
        gap = np.abs(mlp_templates(mlp.weights) - mlp_templates(shuffled.weights, True)).max()
        text += (f" Put back in place, the shuffled run's weights differ from the original run's by at most "
                 f"**{gap:.2g}**: the two runs learned the same weights, in a different order.")
    return text
