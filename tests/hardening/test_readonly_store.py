"""A store the user can read but not write: another user's store, a lock file made by
someone else, no lock file and no right to make one. Checked for real: a forked child
drops to the unprivileged user `nobody` and reads a store root made."""

from __future__ import annotations

import json
import os
import pwd
import shutil
import stat
import tempfile
import warnings
from pathlib import Path

import pytest

import nbtrack as wandb
from nbtrack.store import live_writers

pytestmark = pytest.mark.skipif(os.geteuid() != 0 or not hasattr(os, "fork"),
                                reason="needs root to drop to another user")


def _make_store(root: Path, with_lock_file: bool) -> str:
    run = wandb.init(project="p", dir=str(root), config={"lr": 0.1})
    for i in range(3):
        run.log({"loss": 1.0 / (i + 1), "phase": "train"})
    run.finish()
    live_writers.flush_all(timeout=30)
    wandb.Api(dir=root).run(run.id).history()  # warm every import before the child drops privileges
    lock = root / "nbtrack.lock"
    if not with_lock_file:
        lock.unlink()
    else:
        os.chmod(lock, 0o644)  # made by someone else with umask 022
    for path in [root, *root.rglob("*")]:
        mode = 0o755 if path.is_dir() else 0o644
        os.chmod(path, mode)
    return run.id


def _make_old_store(root: Path) -> str:
    """A store of schema v1 (no artifact tables), as an older nbtrack left it."""
    import duckdb

    from nbtrack.store import schema
    from nbtrack.store.runsql import upsert_run

    root.mkdir()
    con = duckdb.connect(str(root / "runs.duckdb"))
    schema.ensure_schema(con, schema.MIGRATIONS[:1])
    upsert_run(con, "old1", {"project": "p", "name": "old", "state": "finished", "created_at": 1e9})
    for i, loss in enumerate([1.0, 0.5, 1.0 / 3]):
        con.execute("INSERT INTO history VALUES ('old1', ?, ?, 'loss', ?, NULL, NULL)", [i, 1e9 + i, loss])
    con.close()
    for path in [root, *root.rglob("*")]:
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    return "old1"


def _read_as_nobody(root: Path, run_id: str) -> dict:
    """Fork; the child becomes `nobody`, reads, and reports through a pipe."""
    nobody = pwd.getpwnam("nobody")
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(r)
        out: dict = {}
        try:
            os.setgid(nobody.pw_gid)
            os.setuid(nobody.pw_uid)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                api = wandb.Api(dir=root)
                h = api.run(run_id).history()
                h2 = api.run(run_id).history()
                out["losses"] = h["loss"].tolist()
                out["again"] = len(h2)
                out["runs"] = len(wandb.runs("p", dir=root))
                out["warnings"] = [str(c.message) for c in caught]
            out["lock_writable"] = os.access(root / "nbtrack.lock", os.W_OK)
        except BaseException as exc:  # reported to the parent
            out["error"] = f"{type(exc).__name__}: {exc}"
        os.write(w, json.dumps(out).encode())
        os.close(w)
        os._exit(0)
    os.close(w)
    data = b""
    while chunk := os.read(r, 65536):
        data += chunk
    os.close(r)
    os.waitpid(pid, 0)
    return json.loads(data)


@pytest.fixture
def open_dir():
    """A directory every user can walk into (pytest's own temp root is private to root)."""
    path = Path(tempfile.mkdtemp(prefix="nbtrack-readonly-"))
    os.chmod(path, 0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_lock_file_made_by_someone_else_is_locked_read_only(open_dir):
    root = open_dir / "theirs"
    rid = _make_store(root, with_lock_file=True)
    got = _read_as_nobody(root, rid)
    assert "error" not in got, got
    assert got["losses"] == [1.0, 0.5, 1.0 / 3] and got["again"] == 3 and got["runs"] == 1
    assert got["lock_writable"] is False
    assert not [w for w in got["warnings"] if "lock" in w]  # locked (read-only): nothing to say


def test_no_lock_file_and_none_can_be_made_reads_without_it_and_says_so_once(open_dir):
    root = open_dir / "theirs"
    rid = _make_store(root, with_lock_file=False)
    got = _read_as_nobody(root, rid)
    assert "error" not in got, got
    assert got["losses"] == [1.0, 0.5, 1.0 / 3] and got["runs"] == 1
    said = [w for w in got["warnings"] if "lock file" in w]
    assert len(said) == 1 and "reading without the lock" in said[0]
    assert not (root / "nbtrack.lock").exists()
    assert stat.S_IMODE(os.stat(root).st_mode) == 0o755


def test_an_older_schema_that_cannot_be_migrated_is_read_as_it_is(open_dir):
    root = open_dir / "old"
    rid = _make_old_store(root)
    got = _read_as_nobody(root, rid)
    assert "error" not in got, got
    assert got["losses"] == [1.0, 0.5, 1.0 / 3] and got["runs"] == 1
    assert len([w for w in got["warnings"] if "current schema" in w]) == 1
