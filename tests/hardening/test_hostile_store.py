"""A shared store's contents are untrusted: names, digests and blobs read from it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import nbtrack as wandb
from nbtrack.store import live_writers
from nbtrack.store.errors import UnsafeStoreEntry
from nbtrack.store.store import Store


def _store() -> Store:
    return Store(os.environ["NBTRACK_DIR"])


def _tamper(sql: str, params: list) -> None:
    live_writers.flush_all(timeout=30)
    with _store().write() as con:
        con.execute(sql, params)


def _run_with_file(tmp_path: Path) -> str:
    src = tmp_path / "notes.txt"
    src.write_text("hello")
    run = wandb.init(project="p")
    run.save(str(src), base_path=str(tmp_path), policy="now")
    run.finish()
    return run.id


def _artifact(tmp_path: Path) -> None:
    src = tmp_path / "w.bin"
    src.write_bytes(b"weights")
    run = wandb.init(project="p")
    art = wandb.Artifact("model", "model")
    art.add_file(str(src), name="w.bin")
    run.log_artifact(art).wait()
    run.finish()


@pytest.mark.parametrize("evil", ["../../escaped.txt", "/tmp/nbtrack-abs-escape.txt", "a/../../escaped.txt", ""])
def test_run_file_download_stays_under_root(tmp_path, evil):
    rid = _run_with_file(tmp_path)
    _tamper("UPDATE files SET path = ? WHERE run_id = ? AND path = 'notes.txt'", [evil, rid])
    root = tmp_path / "dl" / "inner"
    root.mkdir(parents=True)
    (f,) = [f for f in wandb.Api().run(rid).files() if f.name == evil]
    with pytest.raises(UnsafeStoreEntry, match="refusing the stored file"):
        f.download(root)
    assert not (tmp_path / "escaped.txt").exists() and not (tmp_path / "dl" / "escaped.txt").exists()
    assert not Path("/tmp/nbtrack-abs-escape.txt").exists()


def test_run_file_download_refuses_a_planted_link(tmp_path):
    rid = _run_with_file(tmp_path)
    _tamper("UPDATE files SET path = 'link/notes.txt' WHERE run_id = ? AND path = 'notes.txt'", [rid])
    root = tmp_path / "dl"
    root.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / "link").symlink_to(outside)
    with pytest.raises(UnsafeStoreEntry, match="leads outside"):
        wandb.Api().run(rid).file("link/notes.txt").download(root)
    assert not (outside / "notes.txt").exists()


def test_good_file_still_downloads(tmp_path):
    rid = _run_with_file(tmp_path)
    out = wandb.Api().run(rid).file("notes.txt").download(tmp_path / "dl")
    assert out.read_text() == "hello" and out.parent == tmp_path / "dl"


@pytest.mark.parametrize("digest", ["../secret.txt", "../../" + "a" * 58, "A" * 64, "zz"])
def test_bad_digest_never_reads_outside_blobs(tmp_path, digest):
    rid = _run_with_file(tmp_path)
    secret = Path(os.environ["NBTRACK_DIR"]) / "secret.txt"
    secret.write_text("secret")
    _tamper("UPDATE files SET sha256 = ? WHERE run_id = ? AND path = 'notes.txt'", [digest, rid])
    f = wandb.Api().run(rid).file("notes.txt")
    with pytest.raises(UnsafeStoreEntry, match="not a sha256"):
        f.read()
    with pytest.raises(UnsafeStoreEntry):
        f.download(tmp_path / "dl")
    assert not (tmp_path / "dl" / "notes.txt").exists()


def test_blob_link_out_of_the_store_and_changed_content_are_refused(tmp_path):
    rid = _run_with_file(tmp_path)
    f = wandb.Api().run(rid).file("notes.txt")
    blob = _store().blob_path(f.sha256)
    blob.write_text("tampered")
    with pytest.raises(UnsafeStoreEntry, match="does not match"):
        f.read()
    target = tmp_path / "target.txt"
    target.write_text("hello")
    blob.unlink()
    blob.symlink_to(target)
    with pytest.raises(UnsafeStoreEntry, match="link out of the store"):
        f.read()


@pytest.mark.parametrize("evil", ["../../escaped.bin", "/tmp/nbtrack-abs-escape.bin", "sub/../../../escaped.bin"])
def test_artifact_download_stays_under_root(tmp_path, evil):
    _artifact(tmp_path)
    _tamper("UPDATE artifact_files SET path = ?", [evil])
    art = wandb.Api().artifact("model:latest")
    root = tmp_path / "dl" / "inner"
    with pytest.raises(UnsafeStoreEntry, match=r"artifact file"):
        art.download(root)
    with pytest.raises(UnsafeStoreEntry):
        art.checkout(root)
    assert not (tmp_path / "escaped.bin").exists() and not (tmp_path / "dl" / "escaped.bin").exists()
    assert not Path("/tmp/nbtrack-abs-escape.bin").exists()


def test_artifact_bad_digest_and_changed_blob(tmp_path):
    _artifact(tmp_path)
    art = wandb.Api().artifact("model:latest")
    (entry,) = art.files()
    blob = _store().blob_path(entry.digest)
    blob.write_bytes(b"tampered")
    with pytest.raises(UnsafeStoreEntry, match="does not match"):
        art.download(tmp_path / "a")
    assert not (tmp_path / "a" / "w.bin").exists()
    _tamper("UPDATE artifact_files SET sha256 = '../secret.txt'", [])
    with pytest.raises(UnsafeStoreEntry, match="not a sha256"):
        wandb.Api().artifact("model:latest").download(tmp_path / "b")


def test_good_artifact_downloads(tmp_path):
    _artifact(tmp_path)
    root = wandb.Api().artifact("model:latest").download(tmp_path / "ok")
    assert (Path(root) / "w.bin").read_bytes() == b"weights"


def test_hand_edited_runs_rows_do_not_break_readers():
    """Rows no nbtrack writes (a negative pid on this host, JSON columns that are not
    objects, times that are NaN or past year 9999, a NaN ts in history) are read
    defensively: every reader answers, the good run is intact."""
    import socket

    from nbtrack.runs_table.widget import RunsTable

    good = wandb.init(project="p")
    good.log({"a": 1.0})
    good.finish()
    _tamper("INSERT INTO runs (id, project, state, created_at, host, pid, config, summary, last_step) "
            "VALUES ('h1', 'p', 'running', 1e300, ?, -1, '[1, 2]', '\"text\"', 9223372036854775807)",
            [socket.gethostname()])
    _tamper("INSERT INTO runs (id, project, name, state, created_at, config, summary) "
            "VALUES ('h2', 'p', 'x', 'odd', 'NaN'::DOUBLE, '3', 'null')", [])
    _tamper("INSERT INTO history VALUES ('h2', 0, 'NaN'::DOUBLE, 'a', 1, NULL, NULL), "
            "('h2', 1, 5.0, 'a', 2, NULL, NULL)", [])
    api = wandb.Api()
    assert {r.id for r in api.runs("p")} == {good.id, "h1", "h2"}
    h1 = api.run("h1")
    assert h1.state == "crashed" and h1.config == {} and h1.summary == {}
    assert api.run("h2").history()["a"].tolist() == [1.0, 2.0]
    assert set(wandb.runs("p")["id"]) == {good.id, "h1", "h2"}
    table = RunsTable(project="p")
    assert table.total == 3
    for rid in ("h1", "h2"):
        assert table.service.handle({"type": "detail", "id": rid})[0]["run"]["id"] == rid
    assert api.run(good.id).history()["a"].tolist() == [1.0]


def test_json_nested_deeper_than_python_decodes():
    run = wandb.init(project="p")
    run.log({"a": 1.0})
    run.finish()
    deep = "[" * 50_000 + "]" * 50_000
    _tamper("INSERT INTO history VALUES (?, 1, 2e9, 'deep', NULL, NULL, ?)", [run.id, deep])
    _tamper("UPDATE runs SET config = ? WHERE id = ?", ['{"x": ' + deep + "}", run.id])
    stored = wandb.Api().run(run.id)
    assert stored.config == {}
    h = stored.history()
    assert h["a"].tolist()[0] == 1.0 and h["deep"].tolist()[1] == deep
    from nbtrack.runs_table.widget import RunsTable

    table = RunsTable(project="p")
    assert table.total == 1 and table.service.handle({"type": "detail", "id": run.id})[0]["run"]["config"] == {}


def test_file_rows_with_nulls(tmp_path):
    rid = _run_with_file(tmp_path)
    _tamper("INSERT INTO files VALUES (?, NULL, NULL, NULL, NULL, NULL)", [rid])
    _tamper("INSERT INTO files VALUES (?, 'media/x.png', 'nothex', NULL, 'media', NULL)", [rid])
    files = wandb.Api().run(rid).files()
    assert "notes.txt" in [f.name for f in files]
    from nbtrack.runs_table.widget import RunsTable

    page = RunsTable(project="p").service.handle({"type": "detail", "id": rid})[0]["run"]
    assert "notes.txt" in [f["name"] for f in page["files"]] and page["images"] == []
    with pytest.raises(UnsafeStoreEntry):
        wandb.Api().run(rid).file("media/x.png").read()
