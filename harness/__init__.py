"""What the browser tests (tests/e2e) and the benchmarks (benchmarks/) share: a Streamlit server on a free
localhost port (server.py) and Debian's Chromium driven by Playwright with the script-state probe (browser.py)."""
