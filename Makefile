# ConvLab: `make run` serves the app, `make serve-class` serves a class (nginx + one process per core),
# `make test` runs every test, `make bench` prints benchmarks.
# Set-up is incremental: pip runs again only when a requirements file changes (stamp files).

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
CHROMIUM := /usr/bin/chromium
NGINX := /usr/sbin/nginx
PG_CTL := $(firstword $(wildcard /usr/lib/postgresql/*/bin/pg_ctl) /usr/lib/postgresql/15/bin/pg_ctl)
PORT ?= 8501
CLASS_PORT ?= 8501
W ?=
PYTEST_ARGS ?= -n 2 --dist loadgroup --durations=15
BENCH_ARGS ?=

.PHONY: venv test-venv chromium nginx postgres run serve-class test bench no-sleep clean

venv: $(VENV)/.stamp-runtime
test-venv: $(VENV)/.stamp-test
chromium: $(CHROMIUM)
nginx: $(NGINX)
postgres: $(PG_CTL)

$(PY):
	$(PYTHON) -m venv $(VENV)

$(VENV)/.stamp-runtime: requirements.txt | $(PY)
	$(PY) -m pip install --progress-bar off -r requirements.txt
	touch $@

$(VENV)/.stamp-test: requirements-test.txt $(VENV)/.stamp-runtime
	$(PY) -m pip install --progress-bar off -r requirements-test.txt
	touch $@

# apt-get install $(1) (Debian's packages), as root or through sudo.
define apt_install
@if [ "$$(id -u)" -eq 0 ]; then sudo=; \
elif command -v sudo >/dev/null; then sudo=sudo; \
else echo "error: installing $(1) needs root or sudo" >&2; exit 1; fi; \
set -x; $$sudo apt-get update && \
$$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(1)
endef

# Debian's Chromium drives the browser tests; Playwright never downloads a browser here.
$(CHROMIUM):
	$(call apt_install,chromium fonts-liberation fonts-dejavu-core)

# Debian's nginx fronts `make serve-class`; the launcher runs its own nginx (the system service is not used).
$(NGINX):
	$(call apt_install,nginx)

# Debian's PostgreSQL: the live-class store's tests start a throwaway server of their own (harness/postgres.py).
$(PG_CTL):
	$(call apt_install,postgresql)

run: venv
	$(VENV)/bin/streamlit run serve.py --server.port $(PORT)

# A class: W processes (default: one per core) behind nginx on CLASS_PORT (README, "Teaching a class").
serve-class: venv nginx
	W=$(W) CLASS_PORT=$(CLASS_PORT) $(PY) deploy/serve_class.py

# No test sleeps for a fixed time: it waits on the page's own state (harness/browser.py).
no-sleep:
	@if grep -rn --include='*.py' 'time\.sleep(' tests/; then \
		echo "error: time.sleep in tests/ (wait on the app's script state instead)" >&2; exit 1; fi

test: test-venv chromium nginx postgres no-sleep
	$(PY) -m pytest $(PYTEST_ARGS)

bench: test-venv chromium nginx
	$(PY) -m benchmarks $(BENCH_ARGS)

clean:
	rm -rf .pytest_cache .hypothesis
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +
