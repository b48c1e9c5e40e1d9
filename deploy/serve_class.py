"""`make serve-class`: W ConvLab processes on 127.0.0.1 behind one nginx (deploy/nginx.conf.template).

    python deploy/serve_class.py [--workers W] [--port 8501] [--worker-port 8601] [--print-config]

Each worker is `streamlit run serve.py` with the production settings (README, "Production settings"):
address 127.0.0.1, its own port (worker-port, worker-port + 1, ...), server.allowedHosts and
server.corsAllowedOrigins from CONVLAB_PUBLIC_HOSTS (comma-separated host names; default
"127.0.0.1,localhost"), server.maxMessageSize 2 MB. All share one cookie secret, read from
STREAMLIT_SERVER_COOKIE_SECRET (drawn for this run if unset; never written to a file). nginx runs in the
foreground with its pid, logs and config in a temporary folder. Ctrl-C (or SIGTERM) stops everything.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "deploy" / "nginx.conf.template"
NGINX = os.environ.get("CONVLAB_NGINX", shutil.which("nginx") or "/usr/sbin/nginx")
MAX_MESSAGE_MB = 2  # ConvLab's largest message is ~0.3 MB; Streamlit's default is 200 MB


def public_hosts() -> list[str]:
    return [h.strip() for h in os.environ.get("CONVLAB_PUBLIC_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]


def nginx_config(run_dir: Path, listen: str, worker_ports: list[int], conn_per_addr: int = 250) -> str:
    """The template with its fields filled (the only place the config is written from)."""
    upstreams = "\n".join(f"        server 127.0.0.1:{p} max_fails=2 fail_timeout=10s;" for p in worker_ports)
    fields = {"RUN_DIR": str(run_dir), "LISTEN": listen, "UPSTREAMS": upstreams,
              "CONN_PER_ADDR": str(conn_per_addr)}
    text = TEMPLATE.read_text()
    for key, value in fields.items():
        text = text.replace("{{" + key + "}}", value)
    return text


def worker_command(port: int, public_port: int) -> list[str]:
    """`streamlit run serve.py` on 127.0.0.1:port with the production settings."""
    cmd = [sys.executable, "-m", "streamlit", "run", "serve.py", "--server.port", str(port),
           "--server.address", "127.0.0.1", "--server.headless", "true",
           "--server.maxMessageSize", str(MAX_MESSAGE_MB)]
    for host in public_hosts():
        cmd += ["--server.allowedHosts", host]
        for origin in (f"https://{host}", f"http://{host}:{public_port}"):
            cmd += ["--server.corsAllowedOrigins", origin]
    return cmd


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return r.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


class Cluster:
    """W workers + nginx; `url` is the public address. Used by main(), the cluster test and the load bench."""

    def __init__(self, port: int, worker_ports: list[int], listen_host: str = "127.0.0.1",
                 run_dir: Path | None = None, conn_per_addr: int = 250, env: dict[str, str] | None = None):
        """env: more variables for the workers (e.g. CONVLAB_DB_URL: the live-class store on PostgreSQL)."""
        self.run_dir = Path(run_dir or tempfile.mkdtemp(prefix="convlab-class-"))
        (self.run_dir / "tmp").mkdir(parents=True, exist_ok=True)
        self.run_dir.chmod(0o755)  # nginx's workers (user nobody when started as root) reach its tmp/
        self.port, self.url = port, f"http://127.0.0.1:{port}"
        self.worker_ports = list(worker_ports)
        self.procs: list[subprocess.Popen] = []
        env = {**os.environ, **(env or {})}
        env.setdefault("STREAMLIT_SERVER_COOKIE_SECRET", secrets.token_hex(32))
        conf = self.run_dir / "nginx.conf"
        conf.write_text(nginx_config(self.run_dir, f"{listen_host}:{port}", self.worker_ports, conn_per_addr))
        self._env = env
        try:
            for p in self.worker_ports:
                self.procs.append(self._start_worker(p))
            nginx_log = open(self.run_dir / "nginx.out", "wb")
            self.nginx = subprocess.Popen([NGINX, "-p", str(self.run_dir), "-c", str(conf), "-e",
                                           str(self.run_dir / "error.log"), "-g", "daemon off;"],
                                          stdout=nginx_log, stderr=subprocess.STDOUT)
            self.procs.append(self.nginx)
            self._wait_healthy()
        except BaseException:
            self.stop()
            raise

    def _start_worker(self, worker_port: int) -> subprocess.Popen:
        log = open(self.run_dir / f"worker-{worker_port}.log", "ab")
        return subprocess.Popen(worker_command(worker_port, self.port), cwd=ROOT, env=self._env, stdout=log,
                                stderr=subprocess.STDOUT)

    def restart_worker(self, index: int) -> None:
        """Stop worker `index` and start it again on its port (its sessions are lost; shared state is not)."""
        old = self.procs[index]
        old.terminate()
        try:
            old.wait(timeout=10)
        except subprocess.TimeoutExpired:
            old.kill()
            old.wait()
        self.procs[index] = self._start_worker(self.worker_ports[index])
        self._wait_healthy()

    @property
    def worker_pids(self) -> list[int]:
        return [p.pid for p in self.procs if p is not self.nginx]

    def _wait_healthy(self, timeout: float = 90.0) -> None:
        urls = [f"http://127.0.0.1:{p}/_stcore/health" for p in self.worker_ports] + [f"{self.url}/_stcore/health"]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            dead = [p for p in self.procs if p.poll() is not None]
            if dead:
                raise RuntimeError(f"{dead[0].args[0]} exited with {dead[0].returncode}; logs in {self.run_dir}")
            if all(_healthy(u) for u in urls):
                return
            time.sleep(0.5)
        raise TimeoutError(f"the cluster was not healthy after {timeout:.0f} s; logs in {self.run_dir}")

    def stop(self) -> None:
        for p in reversed(self.procs):  # nginx first: no new requests reach a stopping worker
            if p.poll() is None:
                p.terminate()
        for p in self.procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workers", type=int, default=int(os.environ.get("W") or os.cpu_count() or 1))
    ap.add_argument("--port", type=int, default=int(os.environ.get("CLASS_PORT") or 8501))
    ap.add_argument("--worker-port", type=int, default=8601)
    ap.add_argument("--listen-host", default="0.0.0.0", help="nginx's address (the workers stay on 127.0.0.1)")
    ap.add_argument("--print-config", action="store_true", help="print the nginx config and exit")
    args = ap.parse_args(argv)
    ports = [args.worker_port + i for i in range(args.workers)]
    if args.print_config:
        print(nginx_config(Path("/tmp/convlab-class"), f"{args.listen_host}:{args.port}", ports))
        return 0
    if not Path(NGINX).exists():
        print("error: nginx is not installed (make serve-class installs Debian's package)", file=sys.stderr)
        return 1
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stop() runs in the finally below
    signal.signal(signal.SIGINT, signal.default_int_handler)  # Ctrl-C, even when started in the background
    cluster = Cluster(args.port, ports, args.listen_host)
    try:
        print(f"ConvLab: {args.workers} processes behind nginx at http://{args.listen_host}:{args.port} "
              f"(logs: {cluster.run_dir}); Ctrl-C stops.", flush=True)
        while all(p.poll() is None for p in cluster.procs):
            time.sleep(1)
        print("error: a process stopped; stopping the others", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        cluster.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
