"""Read artifacts out of a store (through StoreReader: shared lock, copied out)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .names import Ref, parse_ref

if TYPE_CHECKING:
    from ..store.reader import StoreReader
    from .artifact import Artifact

_VERSIONS = (
    "SELECT v.project, v.name, v.version, v.digest, v.description, v.metadata, v.size, "
    "v.file_count, v.tags, v.created_at, v.created_by_run, a.type "
    "FROM artifact_versions v JOIN artifacts a ON a.project = v.project AND a.name = v.name"
)


def projects_with(reader: StoreReader, name: str) -> list[str]:
    """Projects that have an artifact of this name."""
    rows = reader.query("SELECT project FROM artifacts WHERE name = ? ORDER BY project", [name]).to_pylist()
    return [r["project"] for r in rows]


def resolve(reader: StoreReader, ref: str | Ref, project: str | None = None) -> tuple[str, str, int]:
    """(project, name, version) for a reference; ValueError naming what is missing.

    Without a project in the reference, ``project`` (the run's) is tried first, then the
    only project holding that name; a name in several projects must be qualified.
    """
    ref = parse_ref(ref) if isinstance(ref, str) else ref
    where = ref.project or project
    candidates = projects_with(reader, ref.name)
    if where is not None and where in candidates:
        chosen = where
    elif ref.project is None and len(candidates) == 1:
        chosen = candidates[0]
    elif ref.project is None and len(candidates) > 1:
        raise ValueError(f"nbtrack: artifact {ref.name!r} exists in several projects {candidates}; "
                         f"say which, e.g. '{candidates[0]}/{ref.name}:{ref.alias}'.")
    else:
        place = f" in project {where!r}" if where else ""
        raise ValueError(f"nbtrack: no artifact named {ref.name!r}{place} in {reader.store.root}.")
    key = [chosen, ref.name]
    if ref.version is not None:
        rows = reader.query("SELECT version FROM artifact_versions WHERE project = ? AND name = ? AND version = ?",
                            [*key, ref.version]).to_pylist()
    else:
        rows = reader.query("SELECT version FROM artifact_aliases WHERE project = ? AND name = ? AND alias = ? "
                            "ORDER BY version DESC LIMIT 1", [*key, ref.alias]).to_pylist()
    if not rows:
        raise ValueError(f"nbtrack: artifact {chosen}/{ref.name} has no version {ref.alias!r}.")
    return chosen, ref.name, int(rows[0]["version"])


def load_where(reader: StoreReader, where: str, params: list[Any], order: str = "v.project, v.name, v.version") -> list[Artifact]:
    """Artifacts (committed versions) whose ``artifact_versions v`` / ``artifacts a`` row matches."""
    from .artifact import Artifact

    versions = reader.query(f"{_VERSIONS} WHERE {where} ORDER BY {order}", params).to_pylist()
    if not versions:
        return []
    files = reader.query(
        "SELECT f.project, f.name, f.version, f.path, f.sha256, f.size FROM artifact_files f "
        "JOIN artifact_versions v ON v.project = f.project AND v.name = f.name AND v.version = f.version "
        f"JOIN artifacts a ON a.project = v.project AND a.name = v.name WHERE {where} ORDER BY f.path",
        params).to_pylist()
    aliases = reader.query(
        "SELECT al.project, al.name, al.version, al.alias FROM artifact_aliases al "
        "JOIN artifact_versions v ON v.project = al.project AND v.name = al.name AND v.version = al.version "
        f"JOIN artifacts a ON a.project = v.project AND a.name = v.name WHERE {where} ORDER BY al.alias",
        params).to_pylist()
    by_key: dict[tuple[str, str, int], dict[str, Any]] = {}
    for row in versions:
        row["metadata"] = json.loads(row["metadata"]) if row["metadata"] else {}
        row["files"], row["aliases"] = [], []
        by_key[(row["project"], row["name"], row["version"])] = row
    for f in files:
        by_key[(f["project"], f["name"], f["version"])]["files"].append((f["path"], f["sha256"], f["size"]))
    for a in aliases:
        by_key[(a["project"], a["name"], a["version"])]["aliases"].append(a["alias"])
    if getattr(reader.store, "is_team_store", False):  # blobs come from the team's blob store
        return [Artifact._from_store(row, None, reader.store) for row in versions]
    root = Path(reader.store.root)
    return [Artifact._from_store(row, root) for row in versions]


def load(reader: StoreReader, project: str, name: str, version: int) -> Artifact:
    """One committed version."""
    found = load_where(reader, "v.project = ? AND v.name = ? AND v.version = ?", [project, name, version])
    if not found:
        raise ValueError(f"nbtrack: artifact {project}/{name}:v{version} is not in {reader.store.root}.")
    return found[0]


def fetch(reader: StoreReader, ref: str, project: str | None = None, type: str | None = None) -> Artifact:
    """Resolve and load a reference; ValueError when missing or of another type."""
    art = load(reader, *resolve(reader, ref, project))
    if type is not None and art.type != type:
        raise ValueError(f"nbtrack: artifact {art.qualified_name} has type {art.type!r}, not {type!r}.")
    return art


def versions(reader: StoreReader, name: str | None = None, type: str | None = None, project: str | None = None) -> list[Artifact]:
    """Committed versions, filtered by name ("name" or "project/name"), type and project."""
    where, params = ["TRUE"], []
    if name is not None:
        ref = parse_ref(name)
        where.append("v.name = ?")
        params.append(ref.name)
        project = ref.project or project
    if project is not None:
        where.append("v.project = ?")
        params.append(project)
    if type is not None:
        where.append("a.type = ?")
        params.append(type)
    return load_where(reader, " AND ".join(where), params)


def of_run(reader: StoreReader, run_id: str, direction: str) -> list[Artifact]:
    """Versions a run logged ('output') or used ('input'), by project, name and version."""
    return load_where(
        reader,
        "EXISTS (SELECT 1 FROM lineage l WHERE l.project = v.project AND l.name = v.name "
        "AND l.version = v.version AND l.run_id = ? AND l.direction = ?)",
        [run_id, direction],
    )


def runs_of(reader: StoreReader, project: str, name: str, version: int, direction: str) -> list[str]:
    """Ids of the runs that logged ('output') or used ('input') a version."""
    rows = reader.query("SELECT run_id FROM lineage WHERE project = ? AND name = ? AND version = ? "
                        "AND direction = ? ORDER BY created_at", [project, name, version, direction]).to_pylist()
    return [r["run_id"] for r in rows]
