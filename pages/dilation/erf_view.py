"""The dilation lesson's effective receptive field: a trained digit net's measured ERF against its theoretical field."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from engine.data.digits import CANVAS
from engine.figures.erf_figures import effective_field_figure
from engine.nets.digit_loading import label
from engine.nets.digit_nets import config
from engine.nets.effective_rf import (NETS, central_shares, effective_field, gaussian_fit, map_layers, profile,
                                      smallest_window)
from engine.notation import count
from pages.shell.caching import shared
from pages.shell.figures import show, spec

cached_field = shared(32)(effective_field)  # (net, layer) -> EffectiveField, shared by every session


def channels(name, layer):
    """Channels of map `layer` (conv{i}, pool{i}, stride{i}: those of convolution i)."""
    return config(name).channels[int("".join(ch for ch in layer if ch.isdigit())) - 1]


def erf_caption(erf):
    """What is measured and what is computed, with the numbers of this net and map."""
    first, last = erf.span
    k50, k90 = smallest_window(erf, 0.5), smallest_window(erf, 0.9)
    _, _, sigma, r2 = gaussian_fit(profile(erf))
    c = f"{erf.cell}"
    where = ("more than the whole input" if first < 0 or last > CANVAS - 1 else f"rows and columns {first} to {last}")
    return (f"Measured: the gradient of the centre cell (row {c}, column {c}) of map `{erf.layer}` "
            f"({erf.side} × {erf.side}, summed over its {count(channels(erf.name, erf.layer), 'channel')}) with "
            f"respect to every input pixel, its absolute value averaged over the first {erf.n_digits} test digits. "
            f"Computed: the theoretical receptive field is **{erf.size} × {erf.size}** pixels ({where}); every pixel "
            f"outside it has gradient exactly 0. Half the gradient mass lies in the central **{k50} × {k50}** pixels, "
            f"90% in **{k90} × {k90}** ({k90 * k90 / erf.size ** 2:.0%} of the theoretical field's area). "
            f"Gaussian fit to the profile: σ = {sigma:.2f} pixels, R² = {r2:.2f}.")


@st.fragment
def effective_field_view(page):
    """Its own controls (network, map); the ERF figure, its caption and the shares of every central window."""
    left, right = st.columns(2)
    with left:
        names = {label(n): n for n in NETS}
        name = names[page.choice("Network", list(names), "dl_erf_net", horizontal=False)]
    with right:
        layers = list(map_layers(name))
        layer = page.choice("Map (output cell at its centre)", layers, "dl_erf_layer", default=layers[-1])
    erf = cached_field(name, layer)
    show(spec(effective_field_figure, erf, font_size=page.font_size), key="dl_erf_fig",
         alt=f"Heatmap of how strongly each input pixel moves the centre cell of {erf.layer} in the "
             f"{label(name).lower()} network, with its {erf.size} x {erf.size} theoretical receptive field outlined, "
             "and the profile through the centre with a Gaussian fit.",
         caption=erf_caption(erf))
    with st.expander("Share of the gradient mass in every central window", icon=":material/table:"):
        rows = [{"central window": f"{k} × {k}", "share of the mass": f"{s:.1%}",
                 "share of the theoretical area": f"{k * k / erf.size ** 2:.1%}"} for k, s in central_shares(erf)]
        st.dataframe(pd.DataFrame(rows).set_index("central window"), width="stretch")
