"""A throwaway PostgreSQL server for tests and benchmarks (Debian's ``postgresql`` package).

``start()`` runs ``initdb`` and ``pg_ctl start`` on a temporary data directory, listening
on 127.0.0.1 only with its socket in that directory, with a passwordless (trust) role
``nbtrack`` that owns a database ``nbtrack``; ``stop()`` / ``restart()`` drive ``pg_ctl``.
As root the server runs as the ``postgres`` user (``runuser``), which PostgreSQL requires.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass


def find_bin(name: str) -> str | None:
    """The path of a PostgreSQL server program (``initdb``, ``pg_ctl``), or None."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def unavailable_reason() -> str | None:
    """Why no throwaway server can start here (None if it can)."""
    for name in ("initdb", "pg_ctl"):
        if find_bin(name) is None:
            return (f"PostgreSQL's {name} is not installed (Debian: apt-get install -y postgresql; "
                    "scripts/test.sh installs it)")
    try:
        import adbc_driver_postgresql  # noqa: F401
    except ImportError:
        return "adbc-driver-postgresql is not installed (pip install 'nbtrack[postgres]')"
    if os.geteuid() == 0:
        try:
            import pwd

            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root without a 'postgres' user to run the server as"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class PgServer:
    """A running throwaway server."""

    root: str
    port: int

    @property
    def data_dir(self) -> str:
        return os.path.join(self.root, "data")

    @property
    def url(self) -> str:
        """A libpq URL for the ``nbtrack`` role and database (loopback)."""
        return f"postgresql://nbtrack@127.0.0.1:{self.port}/nbtrack"

    def _run(self, *args: str) -> None:
        cmd = list(args)
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def start(self) -> None:
        """Start (or start again after ``stop``) and wait until it accepts connections."""
        opts = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} -c fsync=off"
        self._run(find_bin("pg_ctl") or "pg_ctl", "-D", self.data_dir, "-o", opts, "-w", "-t", "60",
                  "-l", os.path.join(self.root, "log.txt"), "start")

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (``immediate`` is an abrupt shutdown)."""
        self._run(find_bin("pg_ctl") or "pg_ctl", "-D", self.data_dir, "-m", mode, "-w", "stop")

    def destroy(self) -> None:
        """Stop the server if it runs and remove its directory."""
        try:
            self.stop("immediate")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.root, ignore_errors=True)


def start() -> PgServer:
    """A new server on a free loopback port, with role and database ``nbtrack``."""
    root = tempfile.mkdtemp(prefix="nbtrack-pg-")
    os.chmod(root, 0o777)
    server = PgServer(root, _free_port())
    server._run(find_bin("initdb") or "initdb", "-D", server.data_dir, "-U", "postgres", "-A", "trust",
                "--no-sync", "-E", "UTF8")
    server.start()
    psql = shutil.which("psql") or "psql"
    for sql in ("CREATE ROLE nbtrack LOGIN", "CREATE DATABASE nbtrack OWNER nbtrack"):
        subprocess.run([psql, "-h", "127.0.0.1", "-p", str(server.port), "-U", "postgres", "-d", "postgres",
                        "-v", "ON_ERROR_STOP=1", "-qc", sql], check=True, stdout=subprocess.DEVNULL)
    return server
