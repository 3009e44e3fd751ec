"""Artifacts: versions, aliases, files, download, names, lineage, projects."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import pytest
from artifact_helpers import write

import nbtrack


def _model(tmp: Path, content: bytes, name: str = "model", type: str = "model", **kw) -> nbtrack.Artifact:
    art = nbtrack.Artifact(name, type, **kw)
    art.add_file(str(write(tmp / f"src-{os.urandom(4).hex()}" / "weights.bin", content)), name="weights.bin")
    return art


def test_versions_and_unchanged_content_reuses_version(tmp_path):
    run = nbtrack.init(project="p")
    a0 = run.log_artifact(_model(tmp_path, b"one"))
    assert a0.version is None or a0.version == "v0"  # known after wait()
    assert a0.wait().version == "v0" and a0.name == "model:v0" and a0.qualified_name == "p/model:v0"
    a1 = run.log_artifact(_model(tmp_path, b"two")).wait()
    assert a1.version == "v1"
    again = run.log_artifact(_model(tmp_path, b"one"), aliases=["best"]).wait()
    assert again.version == "v0" and again.digest == a0.digest  # no new version
    run.finish()
    api = nbtrack.Api()
    versions = api.artifact_versions("model")
    assert [v.version for v in versions] == ["v0", "v1"]
    assert api.artifacts("model", "model")[1].version == "v1"
    # only the aliases moved: latest and best now name v0 (the version logged last)
    assert sorted(api.artifact("model:v0").aliases) == ["best", "latest"]
    assert api.artifact("model:v1").aliases == []
    assert api.artifact("model").version == "v0"
    rows = nbtrack.sql("SELECT count(*) AS n FROM artifact_versions").fetchall()
    assert rows == [(2,)]


def test_aliases_move(tmp_path):
    run = nbtrack.init(project="p")
    run.log_artifact(_model(tmp_path, b"a"), aliases=["best", "epoch_0"]).wait()
    run.log_artifact(_model(tmp_path, b"b"), aliases=["epoch_1"]).wait()
    api = nbtrack.Api()
    assert api.artifact("model:latest").version == "v1"
    assert api.artifact("model:best").version == "v0"
    run.log_artifact(_model(tmp_path, b"c"), aliases=["best"]).wait()
    assert api.artifact("model:latest").version == "v2"
    assert api.artifact("model:best").version == "v2"
    assert api.artifact("model:epoch_0").version == "v0"
    assert sorted(api.artifact("model:v0").aliases) == ["epoch_0"]
    assert sorted(api.artifact("model:v2").aliases) == ["best", "latest"]
    n = nbtrack.sql("SELECT alias, count(*) AS n FROM artifact_aliases GROUP BY alias HAVING n > 1").fetchall()
    assert n == []  # one version per alias
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        art = run.log_artifact(_model(tmp_path, b"d"), aliases=["v7"]).wait()
    assert art.version == "v3" and "v7" not in art.aliases
    assert any("looks like a version" in str(c.message) for c in caught)
    with pytest.raises(ValueError, match="alias"):
        run.log_artifact(_model(tmp_path, b"e"), aliases=["a/b"])


def test_add_dir_nested_and_download_round_trip(tmp_path, _cwd):
    src = tmp_path / "data"
    files = {
        "train.csv": os.urandom(5000),
        "nested/deeper/x.npy": os.urandom(70_000),
        "nested/y.txt": "héllo\n".encode(),
        "empty.bin": b"",
    }
    for rel, data in files.items():
        write(src / rel, data)
    art = nbtrack.Artifact("ds", "dataset", description="toy", metadata={"rows": 3})
    art.add_dir(str(src), name="split")
    with art.new_file("README.md") as fh:
        fh.write("# ds\n")
    expected = {f"split/{k}" for k in files} | {"README.md"}
    assert set(art.manifest.entries) == expected
    assert art.get_entry("split/nested/y.txt").size == len(files["nested/y.txt"])
    # content is taken at add time
    (src / "train.csv").write_bytes(b"changed later")
    run = nbtrack.init(project="p")
    run.log_artifact(art).wait()
    run.finish()
    got = nbtrack.Api().artifact("ds:v0", type="dataset")
    assert got.description == "toy" and got.metadata == {"rows": 3} and got.type == "dataset"
    assert got.file_count == 5 and got.size == sum(len(v) for v in files.values()) + 5
    assert [f.path for f in got.files()] == sorted(expected)
    root = Path(got.download())
    assert root == Path("artifacts") / "ds:v0"
    for rel, data in files.items():
        assert (_cwd / root / "split" / rel).read_bytes() == data
    assert (root / "README.md").read_text() == "# ds\n"
    got.verify(root)
    other = Path(got.download(tmp_path / "elsewhere"))
    assert (other / "split/nested/deeper/x.npy").read_bytes() == files["nested/deeper/x.npy"]
    (other / "split/nested/y.txt").write_bytes(b"tampered")
    got.download(other)  # repaired
    assert (other / "split/nested/y.txt").read_bytes() == files["nested/y.txt"]
    with pytest.raises(ValueError):
        got.add_file(str(src / "train.csv"))  # a logged version is frozen


def test_name_validation_and_unsupported():
    for bad in ["", "has space", "a/b", "a:b", "ü", "x" * 129, None]:
        with pytest.raises(ValueError, match="artifact name"):
            nbtrack.Artifact(bad, "model")
    with pytest.raises(ValueError, match="artifact type"):
        nbtrack.Artifact("ok", "bad type")
    art = nbtrack.Artifact("ok-name_1.2", "model")
    with pytest.raises(NotImplementedError, match="add_file"):
        art.add_reference("s3://bucket/key")
    with pytest.raises(ValueError, match="relative path"):
        with art.new_file("../escape.txt"):
            pass
    with pytest.raises(ValueError, match="not a file"):
        art.add_file("missing.txt")
    with pytest.raises(ValueError, match="not logged"):
        art.wait()


def test_same_file_name_twice(tmp_path):
    art = nbtrack.Artifact("m", "model")
    art.add_file(str(write(tmp_path / "a" / "w.bin", b"1")))
    art.add_file(str(write(tmp_path / "b" / "w.bin", b"1")))  # same content: fine
    with pytest.raises(ValueError, match="overwrite=True"):
        art.add_file(str(write(tmp_path / "c" / "w.bin", b"2")))
    art.add_file(str(tmp_path / "c" / "w.bin"), overwrite=True)
    assert art.get_entry("w.bin").size == 1 and len(art.files()) == 1
    tmp_entry = art.add_file(str(tmp_path / "a" / "w.bin"), name="x/tmp.bin", is_tmp=True)
    assert tmp_entry.path.startswith("x/") and tmp_entry.path.endswith(".bin") and tmp_entry.path != "x/tmp.bin"


def test_lineage_both_directions(tmp_path):
    producer = nbtrack.init(project="p", name="producer")
    made = producer.log_artifact(_model(tmp_path, b"w0", name="net")).wait()
    producer.log_artifact(_model(tmp_path, b"w1", name="net"), aliases=["prod"]).wait()
    producer.finish()
    consumer = nbtrack.init(project="p", name="consumer")
    used = consumer.use_artifact("net:v0", type="model")
    assert used.version == "v0" and used.digest == made.digest
    also = nbtrack.use_artifact("p/net:prod")
    assert also.version == "v1"
    assert Path(used.download()).joinpath("weights.bin").read_bytes() == b"w0"
    with pytest.raises(ValueError, match="no version"):
        consumer.use_artifact("net:nope")
    with pytest.raises(ValueError, match="no artifact named"):
        consumer.use_artifact("missing:latest")
    with pytest.raises(ValueError, match="type"):
        consumer.use_artifact("net:latest", type="dataset")
    consumer.finish()
    api = nbtrack.Api()
    p_run = api.run(producer.id)
    c_run = api.run(consumer.id)
    assert [a.version for a in p_run.logged_artifacts()] == ["v0", "v1"]
    assert p_run.used_artifacts() == []
    assert [a.name for a in c_run.used_artifacts()] == ["net:v0", "net:v1"]
    assert c_run.logged_artifacts() == []
    v0 = api.artifact("net:v0")
    assert v0.logged_by().id == producer.id
    assert [r.id for r in v0.used_by()] == [consumer.id]


def test_use_draft_artifact_logs_it_as_input(tmp_path):
    run = nbtrack.init(project="p")
    art = run.use_artifact(_model(tmp_path, b"raw", name="raw", type="dataset"))
    assert art.wait().version == "v0"
    run.finish()
    api_run = nbtrack.Api().run(run.id)
    assert [a.name for a in api_run.used_artifacts()] == ["raw:v0"]
    assert api_run.logged_artifacts() == []


def test_projects_keep_names_apart(tmp_path):
    a = nbtrack.init(project="alpha")
    a.log_artifact(_model(tmp_path, b"alpha")).wait()
    a.finish()
    b = nbtrack.init(project="beta")
    b.log_artifact(_model(tmp_path, b"beta-0")).wait()
    b.log_artifact(_model(tmp_path, b"beta-1")).wait()
    assert b.use_artifact("model:latest").project == "beta"  # the run's project first
    assert b.use_artifact("alpha/model:latest").version == "v0"
    b.finish()
    api = nbtrack.Api()
    with pytest.raises(ValueError, match="several projects"):
        api.artifact("model:latest")
    assert api.artifact("alpha/model:latest").version == "v0"
    assert api.artifact("entity/beta/model:latest").version == "v1"
    assert [x.qualified_name for x in api.artifacts("model")] == ["alpha/model:v0", "beta/model:v0", "beta/model:v1"]
    assert api.artifact_exists("beta/model:v1") and not api.artifact_exists("beta/model:v9")


def test_type_conflict_is_reported_by_wait_and_run_data_lands(tmp_path):
    run = nbtrack.init(project="p")
    run.log_artifact(_model(tmp_path, b"x", name="thing", type="model")).wait()
    art = run.log_artifact(_model(tmp_path, b"y", name="thing", type="dataset"))
    run.log({"loss": 1.0})
    with pytest.raises(ValueError, match="has type 'model'"):
        art.wait()
    run.finish()
    assert nbtrack.Api().run(run.id).history()["loss"].tolist() == [1.0]
    assert [a.version for a in nbtrack.Api().artifacts(name="thing")] == ["v0"]


def test_log_a_path_module_level_and_incremental(tmp_path):
    write(tmp_path / "ckpt" / "a.pt", b"A")
    write(tmp_path / "ckpt" / "sub" / "b.pt", b"B")
    nbtrack.init(project="p")
    art = nbtrack.log_artifact(str(tmp_path / "ckpt"), name="ckpt", type="model", tags=["t"]).wait()
    assert sorted(art.manifest.entries) == ["a.pt", "sub/b.pt"] and art.version == "v0"
    single = nbtrack.log_artifact(str(tmp_path / "ckpt" / "a.pt")).wait()
    assert single.type == "unspecified" and single.collection_name.endswith("-a.pt")
    patch = nbtrack.Artifact("ckpt", "model", incremental=True)
    patch.add_file(str(write(tmp_path / "c.pt", b"C")))
    patch = nbtrack.log_artifact(patch).wait()
    assert patch.version == "v1" and sorted(patch.manifest.entries) == ["a.pt", "c.pt", "sub/b.pt"]
    nbtrack.finish()
    stored = nbtrack.Api().artifact("ckpt:latest")
    assert sorted(stored.manifest.entries) == ["a.pt", "c.pt", "sub/b.pt"] and stored.tags == []
    assert nbtrack.Api().artifact("ckpt:v0").tags == ["t"]
    with pytest.raises(nbtrack.UsageError):
        nbtrack.log_artifact(art)


def test_artifact_save_without_a_run(tmp_path):
    art = _model(tmp_path, b"saved", name="alone")
    art.save(project="solo")
    assert art.version == "v0"
    got = nbtrack.Api().artifact("solo/alone:latest")
    assert got.logged_by().job_type == "auto"


def test_disabled_run_keeps_no_artifact_files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NBTRACK_DIR")
    run = nbtrack.init(project="p", mode="disabled")
    (tmp_path / "w.bin").write_bytes(b"weights")
    art = nbtrack.Artifact("model", "model")
    art.add_file(str(tmp_path / "w.bin"))
    run.log_artifact(art)
    nbtrack.finish()
    assert not (tmp_path / "nbtrack").exists()
