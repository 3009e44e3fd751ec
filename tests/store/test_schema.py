from __future__ import annotations

import hashlib
import json

import duckdb
import pytest

from nbtrack.store import schema
from nbtrack.store.errors import StoreVersionError
from nbtrack.store.paths import resolve_store_dir
from nbtrack.store.postgres import schema as team_schema
from nbtrack.store.reader import StoreReader
from nbtrack.store.records import RunRecord
from nbtrack.store.runsql import to_columns


def test_resolve_store_dir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NBTRACK_DIR", raising=False)
    assert resolve_store_dir(None) == tmp_path / "nbtrack"
    monkeypatch.setenv("NBTRACK_DIR", str(tmp_path / "env"))
    assert resolve_store_dir(None) == tmp_path / "env"
    assert resolve_store_dir("explicit") == tmp_path / "explicit"


def test_schema_created(store):
    with store.write() as con:
        tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        assert {"meta", "runs", "history", "files"} <= tables
        assert schema.schema_version(con) == schema.SCHEMA_VERSION
        cols = [r[0] for r in con.execute("DESCRIBE runs").fetchall()]
        assert cols == [c for c, _ in schema.RUN_COLUMNS]
    assert (store.root / "runs.duckdb").exists()


def test_migrations_apply_in_order():
    con = duckdb.connect()
    applied = []

    n = schema.SCHEMA_VERSION

    def v2(c):
        applied.append(n + 1)
        c.execute("CREATE TABLE extra (name VARCHAR)")

    def v3(c):
        applied.append(n + 2)
        c.execute("ALTER TABLE runs ADD COLUMN deleted_at DOUBLE")

    assert schema.ensure_schema(con) == n
    assert schema.ensure_schema(con, schema.MIGRATIONS + [v2, v3]) == n + 2
    assert applied == [n + 1, n + 2]
    assert schema.ensure_schema(con, schema.MIGRATIONS + [v2, v3]) == n + 2  # idempotent
    assert applied == [n + 1, n + 2]
    con.execute("SELECT deleted_at FROM runs").fetchall()


def test_failed_migration_rolls_back():
    con = duckdb.connect()
    schema.ensure_schema(con)

    def bad(c):
        c.execute("CREATE TABLE half (x INT)")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        schema.ensure_schema(con, schema.MIGRATIONS + [bad])
    assert schema.schema_version(con) == schema.SCHEMA_VERSION
    assert not con.execute("SELECT * FROM information_schema.tables WHERE table_name='half'").fetchall()


def test_newer_store_refused(store):
    with store.write() as con:
        con.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    n = schema.SCHEMA_VERSION
    msg = f"this store was written by a newer nbtrack (schema 99 > {n}); upgrade nbtrack"
    with pytest.raises(StoreVersionError, match=rf"schema 99 > {n}\); upgrade nbtrack \(pip install -U nbtrack\)"):
        with store.write():
            pass
    with pytest.raises(StoreVersionError) as info:
        StoreReader(store).runs()
    assert msg in str(info.value)


def test_read_of_missing_store_is_empty(store):
    reader = StoreReader(store)
    assert reader.runs() == []
    assert reader.projects() == []
    assert reader.history("nope").num_rows == 0
    assert not store.root.exists()  # reading creates nothing


def test_old_store_is_migrated_on_read(store):
    with store.write() as con:
        con.execute("DELETE FROM meta")  # looks like version 0 with tables present
    assert StoreReader(store).runs() == []
    with store.read() as con:
        assert schema.schema_version(con) == schema.SCHEMA_VERSION


# -- frozen migrations: fresh and old stores reach the same head ------------------------

def _columns(con) -> list[tuple[str, str]]:
    return [(r[0], r[1]) for r in con.execute("DESCRIBE runs").fetchall()]


def _tables(con) -> set[str]:
    return {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}


def _v1_store():
    """A store as the first release left it: v1's frozen DDL, version 1, one run in it."""
    con = duckdb.connect()
    for ddl in schema.V1_DDL:
        con.execute(ddl)
    con.execute("CREATE TABLE meta (key VARCHAR, value VARCHAR)")
    con.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    con.execute("INSERT INTO runs (id, project, name, config) VALUES ('r1', 'p', 'old-run', '{\"lr\": 0.1}')")
    return con


