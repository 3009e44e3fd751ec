"""Writer operations for artifacts: applied inside a StoreWriter batch's transaction.

They run under the store's exclusive lock, so numbering a version there
(``max(version) + 1``, or the existing version with the same digest) is safe against
other processes logging the same artifact at the same moment. Logical refusals (a name
already used with another type) are returned as ``{"error": ...}`` rather than raised,
so they never hold back the run's other data. The rows are read and written by
``nbtrack.store.artifact_rows``; this module decides what to write.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from ..store import artifact_rows as rows
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
        stored_type = rows.artifact_type(con, project, name)
        if stored_type is None:
            rows.insert_artifact(con, project, name, type, description, now)
        elif stored_type != type:
            return {"error": f"artifact {name!r} in project {project!r} has type {stored_type!r}, "
                             f"not {type!r}; use another name or the same type."}
        files = dict(mine)
        if incremental:  # a patch on the latest version: its files, then ours on top
            files = rows.latest_files(con, project, name)
            files.update(mine)
        manifest = Manifest({p: ArtifactEntry(p, s, n) for p, (s, n) in files.items()})
        digest = manifest.digest()
        same = rows.version_with_digest(con, project, name, digest)
        created = same is None
        if same is None:
            version = rows.next_version(con, project, name)
            rows.insert_version(con, project, name, version, digest, description, meta_json, manifest.size,
                                files, tags, now, run_id)
        else:
            version = same
        for alias in aliases:  # an alias names one version: move it here
            rows.move_alias(con, project, name, alias, version)
        rows.add_lineage(con, run_id, project, name, version, direction, now)
        return {"version": version, "created": created, "digest": digest,
                "files": dict(files) if incremental else None}

    return apply


def record_use(run_id: str, project: str, name: str, version: int) -> Callable[[Any], dict[str, Any]]:
    """An operation that records that a run used a version (lineage 'input')."""

    def apply(con: Any) -> dict[str, Any]:
        rows.add_lineage(con, run_id, project, name, version, "input", time.time())
        return {"version": version}

    return apply


def update_version(project: str, name: str, version: int, description: str | None, metadata: dict[str, Any],
                   tags: list[str], added: list[str], removed: list[str]) -> Callable[[Any], dict[str, Any]]:
    """An operation that writes edits of a committed version: description, metadata, tags,
    aliases added (moved here from other versions) and removed (from this version only);
    returns the version's aliases after the edit."""
    meta_json = json.dumps(metadata, default=str)

    def apply(con: Any) -> dict[str, Any]:
        if not rows.version_exists(con, project, name, version):
            return {"error": f"artifact {project}/{name}:v{version} is no longer in the store."}
        rows.update_version(con, project, name, version, description, meta_json, tags)
        for alias in removed:
            rows.remove_alias(con, project, name, version, alias)
        for alias in added:
            rows.move_alias(con, project, name, alias, version)
        return {"version": version, "aliases": rows.version_aliases(con, project, name, version)}

    return apply
