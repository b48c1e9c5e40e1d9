"""A throwaway PostgreSQL server from Debian's packages (`make test` installs them), for the store's tests.

initdb into a temporary folder, listen on a free localhost port, trust local connections; stop() removes it.
As root, the server runs as the `postgres` user (PostgreSQL refuses to run as root).
"""
from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile

from harness.server import free_port


def _bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


def available() -> bool:
    return _bin("initdb") is not None and _bin("pg_ctl") is not None


class Postgres:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="convlab-pg-")
        self.port = free_port()
        self._as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self._as:
            shutil.chown(self.dir, "postgres")
        data = os.path.join(self.dir, "data")
        self._run(_bin("initdb"), "-D", data, "-U", "convlab", "--auth=trust", "-E", "UTF8", "--no-sync")
        self._run(_bin("pg_ctl"), "-D", data, "-l", os.path.join(self.dir, "log"), "-w", "-t", "60", "-o",
                  f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off", "start")
        self._data = data
        self.url = f"postgresql+psycopg://convlab@127.0.0.1:{self.port}/postgres"

    def _run(self, *args):
        subprocess.run([*self._as, *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def stop(self):
        subprocess.run([*self._as, _bin("pg_ctl"), "-D", self._data, "-m", "immediate", "stop"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(self.dir, ignore_errors=True)
