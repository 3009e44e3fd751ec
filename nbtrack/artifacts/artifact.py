"""``nbtrack.Artifact``: a named, typed, versioned set of files (wandb's Artifact API).

Files are hashed and copied when they are added (the content at add time is what gets
logged, as in wandb): into the blobs of the store they will most likely be logged to
(the active run's, else ``NBTRACK_DIR`` / ``./nbtrack``), or, when that store cannot be
written, into a private staging directory that the run's writer copies from later.

The Artifact owns its life cycle: a draft (``add_file``...), frozen by ``begin_log``
(called by ``run.log_artifact``) which hands the store writer the operation that
commits it, then committed (``version`` known) or refused. What it needs from the layers
above is handed to it: the store writer at logging, and a ``LineageReader`` (the read
API) to answer ``logged_by()`` / ``used_by()``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Protocol

from .. import active_runs
from ..errors import UsageError
from ..store.editor import StoreEditor
from ..store.store import Store, hash_file, store_at
from .download import default_root, materialise, target_of
from .manifest import ArtifactEntry, Manifest, clean_path
from .names import check_aliases, check_name


class ArtifactWriter(Protocol):
    """What an Artifact needs of the run's store writer (``RunWriter``) once logged."""

    @property
    def store(self) -> Store: ...

    def add_operation(self, apply: Callable[[Any], Any], on_commit: Callable[[Any], None] | None = None,
                      on_error: Callable[[BaseException], None] | None = None) -> None: ...

    def flush(self, timeout: float | None = None) -> bool: ...


class LineageReader(Protocol):
    """Answers which runs logged or used a version (the read API, ``nbtrack.Api``)."""

    def artifact_runs(self, project: str, name: str, version: int, direction: str) -> list[Any]: ...


