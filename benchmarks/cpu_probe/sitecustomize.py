"""Server CPU per script run, recorded inside a `streamlit run` process (benchmarks/rerun_cpu_bench.py).

Put this folder on the server's PYTHONPATH and name a file in CONVLAB_CPU_LOG: every run of the script
thread appends one JSON line {"session", "page", "fragment", "event", "cpu_ms"}. cpu_ms is
`time.thread_time()` of the script thread from the start of the run (or the end of the run before it, when
one run replaces another inside ScriptRunner._run_script's loop) to the end of `_on_script_finished`
(Streamlit's cleanup and post-run garbage collection included). Production code is not changed: the
ScriptRunner's methods are wrapped here, only in a process started with CONVLAB_CPU_LOG.
"""

import os

_LOG = os.environ.get("CONVLAB_CPU_LOG")

if _LOG:
    import functools
    import json
    import threading
    import time

    from streamlit.runtime.scriptrunner import script_runner

    _runner = script_runner.ScriptRunner
    _start = threading.local()
    _lock = threading.Lock()

    def _page(ctx) -> str:
        info = ctx.pages_manager.get_pages().get(ctx.page_script_hash) or {}
        return str(info.get("url_pathname") or info.get("page_name") or "")

    _run_script, _finished = _runner._run_script, _runner._on_script_finished

    @functools.wraps(_run_script)
    def run_script(self, rerun_data):
        _start.cpu = time.thread_time()
        return _run_script(self, rerun_data)

    @functools.wraps(_finished)
    def on_script_finished(self, ctx, event, premature_stop, run_descriptor):
        try:
            return _finished(self, ctx, event, premature_stop, run_descriptor)
        finally:
            now = time.thread_time()
            line = {"session": ctx.session_id, "page": _page(ctx), "fragment": bool(ctx.fragment_ids_this_run),
                    "event": event.name, "cpu_ms": round((now - getattr(_start, "cpu", now)) * 1e3, 3)}
            with _lock, open(_LOG, "a") as log:
                log.write(json.dumps(line) + "\n")
            _start.cpu = time.thread_time()  # the next run in the same _run_script loop starts here

    _runner._run_script, _runner._on_script_finished = run_script, on_script_finished
