"""The design half of the build-your-own-CNN lesson: the layer text, the layer table, the totals, the code."""
from __future__ import annotations

import streamlit as st

from engine.ops.layer_text import DIGITS_INPUT, MAX_LAYERS, MAX_MACS, MAX_PARAMS, MAX_TEXT, check, parse
from engine.ops.network_arithmetic import NetworkError, analyse
from engine.pytorch_code import network_code
from pages.shell import controls

KEY = "bc_layers"
DEFAULT = "conv 16 3 p1; relu; maxpool 2; conv 32 3 p1; relu; maxpool 2; flatten; linear 10"
SYNTAX = ("One layer per ';': `conv C K` (C channels, K×K kernel; options `sS` stride, `pP` padding, `dD` dilation, "
          "`gG` groups), `maxpool K` / `avgpool K` (options `sS`, `pP`), `bn`, `relu`, `gap` (global average "
          "pool), `flatten`, `linear N`.")


def layer_text(page, disabled=False):
    """The text box of layers, kept in the URL (any text is kept: what cannot be read is explained below it)."""
    controls.drawn(page.key(KEY))
    controls._prepare(KEY, DEFAULT, lambda v: len(v) <= MAX_TEXT, f"at most {MAX_TEXT} characters", page.notes)
    source = st.text_input("Layers (28 × 28 × 1 digits in, 10 classes out)", key=KEY, bind="query-params",
                           max_chars=MAX_TEXT, disabled=disabled, help=SYNTAX)
    st.caption(f"{SYNTAX} At most {MAX_LAYERS} layers, {MAX_PARAMS:,} parameters and {MAX_MACS:,} multiply-adds "
               "per image, so that every design trains in seconds on a server shared by a class.")
    return source


def _rows_table(report):
    return [{"layer": r.name, "kind": r.kind, "output": " × ".join(map(str, r.output_shape)), "parameters": r.params,
             "multiply-adds": r.macs, "receptive field": "whole input" if r.rf_size is None else
             f"{r.rf_size} × {r.rf_size} (jump {r.rf_jump})"} for r in report.rows]


def _table(report):
    number = st.column_config.NumberColumn(format="localized")
    st.dataframe(_rows_table(report), hide_index=True, key="bc_table",
                 column_config={"parameters": number, "multiply-adds": number})


def layers_and_table(page, source):
    """The parsed layers and their report, with the table and totals; on text that cannot be read or a layer
    that breaks, the table of the layers before it, the message (an error for text, a warning naming the layer
    for a stack that breaks), the closing sections and a stop."""
    with page.stop_on_error():
        layers = parse(source)
    try:
        report = analyse(layers, DIGITS_INPUT)
    except NetworkError as err:
        works = next(n for n in range(len(layers), -1, -1) if _works(layers[:n]))
        if works:
            st.caption(f"The first {works} layer{'s' * (works > 1)}, which work:")
            _table(analyse(layers[:works], DIGITS_INPUT))
        st.warning(f"{err}", icon=":material/warning:")  # a warning, as the architectures lesson's: a lesson example
        page.finish()
        st.stop()
    totals(report)
    _table(report)
    return layers, report


def _works(layers):
    try:
        analyse(layers, DIGITS_INPUT)
        return True
    except NetworkError:
        return False


def totals(report):
    last = next((r for r in reversed(report.rows) if r.rf_size is not None), None)
    cols = st.columns(4)
    cols[0].metric("Parameters", f"{report.params:,}")
    cols[1].metric("Multiply-adds per image", f"{report.macs:,}")
    cols[2].metric("Output", " × ".join(map(str, report.output_shape)))
    cols[3].metric("Largest receptive field", f"{last.rf_size} × {last.rf_size}" if last else "—",
                   help="Input pixels that one cell of the last spatial map sees (before any global pool or "
                        "flatten, after which every output sees the whole image).")


def trainable(report_layers):
    """None if the network fits the limits and ends in 10 classes; else the message why it is not trained."""
    try:
        check(report_layers)
    except NetworkError as err:
        return str(err)
    return None


def code(layers):
    with st.expander("Your network as PyTorch code", icon=":material/code:"):
        st.code(network_code(layers, DIGITS_INPUT, "Your network for the 28 x 28 digits"), language="python")
