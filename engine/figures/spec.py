"""A figure already turned into Plotly's JSON form, so it can be cached and shown without re-checking."""
from __future__ import annotations

from plotly.basedatatypes import BaseFigure


class SpecFigure(BaseFigure):
    """A Plotly figure whose content is a finished plain dict (Plotly's JSON form).

    st.plotly_chart accepts any BaseFigure and reads only its to_dict(). go.Figure() would build and
    validate a default template (a deep copy, ~1.6 ms) that is then thrown away, and a dict would be
    re-checked trace by trace (~1 ms a trace and frame); this wrapper does neither (BaseFigure.__init__
    is not run, so only spec, to_dict and to_plotly_json work).
    """

    def __init__(self, spec):  # pylint: disable=super-init-not-called
        self._spec = spec

    @property
    def spec(self):
        return self._spec

    def to_dict(self):
        return self._spec

    def to_plotly_json(self):
        return self._spec
