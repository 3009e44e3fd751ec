"""Store schema: DDL, the ``meta`` table with the schema version, ordered migrations.

A migration is a function that takes a connection and brings the schema from version
``n - 1`` to ``n``; ``MIGRATIONS[n - 1]`` is the step to version ``n``. Later features
(artifacts, artifact_versions, artifact_files, lineage, run deletion) append migrations;
existing ones never change. No PRIMARY KEY/UNIQUE constraints: DuckDB checks them
eagerly on UPDATE, so uniqueness (one ``runs`` row per id) is kept by the writer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .errors import StoreVersionError

#: columns of ``runs`` as schema v1 created them, with their SQL types (frozen: v1's DDL)
V1_RUN_COLUMNS: list[tuple[str, str]] = [
    ("id", "VARCHAR"),
    ("project", "VARCHAR"),
    ("name", "VARCHAR"),
    ("notes", "VARCHAR"),
    ("tags", "VARCHAR[]"),
    ("group_name", "VARCHAR"),
    ("job_type", "VARCHAR"),
    ("state", "VARCHAR"),
    ("exit_code", "INTEGER"),
    ("created_at", "DOUBLE"),
    ("finished_at", "DOUBLE"),
    ("heartbeat_at", "DOUBLE"),
    ("host", "VARCHAR"),
    ("pid", "INTEGER"),
    ("pid_started_at", "DOUBLE"),
    ("config", "JSON"),
    ("summary", "JSON"),
    ("metrics", "JSON"),
    ("environment", "JSON"),
    ("last_step", "BIGINT"),
]
#: columns of ``runs`` in table order: v1's, then those later migrations add
RUN_COLUMNS: list[tuple[str, str]] = [*V1_RUN_COLUMNS, ("sweep_id", "VARCHAR")]
JSON_RUN_COLUMNS = ("config", "summary", "metrics", "environment")
HISTORY_COLUMNS = ["run_id", "step", "ts", "key", "num", "text", "json"]


def _v1(con: Any) -> None:
    cols = ",\n  ".join(f"{n} {t}" for n, t in V1_RUN_COLUMNS)
    con.execute(f"CREATE TABLE IF NOT EXISTS runs (\n  {cols}\n)")
    con.execute(
        "CREATE TABLE IF NOT EXISTS history (run_id VARCHAR, step BIGINT, ts DOUBLE, "
        "key VARCHAR, num DOUBLE, text VARCHAR, json JSON)"
    )
    con.execute(
        "CREATE TABLE IF NOT EXISTS files (run_id VARCHAR, path VARCHAR, sha256 VARCHAR, "
        "size BIGINT, kind VARCHAR, created_at DOUBLE)"
    )


#: DDL of schema v2: versioned artifacts and run <-> artifact lineage. Artifacts are
#: keyed by (project, name): the same name in two projects is two artifacts. An alias
#: names one version per artifact (the writer deletes then inserts to move it).
ARTIFACT_DDL: tuple[str, ...] = (
    "CREATE TABLE IF NOT EXISTS artifacts (project VARCHAR, name VARCHAR, type VARCHAR, "
    "description VARCHAR, created_at DOUBLE)",
    "CREATE TABLE IF NOT EXISTS artifact_versions (project VARCHAR, name VARCHAR, "
    "version INTEGER, digest VARCHAR, description VARCHAR, metadata JSON, size BIGINT, "
    "file_count INTEGER, tags VARCHAR[], created_at DOUBLE, created_by_run VARCHAR)",
    "CREATE TABLE IF NOT EXISTS artifact_files (project VARCHAR, name VARCHAR, "
    "version INTEGER, path VARCHAR, sha256 VARCHAR, size BIGINT)",
    "CREATE TABLE IF NOT EXISTS artifact_aliases (project VARCHAR, name VARCHAR, "
    "alias VARCHAR, version INTEGER)",
    "CREATE TABLE IF NOT EXISTS lineage (run_id VARCHAR, project VARCHAR, name VARCHAR, "
    "version INTEGER, direction VARCHAR, created_at DOUBLE)",
)


def _v2(con: Any) -> None:
    for ddl in ARTIFACT_DDL:
        con.execute(ddl)


#: DDL of schema v3: hyperparameter sweeps. ``sweeps`` holds one row per sweep (its
#: config as given to ``nbtrack.sweep``); ``sweep_runs`` is the controller's ledger, one
#: row per run it handed out (the sampled ``params`` and, for random and Bayesian
#: search, the ``point`` in the unit cube they came from); ``runs.sweep_id`` groups runs.
SWEEP_DDL: tuple[str, ...] = (
    "CREATE TABLE IF NOT EXISTS sweeps (id VARCHAR, project VARCHAR, name VARCHAR, method VARCHAR, "
    "config JSON, state VARCHAR, created_at DOUBLE)",
    "CREATE TABLE IF NOT EXISTS sweep_runs (sweep_id VARCHAR, run_id VARCHAR, params JSON, point JSON, "
    "created_at DOUBLE)",
    "ALTER TABLE runs ADD COLUMN IF NOT EXISTS sweep_id VARCHAR",
)


def _v3(con: Any) -> None:
    for ddl in SWEEP_DDL:
        con.execute(ddl)


#: DDL of schema v4: what a team store needs to carry edits made after a run was shipped.
#: ``run_edits`` holds, per run and column, when the store's editor last set it (the
#: runs table, ``Api().run().update()``), so the team store keeps the newest of two
#: machines' edits; ``deleted_runs`` remembers deleted runs, so the deletion is shipped
#: (a run merely missing from the file, e.g. a fresh store, is never deleted elsewhere).
EDIT_DDL: tuple[str, ...] = (
    "CREATE TABLE IF NOT EXISTS run_edits (run_id VARCHAR, field VARCHAR, edited_at DOUBLE)",
    "CREATE TABLE IF NOT EXISTS deleted_runs (run_id VARCHAR, deleted_at DOUBLE)",
)


def _v4(con: Any) -> None:
    for ddl in EDIT_DDL:
        con.execute(ddl)


#: ordered migrations; the schema version is ``len(MIGRATIONS)``
MIGRATIONS: list[Callable[[Any], None]] = [_v1, _v2, _v3, _v4]
SCHEMA_VERSION = len(MIGRATIONS)


def _create_meta(con: Any) -> None:
    con.execute("CREATE TABLE IF NOT EXISTS meta (key VARCHAR, value VARCHAR)")


def schema_version(con: Any) -> int:
    """Schema version recorded in the store (0 for an empty database)."""
    import duckdb

    try:
        row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall()
    except duckdb.CatalogException:  # no meta table yet
        return 0
    return int(row[0][0]) if row else 0


def check_version(con: Any, supported: int = SCHEMA_VERSION) -> int:
    """Return the store's schema version; raise StoreVersionError if it is newer."""
    found = schema_version(con)
    if found > supported:
        raise StoreVersionError(found, supported)
    return found


def ensure_schema(con: Any, migrations: list[Callable[[Any], None]] | None = None) -> int:
    """Create or migrate the schema on a read-write connection; return the version.

    Raises :class:`StoreVersionError` for a store written by a newer nbtrack. Pending
    migrations run in one transaction together with the version bump.
    """
    migrations = MIGRATIONS if migrations is None else migrations
    target = len(migrations)
    found = check_version(con, target)
    if found == target:
        return found
    con.execute("BEGIN TRANSACTION")
    try:
        _create_meta(con)
        for version in range(found + 1, target + 1):
            migrations[version - 1](con)
        con.execute("DELETE FROM meta WHERE key = 'schema_version'")
        con.execute("INSERT INTO meta VALUES ('schema_version', ?)", [str(target)])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return target
