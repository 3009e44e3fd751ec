"""The team store's schema in PostgreSQL: DDL, the version in ``nbtrack_meta``, migrations.

Same tables and columns as the local store (``runs``, ``history``, ``files``), with JSON
kept as text (read back into DuckDB's JSON), plus ``blobs`` (which content-addressed
files are in the shared blob directory), ``nbtrack_shipped`` (the shipping ledger: per
run, the highest step shipped and where the run comes from) and ``history_m4`` (curve
levels, see ``levels.py``) and ``nbtrack_edits`` (when each edited column was set, see
``edits.py``). ``MIGRATIONS[n - 1]``
brings the schema to version ``n``; existing steps never change. An older client that
meets a newer schema refuses with :class:`~nbtrack.store.errors.StoreVersionError`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import StoreVersionError
from ..schema import MIGRATIONS as LOCAL_MIGRATIONS
from ..schema import RUN_COLUMNS, run_columns
from . import edits, levels
from .artifact_schema import create_artifact_tables
from .connect import Transaction

#: local (DuckDB) column type -> PostgreSQL type
_PG_TYPES = {"VARCHAR": "text", "VARCHAR[]": "text[]", "INTEGER": "integer", "DOUBLE": "double precision",
             "JSON": "text", "BIGINT": "bigint"}
PG_RUN_COLUMNS: list[tuple[str, str]] = [(n, _PG_TYPES[t]) for n, t in RUN_COLUMNS]
#: ``runs`` columns of the team schema's v1: the local schema's after its v3, frozen (the
#: local migrations never change), so a later local column never rewrites the team's v1.
#: A new local ``runs`` column needs a team migration that adds it too (a test says so).
TEAM_V1_RUN_COLUMNS: list[tuple[str, str]] = [(n, _PG_TYPES[t]) for n, t in run_columns(LOCAL_MIGRATIONS[:3])]


def _v1(cur: Any) -> None:
    cols = ", ".join(f"{n} {t}{' PRIMARY KEY' if n == 'id' else ''}" for n, t in TEAM_V1_RUN_COLUMNS)
    cur.execute(f"CREATE TABLE IF NOT EXISTS runs ({cols})")
    cur.execute("CREATE TABLE IF NOT EXISTS history (run_id text NOT NULL, step bigint, ts double precision, "
                "key text, num double precision, text text, json text)")
    cur.execute("CREATE INDEX IF NOT EXISTS history_run_step ON history (run_id, step)")
    cur.execute("CREATE TABLE IF NOT EXISTS files (run_id text NOT NULL, path text, sha256 text, size bigint, "
                "kind text, created_at double precision)")
    cur.execute("CREATE UNIQUE INDEX IF NOT EXISTS files_once ON files (run_id, path, sha256)")
    cur.execute("CREATE TABLE IF NOT EXISTS blobs (sha256 text PRIMARY KEY, size bigint, "
                "added_at double precision)")
    cur.execute("CREATE TABLE IF NOT EXISTS nbtrack_shipped (run_id text PRIMARY KEY, origin text NOT NULL, "
                "max_step bigint NOT NULL DEFAULT -1, record_hash text, files integer NOT NULL DEFAULT 0, "
                "shipped_at double precision)")


def _v2_curve_levels(cur: Any) -> None:
    """``history_m4``: per-bucket extremes of each numeric series (see ``levels.py``),
    backfilled for the rows shipped before."""
    cur.execute(levels.DDL)
    cur.execute(levels.BACKFILL)


def _v3_edits(cur: Any) -> None:
    """``nbtrack_edits`` and the ledger's ``field_hashes``/``record_at``: edits made after
    a run was shipped, newest per column wins (see ``edits.py``)."""
    for ddl in edits.DDL:
        cur.execute(ddl)


#: ordered migrations; the schema version is ``len(MIGRATIONS)``
MIGRATIONS: list[Callable[[Any], None]] = [_v1, _v2_curve_levels, _v3_edits, create_artifact_tables]
SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(cur: Any) -> int:
    """The version recorded in the database (0 when nbtrack never wrote to it)."""
    cur.execute("SELECT to_regclass('nbtrack_meta') IS NOT NULL")
    if not cur.fetchall()[0][0]:
        return 0
    cur.execute("SELECT value FROM nbtrack_meta WHERE key = 'schema_version'")
    rows = cur.fetchall()
    return int(rows[0][0]) if rows else 0


def check_version(cur: Any, supported: int = SCHEMA_VERSION) -> int:
    """The database's schema version; ``StoreVersionError`` if it is newer than this nbtrack's."""
    found = schema_version(cur)
    if found > supported:
        raise StoreVersionError(found, supported)
    return found


def ensure_schema(con: Any, migrations: list[Callable[[Any], None]] | None = None) -> int:
    """Create or migrate the schema (one transaction, serialised by an advisory lock)."""
    migrations = MIGRATIONS if migrations is None else migrations
    target = len(migrations)
    with Transaction(con) as cur:
        if check_version(cur, target) == target:
            con.commit()
            return target
        cur.execute("SELECT pg_advisory_xact_lock(7254190001)")  # one client migrates at a time
        found = check_version(cur, target)
        cur.execute("CREATE TABLE IF NOT EXISTS nbtrack_meta (key text PRIMARY KEY, value text)")
        for version in range(found + 1, target + 1):
            migrations[version - 1](cur)
        cur.execute("INSERT INTO nbtrack_meta VALUES ('schema_version', $1) ON CONFLICT (key) DO UPDATE "
                    "SET value = EXCLUDED.value", (str(target),))
        con.commit()
        return target


def get_meta(con: Any, key: str) -> str | None:
    """A value of ``nbtrack_meta`` (e.g. ``blob_dir``), or None."""
    cur = con.cursor()
    try:
        cur.execute("SELECT value FROM nbtrack_meta WHERE key = $1", (key,))
        rows = cur.fetchall()
        return rows[0][0] if rows else None
    finally:
        cur.close()


def set_meta_once(con: Any, key: str, value: str) -> str:
    """Set a meta value unless one is set; return the value in force (committed)."""
    cur = con.cursor()
    try:
        cur.execute("INSERT INTO nbtrack_meta VALUES ($1, $2) ON CONFLICT (key) DO NOTHING", (key, value))
        cur.execute("SELECT value FROM nbtrack_meta WHERE key = $1", (key,))
        found = str(cur.fetchall()[0][0])
        con.commit()
        return found
    finally:
        cur.close()
