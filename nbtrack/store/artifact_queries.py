"""Read-only SQL over the artifact tables, through a StoreReader (shared lock, copied out).

Versions are selected by an :class:`ArtifactFilter` (project, name, version, type, or
the runs that logged or used them), never by SQL text from a caller; each selected
version comes back as an :class:`ArtifactVersionRow` with its files and aliases.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict, cast

if TYPE_CHECKING:
    from .reader import StoreReader

_VERSIONS = (
    "SELECT v.project, v.name, v.version, v.digest, v.description, v.metadata, v.size, "
    "v.file_count, v.tags, v.created_at, v.created_by_run, a.type "
    "FROM artifact_versions v JOIN artifacts a ON a.project = v.project AND a.name = v.name"
)
_FILES = (
    "SELECT f.project, f.name, f.version, f.path, f.sha256, f.size FROM artifact_files f "
    "JOIN artifact_versions v ON v.project = f.project AND v.name = f.name AND v.version = f.version "
    "JOIN artifacts a ON a.project = v.project AND a.name = v.name"
)
_ALIASES = (
    "SELECT al.project, al.name, al.version, al.alias FROM artifact_aliases al "
    "JOIN artifact_versions v ON v.project = al.project AND v.name = al.name AND v.version = al.version "
    "JOIN artifacts a ON a.project = v.project AND a.name = v.name"
)
_LINEAGE = ("EXISTS (SELECT 1 FROM lineage l WHERE l.project = v.project AND l.name = v.name "
            "AND l.version = v.version AND l.run_id = ? AND l.direction = ?)")


@dataclass(frozen=True)
class ArtifactFilter:
    """Which committed versions to read; every field given must match (None: any)."""

    project: str | None = None
    name: str | None = None
    version: int | None = None
    type: str | None = None
    #: (run id, direction): versions that run logged ("output"), used ("input") or linked ("link")
    lineage: tuple[str, str] | None = None

    def where(self) -> tuple[str, list[Any]]:
        """The WHERE clause over ``artifact_versions v`` / ``artifacts a`` and its parameters."""
        clauses, params = ["TRUE"], []
        for column, value in (("v.project", self.project), ("v.name", self.name), ("v.version", self.version),
                              ("a.type", self.type)):
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        if self.lineage is not None:
            clauses.append(_LINEAGE)
            params.extend(self.lineage)
        return " AND ".join(clauses), params


class ArtifactVersionRow(TypedDict):
    """One committed version as stored, with its files (path, sha256, size) and aliases."""

    project: str
    name: str
    version: int
    digest: str
    description: str | None
    metadata: dict[str, Any]
    size: int
    file_count: int
    tags: list[str] | None
    created_at: float
    created_by_run: str | None
    type: str
    files: list[tuple[str, str, int]]
    aliases: list[str]


def projects_with(reader: StoreReader, name: str) -> list[str]:
    """Projects that have an artifact of this name, sorted."""
    rows = reader.query("SELECT project FROM artifacts WHERE name = ? ORDER BY project", [name]).to_pylist()
    return [r["project"] for r in rows]


def has_version(reader: StoreReader, project: str, name: str, version: int) -> bool:
    """True if ``project/name:v<version>`` is stored."""
    rows = reader.query("SELECT version FROM artifact_versions WHERE project = ? AND name = ? AND version = ?",
                        [project, name, version]).to_pylist()
    return bool(rows)


def aliased_version(reader: StoreReader, project: str, name: str, alias: str) -> int | None:
    """The version ``alias`` names in ``project/name``, or None."""
    rows = reader.query("SELECT version FROM artifact_aliases WHERE project = ? AND name = ? AND alias = ? "
                        "ORDER BY version DESC LIMIT 1", [project, name, alias]).to_pylist()
    return int(rows[0]["version"]) if rows else None


def version_rows(reader: StoreReader, which: ArtifactFilter) -> list[ArtifactVersionRow]:
    """The committed versions ``which`` selects, ordered by project, name, version."""
    where, params = which.where()
    versions: list[dict[str, Any]] = reader.query(f"{_VERSIONS} WHERE {where} ORDER BY v.project, v.name, v.version", params).to_pylist()
    if not versions:
        return []
    files = reader.query(f"{_FILES} WHERE {where} ORDER BY f.path", params).to_pylist()
    aliases = reader.query(f"{_ALIASES} WHERE {where} ORDER BY al.alias", params).to_pylist()
    by_key: dict[tuple[str, str, int], dict[str, Any]] = {}
    for row in versions:
        row["metadata"] = json.loads(row["metadata"]) if row["metadata"] else {}
        row["files"], row["aliases"] = [], []
        by_key[(row["project"], row["name"], row["version"])] = row
    for f in files:
        by_key[(f["project"], f["name"], f["version"])]["files"].append((f["path"], f["sha256"], f["size"]))
    for a in aliases:
        by_key[(a["project"], a["name"], a["version"])]["aliases"].append(a["alias"])
    return cast("list[ArtifactVersionRow]", versions)  # each dict now holds every field of the row


def lineage_runs(reader: StoreReader, project: str, name: str, version: int, direction: str) -> list[str]:
    """Ids of the runs that logged ('output'), used ('input') or linked ('link') a version, oldest first."""
    rows = reader.query("SELECT run_id FROM lineage WHERE project = ? AND name = ? AND version = ? "
                        "AND direction = ? ORDER BY created_at", [project, name, version, direction]).to_pylist()
    return [r["run_id"] for r in rows]
