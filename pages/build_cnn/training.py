"""The training half of the build-your-own-CNN lesson: the Train button, the live run, the comparison.

As in the CNN-vs-MLP lesson: the button's callback asks for a run; `requested()` takes it at the top of the
next script run (the controls are then disabled) and `train_requested`, the page's last call, trains it in a
shared training slot (pages/train_cnn_mlp/slots.py) with a progress bar and live curves, then reruns the page.
A finished run is kept in the session and in a cache shared by all sessions (deterministic for its text,
epochs and seed with one torch thread).
"""
from __future__ import annotations

import itertools
import time
from functools import lru_cache

import numpy as np
import streamlit as st

from engine.figures.common import percent
from engine.figures.training_figures import training_curves_figure
from engine.nets.architectures import NETWORKS
from engine.nets.designed_net import BUDGET_SECONDS, MOVE, Result, moved_test_set, train
from engine.ops.layer_text import text
from pages.shell.caching import store
from pages.shell.figures import show
from pages.train_cnn_mlp.slots import BUSY, training_slot

SHIPPED = "max_pool"  # the digit net compared with
FIGURE_EVERY = 0.1
_PENDING, _RESULTS, _BUSY, _STOPPED, _LAST = "_bc_pending", "_bc_results", "_bc_busy", "_bc_running", "_bc_last"


def requested():
    """The run (text, epochs, seed) the Train button asked for in this rerun, else None. Call first."""
    run = st.session_state.pop(_PENDING, None)
    if run:
        st.session_state.pop(_STOPPED, None)
    return run


def _results():
    return st.session_state.setdefault(_RESULTS, {})


def finished_runs():
    """(text, epochs, seed) -> Result, shared by every session, at most 32."""
    return store("build_cnn.finished_runs", 32)


def train_button(layers, epochs, seed, running):
    """The Train button, notes on a busy server or a stopped run, and the placeholders for progress and curves."""
    key = (text(layers), epochs, seed)
    st.button(f"Train it ({epochs} epoch{'s' * (epochs > 1)}, seed {seed})", key="bc_train", type="primary",
              icon=":material/play_arrow:", disabled=bool(running), on_click=st.session_state.__setitem__,
              args=(_PENDING, key))
    if not running:
        if st.session_state.pop(_BUSY, None):
            st.warning(BUSY.format(what="your network"), icon=":material/hourglass_top:")
        if st.session_state.pop(_STOPPED, None):
            st.info("Training was stopped by a change on the page before it finished; nothing of it was kept.",
                    icon=":material/stop_circle:")
    progress = st.empty()
    last = st.session_state.get(_LAST)
    if last and not running and last[0] == key:
        progress.progress(1.0, text=last[1])
    return progress, st.empty()


def train_requested(page, placeholders, run):
    """Train `run` live (or take it from a cache), keep it, and rerun the page to show it."""
    if not run:
        return
    import torch

    from engine.ops.layer_text import parse

    torch.set_num_threads(1)
    result, start = _results().get(run) or finished_runs().find(run), time.perf_counter()
    found = result is not None
    if result is None:
        with training_slot() as free:
            if not free:
                st.session_state[_BUSY] = True
                st.rerun()
            st.session_state[_STOPPED] = True  # cleared below; left set if a change on the page stops the run
            result = _train_live(page, parse(run[0]), run[2], run[1], placeholders)
            if not result.stopped_early:  # a cut run depends on how busy the server was: not shared
                finished_runs().put(run, result)
    _results()[run] = result
    st.session_state.pop(_STOPPED, None)
    epochs = len(result.epochs)
    st.session_state[_LAST] = (run, f"Finished: your network, {epochs} epoch{'s' * (epochs > 1)}, seed {run[2]} ("
                               + ("found already trained" if found else f"{time.perf_counter() - start:.1f} s in all, "
                                  f"of which {result.seconds:.1f} s training") + ").")
    st.rerun()


