"""Store schema: frozen DDL per version, the ``meta`` table with the version, migrations.

A migration brings the schema from version ``n - 1`` to ``n``; ``MIGRATIONS[n - 1]`` is
the step to version ``n``. Migrations are frozen: v1's DDL is spelled out below as the
first release created it, and every later migration only adds (new tables, and new
``runs`` columns as ``ALTER TABLE``). So a fresh store and an old one pass through the
same steps and end with the same columns in the same order.

To add a column to ``runs``: append ``Migration(run_columns=(("name", "TYPE"),))`` to
``MIGRATIONS`` and add the field to ``records.RunRecord`` (``RUN_COLUMNS`` follows from
the migrations; ``tests/store/test_schema.py`` checks the record and the columns agree,
and holds a fingerprint of each released migration so none is edited in place).

No PRIMARY KEY/UNIQUE constraints: DuckDB checks them eagerly on UPDATE, so uniqueness
(one ``runs`` row per id) is kept by the writer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .errors import StoreVersionError

#: schema v1, frozen: the tables as the first release created them. Never edit; add a migration.
V1_DDL: tuple[str, ...] = (
    """CREATE TABLE IF NOT EXISTS runs (
  id VARCHAR,
  project VARCHAR,
  name VARCHAR,
  notes VARCHAR,
  tags VARCHAR[],
  group_name VARCHAR,
  job_type VARCHAR,
  state VARCHAR,
  exit_code INTEGER,
  created_at DOUBLE,
  finished_at DOUBLE,
  heartbeat_at DOUBLE,
  host VARCHAR,
  pid INTEGER,
  pid_started_at DOUBLE,
  config JSON,
  summary JSON,
  metrics JSON,
  environment JSON,
  last_step BIGINT
)""",
    "CREATE TABLE IF NOT EXISTS history (run_id VARCHAR, step BIGINT, ts DOUBLE, "
    "key VARCHAR, num DOUBLE, text VARCHAR, json JSON)",
    "CREATE TABLE IF NOT EXISTS files (run_id VARCHAR, path VARCHAR, sha256 VARCHAR, "
    "size BIGINT, kind VARCHAR, created_at DOUBLE)",
)
#: the ``runs`` columns of V1_DDL with their SQL types, in table order (frozen with it)
V1_RUN_COLUMNS: tuple[tuple[str, str], ...] = (
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
)


@dataclass(frozen=True)
class Migration:
    """One schema step: statements run in order, then each new ``runs`` column as an ALTER.

    Call it with a read-write connection (``ensure_schema`` does, inside its transaction).
    """

    #: CREATE statements of new tables (``IF NOT EXISTS``: a half-built store can finish)
    ddl: tuple[str, ...] = ()
    #: (name, SQL type) of columns this step appends to ``runs``
    run_columns: tuple[tuple[str, str], ...] = ()

    def __call__(self, con: Any) -> None:
        for statement in self.ddl:
            con.execute(statement)
        for name, sql_type in self.run_columns:
            con.execute(f"ALTER TABLE runs ADD COLUMN IF NOT EXISTS {name} {sql_type}")


#: schema v1 (frozen above)
V1 = Migration(ddl=V1_DDL)

#: schema v2: versioned artifacts and run <-> artifact lineage. Artifacts are keyed by
#: (project, name): the same name in two projects is two artifacts. An alias names one
#: version per artifact (the writer deletes then inserts to move it).
V2 = Migration(ddl=(
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
))

#: schema v3: hyperparameter sweeps. ``sweeps`` holds one row per sweep (its config as
#: given to ``nbtrack.sweep``); ``sweep_runs`` is the controller's ledger, one row per
#: run it handed out (the sampled ``params`` and, for random and Bayesian search, the
#: ``point`` in the unit cube they came from); ``runs.sweep_id`` groups runs.
V3 = Migration(
    ddl=(
        "CREATE TABLE IF NOT EXISTS sweeps (id VARCHAR, project VARCHAR, name VARCHAR, method VARCHAR, "
        "config JSON, state VARCHAR, created_at DOUBLE)",
        "CREATE TABLE IF NOT EXISTS sweep_runs (sweep_id VARCHAR, run_id VARCHAR, params JSON, point JSON, "
        "created_at DOUBLE)",
    ),
    run_columns=(("sweep_id", "VARCHAR"),),
)

#: schema v4: what a team store needs to carry edits made after a run was shipped.
#: ``run_edits`` holds, per run and column, when the store's editor last set it (the
#: runs table, ``Api().run().update()``), so the team store keeps the newest of two
#: machines' edits; ``deleted_runs`` remembers deleted runs, so the deletion is shipped
#: (a run merely missing from the file, e.g. a fresh store, is never deleted elsewhere).
V4 = Migration(ddl=(
    "CREATE TABLE IF NOT EXISTS run_edits (run_id VARCHAR, field VARCHAR, edited_at DOUBLE)",
    "CREATE TABLE IF NOT EXISTS deleted_runs (run_id VARCHAR, deleted_at DOUBLE)",
))

#: ordered migrations; the schema version is ``len(MIGRATIONS)``
MIGRATIONS: list[Callable[[Any], None]] = [V1, V2, V3, V4]
SCHEMA_VERSION = len(MIGRATIONS)


def run_columns(migrations: Sequence[Callable[[Any], None]]) -> list[tuple[str, str]]:
    """The ``runs`` columns (name, SQL type), in table order, after ``migrations`` (v1 first)."""
    columns = list(V1_RUN_COLUMNS)
    for step in migrations[1:]:
        if isinstance(step, Migration):
            columns.extend(step.run_columns)
    return columns


#: columns of ``runs`` at the current schema, in table order: v1's, then those migrations add
RUN_COLUMNS: list[tuple[str, str]] = run_columns(MIGRATIONS)
JSON_RUN_COLUMNS = ("config", "summary", "metrics", "environment")


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
