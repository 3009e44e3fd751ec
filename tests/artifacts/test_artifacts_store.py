"""Artifacts against the shared store: concurrent processes, storage trouble, migration."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import warnings
from pathlib import Path

import duckdb
import pytest
from artifact_helpers import write

import nbtrack
from nbtrack.store import schema
from nbtrack.store.errors import NbtrackStorageWarning
from nbtrack.store.store import Store

WORKER = Path(__file__).with_name("worker.py")


@pytest.mark.slow
def test_two_processes_log_the_same_name_concurrently(tmp_path):
    root = tmp_path / "shared-store"
    root.mkdir()
    n = 12
    procs = [subprocess.Popen([sys.executable, str(WORKER), str(root), tag, str(n)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for tag in ("a", "b")]
    deadline = time.monotonic() + 60
    while not all((root / f"ready-{t}").exists() for t in ("a", "b")) and time.monotonic() < deadline:
        time.sleep(0.01)
    (root / "GO").write_text("")
    results = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        assert "Traceback" not in err, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    all_versions = [v for r in results for v in r["versions"]]
    assert sorted(all_versions) == list(range(2 * n))  # distinct, no gaps
    for r in results:
        assert r["versions"] == sorted(r["versions"])  # each process's versions grow
    api = nbtrack.Api(dir=root)
    stored = api.artifact_versions("p/shared")
    assert [a.version_index for a in stored] == list(range(2 * n))
    by_version = {v: d for r in results for v, d in zip(r["versions"], r["digests"])}
    assert all(a.digest == by_version[a.version_index] for a in stored)
    assert api.artifact("p/shared:latest").version_index == 2 * n - 1
    counts = nbtrack.sql("SELECT count(*) AS n, count(DISTINCT digest) AS d FROM artifact_versions", dir=root).fetchall()
    assert counts == [(2 * n, 2 * n)]


def test_storage_trouble_does_not_raise_and_version_lands_after_recovery(tmp_path, failing_store):
    failing_store.broken = False
    run = nbtrack.init(project="p")
    run.log({"x": 1})
    assert run._writer.flush(10)
    failing_store.broken = True
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        art = nbtrack.Artifact("model", "model")
        art.add_file(str(write(tmp_path / "w.bin", b"weights")))
        # must not raise or block: both return while the store is still failing
        logged = run.log_artifact(art, aliases=["best"])
        run.log({"x": 2})
        with pytest.raises(TimeoutError):
            logged.wait(timeout=0.5)
        assert logged.version is None and run._writer.failing
        failing_store.broken = False
        assert logged.wait(timeout=20).version == "v0"
    msgs = [str(c.message) for c in caught if issubclass(c.category, NbtrackStorageWarning)]
    assert any("IOException" in m for m in msgs) and "recovered" in msgs[-1]
    run.finish()
    api = nbtrack.Api()
    assert sorted(api.artifact("model:best").aliases) == ["best", "latest"]
    assert [a.name for a in api.run(run.id).logged_artifacts()] == ["model:v0"]
    assert api.run(run.id).history()["x"].tolist() == [1, 2]


def test_store_unwritable_at_add_time_stages_the_content(tmp_path, monkeypatch):
    real_put = Store.put_blob_file

    def no_space(self, path):  # the store's disk is full; the private staging area is elsewhere
        if "nbtrack-artifact-" not in str(self.root):
            raise OSError(28, "No space left on device")
        return real_put(self, path)

    monkeypatch.setattr(Store, "put_blob_file", no_space)
    src = write(tmp_path / "w.bin", b"staged content")
    art = nbtrack.Artifact("staged", "model")
    art.add_file(str(src))
    src.write_bytes(b"changed after add")  # the staged copy keeps the add-time content
    monkeypatch.setattr(Store, "put_blob_file", real_put)
    run = nbtrack.init(project="p")
    run.log_artifact(art).wait(timeout=20)
    run.finish()
    got = nbtrack.Api().artifact("staged:v0")
    assert (Path(got.download()) / "w.bin").read_bytes() == b"staged content"


def test_schema_v1_store_is_migrated(tmp_path):
    store = Store(tmp_path / "old")
    store.root.mkdir(parents=True)
    con = duckdb.connect(str(store.db_path))  # a store as nbtrack with schema 1 left it
    schema.ensure_schema(con, schema.MIGRATIONS[:1])
    con.execute("INSERT INTO runs (id, project, name, state, created_at) VALUES ('old1', 'p', 'old', 'finished', 1.0)")
    con.close()
    with store.read() as con:
        assert schema.schema_version(con) == schema.SCHEMA_VERSION  # reading migrates it
        tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert {"artifacts", "artifact_versions", "artifact_files", "artifact_aliases", "lineage"} <= tables
    assert [r.id for r in nbtrack.Api(dir=store.root).runs()] == ["old1"]
    run = nbtrack.init(project="p", dir=store.root)
    art = nbtrack.Artifact("m", "model")
    art.add_file(str(write(tmp_path / "a.txt", b"a")))
    assert run.log_artifact(art).wait(timeout=20).version == "v0"
    run.finish()
    cols = nbtrack.sql("DESCRIBE artifact_versions", dir=store.root).df()["column_name"].tolist()
    assert cols == ["project", "name", "version", "digest", "description", "metadata", "size",
                    "file_count", "tags", "created_at", "created_by_run"]


def test_schema_v1_store_migrated_by_a_writer(tmp_path):
    store = Store(tmp_path / "old")
    store.root.mkdir(parents=True)
    con = duckdb.connect(str(store.db_path))
    schema.ensure_schema(con, schema.MIGRATIONS[:1])
    con.close()
    run = nbtrack.init(project="p", dir=store.root)
    art = nbtrack.Artifact("m", "model")
    art.add_file(str(write(tmp_path / "a.txt", b"a")))
    assert run.log_artifact(art).wait(timeout=20).version == "v0"
    run.finish()
    with store.read() as con:
        assert schema.schema_version(con) == schema.SCHEMA_VERSION >= 2
