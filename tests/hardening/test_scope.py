"""Project names and the runs table's handlers never reach another project's runs."""

from __future__ import annotations

import pytest

import nbtrack as wandb
from nbtrack.runs_table.widget import RunsTable


def _two_projects() -> tuple[str, str]:
    mine = wandb.init(project="a", name="mine")
    for i in range(5):
        mine.log({"loss": 1.0 / (i + 1)})
    mine.finish()
    theirs = wandb.init(project="b", name="theirs")
    for i in range(5):
        theirs.log({"loss": 2.0 / (i + 1)})
    theirs.finish()
    return mine.id, theirs.id


def _ask(table: RunsTable, **msg):
    return table.service.handle(msg)


def test_table_handlers_are_scoped_to_the_tables_project():
    mine, theirs = _two_projects()
    table = RunsTable(project="a")
    assert table.ids("") == [mine]
    body, buffers = _ask(table, type="curves", ids=[mine, theirs], key="loss", width=200)
    assert [s["run"] for s in body["series"]] == [mine] and len(buffers) == 1
    assert _ask(table, type="detail", id=mine)[0]["run"]["id"] == mine
    for msg in ({"type": "detail", "id": theirs}, {"type": "diff", "a": mine, "b": theirs},
                {"type": "edit", "id": theirs, "name": "renamed"}):
        with pytest.raises((ValueError, KeyError), match=theirs):
            _ask(table, **msg)
    assert _ask(table, type="delete", ids=[theirs])[0] == {"deleted": []}
    other = wandb.Api().run(theirs)
    assert other.name == "theirs" and len(other.history()) == 5  # untouched
    assert _ask(table, type="delete", ids=[mine])[0] == {"deleted": [mine]}
    assert [r.id for r in wandb.Api().runs()] == [theirs]


def test_table_rejects_malformed_requests():
    mine, _ = _two_projects()
    table = RunsTable(project="a")
    with pytest.raises(ValueError, match="list"):
        _ask(table, type="delete", ids=mine)  # a string is not a list of ids (no per-character deletes)
    with pytest.raises(ValueError):
        _ask(table, type="detail", id={"$ne": 1})
    with pytest.raises(ValueError):
        _ask(table, type="curves", ids=[mine], key="loss", width="wide")
    assert wandb.Api().run(mine).name == "mine"


def test_table_of_all_projects_reaches_every_run():
    mine, theirs = _two_projects()
    table = RunsTable()
    assert _ask(table, type="detail", id=theirs)[0]["run"]["project"] == "b"
    assert sorted(s["run"] for s in _ask(table, type="curves", ids=[mine, theirs], key="loss")[0]["series"]) == sorted([mine, theirs])


@pytest.mark.parametrize("bad", ["team/a", "a\\b", "a#b", "a?b", "a%b", "a:b", "", " ", "x" * 129, "a\x00b", "a\nb"])
def test_init_refuses_project_names_that_read_back_as_something_else(bad, monkeypatch):
    if bad in ("", " "):
        monkeypatch.setenv("WANDB_PROJECT", bad)
        if bad == "":
            assert wandb.init().project == "uncategorized"
            return
        with pytest.raises(ValueError, match="WANDB_PROJECT"):
            wandb.init()
        return
    with pytest.raises(ValueError, match="project name"):
        wandb.init(project=bad)
    assert wandb.run is None


def test_entity_project_paths_read_the_project():
    mine, theirs = _two_projects()
    assert [r.id for r in wandb.Api().runs("someone/a")] == [mine]
    assert list(wandb.runs("someone/b")["id"]) == [theirs]
    assert [r.id for r in wandb.Api().runs("a")] == [mine]
    with pytest.raises(ValueError, match="entity/project"):
        wandb.Api().runs("x/y/a")
    assert RunsTable(project="someone/a").ids("") == [mine]


def test_run_paths_check_the_project():
    mine, theirs = _two_projects()
    assert wandb.Api().run(f"a/{mine}").id == mine
    assert wandb.Api().run(f"me/a/{mine}").id == mine
    assert wandb.Api().run(mine).id == mine
    with pytest.raises(ValueError, match="in project 'a'"):
        wandb.Api().run(f"a/{theirs}")


@pytest.mark.parametrize("bad", ["team/run1", "a:b", "a%2F", ""])
def test_run_ids_follow_the_same_rule(bad, monkeypatch):
    if bad == "":
        assert wandb.init(id=bad).id  # empty: a new id is made
        return
    with pytest.raises(ValueError, match="run id"):
        wandb.init(id=bad)
    monkeypatch.setenv("WANDB_RUN_ID", bad)
    with pytest.raises(ValueError, match="WANDB_RUN_ID"):
        wandb.init()
    monkeypatch.delenv("WANDB_RUN_ID")
    run = wandb.init(id="ok-id_1.2")
    run.finish()
    assert wandb.Api().run("ok-id_1.2").id == "ok-id_1.2"
