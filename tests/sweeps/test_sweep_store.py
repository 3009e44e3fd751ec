"""The sweep ledger in the store: schema migration, and agents in two processes sharing a sweep."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import nbtrack
from nbtrack.store import schema
from nbtrack.store.store import Store

ROOT = Path(__file__).resolve().parents[2]


def test_a_v2_store_gains_the_sweep_tables(tmp_path):
    import duckdb

    db = tmp_path / "runs.duckdb"
    con = duckdb.connect(str(db))
    schema.ensure_schema(con, schema.MIGRATIONS[:2])
    con.execute("INSERT INTO runs (id, project, name, state) VALUES ('old', 'p', 'old run', 'finished')")
    con.close()
    with Store(tmp_path).write() as con:
        assert schema.schema_version(con) == schema.SCHEMA_VERSION >= 3
        assert con.execute("SELECT id, sweep_id FROM runs").fetchall() == [("old", None)]
        assert con.execute("SELECT count(*) FROM sweeps").fetchall() == [(0,)]
    assert nbtrack.Api(dir=tmp_path).run("old").sweep_id is None


AGENT = """
import os, sys, time, pathlib, nbtrack
sweep_id, store = sys.argv[1], sys.argv[2]
ready = pathlib.Path(store) / "agents"
ready.mkdir(parents=True, exist_ok=True)
(ready / str(os.getpid())).touch()
deadline = time.monotonic() + 120
while len(list(ready.iterdir())) < 2 and time.monotonic() < deadline:  # both agents up before either runs
    time.sleep(0.05)
def train():
    nbtrack.init(dir=store)
    nbtrack.log({"score": nbtrack.config.a * 10 + nbtrack.config.b})
nbtrack.agent(sweep_id, train, dir=store)
"""


def test_two_processes_share_a_grid_sweep(tmp_path):
    store = tmp_path / "shared"
    sid = nbtrack.sweep({"method": "grid", "parameters": {"a": {"values": [0, 1, 2, 3]}, "b": {"values": [0, 1, 2]}}},
                        project="shared", dir=store)
    env = {"PYTHONPATH": str(ROOT), "NBTRACK_LIVE": "0", "PATH": "/usr/bin:/bin"}
    procs = [subprocess.Popen([sys.executable, "-c", textwrap.dedent(AGENT), sid, str(store)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    runs = nbtrack.Api(dir=store).sweep(sid).runs
    points = sorted((r.config["a"], r.config["b"]) for r in runs)
    assert points == [(a, b) for a in range(4) for b in range(3)]  # each grid point once, across both agents
    assert all(r.state == "finished" for r in runs)
    assert len({r._record["pid"] for r in runs}) == 2  # both agents took part
