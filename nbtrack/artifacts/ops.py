"""Writer operations for artifacts: applied inside a StoreWriter batch's transaction.

They run under the store's exclusive lock, so numbering a version there
(``max(version) + 1``, or the existing version with the same digest) is safe against
other processes logging the same artifact at the same moment. Logical refusals (a name
already used with another type) are returned as ``{"error": ...}`` rather than raised,
so they never hold back the run's other data.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pyarrow as pa

from .manifest import ArtifactEntry, Manifest


def log_version(
    project: str, name: str, type: str, description: str | None, metadata: dict[str, Any],
    tags: list[str], entries: list[ArtifactEntry], aliases: list[str], run_id: str,
    direction: str = "output", incremental: bool = False,
) -> Callable[[Any], dict[str, Any]]:
    """An operation that creates (or finds, by digest) a version and moves its aliases."""
    meta_json = json.dumps(metadata, default=str)
    mine = {e.path: (e.digest, e.size) for e in entries}

    def apply(con: Any) -> dict[str, Any]:
        now = time.time()
        key = [project, name]
        found = con.execute("SELECT type FROM artifacts WHERE project = ? AND name = ?", key).fetchall()
        if not found:
            con.execute("INSERT INTO artifacts VALUES (?, ?, ?, ?, ?)", [*key, type, description, now])
        elif found[0][0] != type:
            return {"error": f"artifact {name!r} in project {project!r} has type {found[0][0]!r}, "
                             f"not {type!r}; use another name or the same type."}
        files = dict(mine)
        if incremental:  # a patch on the latest version: its files, then ours on top
            rows = con.execute(
                "SELECT f.path, f.sha256, f.size FROM artifact_files f JOIN artifact_aliases a "
                "ON a.project = f.project AND a.name = f.name AND a.version = f.version "
                "WHERE a.project = ? AND a.name = ? AND a.alias = 'latest'", key).fetchall()
            files = {p: (s, n) for p, s, n in rows}
            files.update(mine)
        manifest = Manifest({p: ArtifactEntry(p, s, n) for p, (s, n) in files.items()})
        digest = manifest.digest()
        same = con.execute("SELECT min(version) FROM artifact_versions WHERE project = ? AND name = ? "
                           "AND digest = ?", [*key, digest]).fetchall()[0][0]
        created = same is None
        if created:
            version = con.execute("SELECT coalesce(max(version) + 1, 0) FROM artifact_versions "
                                  "WHERE project = ? AND name = ?", key).fetchall()[0][0]
            con.execute("INSERT INTO artifact_versions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [*key, version, digest, description, meta_json, manifest.size, len(files),
                         list(tags), now, run_id])
            if files:
                paths = sorted(files)
                table = pa.table({"path": paths, "sha256": [files[p][0] for p in paths],
                                  "size": pa.array([files[p][1] for p in paths], pa.int64())})
                con.register("_nbtrack_artifact_files", table)
                con.execute("INSERT INTO artifact_files SELECT ?, ?, ?, path, sha256, size "
                            "FROM _nbtrack_artifact_files", [*key, version])
                con.unregister("_nbtrack_artifact_files")
        else:
            version = same
        for alias in aliases:  # an alias names one version: move it here
            con.execute("DELETE FROM artifact_aliases WHERE project = ? AND name = ? AND alias = ?", [*key, alias])
            con.execute("INSERT INTO artifact_aliases VALUES (?, ?, ?, ?)", [*key, alias, version])
        _lineage(con, run_id, project, name, version, direction, now)
        return {"version": int(version), "created": created, "digest": digest,
                "files": {p: v for p, v in files.items()} if incremental else None}

    return apply


def record_use(run_id: str, project: str, name: str, version: int) -> Callable[[Any], dict[str, Any]]:
    """An operation that records that a run used a version (lineage 'input')."""

    def apply(con: Any) -> dict[str, Any]:
        _lineage(con, run_id, project, name, version, "input", time.time())
        return {"version": version}

    return apply


def _lineage(con: Any, run_id: str, project: str, name: str, version: int, direction: str, now: float) -> None:
    row = [run_id, project, name, version, direction]
    seen = con.execute("SELECT count(*) FROM lineage WHERE run_id = ? AND project = ? AND name = ? "
                       "AND version = ? AND direction = ?", row).fetchall()[0][0]
    if not seen:
        con.execute("INSERT INTO lineage VALUES (?, ?, ?, ?, ?, ?)", [*row, now])


def update_version(project: str, name: str, version: int, description: str | None, metadata: dict[str, Any],
                   tags: list[str], added: list[str], removed: list[str]) -> Callable[[Any], dict[str, Any]]:
    """An operation that writes edits of a committed version: description, metadata, tags,
    aliases added (moved here from other versions) and removed (from this version only);
    returns the version's aliases after the edit."""
    meta_json = json.dumps(metadata, default=str)

    def apply(con: Any) -> dict[str, Any]:
        key = [project, name, version]
        found = con.execute("SELECT count(*) FROM artifact_versions WHERE project = ? AND name = ? AND version = ?",
                            key).fetchall()[0][0]
        if not found:
            return {"error": f"artifact {project}/{name}:v{version} is no longer in the store."}
        con.execute("UPDATE artifact_versions SET description = ?, metadata = ?, tags = ? "
                    "WHERE project = ? AND name = ? AND version = ?", [description, meta_json, list(tags), *key])
        for alias in removed:
            con.execute("DELETE FROM artifact_aliases WHERE project = ? AND name = ? AND version = ? AND alias = ?",
                        [*key, alias])
        for alias in added:
            con.execute("DELETE FROM artifact_aliases WHERE project = ? AND name = ? AND alias = ?",
                        [project, name, alias])
            con.execute("INSERT INTO artifact_aliases VALUES (?, ?, ?, ?)", [project, name, alias, version])
        rows = con.execute("SELECT alias FROM artifact_aliases WHERE project = ? AND name = ? AND version = ? "
                           "ORDER BY alias", key).fetchall()
        return {"version": version, "aliases": [r[0] for r in rows]}

    return apply
