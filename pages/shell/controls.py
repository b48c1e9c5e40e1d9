"""Widgets bound to the URL query string, with a visible note when a link's value is unusable.

Streamlit's bind="query-params" drops a malformed value silently; each helper first checks the
raw value and tells `notes` what was wrong, then creates the widget (whose key is the URL name).

`?hide=...` hides parts of a lesson page, as the TensorFlow Playground does: a comma-separated list
of group names (HIDE_GROUPS) and widget or figure keys (the URL names, e.g. `hide=presets,xc_pad`).
"""
from __future__ import annotations

import hashlib
import re

import pandas as pd
import streamlit as st

from engine.data.matrix_text import format_matrix, parse_int, parse_matrix


def start_page():
    """Called once per lesson page run, before any widget: forget the keys drawn by the last run."""
    st.session_state[_DRAWN] = set()


def drawn(key):
    """Remember that the widget or figure `key` is on the page (so `hide` can tell a typo from a key)."""
    st.session_state.setdefault(_DRAWN, set()).add(key)


_DRAWN = "_convlab_drawn"


def _prepare(key, default, ok, expected, notes):
    """On a widget's first run: let a usable URL value seed it, else note it, drop it from the URL, seed the default.

    Defaults go through Session State, never the widget's own default argument (presets also set
    Session State, and Streamlit warns when both are used). A widget bound to the URL is seeded from the
    query string this run started with, so after dropping a refused value the page runs again (once, the
    notes kept for it: see pending_notes): the text box then shows the default, not the refused value.
    """
    if key in st.session_state:
        return
    raw = st.query_params.get(key)
    if raw is not None and ok(raw):
        return  # bind="query-params" seeds the widget from the link
    st.session_state[key] = default
    if raw is not None:
        notes.append(f"`{key}` should be {expected}")
        st.query_params.pop(key)  # a shared link no longer carries it
        st.session_state[_PENDING_NOTES] = list(notes)
        st.rerun(scope="app")


_PENDING_NOTES = "_convlab_pending_link_notes"


def pending_notes():
    """The notes of a run that dropped a refused link value and ran the page again (see _prepare); [] else."""
    return st.session_state.pop(_PENDING_NOTES, [])


def drop_foreign(notes, owner):
    """Note and drop URL values that set another lesson's widgets; owner(key): that lesson's title or None."""
    for key in list(st.query_params):
        title = owner(key)
        if title is not None:
            notes.append(f"`{key}` is a setting of another lesson ({title}), not of this one")
            st.query_params.pop(key)


def choice(label, options, key, notes, default=None, horizontal=True, **kwargs):
    """One of `options` (segmented buttons, or a select box when horizontal=False).

    `default` is also the widget's own default: Streamlit leaves a bound value equal to the widget's
    default out of the URL, so a link without `key` must mean `default` (not the first option).
    """
    default = options[0] if default is None else default
    drawn(key)
    raw = st.query_params.get(key)
    if key not in st.session_state and raw is not None and raw not in options:
        notes.append(f"`{key}` should be one of: " + ", ".join(options))  # Streamlit drops it from the URL
    if st.session_state.get(key, default) not in options:  # e.g. a preset from an older lesson file
        st.session_state[key] = default
    if horizontal:
        return st.segmented_control(label, options, key=key, bind="query-params", required=True, default=default,
                                    **kwargs)
    return st.selectbox(label, options, key=key, bind="query-params", index=options.index(default), **kwargs)


def int_slider(label, lo, hi, key, notes, default=None, **kwargs):
    """A whole number from lo to hi, kept in the URL by hand (no slider, a caption, when lo == hi).

    Not bind="query-params": a slider whose range changes (the step count after a preset) becomes
    a new widget, and Streamlit would then take the stale URL value over the preset's.
    """
    default = lo if default is None else default
    drawn(key)
    if key not in st.session_state:
        raw = st.query_params.get(key)
        value = parse_int(raw, lo, hi)
        if raw is not None and value is None:
            notes.append(f"`{key}` should be a whole number from {lo} to {hi}")
        st.session_state[key] = default if value is None else value
    value = st.session_state[key]
    if not lo <= value <= hi:  # assign only when needed: an assignment makes the browser redraw the widget
        st.session_state[key] = min(max(int(value), lo), hi)
    if lo >= hi:  # one possible value: st.slider(lo, lo) raises, and there is nothing to choose
        st.caption(f"{label}: {lo}, the only one here.")
        value = lo
    else:
        value = st.slider(label, lo, hi, key=key, **kwargs)
    if value == default:
        st.query_params.pop(key, None)
    else:
        st.query_params[key] = str(value)
    return value


def matrix(label, key, default, notes, max_rows=12, max_cols=12, help=None):
    """A matrix of numbers edited as text ('1 2; 3 4', kept in the URL) or, with its switch on, as a grid.

    Returns (array, error): the parsed matrix, or the default and a message when the text is unusable.
    """
    def parse(text):
        return parse_matrix(text, max_rows, max_cols, name=label)

    drawn(key)
    _prepare(key, default, lambda v: _parses(parse, v), "numbers in rows separated by ';', e.g. 1 2; 3 4", notes)
    text = st.text_input(label, key=key, bind="query-params",
                         help=help or "Rows separated by ';', numbers by spaces. Fractions such as 1/8 work.")
    try:
        values = parse(text)
    except ValueError as err:
        return parse(default), f"{err} Showing the default instead."
    if st.toggle("Edit as a grid", key=grid_toggle_key(key), help="Show the matrix as a grid of cells to edit."):
        _grid(key, text, values)
    return values, None


def grid_toggle_key(key):
    """The key of the switch that shows matrix `key`'s grid (drawn only when on: a grid costs a DataFrame a run)."""
    return f"{key}_grid_open"


