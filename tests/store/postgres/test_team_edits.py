"""Edits after shipping: two machines edit a run, the newest edit of each column wins."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from conftest import pg_rows

import nbtrack as wandb
from nbtrack.errors import CommError
from nbtrack.store.postgres.edits import columns_to_set
from nbtrack.sync import sync


def _log(local: Path, steps: int = 100, name: str = "first") -> str:
    run = wandb.init(project="team", name=name, dir=str(local), config={"lr": 0.1}, tags=["start"])
    for i in range(steps):
        wandb.log({"loss": 1.0 / (i + 1)})
    wandb.finish()
    return run.id


def _team_run(url: str, run_id: str) -> dict[str, object]:
    rows = pg_rows(url, f"SELECT name, notes, tags, config, summary, state FROM runs WHERE id = '{run_id}'")
    assert len(rows) == 1
    name, notes, tags, config, summary, state = rows[0]
    return {"name": name, "notes": notes, "tags": list(tags) if tags is not None else None,
            "config": json.loads(config), "summary": json.loads(summary), "state": state}


def _tick() -> None:
    """Edits on one machine a moment apart get distinct times (the clock moves on)."""
    start = time.time()
    while time.time() <= start:
        time.sleep(0.001)


def test_edits_of_two_machines_meet_and_the_newest_of_each_column_wins(pg_url, tmp_path):
    machine_a = tmp_path / "a"
    run_id = _log(machine_a)
    sync(dir=machine_a, store=pg_url)
    local_api, team_api = wandb.Api(dir=str(machine_a)), wandb.Api(store=pg_url)

    # machine B renames the run and tags it, through the team store
    on_b = team_api.run(f"team/{run_id}")
    on_b.name, on_b.tags = "renamed-on-b", ["from-b"]
    on_b.update()
    _tick()
    # machine A, later, writes notes and a summary value locally, then ships
    on_a = local_api.run(f"team/{run_id}")
    on_a.notes = "notes from a"
    on_a.summary["best"] = 0.5
    on_a.update()
    assert sync(dir=machine_a, store=pg_url).runs == 1
    team = _team_run(pg_url, run_id)
    # B's rename and tags stay (A did not touch them), A's notes and summary arrive
    assert (team["name"], team["tags"], team["notes"]) == ("renamed-on-b", ["from-b"], "notes from a")
    assert team["summary"]["best"] == 0.5 and team["config"] == {"lr": 0.1}
    assert wandb.Api(store=pg_url).run(f"team/{run_id}").name == "renamed-on-b"

    # A renames after B did: A's name is the newest
    _tick()
    on_a = local_api.run(f"team/{run_id}")
    on_a.name = "renamed-on-a"
    on_a.update()
    sync(dir=machine_a, store=pg_url)
    assert _team_run(pg_url, run_id)["name"] == "renamed-on-a"

    # A edits the tags offline, B edits them after that, then A ships: B's (newer) stay
    on_a = local_api.run(f"team/{run_id}")
    on_a.tags = ["offline-on-a"]
    on_a.update()
    _tick()
    on_b = wandb.Api(store=pg_url).run(f"team/{run_id}")
    on_b.tags = ["newer-on-b"]
    on_b.update()
    sync(dir=machine_a, store=pg_url)
    assert _team_run(pg_url, run_id)["tags"] == ["newer-on-b"]

    # shipping again, however often, changes nothing
    before = (_team_run(pg_url, run_id), pg_rows(pg_url, "SELECT count(*) FROM history")[0][0],
              pg_rows(pg_url, "SELECT * FROM nbtrack_edits ORDER BY run_id, field"))
    for _ in range(2):
        again = sync(dir=machine_a, store=pg_url)
        assert (again.runs, again.rows) == (0, 0)
    assert (_team_run(pg_url, run_id), pg_rows(pg_url, "SELECT count(*) FROM history")[0][0],
            pg_rows(pg_url, "SELECT * FROM nbtrack_edits ORDER BY run_id, field")) == before


def test_a_run_deleted_on_its_machine_is_deleted_in_the_team_store(pg_url, tmp_path):
    machine_a, machine_c = tmp_path / "a", tmp_path / "c"
    gone, kept = _log(machine_a, name="gone"), _log(machine_a, name="kept")
    other = _log(machine_c, name="other-machine")
    sync(dir=machine_a, store=pg_url)
    sync(dir=machine_c, store=pg_url)
    wandb.Api(dir=str(machine_a)).run(f"team/{gone}").delete()
    result = sync(dir=machine_a, store=pg_url)
    assert result.deleted == 1
    assert sorted(wandb.runs("team", store=pg_url)["id"]) == sorted([kept, other])
    for table, column in (("history", "run_id"), ("history_m4", "run_id"), ("files", "run_id"),
                          ("nbtrack_shipped", "run_id"), ("runs", "id")):
        assert pg_rows(pg_url, f"SELECT count(*) FROM {table} WHERE {column} = '{gone}'") == [(0,)], table
    # again: nothing more to delete; a fresh, empty store on machine A deletes nothing either
    assert sync(dir=machine_a, store=pg_url).deleted == 0
    assert sync(dir=tmp_path / "fresh", store=pg_url).deleted == 0
    assert sorted(wandb.runs("team", store=pg_url)["id"]) == sorted([kept, other])


def test_the_team_store_refuses_deletes_and_uploads_with_what_to_do(pg_url, tmp_path):
    run_id = _log(tmp_path / "a")
    sync(dir=tmp_path / "a", store=pg_url)
    run = wandb.Api(store=pg_url).run(f"team/{run_id}")
    with pytest.raises(ValueError, match="delete a run on the machine that logged it"):
        run.delete()
    (tmp_path / "f.txt").write_text("x")
    with pytest.raises(ValueError, match="files are added to a run on the machine that logged it"):
        run.upload_file(str(tmp_path / "f.txt"), root=str(tmp_path))
    missing = wandb.Api(store=pg_url).run(f"team/{run_id}")
    missing.id = "nosuchrun"
    with pytest.raises(CommError, match="nosuchrun"):
        missing.update()


def test_which_columns_a_shipment_sets():
    same = {c: "h" for c in ("name", "notes", "tags", "group_name", "job_type", "config", "summary")}
    changed = {**same, "name": "h2", "summary": "h3"}
    # a new run: every column, at the local editor's time where there is one
    new = columns_to_set(same, None, {"name": 5.0}, {}, None, 10.0, in_team=False)
    assert new is not None and new["name"] == 5.0 and new["notes"] == 10.0
    # shipped before: only what changed locally, unless the team's edit is newer
    assert columns_to_set(changed, same, {}, {}, 8.0, 10.0, in_team=True) == {"name": 10.0, "summary": 10.0}
    assert columns_to_set(changed, same, {"name": 9.0}, {"name": 9.5}, 8.0, 10.0, in_team=True) == \
        {"summary": 10.0}
    # an editor's edit from before the last shipment, changed since by the run itself: "now"
    assert columns_to_set(changed, same, {"name": 7.0}, {"name": 9.5}, 8.0, 10.0, in_team=True) == \
        {"name": 10.0, "summary": 10.0}
    # a pass that read the local store before the last shipment did sets nothing
    assert columns_to_set(changed, same, {}, {}, 11.0, 10.0, in_team=True) is None


def test_an_edit_in_a_process_that_ships_reaches_the_team_without_a_sync(pg_url, tmp_path):
    local = tmp_path / "local"
    run = wandb.init(project="team", name="before", dir=str(local), store=pg_url)
    wandb.log({"loss": 1.0})
    wandb.finish()
    assert run.team_shipper.flush(30)
    edited = wandb.Api(dir=str(local)).run(f"team/{run.id}")
    edited.name = "after"
    edited.update()  # the process's shipper hears of it and ships it
    deadline = time.monotonic() + 60
    while _team_run(pg_url, run.id)["name"] != "after":
        assert time.monotonic() < deadline, "the edit was not shipped"
        time.sleep(0.05)
    wandb.Api(dir=str(local)).run(f"team/{run.id}").delete()
    while pg_rows(pg_url, f"SELECT count(*) FROM runs WHERE id = '{run.id}'") != [(0,)]:
        assert time.monotonic() < deadline, "the deletion was not shipped"
        time.sleep(0.05)
