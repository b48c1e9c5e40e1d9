"""Page helpers: wait on Streamlit's own script state, never on a clock.

Streamlit 1.67 marks its root element `[data-testid="stApp"]` with
`data-test-script-state` ("initial" before the first run, then "running", "rerunRequested",
"stopRequested", "notRunning" or "compilationError") and `data-test-connection-state`
("CONNECTED", ...). React may batch a short run's "running" away, so the attribute alone cannot
tell that a rerun happened. PROBE_JS therefore also reads the ForwardMsgs on the websocket: each
`session_status_changed` with script_is_running false closes a run (`window.__convlab.idle`).
Idle = that count has passed the mark taken before the action, no run is going on, every rerun the
browser asked for (BackMsg rerun_script, e.g. a component reporting its state after a run) has
started since, the attribute says notRunning, two animation frames passed since the last message
(React has committed; the probe asks for them after each message, so an idle page runs no frame loop), no
`stSkeleton` is left (Suspense fallback of an element whose JS chunk is still loading), the lesson's viewport
reporter (pages/shell/viewport.py) says the server draws for this screen's width, and every lesson stepper
(pages/shell/stepper, in `.st-key-ctl_<key>`) has drawn a step that agrees with the last step the server sent
it (the probe reads `"key": ..., "start": n` from the component's data), unless the student stepped in the
browser after that data came. So a run after which a stepper still has to tell the server its step (the
stepper's fragment reruns) is waited for as one chain with it.
"""

from __future__ import annotations

from contextlib import contextmanager
from urllib.parse import parse_qsl, urlsplit

from playwright.sync_api import TimeoutError as PlaywrightTimeout

APP = '[data-testid="stApp"]'
IDLE_STATES = ("notRunning", "compilationError")
REDACTED_ERROR = "This app has encountered an error"  # what showErrorDetails="none" shows

PROBE_JS = r"""(() => {
  if (window.__convlab) return;
  const p = window.__convlab = {idle: 0, running: false, messages: 0, framed: 0,
                                idleAt: 0, mutationAt: 0, keyAt: 0, asked: 0, waiting: false,
                                starts: {}, stepAt: {}, finished: []};
  const decoder = new TextDecoder();
  const STEPPER_DATA = /"key": "(\w+)"[^{}]{0,400}?"start": (\d+)/g;  // pages/shell/stepper's data, as JSON
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
        const seq = ++p.messages;  // two frames after it, React has committed what it carried
        requestAnimationFrame(() => requestAnimationFrame(() => { p.framed = Math.max(p.framed, seq); }));
        for (const [, key, start] of decoder.decode(e.data).matchAll(STEPPER_DATA)) {
          p.starts[key] = {start, at: performance.now()};  // the step the server has for stepper `key`
        }
        // ForwardMsg field 9 = session_status_changed; SessionStatus field 2 = script_is_running;
        // field 4 = new_session, sent as every run starts (also one that replaces a running one, which
        // sends no status change): the run asked for (if any) started
        for (const [num, v] of fields(new Uint8Array(e.data))) {
          if (num === 4) p.waiting = false;
          if (num === 6) p.finished.push(v);  // script_finished: how the run ended (see finished_runs)
          if (num !== 9) continue;
          p.running = fields(v).some(([n, x]) => n === 2 && x === 1);
          if (p.running) p.waiting = false;
          else { p.idle++; p.idleAt = performance.now(); }
        }
      });
    }
    send(data) {  // BackMsg field 11 = rerun_script: a run will start after this
      const b = data instanceof ArrayBuffer ? new Uint8Array(data)
        : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : null;
      if (b && fields(b).some(([num]) => num === 11)) { p.asked++; p.waiting = true; }
      return super.send(data);
    }
  };
  new MutationObserver((records) => {
    p.mutationAt = performance.now();
    for (const r of records) if (r.attributeName === 'data-step') {  // a stepper drew a step
      const key = (r.target.closest('[class*="st-key-ctl_"]')?.className.match(/st-key-ctl_(\S+)/) || [])[1];
      if (key) p.stepAt[key] = p.mutationAt;
    }
  }).observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
  window.addEventListener('keydown', (e) => { p.keyAt = e.timeStamp; }, true);
})();"""

_IDLE_JS = r"""([since, states]) => {
  const p = window.__convlab, app = document.querySelector('[data-testid="stApp"]');
  return !!p && !!app && p.idle > since && !p.running && !p.waiting && p.framed === p.messages
    && states.includes(app.dataset.testScriptState)
    && app.dataset.testConnectionState === 'CONNECTED'
    && !document.querySelector('[data-testid="stSkeleton"]')  // lazy element chunk still loading
    && [...document.querySelectorAll('.st-key-lesson_viewport')]  // the server knows the screen's width
      .every((box) => box.querySelector('[data-cl-viewport="settled"]'))
    && [...document.querySelectorAll('[class*="st-key-ctl_"]')].every((box) => {  // the lesson steppers
      const root = box.querySelector('.cl-stepper[data-step]');
      if (!root) return false;  // its JS has not drawn a step yet
      const key = (box.className.match(/st-key-ctl_(\S+)/) || [])[1], sent = p.starts[key];
      return !sent || sent.at < (p.stepAt[key] || 0) || sent.start === root.dataset.step;
    });
}"""


