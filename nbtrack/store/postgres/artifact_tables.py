"""The team's artifact tables, fetched as Arrow and loaded into a reader's DuckDB.

Artifact tables are small next to the history (a row per version, file, alias and
use), so a read that needs them loads them whole into the in-memory DuckDB that
``TeamStore.read`` builds with the local schema: every artifact query of the local
reader then runs unchanged over the team's artifacts and lineage.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import duckdb
import pyarrow as pa

#: (local table, PostgreSQL SELECT in the local table's column order)
ARTIFACT_SELECTS: tuple[tuple[str, str], ...] = (
    ("artifacts", "SELECT project, name, type, description, created_at FROM artifacts"),
    ("artifact_versions", "SELECT project, name, version, digest, description, metadata, size, file_count, "
                          "tags, created_at, created_by_run FROM artifact_versions"),
    ("artifact_files", "SELECT project, name, version, path, sha256, size FROM artifact_files"),
    ("artifact_aliases", "SELECT project, name, alias, version FROM artifact_aliases"),
    ("lineage", "SELECT run_id, project, name, version, direction, created_at FROM lineage"),
)
_NAMES = re.compile(r"\b(artifacts|artifact_versions|artifact_files|artifact_aliases|lineage)\b", re.IGNORECASE)


def names_artifact_tables(sql: str) -> bool:
    """True if a query reads one of the artifact tables (so they must be loaded)."""
    return _NAMES.search(sql) is not None


def fetch_artifact_tables(fetch: Callable[[str], pa.Table]) -> dict[str, pa.Table]:
    """The team's artifact tables as Arrow, by local table name (``fetch`` runs a query)."""
    return {table: fetch(sql) for table, sql in ARTIFACT_SELECTS}


def load_artifact_tables(con: duckdb.DuckDBPyConnection, tables: dict[str, Any]) -> None:
    """Insert fetched tables into the local schema's (empty) artifact tables of ``con``."""
    for table, data in tables.items():
        if data.num_rows == 0:
            continue
        view = f"_team_{table}"
        con.register(view, data)
        try:
            con.execute(f"INSERT INTO {table} SELECT * FROM {view}")
        finally:
            con.unregister(view)