def _train_live(page, layers, seed, epochs, placeholders):
    progress, curves = placeholders
    history, shown, next_figure, figures = [], -1, 0.0, itertools.count()
    progress.progress(0.0, text="Your network: preparing the digits")
    for record in train(layers, epochs, seed):
        if isinstance(record, Result):
            return record
        done = int(100 * record.fraction)
        if done == shown and record.test_accuracy is None:
            continue
        history.append(record)
        shown = done
        progress.progress(record.fraction, text=f"Your network · epoch {record.epoch} of {epochs} · training loss "
                                                f"{record.train_loss:.3f}")
        if record.fraction >= next_figure or record.fraction == 1:
            next_figure += FIGURE_EVERY
            with curves.container():
                show(training_curves_figure(history, epochs, "Your network", font_size=page.font_size).to_dict(),
                     key=f"bc_live_{next(figures)}", alt="Your network while it trains: training loss, and "
                     "accuracy on the training batches, the test digits and the moved test digits.",
                     caption=f"Your network, {done} % done. Test accuracies are measured at the end of each epoch.")
    raise RuntimeError("train() ended without a Result")


@lru_cache(maxsize=1)
def shipped_moved_accuracy():
    """The shipped max-pool net's accuracy on the test digits moved by MOVE pixels (measured once)."""
    from engine.nets.digit_loading import predict

    images, labels = moved_test_set()
    return float(np.mean(predict(SHIPPED, images[:, 0]).argmax(axis=1) == labels))


def shipped_row():
    from engine.nets.digit_loading import manifest

    entry = manifest()["models"][SHIPPED]
    return {"network": f"ConvLab's digit net ({entry['label']}, shipped)", "test accuracy": percent(entry["test_accuracy"]),
            f"moved {MOVE} px": percent(shipped_moved_accuracy()), "parameters": f"{entry['parameters']:,}",
            "multiply-adds": f"{NETWORKS['digit_' + SHIPPED].report().macs:,}", "epochs": str(entry["epochs"]),
            "training seconds": f"{entry['train_seconds']:.1f}"}, entry


def comparison(layers, report, epochs, seed):
    """Your trained network next to the shipped max-pool digit net; sentences computed from both."""
    result = _results().get((text(layers), epochs, seed))
    if result is None:
        st.info(f"Not trained yet with {epochs} epoch{'s' * (epochs > 1)} and seed {seed}: press Train above.",
                icon=":material/info:")
        return
    shipped, entry = shipped_row()
    trained = len(result.epochs)
    mine = {"network": "Your network", "test accuracy": percent(result.test_accuracy),
            f"moved {MOVE} px": percent(result.moved_accuracy), "parameters": f"{report.params:,}",
            "multiply-adds": f"{report.macs:,}", "epochs": str(trained), "training seconds": f"{result.seconds:.1f}"}
    st.dataframe([mine, shipped], hide_index=True, key="bc_comparison")
    st.caption(f"Accuracy on the 450 test digits, and on the same digits moved by {MOVE} pixels (up, down, left or "
               f"right). The shipped net was trained once for {entry['epochs']} epochs with a one-cycle schedule; "
               f"yours for {trained} epoch{'s' * (trained > 1)} here, seed {seed}. Training seconds: the "
               "shipped net's as measured when it was trained, yours on this server now (other students' work slows "
               "it).")
    if result.stopped_early:
        st.warning(f"Training stopped after {trained} of {epochs} epochs: at its pace, another epoch would "
                   f"have ended after the {BUDGET_SECONDS:.0f} s a run may take on this server.", icon=":material/timer:")
    macs = NETWORKS["digit_" + SHIPPED].report().macs
    gap = 100 * (result.test_accuracy - entry["test_accuracy"])
    size = ("the same parameters and multiply-adds" if (report.params, report.macs) == (entry["parameters"], macs)
            else f"**{report.params / entry['parameters']:.2g} ×** its parameters and {report.macs / macs:.2g} × its "
                 "multiply-adds")
    st.markdown(f"- Your network is **{abs(gap):.1f} points {'above' if gap >= 0 else 'below'}** the shipped net on "
                f"the test digits, with {size}.\n"
                f"- On the moved digits it keeps {percent(result.moved_accuracy / max(result.test_accuracy, 1e-9))} "
                f"of its test accuracy; the shipped net keeps "
                f"{percent(shipped_moved_accuracy() / entry['test_accuracy'])}.")