def new_app_page(browser, width: int = 1280, height: int = 720, timeout_ms: int = 30_000, **options):
    """A page in a fresh context with the probe installed before any page script runs.

    options: more of Playwright's context options (e.g. is_mobile=True, has_touch=True for a phone)."""
    context = browser.new_context(viewport={"width": width, "height": height}, **options)
    context.set_default_timeout(timeout_ms)
    context.add_init_script(PROBE_JS)
    return context.new_page()


def idle_count(page) -> int:
    """Runs finished so far; pass it as `since` to wait_for_app_idle after an action."""
    return page.evaluate("window.__convlab.idle")


FRAGMENT_RUN = 3  # ForwardMsg.ScriptFinishedStatus FINISHED_FRAGMENT_RUN_SUCCESSFULLY (0: the whole page's run)


def finished_runs(page) -> list[int]:
    """How every run so far ended, in order (ScriptFinishedStatus: FRAGMENT_RUN for a run of one st.fragment)."""
    return page.evaluate("window.__convlab.finished")


def wait_for_app_idle(page, since: int = -1, timeout_ms: int = 30_000) -> None:
    """Wait until a run finished after `since` (see idle_count; -1: any run, as after goto)
    and the app is idle again. Raises AssertionError with the page's state on timeout."""
    try:
        page.wait_for_function(_IDLE_JS, arg=[since, list(IDLE_STATES)], polling="raf",
                               timeout=timeout_ms)
    except PlaywrightTimeout as e:
        state = page.evaluate("""() => { const a = document.querySelector('[data-testid="stApp"]');
            const steppers = [...document.querySelectorAll('[class*="st-key-ctl_"]')].map((box) =>
              [box.className.match(/st-key-ctl_(\\S+)/)?.[1], box.querySelector('.cl-stepper')?.dataset.step ?? null]);
            return {probe: window.__convlab, script: a?.dataset.testScriptState,
                    connection: a?.dataset.testConnectionState, steppers}; }""")
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


_CARRIED = ("demo", "hide")  # what the sidebar's lesson links carry over (pages/shell/demo_mode.link_params)


def open_lesson(page, base_url: str, path_and_query: str, walk: str, timeout_ms: int = 60_000):
    """Open a lesson as a student moves between lessons, for a test that walks the lessons one by one (`walk`
    names it): the walk's first lesson is loaded as open_page does; the next ones through their sidebar links, a
    client-side switch in that same session (Streamlit's JavaScript is not loaded and compiled again: ~1.2 s of
    Chromium's CPU less a lesson). Another test's session is never reused: a page loaded since, or a
    different demo mode or hidden parts, loads afresh. Returns the page."""
    target = urlsplit(base_url.rstrip("/") + "/" + path_and_query.lstrip("/"))
    here = urlsplit(page.url)
    carried, wanted = {k: v for k, v in parse_qsl(here.query) if k in _CARRIED}, dict(parse_qsl(target.query))
    link = page.locator(f'[data-testid="stSidebar"] a[data-testid="stPageLink-NavLink"][href="{target.path.strip("/")}"]')
    same_walk = here.netloc == target.netloc and page.evaluate("(walk) => window.__convlab?.walk === walk", walk)
    if not same_walk or carried != wanted or link.count() != 1:
        open_page(page, base_url, path_and_query, timeout_ms)
        page.evaluate("(walk) => { window.__convlab.walk = walk; }", walk)  # gone with the next page load
        return page
    since = idle_count(page)
    link.evaluate("(a) => a.click()")  # also when the sidebar is collapsed (a phone, demo mode)
    wait_for_app_idle(page, since, timeout_ms)
    arrived = urlsplit(page.url)
    assert (arrived.path, dict(parse_qsl(arrived.query))) == (target.path, wanted), page.url
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


_OVERFLOW_JS = """() => {
  const widths = [['[data-testid="stMain"]'], ['[data-testid="stMainBlockContainer"]']]
    .map(([s]) => document.querySelector(s)).filter(Boolean)
    .map((e) => e.scrollWidth - e.clientWidth);
  widths.push(document.documentElement.scrollWidth - window.innerWidth);
  return Math.max(...widths);
}"""


def horizontal_overflow(page, settle_ms: int = 3_000) -> int:
    """How many pixels the app is wider than its window (0: nothing sticks out sideways).

    Measured on the scrolling main area (`stMain`), the main block and the document. Right after a window
    resize, Plotly redraws its figures at the new width a moment later: wait up to `settle_ms` for the app to
    fit, then measure.
    """
    try:
        page.wait_for_function(f"() => ({_OVERFLOW_JS})() <= 1", timeout=settle_ms)
    except PlaywrightTimeout:
        pass  # still too wide: the measure below says by how much
    return page.evaluate(_OVERFLOW_JS)


def aria_label(page, selector: str) -> str:
    """The accessible name of the first element matching `selector` ("" when there is none)."""
    found = page.locator(selector)
    return (found.first.get_attribute("aria-label") or "") if found.count() else ""


def address_query(page) -> dict[str, str]:
    """The query of the address bar as the browser holds it now (the stepper writes it without a rerun)."""
    return dict(parse_qsl(page.evaluate("window.location.search").lstrip("?")))

