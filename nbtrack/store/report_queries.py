"""Read-only SQL behind reports, exports and the server pages.

Each function takes a :class:`~nbtrack.store.reader.StoreReader` (shared lock held only
while copying the answer out) and returns Arrow tables or plain Python values. Ids,
keys and types are parameters; nothing from a user is pasted into SQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyarrow as pa

#: history ``json`` types a report shows: images, galleries and logged tables
MEDIA_TYPES = ("image-file", "images/separated", "table")

_NUMERIC_KEYS = """
SELECT key, count(*) AS n FROM history
WHERE run_id IN (SELECT unnest($runs::VARCHAR[])) AND num IS NOT NULL
GROUP BY key ORDER BY key
"""

# The last `per_key` steps of each (run, key) holding a media reference of the given types.
_MEDIA = """
SELECT run_id, key, step, json::VARCHAR AS json FROM (
  SELECT run_id, key, step, json,
         row_number() OVER (PARTITION BY run_id, key ORDER BY step DESC, ts DESC) AS k
  FROM history
  WHERE run_id IN (SELECT unnest($runs::VARCHAR[])) AND json IS NOT NULL
    AND list_contains($types::VARCHAR[], json->>'_type'))
WHERE k <= $per_key ORDER BY run_id, key, step
"""

_CODE_FILES = """
SELECT run_id, path, sha256, created_at FROM files
WHERE run_id IN (SELECT unnest($runs::VARCHAR[])) AND kind = 'code'
ORDER BY run_id, path, created_at
"""

#: tables an export writes, with the column each one is filtered on by project
EXPORT_TABLES: dict[str, str] = {
    "runs": "SELECT * EXCLUDE (config, summary, metrics, environment), config::VARCHAR AS config, "
            "summary::VARCHAR AS summary, metrics::VARCHAR AS metrics, environment::VARCHAR AS environment "
            "FROM runs {where} ORDER BY created_at, id",
    "history": "SELECT run_id, step, ts, key, num, text, json::VARCHAR AS json FROM history "
               "{where} ORDER BY run_id, step, key",
    "files": "SELECT run_id, path, sha256, size, kind, created_at FROM files {where} ORDER BY run_id, created_at, path",
}
_PROJECT_FILTER = {
    "runs": "WHERE project = $project",
    "history": "WHERE run_id IN (SELECT id FROM runs WHERE project = $project)",
    "files": "WHERE run_id IN (SELECT id FROM runs WHERE project = $project)",
}


def numeric_keys(reader: Any, run_ids: Sequence[str]) -> list[tuple[str, int]]:
    """(key, number of numeric points) over the given runs, sorted by key."""
    if not run_ids:
        return []
    table = reader.query(_NUMERIC_KEYS, {"runs": list(run_ids)})
    return list(zip(table.column("key").to_pylist(), table.column("n").to_pylist()))


def media_refs(reader: Any, run_ids: Sequence[str], types: Sequence[str] = MEDIA_TYPES,
               per_key: int = 8) -> list[dict[str, Any]]:
    """``{"run_id", "key", "step", "json"}`` rows: the last ``per_key`` media steps per (run, key)."""
    if not run_ids:
        return []
    table = reader.query(_MEDIA, {"runs": list(run_ids), "types": list(types), "per_key": int(per_key)})
    rows: list[dict[str, Any]] = table.to_pylist()
    return rows


def code_files(reader: Any, run_ids: Sequence[str]) -> dict[str, dict[str, str]]:
    """run id -> {path: sha256} of its code files (the latest version of each path), in one query."""
    out: dict[str, dict[str, str]] = {}
    if not run_ids:
        return out
    for row in reader.query(_CODE_FILES, {"runs": list(run_ids)}).to_pylist():
        out.setdefault(row["run_id"], {})[row["path"]] = row["sha256"]
    return out


def export_table(reader: Any, name: str, project: str | None = None) -> pa.Table:
    """One whole table of the store (``runs``, ``history`` or ``files``), optionally of one project."""
    if name not in EXPORT_TABLES:
        raise ValueError(f"cannot export {name!r}; one of {sorted(EXPORT_TABLES)}")
    where = _PROJECT_FILTER[name] if project is not None else ""
    params = {"project": project} if project is not None else None
    return reader.query(EXPORT_TABLES[name].format(where=where), params)


def project_counts(reader: Any) -> list[tuple[str, int, float | None]]:
    """(project, runs, latest created_at) for every project in the store."""
    table = reader.query("SELECT project, count(*) AS n, max(created_at) AS last FROM runs "
                         "WHERE project IS NOT NULL GROUP BY project ORDER BY project")
    return list(zip(table.column("project").to_pylist(), table.column("n").to_pylist(),
                    table.column("last").to_pylist()))