def _grid(key, text, values):
    """The matrix as an editable grid; an edit is written back to the text (see _grid_edited)."""
    grid_key = f"{key}_grid_{hashlib.sha1(text.encode()).hexdigest()[:8]}"  # a new grid for each new text
    frame = pd.DataFrame(values, columns=[str(c) for c in range(values.shape[1])])
    st.data_editor(frame, key=grid_key, on_change=_grid_edited, args=(grid_key, key, values),
                   width="content", column_config={c: st.column_config.NumberColumn(c, width=cell_width(values[:, i]),
                                                                                    format="%g")
                                                   for i, c in enumerate(frame.columns)})


def cell_width(column):
    """Pixels for a grid column wide enough for its longest number written whole ("%g" in the browser is
    JavaScript's shortest form, as Python's repr: 123456.789, -0.125, 1e-7): 8 px a character + padding."""
    longest = max(len(repr(float(v)).removesuffix(".0")) for v in column)
    return max(60, 8 * longest + 24)


def _parses(parse, text):
    try:
        parse(text)
        return True
    except ValueError:
        return False


def _grid_edited(grid_key, text_key, values):
    """Write a grid edit back to the matrix text (and so to the URL)."""
    edited = values.copy()
    for row, changes in st.session_state[grid_key].get("edited_rows", {}).items():
        for col, value in changes.items():
            if value is not None:
                edited[int(row), int(col)] = float(value)
    st.session_state[text_key] = format_matrix(edited)


def set_values(values):
    """Set widget values (a preset, a demo step) before the widgets are drawn: call from a callback."""
    for key, value in values.items():
        st.session_state[key] = value


def show_notes(notes, box):
    """One warning listing every unusable link value (names only: no user text reaches the page).

    Called once at the end of a lesson page, when every widget is drawn: `hide` names that are neither
    a group nor a key on the page are reported here.
    """
    unknown = [name for name in st.session_state.get(_HIDE, ()) if name not in HIDE_GROUPS
               and name not in st.session_state.get(_DRAWN, ())]
    if unknown:
        notes = [*notes, "`hide` should list groups (" + ", ".join(HIDE_GROUPS) + ") or keys of this page; "
                 "no such key here: " + ", ".join(f"`{name}`" for name in unknown)]
        kept = [name for name in st.session_state[_HIDE] if name not in unknown]
        if kept:
            st.query_params["hide"] = ",".join(kept)  # a shared link no longer carries the unknown names
        else:
            st.query_params.pop("hide", None)
    notes = list(dict.fromkeys(notes))  # a note kept over a rerun (pending_notes) is not repeated
    if notes:
        box.warning("This link had values ConvLab could not use, so defaults are shown instead: "
                    + "; ".join(notes) + ".", icon=":material/link_off:")


# Parts of a page `?hide=` can name, and what each hides (CSS selectors; constants).
HIDE_GROUPS = {
    "controls": ".st-key-lesson_controls",  # the Controls expander, presets included
    "presets": ".st-key-lesson_presets",
    "idea": ".st-key-lesson_idea",  # the Idea paragraph under the title
    "code": '[data-testid="stMainBlockContainer"] [data-testid="stCode"]',  # the PyTorch code
    "sidebar": '[data-testid="stSidebar"], [data-testid="stExpandSidebarButton"]',
    "tools": ".st-key-demo_tools",  # demo bar: auto-advance, interval, share, download
}
_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")  # a group or a widget key: safe in a CSS class name
_HIDE, _HIDE_GROUPS = "_convlab_hide", "_convlab_hide_groups"  # this page's names; groups kept for others
MAX_HIDDEN = 40


def hidden(notes):
    """The names `?hide=` lists (validated; a malformed one is left out with a note), kept in the URL.

    Group names carry over to the next lesson (links and the session keep them); widget keys belong
    to one page and do not.
    """
    raw = st.query_params.get("hide")
    if raw is None:
        names = st.session_state.get(_HIDE_GROUPS, ())
    else:
        names, bad = [], []
        for name in (part.strip() for part in raw.split(",")):
            if not _NAME.fullmatch(name):
                bad += [name] if name else []
            elif name not in names:
                names.append(name)
        if bad or len(names) > MAX_HIDDEN:
            notes.append(f"`hide` should be up to {MAX_HIDDEN} names of lowercase letters, digits and _, "
                         "separated by commas")
        names = tuple(names[:MAX_HIDDEN])
        st.session_state[_HIDE_GROUPS] = tuple(name for name in names if name in HIDE_GROUPS)
    st.session_state[_HIDE] = names
    if names:
        st.query_params["hide"] = ",".join(names)
    else:
        st.query_params.pop("hide", None)
    return names


def hidden_groups():
    """The group names in force (the link's, else the session's), for links to other lessons; "" if none."""
    raw = st.query_params.get("hide")
    groups = st.session_state.get(_HIDE_GROUPS, ()) if raw is None else [
        name for name in dict.fromkeys(part.strip() for part in raw.split(",")) if name in HIDE_GROUPS]
    return ",".join(groups)


def hide_css(names):
    """A <style> block hiding `names` (validated by `hidden`); "" when there is nothing to hide."""
    selectors = []
    for name in names:
        if name in HIDE_GROUPS:
            selectors.append(HIDE_GROUPS[name])
        elif _NAME.fullmatch(name):  # a widget (its element, its row, a matrix's grid) or a figure
            selectors += [f".st-key-{name}", f".st-key-ctl_{name} .cl-stepper-row",  # a stepper: its controls
                          f'[class*="st-key-{name}_grid_"]']
    return f"<style>{', '.join(selectors)} {{ display: none !important; }}</style>" if selectors else ""