def test_v1_ddl_is_the_frozen_column_list():
    con = _v1_store()
    assert _columns(con) == list(schema.V1_RUN_COLUMNS)
    later = {name for name, _ in schema.RUN_COLUMNS} - {name for name, _ in schema.V1_RUN_COLUMNS}
    assert later == {"sweep_id"}  # added by an ALTER in v3, so v1 must not have it


def test_fresh_store_reaches_head_with_every_column():
    con = duckdb.connect()
    assert schema.ensure_schema(con) == schema.SCHEMA_VERSION
    assert _columns(con) == schema.RUN_COLUMNS
    assert {"runs", "history", "files", "artifacts", "lineage", "sweeps", "sweep_runs"} <= _tables(con)


def test_v1_store_reaches_head_and_keeps_its_rows():
    con = _v1_store()
    assert schema.schema_version(con) == 1
    assert schema.ensure_schema(con) == schema.SCHEMA_VERSION
    fresh = duckdb.connect()
    schema.ensure_schema(fresh)
    assert _columns(con) == _columns(fresh) == schema.RUN_COLUMNS
    assert _tables(con) == _tables(fresh)
    assert con.execute("SELECT id, name, config->>'lr', sweep_id FROM runs").fetchall() == [("r1", "old-run", "0.1", None)]


@pytest.mark.parametrize("start", ["fresh", "v1"])
def test_a_new_alter_migration_applies_to_fresh_and_old_stores(start):
    con = duckdb.connect() if start == "fresh" else _v1_store()
    added = schema.Migration(run_columns=(("deleted_at", "DOUBLE"), ("deleted_by", "VARCHAR")))
    migrations = [*schema.MIGRATIONS, added]
    assert schema.ensure_schema(con, migrations) == schema.SCHEMA_VERSION + 1
    assert _columns(con) == schema.run_columns(migrations) == [*schema.RUN_COLUMNS, ("deleted_at", "DOUBLE"),
                                                               ("deleted_by", "VARCHAR")]
    con.execute("INSERT INTO runs (id, deleted_at) VALUES ('r2', 5.0)")
    assert con.execute("SELECT deleted_at FROM runs WHERE id = 'r2'").fetchall() == [(5.0,)]


def test_run_record_fields_are_the_run_columns():
    """A new column is one migration plus one RunRecord field: both or the test fails."""
    mapped = to_columns({key: None for key in RunRecord.__annotations__})
    assert len(mapped) == len(RunRecord.__annotations__), "a RunRecord field has no runs column"
    assert set(mapped) == {name for name, _ in schema.RUN_COLUMNS}


#: fingerprints of the released migrations (v1's DDL and column list included): stores in
#: the field were built by exactly these statements, so they never change. A schema
#: change is a new Migration appended to MIGRATIONS (and a line here).
FROZEN = {1: "8b027cbe7da8ebbe", 2: "d933e39e2acf9281", 3: "502123e77831c8e8", 4: "7739905bdaaf6224"}
FROZEN_V1_COLUMNS = "efd95118583dd5c9"


def _fingerprint(value) -> str:
    return hashlib.sha256(json.dumps(value).encode()).hexdigest()[:16]


def test_released_migrations_are_frozen():
    for version, expected in FROZEN.items():
        step = schema.MIGRATIONS[version - 1]
        assert _fingerprint([step.ddl, step.run_columns]) == expected, (
            f"migration v{version} changed; released migrations are frozen: append a new Migration instead")
    assert _fingerprint(schema.V1_RUN_COLUMNS) == FROZEN_V1_COLUMNS
    assert len(schema.MIGRATIONS) == len(FROZEN), "a new migration: add its fingerprint to FROZEN"


def test_the_team_store_has_every_local_runs_column():
    """The team store's v1 froze the local runs columns of its day; a newer local column
    must come with a team migration (``store/postgres/schema.py``) that adds it, or
    shipping a run would name a column the team's ``runs`` lacks."""
    missing = [name for name, _ in schema.RUN_COLUMNS if name not in dict(team_schema.TEAM_V1_RUN_COLUMNS)]
    assert missing == [], f"local runs columns with no team migration yet: {missing}"
