"""SQL that writes artifacts, run inside a StoreWriter batch's transaction.

Each function takes the writer's connection (exclusive lock held, transaction open) and
reads or writes a few rows of the artifact tables (``artifacts``, ``artifact_versions``,
``artifact_files``, ``artifact_aliases``, ``lineage``; schema v2, see ``schema.py``).
The decisions (which version a digest maps to, which aliases move) are made by the
caller, ``nbtrack.artifacts.ops``; numbering under the lock keeps them safe against
other processes logging the same artifact at the same moment.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pyarrow as pa

#: a file of a version: path -> (sha256, size)
FileRows = Mapping[str, tuple[str, int]]

_FILES_VIEW = "_nbtrack_artifact_files"  # name the Arrow table of new files is registered under


def artifact_type(con: Any, project: str, name: str) -> str | None:
    """The type of the artifact ``project/name``, or None if it does not exist yet."""
    rows = con.execute("SELECT type FROM artifacts WHERE project = ? AND name = ?", [project, name]).fetchall()
    return rows[0][0] if rows else None


def insert_artifact(con: Any, project: str, name: str, type: str, description: str | None,
                    created_at: float) -> None:
    """Create the artifact ``project/name`` (the caller checked it is absent)."""
    con.execute("INSERT INTO artifacts VALUES (?, ?, ?, ?, ?)", [project, name, type, description, created_at])


def latest_files(con: Any, project: str, name: str) -> dict[str, tuple[str, int]]:
    """path -> (sha256, size) of the version aliased ``latest`` (empty if there is none)."""
    rows = con.execute(
        "SELECT f.path, f.sha256, f.size FROM artifact_files f JOIN artifact_aliases a "
        "ON a.project = f.project AND a.name = f.name AND a.version = f.version "
        "WHERE a.project = ? AND a.name = ? AND a.alias = 'latest'", [project, name]).fetchall()
    return {path: (sha, size) for path, sha, size in rows}


def version_with_digest(con: Any, project: str, name: str, digest: str) -> int | None:
    """The first version of ``project/name`` whose manifest digest is ``digest``, or None."""
    found = con.execute("SELECT min(version) FROM artifact_versions WHERE project = ? AND name = ? "
                        "AND digest = ?", [project, name, digest]).fetchall()[0][0]
    return None if found is None else int(found)


def next_version(con: Any, project: str, name: str) -> int:
    """The number a new version of ``project/name`` gets (0 for the first)."""
    return int(con.execute("SELECT coalesce(max(version) + 1, 0) FROM artifact_versions "
                           "WHERE project = ? AND name = ?", [project, name]).fetchall()[0][0])


def insert_version(con: Any, project: str, name: str, version: int, digest: str, description: str | None,
                   metadata_json: str, size: int, files: FileRows, tags: Sequence[str], created_at: float,
                   created_by_run: str) -> None:
    """Add a version row and its file rows (the files as one Arrow insert, never row by row)."""
    con.execute("INSERT INTO artifact_versions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [project, name, version, digest, description, metadata_json, size, len(files),
                 list(tags), created_at, created_by_run])
    if not files:
        return
    paths = sorted(files)
    table = pa.table({"path": paths, "sha256": [files[p][0] for p in paths],
                      "size": pa.array([files[p][1] for p in paths], pa.int64())})
    con.register(_FILES_VIEW, table)
    try:
        con.execute(f"INSERT INTO artifact_files SELECT ?, ?, ?, path, sha256, size FROM {_FILES_VIEW}",
                    [project, name, version])
    finally:
        con.unregister(_FILES_VIEW)


def version_exists(con: Any, project: str, name: str, version: int) -> bool:
    """True if ``project/name:v<version>`` has a row."""
    return bool(con.execute("SELECT count(*) FROM artifact_versions WHERE project = ? AND name = ? AND version = ?",
                            [project, name, version]).fetchall()[0][0])


def update_version(con: Any, project: str, name: str, version: int, description: str | None,
                   metadata_json: str, tags: Sequence[str]) -> None:
    """Overwrite the editable fields of a committed version."""
    con.execute("UPDATE artifact_versions SET description = ?, metadata = ?, tags = ? "
                "WHERE project = ? AND name = ? AND version = ?",
                [description, metadata_json, list(tags), project, name, version])


def move_alias(con: Any, project: str, name: str, alias: str, version: int) -> None:
    """Point ``alias`` at ``version`` (an alias names one version per artifact)."""
    con.execute("DELETE FROM artifact_aliases WHERE project = ? AND name = ? AND alias = ?", [project, name, alias])
    con.execute("INSERT INTO artifact_aliases VALUES (?, ?, ?, ?)", [project, name, alias, version])


def remove_alias(con: Any, project: str, name: str, version: int, alias: str) -> None:
    """Take ``alias`` off ``version`` (nothing happens if it names another version)."""
    con.execute("DELETE FROM artifact_aliases WHERE project = ? AND name = ? AND version = ? AND alias = ?",
                [project, name, version, alias])


def version_aliases(con: Any, project: str, name: str, version: int) -> list[str]:
    """The aliases of one version, sorted."""
    rows = con.execute("SELECT alias FROM artifact_aliases WHERE project = ? AND name = ? AND version = ? "
                       "ORDER BY alias", [project, name, version]).fetchall()
    return [r[0] for r in rows]


def add_lineage(con: Any, run_id: str, project: str, name: str, version: int, direction: str,
                created_at: float) -> None:
    """Record that a run logged/used/linked a version; a second identical record is skipped."""
    row = [run_id, project, name, version, direction]
    seen = con.execute("SELECT count(*) FROM lineage WHERE run_id = ? AND project = ? AND name = ? "
                       "AND version = ? AND direction = ?", row).fetchall()[0][0]
    if not seen:
        con.execute("INSERT INTO lineage VALUES (?, ?, ?, ?, ?, ?)", [*row, created_at])
