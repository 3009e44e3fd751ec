"""``run.log_artifact`` and ``run.use_artifact``: hand artifacts to the run's store writer.

log_artifact does no database I/O on the caller's thread: the file contents are already
blobs (copied at add time), and the version row, its files, the aliases and the lineage
are written by a writer operation inside the next batch's transaction, under the
store's exclusive lock, where the version number is assigned. Storage trouble is
retried by the writer like any other data.

The Run is passed in; only its public side is read (``project``, ``id``, ``store``,
``store_writer``, ``finished``), and the Artifact changes its own state (``begin_log``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..errors import UsageError
from ..plain_values import plain_value
from ..store.store import store_at
from . import ops, team
from .artifact import Artifact
from .download import source_of
from .names import check_aliases

if TYPE_CHECKING:
    from ..store.reader import StoreReader
    from ..tracking.run import Run


def log_artifact(run: Run, artifact_or_path: Artifact | str | os.PathLike[str], name: str | None = None,
                 type: str | None = None, aliases: Sequence[str] | None = None,
                 tags: Sequence[str] | None = None, direction: str = "output") -> Artifact:
    """Log an artifact (or a file / directory path) as the next version of its name."""
    if run.finished:
        raise UsageError(f"run {run.name!r} is finished; log artifacts before finish() or in a new run.")
    art = _as_artifact(run, artifact_or_path, name, type)
    alias_list = check_aliases(aliases)
    if tags is not None and (isinstance(tags, str) or not all(isinstance(t, str) for t in tags)):
        raise TypeError("log_artifact: tags must be a list of strings.")
    art.tags = list(dict.fromkeys(tags or art.tags))
    writer = run.store_writer
    if writer is None:  # mode="disabled": nothing is kept
        art.begin_log(run.project, run.id, alias_list, None, None)
        return art
    store = writer.store
    entries = art.files()
    for entry in entries:  # content staged elsewhere: the writer copies it first
        try:
            here = store.has_blob(entry.digest)
        except OSError:
            here = False
        if not here:
            writer.add_blob_file(source_of(art, entry), entry.digest)
    art.metadata = plain_value(art.metadata, "metadata", "nbtrack.Artifact")  # kept like config values
    operation = ops.log_version(run.project, art.collection_name, art.type, art.description, art.metadata,
                                art.tags, entries, alias_list, run.id, direction, art.incremental)
    art.begin_log(run.project, run.id, alias_list, writer, operation)
    return art


def use_artifact(run: Run, artifact_or_name: Artifact | str, type: str | None = None,
                 aliases: Sequence[str] | None = None, use_as: str | None = None) -> Artifact:
    """Record that the run uses an artifact version; return it (ready to download).

    A name ("name", "name:alias", "name:v3", "project/name:alias") is resolved now in the
    store (the run's project first). A draft Artifact is logged and marked as used.
    """
    if run.finished:
        raise UsageError(f"run {run.name!r} is finished; use artifacts before finish() or in a new run.")
    if isinstance(artifact_or_name, Artifact):
        art = artifact_or_name
        if art.is_draft():
            return log_artifact(run, art, aliases=aliases, direction="input")
        art.wait()  # logged in this process: its version must be known
    elif isinstance(artifact_or_name, str):
        art = team.fetch_for_run(run, artifact_or_name, _reader(run), type)
    else:
        raise TypeError(f"use_artifact expects an Artifact or a name like 'model:latest', got "
                        f"{artifact_or_name.__class__.__name__}.")
    if type is not None and art.type != type:
        raise ValueError(f"nbtrack: artifact {art.qualified_name} has type {art.type!r}, not {type!r}.")
    writer = run.store_writer
    if writer is not None and art.project is not None and art.version_index is not None:
        writer.add_operation(team.use_operation(run.id, art))
    return art


def _reader(run: Run) -> StoreReader:
    # the reader loads pandas (~1 s cold): only when a stored artifact is asked for, not on log_artifact
    from ..store.reader import StoreReader

    return StoreReader(run.store if run.store is not None else store_at(None))


def _as_artifact(run: Run, value: Any, name: str | None, type: str | None) -> Artifact:
    if isinstance(value, Artifact):
        return value
    if not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"log_artifact expects an Artifact or a file/directory path, got {value.__class__.__name__}.")
    path = os.fspath(value)
    if "://" in path:
        raise NotImplementedError("log_artifact: references to external storage are not supported; "
                                  "pass a local file or directory.")
    base = os.path.basename(os.path.normpath(path))
    art = Artifact(name or re.sub(r"[^A-Za-z0-9_.-]", "_", f"run-{run.id}-{base}"), type or "unspecified")
    if run.store is not None:
        art.use_store(run.store)
    if os.path.isdir(path):
        art.add_dir(path)
    elif os.path.isfile(path):
        art.add_file(path)
    else:
        raise ValueError(f"log_artifact: {path!r} is neither a file nor a directory.")
    return art
