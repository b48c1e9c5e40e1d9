"""Page helpers: wait on Streamlit's own script state, never on a clock.

Streamlit 1.67 marks its root element `[data-testid="stApp"]` with
`data-test-script-state` ("initial" before the first run, then "running", "rerunRequested",
"stopRequested", "notRunning" or "compilationError") and `data-test-connection-state`
("CONNECTED", ...). React may batch a short run's "running" away, so the attribute alone cannot
tell that a rerun happened. PROBE_JS therefore also reads the ForwardMsgs on the websocket: each
`session_status_changed` with script_is_running false closes a run (`window.__convlab.idle`).
Idle = that count has passed the mark taken before the action, no run is going on, the attribute
says notRunning, two animation frames passed since the last message (React has committed), and no
`stSkeleton` is left (Suspense fallback of an element whose JS chunk is still loading).
"""

from __future__ import annotations

from contextlib import contextmanager

from playwright.sync_api import TimeoutError as PlaywrightTimeout

APP = '[data-testid="stApp"]'
IDLE_STATES = ("notRunning", "compilationError")
REDACTED_ERROR = "This app has encountered an error"  # what showErrorDetails="none" shows

PROBE_JS = r"""(() => {
  if (window.__convlab) return;
  const p = window.__convlab = {idle: 0, running: false, raf: 0, frameRaf: 0,
                                idleAt: 0, mutationAt: 0, keyAt: 0};
  const varint = (b, i) => { let v = 0, s = 1, x;
    do { x = b[i++]; v += (x & 127) * s; s *= 128; } while (x & 128 && i < b.length);
    return [v, i]; };
  const fields = (b) => { const out = []; let i = 0, tag, v, n;  // [field number, value]
    while (i < b.length) {
      [tag, i] = varint(b, i);
      const wire = tag & 7;
      if (wire === 0) [v, i] = varint(b, i);
      else if (wire === 2) { [n, i] = varint(b, i); v = b.subarray(i, i + n); i += n; }
      else if (wire === 1 || wire === 5) { i += wire === 1 ? 8 : 4; continue; }
      else break;
      out.push([tag >>> 3, v]);
    }
    return out; };
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (e) => {
        if (!(e.data instanceof ArrayBuffer)) return;
        p.frameRaf = p.raf;
        // ForwardMsg field 9 = session_status_changed; SessionStatus field 2 = script_is_running
        for (const [num, v] of fields(new Uint8Array(e.data))) if (num === 9) {
          p.running = fields(v).some(([n, x]) => n === 2 && x === 1);
          if (!p.running) { p.idle++; p.idleAt = performance.now(); }
        }
      });
    }
  };
  const tick = () => { p.raf++; requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
  new MutationObserver(() => { p.mutationAt = performance.now(); })
    .observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
  window.addEventListener('keydown', (e) => { p.keyAt = e.timeStamp; }, true);
})();"""

_IDLE_JS = """([since, states]) => {
  const p = window.__convlab, app = document.querySelector('[data-testid="stApp"]');
  return !!p && !!app && p.idle > since && !p.running && p.raf - p.frameRaf >= 2
    && states.includes(app.dataset.testScriptState)
    && app.dataset.testConnectionState === 'CONNECTED'
    && !document.querySelector('[data-testid="stSkeleton"]');  // lazy element chunk still loading
}"""


def new_app_page(browser, width: int = 1280, height: int = 720, timeout_ms: int = 30_000):
    """A page in a fresh context with the probe installed before any page script runs."""
    context = browser.new_context(viewport={"width": width, "height": height})
    context.set_default_timeout(timeout_ms)
    context.add_init_script(PROBE_JS)
    return context.new_page()


def idle_count(page) -> int:
    """Runs finished so far; pass it as `since` to wait_for_app_idle after an action."""
    return page.evaluate("window.__convlab.idle")


def wait_for_app_idle(page, since: int = -1, timeout_ms: int = 30_000) -> None:
    """Wait until a run finished after `since` (see idle_count; -1: any run, as after goto)
    and the app is idle again. Raises AssertionError with the page's state on timeout."""
    try:
        page.wait_for_function(_IDLE_JS, arg=[since, list(IDLE_STATES)], polling="raf",
                               timeout=timeout_ms)
    except PlaywrightTimeout as e:
        state = page.evaluate("""() => { const a = document.querySelector('[data-testid="stApp"]');
            return {probe: window.__convlab, script: a?.dataset.testScriptState,
                    connection: a?.dataset.testConnectionState}; }""")
        raise AssertionError(f"app not idle after {timeout_ms} ms (since={since}): {state}") from e


@contextmanager
def expect_rerun(page, timeout_ms: int = 30_000):
    """`with expect_rerun(page): slider.press("ArrowRight")` returns once that rerun settled."""
    since = idle_count(page)
    yield
    wait_for_app_idle(page, since, timeout_ms)


def open_page(page, base_url: str, path_and_query: str = "/", timeout_ms: int = 60_000):
    """Navigate, wait for the first run to settle, and return the page."""
    page.goto(base_url.rstrip("/") + "/" + path_and_query.lstrip("/"))
    wait_for_app_idle(page, timeout_ms=timeout_ms)
    return page


def slider(page, label: str):
    """The thumb of st.slider `label` (its accessible name is "label label" in 1.67)."""
    quoted = label.replace("\\", "\\\\").replace('"', '\\"')
    return page.locator(f'[data-testid="stSlider"] input[type="range"][aria-label="{quoted}"]')


def exceptions(page) -> list[str]:
    """Uncaught exceptions shown on the page, in full or redacted form, or a compile error."""
    found = page.locator('[data-testid="stException"]').all_inner_texts()
    if not found and page.get_by_text(REDACTED_ERROR).count():
        found.append(REDACTED_ERROR)
    app = page.locator(APP)
    if app.get_attribute("data-test-script-state") == "compilationError":
        found.append("script compilation error (details in the server log)")
    if app.get_attribute("data-test-connection-state") != "CONNECTED":
        found.append("not connected to the server")
    return found


def assert_no_exception(page) -> None:
    found = exceptions(page)
    assert not found, f"{page.url} shows {len(found)} error(s):\n" + "\n---\n".join(found)


def horizontal_overflow(page) -> int:
    """How many pixels the app is wider than its window (0: nothing sticks out sideways).

    Measured on the scrolling main area (`stMain`), the main block and the document.
    """
    return page.evaluate("""() => {
      const widths = [['[data-testid="stMain"]'], ['[data-testid="stMainBlockContainer"]']]
        .map(([s]) => document.querySelector(s)).filter(Boolean)
        .map((e) => e.scrollWidth - e.clientWidth);
      widths.push(document.documentElement.scrollWidth - window.innerWidth);
      return Math.max(...widths);
    }""")


def aria_label(page, selector: str) -> str:
    """The accessible name of the first element matching `selector` ("" when there is none)."""
    found = page.locator(selector)
    return (found.first.get_attribute("aria-label") or "") if found.count() else ""
