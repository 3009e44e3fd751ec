"""A throwaway PostgreSQL for the team store tests, and a fresh database per test."""

from __future__ import annotations

import itertools
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pg_server

_names = itertools.count()


@pytest.fixture(scope="session")
def pg():
    """The server for the whole session (skipped, with why, where PostgreSQL is not installed)."""
    reason = pg_server.unavailable_reason()
    if reason is not None:
        pytest.skip(f"no throwaway PostgreSQL: {reason}")
    server = pg_server.start()
    yield server
    server.destroy()


@pytest.fixture
def pg_url(pg, monkeypatch, tmp_path):
    """A new empty database owned by ``nbtrack``; a shared blob directory for it."""
    name = f"t{next(_names)}"
    subprocess.run([shutil.which("psql") or "psql", "-h", "127.0.0.1", "-p", str(pg.port), "-U", "postgres",
                    "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-qc", f"CREATE DATABASE {name} OWNER nbtrack"],
                   check=True, stdout=subprocess.DEVNULL)
    monkeypatch.setenv("NBTRACK_TEAM_BLOBS", str(tmp_path / "team-blobs"))
    monkeypatch.setenv("NBTRACK_SHIP_INTERVAL", "0.2")
    monkeypatch.delenv("NBTRACK_STORE", raising=False)
    return f"postgresql://nbtrack@127.0.0.1:{pg.port}/{name}"


def pg_rows(url: str, sql: str) -> list[tuple]:
    """The rows of a query on the team store (a fresh connection)."""
    import adbc_driver_postgresql.dbapi as dbapi

    with dbapi.connect(url) as con, con.cursor() as cur:
        cur.execute(sql)
        return cur.fetchall()


@pytest.fixture(autouse=True)
def _forget_shippers():
    """A test's shipper to a server that is gone would warn again at interpreter exit,
    after pytest's summary: each test's shippers are forgotten when it ends."""
    yield
    from nbtrack.store.postgres import shipper

    with shipper._lock:
        shipper._shippers.clear()
