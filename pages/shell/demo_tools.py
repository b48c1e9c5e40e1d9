"""Demo mode's tools row: "Share this view" (the exact URL of what is on screen) and "Download figure"."""
from __future__ import annotations

from urllib.parse import quote, urlencode

import streamlit as st


def share_url(base, params):
    """The link to a view: the page's address and its query string (spaces as %20)."""
    query = urlencode(list(params.items()), quote_via=quote, safe=",")
    return f"{base}?{query}" if query else base


def share_button():
    """"Share this view": a popover with the exact URL of what is on screen (st.code has a copy button).

    It reruns the app when opened, so the URL read at the top of that run is the one on screen.
    """
    with st.popover("Share this view", icon=":material/link:", key="demo_share", on_change="rerun") as box:
        if box.open:
            url = share_url(st.context.url or "", st.query_params.to_dict())
            st.caption("This link opens the lesson as it is now: demo mode, this step, these settings and "
                       "hidden parts. Copy it with the icon at its right.")
            st.code(url, language=None, wrap_lines=True)


_DOWNLOAD_HTML = """
<style>
.cl-download { font: inherit; min-height: 2.5rem; padding: .25rem .75rem; border-radius: .5rem;
               cursor: pointer; border: 1px solid rgba(49, 51, 63, .2); background: #fff; color: inherit; }
.cl-download:hover { border-color: #e66100; color: #e66100; }
.cl-download:focus-visible { outline: 3px solid #5d3a9b; outline-offset: 2px; }
.cl-download-status { font-size: .8rem; margin-left: .5rem; }
</style>
<button class="cl-download" type="button"
        title="Save the figure that fills most of the screen as a PNG (scroll to it first)">
  &#x2193; Download figure
</button><span class="cl-download-status" role="status" aria-live="polite"></span>
<script>
(() => {
  const root = document.currentScript.parentElement;
  const status = root.querySelector('.cl-download-status');
  root.querySelector('.cl-download').addEventListener('click', () => {
    const plots = [...document.querySelectorAll('[data-testid="stMainBlockContainer"] .js-plotly-plot')];
    const seen = (p) => { const r = p.getBoundingClientRect();
      return Math.max(0, Math.min(r.right, innerWidth) - Math.max(r.left, 0))
           * Math.max(0, Math.min(r.bottom, innerHeight) - Math.max(r.top, 0)); };
    const plot = plots.filter(seen).sort((a, b) => seen(b) - seen(a))[0]
              || plots.find((p) => p.offsetParent !== null);
    const camera = plot && plot.querySelector('.modebar-btn[data-title^="Download plot"]');
    if (!camera) { status.textContent = 'No figure on screen: scroll to one first.'; return; }
    camera.click();
    status.textContent = 'Saved the figure on screen as a PNG.';
  });
})();
</script>"""  # a constant: no user text ever reaches this HTML


def download_button():
    """"Download figure": the Plotly figure that fills most of the screen, as a PNG made in the browser.

    It presses that figure's own camera button (Plotly's toImage, with the file name and scale set in
    pages/shell/figures.py); step views are HTML tables, so the figure saved is the nearest Plotly figure.
    """
    st.html(_DOWNLOAD_HTML, width="content", unsafe_allow_javascript=True)
