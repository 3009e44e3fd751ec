from __future__ import annotations

import duckdb
import pytest

from nbtrack.store import schema
from nbtrack.store.errors import StoreVersionError
from nbtrack.store.paths import resolve_store_dir
from nbtrack.store.reader import StoreReader


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
