"""A logged Table is also an artifact, as in wandb: `run-<run id>-<key>` of type "run_table".

wandb's docs read logged tables back with
`run.use_artifact(f"run-{run_id}-{key}:latest").get(key)`; this makes that work. Nothing
is copied or written on the caller's thread: the table's JSON is handed to the run's
writer as a blob, its images are the blobs `log()` already queued, and the version is
numbered by a writer operation in the next batch (no new version when the table did
not change).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ..util import make_artifact_name_safe
from . import ops
from .manifest import ArtifactEntry

if TYPE_CHECKING:
    from ..tracking.run import Run

RUN_TABLE_TYPE = "run_table"


def run_table_name(run_id: str, key: str) -> str:
    """The artifact a table logged under `key` becomes: ``run-<id>-<key>`` made name-safe."""
    return make_artifact_name_safe(f"run-{run_id}-{key}")


def log_run_table(run: Run, key: str, ref: dict[str, Any]) -> None:
    """Queue the table reference `ref` (logged under `key`) as the next version of its artifact."""
    writer = run.store_writer
    if writer is None:
        return
    data = json.dumps(ref, ensure_ascii=False).encode("utf-8")
    entries = {f"{key}.table.json": ArtifactEntry(f"{key}.table.json", writer.add_blob(data), len(data))}
    for path, sha, size in _media_files(ref):
        entries.setdefault(path, ArtifactEntry(path, sha, size))
    writer.add_operation(ops.log_version(run.project, run_table_name(run.id, key), RUN_TABLE_TYPE, None, {}, [],
                                         list(entries.values()), ["latest"], run.id))


def _media_files(ref: Any) -> Iterator[tuple[str, str, int]]:
    """(path, sha256, size) of every media reference inside a table reference."""
    if isinstance(ref, dict):
        if isinstance(ref.get("sha256"), str) and isinstance(ref.get("path"), str) and isinstance(ref.get("size"), int):
            yield ref["path"], ref["sha256"], ref["size"]
        for value in ref.values():
            yield from _media_files(value)
    elif isinstance(ref, list):
        for value in ref:
            yield from _media_files(value)
