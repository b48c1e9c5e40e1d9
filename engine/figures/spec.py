"""A figure already turned into Plotly's JSON form, so it can be cached and shown without re-checking."""
from __future__ import annotations

import plotly.graph_objects as go


class SpecFigure(go.Figure):
    """A go.Figure whose content is a finished plain dict (from a checked figure's to_dict()).

    Plotly re-checks every trace when a dict becomes a figure (about 1 ms a trace and frame);
    st.plotly_chart and to_json only read to_dict(), so wrapping the dict skips that work.
    """

    def __init__(self, spec):
        super().__init__()
        self._spec = spec

    @property
    def spec(self):
        return self._spec

    def to_dict(self):
        return self._spec

    def to_plotly_json(self):
        return self._spec
