// ConvLab's stepper: Previous / slider / Next (and Left / Right) over a trace's steps, drawn in the browser.
// data: {key, label, n, start, override, run, id, shortcuts, lo, hi, base, patches} (engine/figures/step_patches.py,
// pages/shell/stepper/__init__.py), or views: "same" in place of the last four when this browser holds them.
// A step in lo..hi is drawn here with no rerun: the browser keeps it in the URL (?key=n) and tells the
// server only when the server next runs and sends an older step (state "step": a rerun of the stepper's
// fragment). A step outside lo..hi is asked of the server at once.
// The server moves the step itself (a preset, a demo step, a link) by sending a new `override`.
const TYPING = 'input, textarea, select, [contenteditable="true"], [role="slider"], [role="textbox"]';
const FIT_ZOOM = 2.5, FIT_SCREEN = 0.45;  // fitted grids: at most 2.5x, and at most this share of the window's height

function setParam(name, value) {  // ?name=value in the address bar (removed for null), other parameters kept
  const parts = window.location.search.slice(1).split('&').filter(Boolean);
  const at = parts.findIndex((p) => decodeURIComponent(p.split('=')[0]) === name);
  if (value === null) { if (at >= 0) parts.splice(at, 1); } else if (at >= 0) parts[at] = `${name}=${value}`;
  else parts.push(`${name}=${value}`);
  const query = parts.length ? `?${parts.join('&')}` : '';
  if (query !== window.location.search) {
    window.history.replaceState(window.history.state, '', window.location.pathname + query + window.location.hash);
  }
}

export default function ({ parentElement, data: sent, setStateValue }) {
  const root = parentElement.querySelector('.cl-stepper');
  const s = root.clState || (root.clState = { step: -1, known: -1, override: null, id: null, tokens: null, at: -1,
                                              views: null, missing: 0 });
  if (sent.views === 'same' && (s.views === null || s.views.id !== sent.id)) {  // views lost: ask again
    setStateValue('missing', ++s.missing);
    return undefined;
  }
  if (sent.views !== 'same') s.views = { id: sent.id, lo: sent.lo, hi: sent.hi, base: sent.base, patches: sent.patches };
  const data = { ...sent, ...s.views };
  const range = root.querySelector('.cl-stepper-range');
  const prev = root.querySelector('.cl-stepper-prev'), next = root.querySelector('.cl-stepper-next');
  const value = root.querySelector('.cl-stepper-value'), view = root.querySelector('.cl-stepper-view');
  const name = root.querySelector('.cl-stepper-name');
  if (range.getAttribute('aria-label') !== data.label) {  // written only when changed: a rerun leaves the DOM alone
    name.textContent = data.label;
    range.setAttribute('aria-label', data.label);
  }
  if (range.max !== String(data.n - 1)) range.max = String(data.n - 1);
  if ((root.dataset.shortcuts === 'on') !== data.shortcuts) {
    if (data.shortcuts) root.dataset.shortcuts = 'on'; else delete root.dataset.shortcuts;
    prev.toggleAttribute('aria-keyshortcuts', data.shortcuts);
    next.toggleAttribute('aria-keyshortcuts', data.shortcuts);
    if (data.shortcuts) { prev.setAttribute('aria-keyshortcuts', 'ArrowLeft'); next.setAttribute('aria-keyshortcuts', 'ArrowRight'); }
  }
  const local = (n) => data.lo <= n && n <= data.hi;

  const draw = (n) => {  // view n from the base and the patches up to n
    if (s.tokens === null || s.at > n) { s.tokens = data.base.slice(); s.at = data.lo; }
    for (; s.at < n; s.at++) {
      const p = data.patches[s.at - data.lo];
      s.tokens.length = p.n;
      for (const [i, t] of p.set) s.tokens[i] = t;
    }
    view.innerHTML = s.tokens.join('');
  };

  const fit = () => {  // demo mode (its CSS sets --cl-fit: 1): the step's grids scaled up to the stepper's width
    const panels = view.querySelector('.cl-step');
    view.style.zoom = '';
    view.classList.add('cl-fit');  // panels in one row, to measure their width
    const on = getComputedStyle(root).getPropertyValue('--cl-fit').trim() === '1';
    const grids = panels && panels.getBoundingClientRect().bottom - view.getBoundingClientRect().top;  // notes below: not counted
    const zoom = on && panels && root.clientWidth
      ? Math.min(FIT_ZOOM, root.clientWidth / panels.scrollWidth, FIT_SCREEN * window.innerHeight / grids) : 1;
    view.classList.toggle('cl-fit', zoom > 1);
    if (zoom > 1) view.style.zoom = String(Math.floor(zoom * 100) / 100);
  };

  const report = (n) => { if (n !== s.known) { s.known = n; setStateValue('step', { n, run: data.run }); } };

  const go = (n, redraw) => {
    n = Math.min(Math.max(n, 0), data.n - 1);
    if (n === s.step && !redraw) return;
    s.step = n;
    range.value = String(n);
    range.setAttribute('aria-valuetext', `${n + 1} of ${data.n}`);
    value.textContent = `${n + 1} / ${data.n}`;
    prev.disabled = n === 0;
    next.disabled = n === data.n - 1;
    root.dataset.step = String(n);
    setParam(data.key, n === 0 ? null : String(n));
    if (local(n)) draw(n);
    if (!local(n) || data.eager) report(n);  // outside the packed window: the server sends the views around it
  };

  s.known = data.start;  // what the server thinks, as of this run
  if (data.override !== s.override || data.id !== s.id) {  // a step chosen on the server, or new views
    const start = data.override !== s.override || s.step < 0 ? data.start : s.step;
    s.override = data.override;
    s.id = data.id;
    s.tokens = null;
    if (!local(start)) view.innerHTML = '';
    go(start, true);
  }
  fit();  // on every run (demo mode may have changed), not on steps taken here: the size stays put while stepping
  report(s.step);  // the server ran with an older step (steps taken here since): bring it up to date
  range.oninput = () => go(Number(range.value));
  prev.onclick = () => go(s.step - 1);
  next.onclick = () => go(s.step + 1);

  if (s.onResize) window.removeEventListener('resize', s.onResize);
  s.onResize = fit;
  window.addEventListener('resize', fit);
  if (s.onKey) document.removeEventListener('keydown', s.onKey);
  s.onKey = null;
  if (data.shortcuts) {
    s.onKey = (e) => {
      if (e.altKey || e.ctrlKey || e.metaKey || e.shiftKey || e.defaultPrevented) return;
      if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
      if (e.target instanceof Element && e.target.closest(TYPING)) return;
      e.preventDefault();
      go(s.step + (e.key === 'ArrowRight' ? 1 : -1));
    };
    document.addEventListener('keydown', s.onKey);
  }
  return () => {
    if (s.onKey) document.removeEventListener('keydown', s.onKey);
    window.removeEventListener('resize', s.onResize);
    s.onKey = s.onResize = null;
  };
}