class Artifact:
    """A versioned set of files: build it with ``add_file``/``add_dir``/``new_file``, then
    ``run.log_artifact(artifact)``; get one back with ``run.use_artifact("name:latest")``
    or ``nbtrack.Api().artifact("name:v0")``.
    """

    def __init__(self, name: str, type: str, description: str | None = None,
                 metadata: dict[str, Any] | None = None, incremental: bool = False,
                 use_as: str | None = None, **wandb_kwargs: Any) -> None:
        self._base = check_name(name)
        self.type: str = check_name(type, "artifact type")
        if description is not None and not isinstance(description, str):
            raise TypeError("nbtrack.Artifact: description must be a string.")
        if metadata is not None and not isinstance(metadata, dict):
            raise TypeError("nbtrack.Artifact: metadata must be a dict.")
        self.description: str | None = description
        self.metadata: dict[str, Any] = dict(metadata or {})
        self.incremental = bool(incremental)
        self.project: str | None = None
        self.tags: list[str] = []
        self.created_at: float | None = None
        self._entries: dict[str, ArtifactEntry] = {}
        self._store: Store | None = None  # where blobs are written / read
        self._lineage: Callable[[], LineageReader] | None = None  # for logged_by() / used_by()
        self._team: Any = None  # the team store a version was read from (its blobs are there; read-only)
        self._staging: str | None = None
        self._version: int | None = None
        self._aliases: list[str] = []
        self._aliases_seen: list[str] = []  # as last logged or read: save() writes the difference
        self._digest: str | None = None
        self._logged_by: str | None = None
        self._final = False  # logged: contents are frozen
        self._committed = threading.Event()
        self._error: str | None = None
        self._writer: ArtifactWriter | None = None

    # -- identity ----------------------------------------------------------------------
    @property
    def name(self) -> str:
        """"name:vN" once the version is known (as in wandb), else the bare name."""
        return self._base if self._version is None else f"{self._base}:v{self._version}"

    @property
    def source_name(self) -> str:
        return self.name

    @property
    def qualified_name(self) -> str:
        """"project/name:vN" (the project is the logging run's)."""
        return f"{self.project}/{self.name}" if self.project else self.name

    @property
    def collection_name(self) -> str:
        """The bare artifact name, without version."""
        return self._base

    @property
    def version(self) -> str | None:
        """"v0", "v1", ... once committed (after ``wait()`` for a freshly logged one)."""
        return None if self._version is None else f"v{self._version}"

    @property
    def version_index(self) -> int | None:
        """The version as a number."""
        return self._version

    @property
    def aliases(self) -> list[str]:
        """Aliases of this version: a list to edit in place (`aliases.append("best")`)
        and write with `save()`, as in wandb."""
        return self._aliases

    @aliases.setter
    def aliases(self, value: list[str]) -> None:
        if isinstance(value, str) or not all(isinstance(a, str) for a in value):
            raise TypeError("nbtrack.Artifact.aliases must be a list of strings.")
        self._aliases = list(value)

    @property
    def state(self) -> str:
        """"PENDING" until the version is committed to the store, then "COMMITTED"."""
        return "COMMITTED" if self._version is not None else "PENDING"

    @property
    def manifest(self) -> Manifest:
        return Manifest({p: self._entries[p] for p in sorted(self._entries)})

    @property
    def digest(self) -> str:
        """sha256 over the sorted manifest (the stored one once committed)."""
        return self._digest or self.manifest.digest()

    @property
    def size(self) -> int:
        return sum(e.size for e in self._entries.values())

    @property
    def file_count(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"<nbtrack.Artifact {self.qualified_name} type={self.type!r} files={len(self._entries)} {self.state}>"

    # -- adding files ------------------------------------------------------------------
    def add_file(self, local_path: str | os.PathLike[str], name: str | None = None, is_tmp: bool | None = False,
                 skip_cache: bool | None = False, policy: str | None = None, overwrite: bool = False) -> ArtifactEntry:
        """Add one file (its content now) as ``name`` (default: its base name)."""
        self._check_mutable()
        path = os.fspath(local_path)
        if not os.path.isfile(path):
            raise ValueError(f"nbtrack.Artifact.add_file: {path!r} is not a file.")
        target = clean_path(name if name is not None else os.path.basename(path))
        sha, size, stored = self._stage(path)
        if is_tmp:  # wandb: a deterministic name from the content, keeping the extension
            head, _, tail = target.rpartition("/")
            parts = tail.split(".")
            parts[0] = sha[:20]
            target = (head + "/" if head else "") + ".".join(parts)
        return self._put(ArtifactEntry(target, sha, size, stored, self), overwrite)

    def add_dir(self, local_path: str | os.PathLike[str], name: str | None = None,
                skip_cache: bool | None = False, policy: str | None = None, merge: bool = False) -> None:
        """Add every file under a directory (recursively), under the prefix ``name``."""
        self._check_mutable()
        root = os.fspath(local_path)
        if not os.path.isdir(root):
            raise ValueError(f"nbtrack.Artifact.add_dir: {root!r} is not a directory.")
        prefix = clean_path(name) + "/" if name else ""
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            for fname in sorted(filenames):
                full = os.path.join(dirpath, fname)
                rel = os.path.relpath(full, root).replace(os.sep, "/")
                self.add_file(full, name=prefix + rel, overwrite=merge)

    @contextmanager
    def new_file(self, name: str, mode: str = "w", encoding: str | None = None) -> Iterator[IO[Any]]:
        """Write a new file straight into the artifact: ``with art.new_file("a.txt") as f:``."""
        self._check_mutable()
        target = clean_path(name)
        if target in self._entries:
            raise ValueError(f"nbtrack.Artifact.new_file: {target!r} is already in the artifact.")
        tmpdir = tempfile.mkdtemp(prefix="nbtrack-new-file-")
        try:
            path = os.path.join(tmpdir, os.path.basename(target))
            if "b" not in mode and encoding is None:
                encoding = "utf-8"
            with open(path, mode.replace("x", "w"), encoding=encoding) as fh:
                yield fh
            self.add_file(path, name=target)
        finally:
            shutil.rmtree(tmpdir, ignore_errors=True)

    def add_reference(self, uri: Any, name: str | None = None, checksum: bool = True, max_objects: int | None = None) -> Any:
        raise NotImplementedError(
            "nbtrack.Artifact.add_reference: references to external storage (s3://, gs://, http(s)://, "
            "file://) are not supported; nbtrack keeps artifact files in the local store. Copy the data "
            "locally and use add_file() or add_dir() instead."
        )

    def add(self, obj: Any, name: str, overwrite: bool = False) -> ArtifactEntry:
        """Add a Table, Image, PartitionedTable or JoinedTable as `name` (read back with `get`)."""
        self._check_mutable()
        from .objects import add_object

        return add_object(self, obj, name, overwrite)

    def get(self, name: str) -> Any:
        """The Table / Image / PartitionedTable / JoinedTable added as `name`."""
        from .objects import get_object

        return get_object(self, name)

    def remove(self, item: str | ArtifactEntry) -> None:
        """Remove a file (by its name in the artifact) before logging."""
        self._check_mutable()
        path = item.path if isinstance(item, ArtifactEntry) else clean_path(item)
        if self._entries.pop(path, None) is None:
            raise FileNotFoundError(f"nbtrack.Artifact.remove: no file {path!r} in the artifact.")

    # -- reading -----------------------------------------------------------------------
    def get_entry(self, name: str) -> ArtifactEntry:
        """The entry of one file (KeyError if absent)."""
        path = clean_path(name)
        try:
            return self._entries[path]
        except KeyError:
            raise KeyError(f"artifact {self.name!r} has no file {path!r}") from None

    get_path = get_entry

    def files(self, names: list[str] | None = None, per_page: int | None = None) -> list[ArtifactEntry]:
        """The artifact's files, sorted by name."""
        entries = [self._entries[p] for p in sorted(self._entries)]
        if names is not None:
            wanted = {clean_path(n) for n in names}
            entries = [e for e in entries if e.path in wanted]
        return entries

    def download(self, root: str | os.PathLike[str] | None = None, allow_missing_references: bool = False,
                 skip_cache: bool | None = None, path_prefix: str | None = None) -> str:
        """Write the files under ``root`` (default ``./artifacts/<name>:v<N>``); return ``root``.

        Files already there with the right content are left alone; others are replaced.
        """
        entries = self.files()
        if path_prefix:
            entries = [e for e in entries if e.path.startswith(path_prefix)]
        materialise(self, entries, root)
        return str(default_root(self) if root is None else Path(root))

    def checkout(self, root: str | os.PathLike[str] | None = None) -> str:
        """Make ``root`` hold exactly this artifact's files (others are deleted)."""
        target = Path(self.download(root))
        keep = {target_of(target, e) for e in self._entries.values()}
        for path in sorted(target.rglob("*"), reverse=True):
            if path.is_file() and path not in keep:
                path.unlink()
        return str(target)

    def verify(self, root: str | os.PathLike[str] | None = None) -> None:
        """Raise ValueError unless ``root`` holds exactly this artifact's files."""
        target = Path(default_root(self) if root is None else root)
        found = {p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()}
        if found != set(self._entries):
            raise ValueError(f"nbtrack.Artifact.verify: {target} holds {sorted(found ^ set(self._entries))} "
                             "that differ from the artifact's file list.")
        for e in self._entries.values():
            if hash_file(target_of(target, e))[0] != e.digest:
                raise ValueError(f"nbtrack.Artifact.verify: {e.path} differs from the artifact.")

    # -- logging -----------------------------------------------------------------------
    def wait(self, timeout: float | None = None) -> Artifact:
        """Wait until a logged artifact is committed (its ``version`` is then known).

        While the store cannot be written this waits for it to recover (or ``timeout``
        s, then TimeoutError). ValueError when the store refused it (type conflict).
        """
        if self._version is not None and self._writer is None:
            return self
        if self._writer is None:
            if self._final:  # logged by a run that keeps nothing (mode="disabled")
                return self
            raise ValueError(f"nbtrack.Artifact.wait: artifact {self._base!r} was not logged; "
                             "call run.log_artifact(artifact) first.")
        if not self._committed.is_set():
            self._writer.flush(timeout)  # None: until written (retried while storage fails)
        if not self._committed.is_set():
            raise TimeoutError(f"nbtrack: artifact {self._base!r} is not written yet (the store at "
                               f"{self._store.root if self._store is not None else None} is not writable right now; it is kept and retried).")
        if self._error:
            raise ValueError(self._error)
        return self

    def is_draft(self) -> bool:
        """True until the artifact is logged."""
        return not self._final

    def save(self, project: str | None = None, settings: Any = None) -> None:
        """Log a draft with the active run, or with a short run of its own (as wandb).

        On a logged version, write its edited `description`, `metadata`, `tags` and
        `aliases` to the store (the files of a version never change).
        """
        if self._final:
            self._save_edits()
            return
        run = active_runs.active()
        if run is not None:
            run.log_artifact(self)
            return
        with active_runs.start_run(project=project, job_type="auto", reinit="create_new", live=False) as run:
            run.log_artifact(self)
        self.wait()

    def logged_by(self) -> Any:
        """The ApiRun that logged this version (None if unknown)."""
        runs = self._runs("output")
        return runs[0] if runs else None

    def used_by(self) -> list[Any]:
        """ApiRuns that used this version."""
        return self._runs("input")

    def _runs(self, direction: str) -> list[Any]:
        self.wait()
        if self._lineage is None or self._version is None or self.project is None:
            return []
        return self._lineage().artifact_runs(self.project, self._base, self._version, direction)

    # -- the life cycle, driven by the run and the read API ------------------------------
    @property
    def store(self) -> Store | None:
        """The store the files are hashed into and read from (None until known)."""
        return self._store

    def use_store(self, store: Store | None) -> None:
        """Hash files added from now on into ``store`` (a run's store, active or not)
        instead of the active run's; None: stage them privately (a run that keeps nothing)."""
        self._store = store

    def bind_lineage(self, lineage: Callable[[], LineageReader]) -> None:
        """Where ``logged_by()`` / ``used_by()`` read from: a factory of the read API over
        the artifact's store (made on first use: the read API loads pyarrow)."""
        self._lineage = lineage

    def begin_log(self, project: str, logged_by: str, aliases: list[str], writer: ArtifactWriter | None,
                  operation: Callable[[Any], Any] | None) -> None:
        """Freeze the artifact as logged by run ``logged_by`` in ``project``; ``operation``
        (a store-writer operation that numbers the version) commits it, and its result or
        error comes back to ``_on_commit`` / ``_on_failed``. Without a writer (a run that
        keeps nothing) the artifact is final at once, with no version."""
        self._final = True
        self.project = project
        self._error = None
        self._aliases = list(aliases)
        self._aliases_seen = list(aliases)
        self._logged_by = logged_by
        self._committed.clear()
        if writer is None or operation is None:
            self._committed.set()
            return
        self._store = writer.store
        self._writer = writer
        writer.add_operation(operation, on_commit=self._on_commit, on_error=self._on_failed)

    def linked_copy(self, project: str, name: str) -> Artifact:
        """A draft holding the same files (no copy: they are content-addressed) as the
        collection ``project/name``: what ``run.link_artifact`` logs."""
        linked = Artifact(name, self.type, self.description, self.metadata)
        linked._entries = dict(self._entries)
        linked.tags = list(self.tags)
        linked._store = self._store
        linked._lineage = self._lineage
        return linked

    # -- internals ---------------------------------------------------------------------
    def _check_mutable(self) -> None:
        if self._final:
            raise ValueError(f"nbtrack.Artifact: {self.name!r} is already logged and cannot change; "
                             "make a new Artifact with the same name for a new version.")

    def _put(self, entry: ArtifactEntry, overwrite: bool) -> ArtifactEntry:
        old = self._entries.get(entry.path)
        if old is not None and old.digest != entry.digest and not overwrite:
            raise ValueError(f"nbtrack.Artifact: a different file named {entry.path!r} is already in the "
                             "artifact; pass overwrite=True to replace it.")
        self._entries[entry.path] = entry
        return entry

    def _blob_store(self) -> Store | None:
        """The store blobs go to: the active run's, else the default one; None while the
        active run keeps nothing (mode="disabled"): files are then staged privately."""
        if self._store is None:
            run = active_runs.active()
            if run is not None:
                if run.store is None:
                    return None
                self._store = run.store
            else:
                self._store = store_at(None)
        return self._store

    def _stage(self, path: str) -> tuple[str, int, str]:
        """Copy a file's current content somewhere stable; (sha256, size, where)."""
        store = self._blob_store()
        if store is not None:
            try:
                return _put(store, path)
            except OSError:
                pass  # the store is not writable now: stage privately, the writer copies later
        if self._staging is None:
            self._staging = tempfile.mkdtemp(prefix="nbtrack-artifact-")
        # the same content-addressed layout, privately (a staging area, not a store: no registry entry)
        return _put(Store(self._staging), path)

    def _save_edits(self) -> None:
        from .ops import update_version  # ops loads pyarrow: only when an edit is written

        if self._writer is not None or self._version is None:
            self.wait()
        if self._team is not None:
            raise UsageError(f"artifact {self.qualified_name} was read from the team store {self._team.root}, "
                             "which nbtrack only reads: edit it on the machine that logged it (its local store "
                             "ships the edit), or log a new version.")
        if self._version is None or self._store is None or self.project is None:
            return  # logged by a run that keeps nothing (mode="disabled")
        if self.metadata is not None and not isinstance(self.metadata, dict):
            raise TypeError("nbtrack.Artifact: metadata must be a dict.")
        wanted = list(dict.fromkeys(self._aliases))
        added = [a for a in wanted if a not in self._aliases_seen]
        removed = [a for a in self._aliases_seen if a not in wanted]
        if added:
            valid = check_aliases(added)
            added = [a for a in valid if a != "latest" or "latest" in added]
        result = StoreEditor(self._store).apply(
            update_version(self.project, self._base, self._version, self.description, dict(self.metadata or {}),
                           list(self.tags), added, removed))
        if "error" in result:
            raise ValueError(result["error"])
        self._aliases = list(result["aliases"])
        self._aliases_seen = list(self._aliases)

    def _on_commit(self, result: dict[str, Any]) -> None:
        if "error" in result:
            self._error = result["error"]
        else:
            self._version = result["version"]
            self._digest = result["digest"]
            if result.get("files") is not None:  # incremental: the full merged file list
                for p, (sha, size) in result["files"].items():
                    if p not in self._entries:
                        self._entries[p] = ArtifactEntry(p, sha, size, None, self)
        self._committed.set()

    def _on_failed(self, exc: BaseException) -> None:
        self._error = f"nbtrack: artifact {self._base!r} could not be written: {type(exc).__name__}: {exc}"
        self._committed.set()

    @classmethod
    def from_store(cls, row: dict[str, Any], store: Any) -> Artifact:
        """A committed version as read from ``store`` (a row of the artifacts query): a local
        ``Store``, or a team store (its blobs come from the team's blob store; read-only here)."""
        art = cls(row["name"], row["type"], row["description"], row["metadata"])
        art.project = row["project"]
        art.tags = list(row.get("tags") or [])
        art.created_at = row["created_at"]
        team = store if getattr(store, "is_team_store", False) else None
        art._store = None if team is not None else store
        art._team = team
        art._version = int(row["version"])
        art._digest = row["digest"]
        art._aliases = list(row["aliases"])
        art._aliases_seen = list(art._aliases)
        art._logged_by = row["created_by_run"]
        for path, sha, size in row["files"]:
            art._entries[path] = ArtifactEntry(path, sha, size, None, art)
        art._final = True
        art._committed.set()
        return art


def _put(store: Any, path: str) -> tuple[str, int, str]:
    sha, size = store.put_blob_file(path)
    return sha, size, str(store.blob_path(sha))
