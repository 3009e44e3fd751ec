"""Artifacts and lineage over the team store: logged on one machine, used on another.

Each "machine" is its own local store shipping to the same PostgreSQL database.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pg_helpers import pg_execute, pg_rows

import nbtrack as wandb
from nbtrack.errors import UsageError
from nbtrack.sync import sync


@pytest.fixture(autouse=True)
def _cwd(tmp_path, monkeypatch):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return work


def _log_model(machine, url, content: str, name: str = "model", aliases=None, project: str = "team"):
    """A run on ``machine`` that logs one version of an artifact; (run id, version)."""
    src = machine.parent / f"{machine.name}-{name}.txt"
    src.write_text(content)
    run = wandb.init(project=project, dir=str(machine), store=url, name=f"{machine.name}-train")
    art = wandb.Artifact(name, type="model", metadata={"acc": len(content)}, description=f"from {machine.name}")
    art.add_file(str(src), name="weights.txt")
    art.add_file(str(src), name="sub/copy.txt")
    run.log_artifact(art, aliases=aliases)
    art.wait()
    run.finish()
    assert run.team_shipper.flush(30)
    return run.id, art.version


def test_an_artifact_logged_on_one_machine_is_used_and_downloaded_on_another(pg_url, tmp_path):
    a, b = tmp_path / "machine-a", tmp_path / "machine-b"
    producer, _ = _log_model(a, pg_url, "w=1", aliases=["best"])

    run = wandb.init(project="team", dir=str(b), store=pg_url, name="b-eval")
    used = run.use_artifact("model:best")
    assert (used.version, used.type, used.metadata) == ("v0", "model", {"acc": 3})
    root = used.download()
    assert Path(f"{root}/weights.txt").read_text() == "w=1" and Path(f"{root}/sub/copy.txt").read_text() == "w=1"
    run.finish()
    assert run.team_shipper.flush(30)

    api = wandb.Api(store=pg_url)
    art = api.artifact("team/model:latest")
    assert art.version == "v0" and sorted(art.aliases) == ["best", "latest"]
    assert art.logged_by().id == producer
    assert [r.id for r in art.used_by()] == [run.id]
    assert [x.name for x in api.run(run.id).used_artifacts()] == ["model:v0"]
    assert [x.name for x in api.run(producer).logged_artifacts()] == ["model:v0"]
    # the same over SQL, and nothing doubled by the import on machine B
    assert wandb.sql("SELECT count(*) FROM artifact_versions", store=pg_url).fetchall() == [(1,)]
    assert pg_rows(pg_url, "SELECT count(*) FROM artifact_files") == [(2,)]
    # machine B's local store has the use too (its version row found again by digest)
    local = wandb.Api(dir=str(b)).run(run.id).used_artifacts()
    assert [x.digest for x in local] == [art.digest]


def test_versions_from_two_machines_are_numbered_by_the_team(pg_url, tmp_path):
    a, b = tmp_path / "machine-a", tmp_path / "machine-b"
    _log_model(a, pg_url, "first")
    run_b, local_b = _log_model(b, pg_url, "second")  # v0 in B's own store
    assert local_b == "v0"
    api = wandb.Api(store=pg_url)
    latest = api.artifact("team/model:latest")
    assert latest.version == "v1" and latest.logged_by().id == run_b
    assert latest.download() and Path(f"{latest.download()}/weights.txt").read_text() == "second"
    # the same content logged again on A is the team's v0 again, and A's next sync does
    # not move `latest` back to what A had
    _log_model(a, pg_url, "first")
    assert sync(dir=a, store=pg_url).artifacts == 0
    assert api.artifact("team/model:latest").version == "v1"
    assert sorted(pg_rows(pg_url, "SELECT version, digest IS NOT NULL FROM artifact_versions")) == [(0, True), (1, True)]
    assert api.artifact("team/model:v0").description == "from machine-a"


def test_shipping_artifacts_is_idempotent(pg_url, tmp_path):
    a = tmp_path / "machine-a"
    _log_model(a, pg_url, "w=1", aliases=["best"])
    before = pg_rows(pg_url, "SELECT (SELECT count(*) FROM artifact_versions), (SELECT count(*) FROM artifact_files), "
                             "(SELECT count(*) FROM artifact_aliases), (SELECT count(*) FROM lineage)")
    assert before == [(1, 2, 2, 1)]
    # a forgotten state hash makes the next pass merge everything again: still no duplicate
    pg_execute(pg_url, "DELETE FROM nbtrack_artifacts_state")
    for _ in range(2):
        result = sync(dir=a, store=pg_url)
        assert (result.artifacts, result.blobs) == (0, 0)
        assert pg_rows(pg_url, "SELECT count(*) FROM nbtrack_artifacts_state") == [(1,)]  # merged again
    after = pg_rows(pg_url, "SELECT (SELECT count(*) FROM artifact_versions), (SELECT count(*) FROM artifact_files), "
                            "(SELECT count(*) FROM artifact_aliases), (SELECT count(*) FROM lineage)")
    assert after == before


def test_artifact_blobs_go_to_the_team_blob_store_once(pg_url, tmp_path):
    a, b = tmp_path / "machine-a", tmp_path / "machine-b"
    _log_model(a, pg_url, "same bytes")
    sha = pg_rows(pg_url, "SELECT DISTINCT sha256 FROM artifact_files")[0][0]
    blob = tmp_path / "team-blobs" / sha[:2] / sha
    assert blob.read_text() == "same bytes"
    written = blob.stat().st_mtime_ns
    src = tmp_path / "same.txt"
    src.write_text("same bytes")
    run = wandb.init(project="team", dir=str(b), store=pg_url)
    other = wandb.Artifact("dataset", type="dataset")
    other.add_file(str(src))
    run.log_artifact(other)
    run.finish()
    assert run.team_shipper.flush(30)
    assert blob.stat().st_mtime_ns == written  # the content was there already: not copied again
    # the team's blob store holds exactly the blobs its rows name, each once
    named = {r[0] for r in pg_rows(pg_url, "SELECT sha256 FROM files UNION SELECT sha256 FROM artifact_files")}
    assert {p.name for p in (tmp_path / "team-blobs").rglob("*") if p.is_file()} == named
    assert pg_rows(pg_url, "SELECT count(*) FROM artifact_versions") == [(2,)]


def test_alias_edits_on_the_logging_machine_reach_the_team(pg_url, tmp_path):
    a = tmp_path / "machine-a"
    _log_model(a, pg_url, "w=1", aliases=["candidate"])
    mine = wandb.Api(dir=str(a)).artifact("team/model:v0")
    mine.aliases.remove("candidate")
    mine.aliases.append("production")
    mine.description = "promoted"
    mine.save()
    sync(dir=a, store=pg_url)
    team = wandb.Api(store=pg_url).artifact("team/model:v0")
    assert sorted(team.aliases) == ["latest", "production"] and team.description == "promoted"
    with pytest.raises(UsageError, match="team store"):
        team.save()


def test_a_type_conflict_is_reported_not_merged(pg_url, tmp_path):
    a, b = tmp_path / "machine-a", tmp_path / "machine-b"
    _log_model(a, pg_url, "w=1")
    src = tmp_path / "d.txt"
    src.write_text("rows")
    run = wandb.init(project="team", dir=str(b))
    art = wandb.Artifact("model", type="dataset")
    art.add_file(str(src))
    run.log_artifact(art)
    run.finish()
    result = sync(dir=b, store=pg_url)
    assert result.artifact_conflicts == ["team/model"]
    assert pg_rows(pg_url, "SELECT type, count(*) FROM artifacts GROUP BY type") == [("model", 1)]


def test_use_artifact_falls_back_to_the_local_store_when_the_team_is_away(tmp_path):
    a = tmp_path / "machine-a"
    src = tmp_path / "w.txt"
    src.write_text("w")
    with wandb.init(project="team", dir=str(a)) as run:
        art = wandb.Artifact("model", type="model")
        art.add_file(str(src))
        run.log_artifact(art)
    with pytest.warns(wandb.store.NbtrackStorageWarning, match="resolved in the local store"):
        run = wandb.init(project="team", dir=str(a), store="postgresql://nobody@127.0.0.1:1/none")
        used = run.use_artifact("model:latest")
        run.finish()
    assert used.version == "v0" and Path(f"{used.download()}/w.txt").read_text() == "w"


def test_a_team_store_of_schema_v1_is_migrated_and_keeps_its_runs(pg_url, tmp_path):
    import adbc_driver_postgresql.dbapi as dbapi

    from nbtrack.store.postgres.schema import MIGRATIONS, SCHEMA_VERSION, ensure_schema

    with dbapi.connect(pg_url) as con:  # what the previous nbtrack created, with a run in it
        assert ensure_schema(con, MIGRATIONS[:1]) == 1
    pg_execute(pg_url, "INSERT INTO runs (id, project, name, state, created_at, last_step) "
                       "VALUES ('oldrun', 'team', 'old', 'finished', 1, -1)")
    producer, _ = _log_model(tmp_path / "machine-a", pg_url, "w")
    assert pg_rows(pg_url, "SELECT value FROM nbtrack_meta WHERE key = 'schema_version'") == [(str(SCHEMA_VERSION),)]
    api = wandb.Api(store=pg_url)
    assert {r.id for r in api.runs("team")} == {"oldrun", producer}
    assert api.artifact("team/model:latest").logged_by().id == producer


def test_artifact_blobs_follow_when_a_blob_store_is_named_later(pg_url, tmp_path, monkeypatch):
    monkeypatch.delenv("NBTRACK_TEAM_BLOBS")
    a = tmp_path / "machine-a"
    src = tmp_path / "w.txt"
    src.write_text("weights")
    with wandb.init(project="team", dir=str(a)) as run:
        art = wandb.Artifact("model", type="model")
        art.add_file(str(src))
        run.log_artifact(art)
    first = sync(dir=a, store=pg_url)
    assert first.artifacts == 1 and first.missing_blobs >= 1  # rows shipped, no blob store to put blobs in
    later = sync(dir=a, store=pg_url, team_blobs=tmp_path / "team-blobs")
    assert later.artifacts == 0 and later.missing_blobs == 0 and later.blobs >= 1
    got = wandb.Api(store=pg_url).artifact("team/model:latest").download(str(tmp_path / "got"))
    assert (Path(got) / "w.txt").read_text() == "weights"
