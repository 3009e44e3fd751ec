"""The read API: wandb's `Api().runs(project)` shape, plus pandas and SQL over the store.

Everything here reads through `StoreReader`, which holds the store's shared lock only
while copying data out, so reading never blocks training for long and works while
other kernels write.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .api_filters import compile_filter, sort_key, value_of
from .errors import CommError
from .flatten import flatten_config, flatten_nested
from .kept_files import ALERT_KIND, HISTORY_NOTEBOOK
from .nested import nested_get, prefixed
from .projects import project_from_path, run_path
from .run_identity import default_entity, store_url
from .store.store import connect
from .store.sweeps import SweepStore
from .store.untrusted import confined
from .sweeps.public import ApiSweep

SYSTEM_PREFIX = "system/"

if TYPE_CHECKING:
    import duckdb
    import nbformat
    import pandas as pd

    from .artifacts import Artifact
    from .store.reader import StoreReader
    from .store.records import FileRecord, RunRecord


def _reader(dir: str | os.PathLike[str] | None, store: str | None = None) -> StoreReader:
    """The local store's reader, or the team store's (``store=`` URL or ``NBTRACK_STORE``)."""
    from .store.readers import reader_for

    return reader_for(dir, store)


@dataclass(frozen=True)
class ApiFile:
    """A file kept with a run (saved file, code snapshot or media)."""

    name: str
    size: int
    sha256: str
    kind: str
    _reader: Any

    def read(self) -> bytes:
        """The file's bytes."""
        data: bytes = self._reader.store.read_blob(self.sha256, self.name)
        return data

    def download(self, root: str | os.PathLike[str] = ".", replace: bool = False, exist_ok: bool = False) -> Path:
        """Write the file under `root` (keeping its name's folders); returns the path.

        The stored name is untrusted (a shared store): one that would lead outside `root`
        (``../x``, ``/abs``, a link) raises UnsafeStoreEntry, naming it.
        """
        target = confined(root, self.name)
        if target.exists() and not (replace or exist_ok):
            raise FileExistsError(f"{target} exists; pass replace=True to overwrite it.")
        if not target.exists() or replace:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(self.read())
        return target


class ApiSummary(dict[str, Any]):
    """A stored run's summary as wandb's public API gives it: a dict of the stored (flat)
    keys that also reads nested keys (`summary["nested"]["a"]` for the stored "nested/a"),
    and writes every change (`summary[k] = v`, `del summary[k]`, `summary.update({...})`,
    `pop`, `clear`) to the store at once."""

    def __init__(self, run: ApiRun, data: dict[str, Any]) -> None:
        super().__init__(data)
        self._run = run

    @property
    def _json_dict(self) -> dict[str, Any]:
        """The summary as a plain dict (wandb's attribute)."""
        return dict(self)

    def _set(self, key: str, value: Any) -> None:
        for name in prefixed(self, key):
            super().__delitem__(name)
        super().update(flatten_nested({key: value}))

    def _write(self) -> None:
        self._run._write(summary=dict(self))

    def __getitem__(self, key: str) -> Any:
        return nested_get(dict(self), key) if not super().__contains__(key) else super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and bool(prefixed(self, key))

    def __setitem__(self, key: str, value: Any) -> None:
        self._set(key, value)
        self._write()

    def __delitem__(self, key: str) -> None:
        names = prefixed(self, key)
        if not names:
            raise KeyError(key)
        for name in names:
            super().__delitem__(name)
        self._write()

    def update(self, data: Any = None, **kwargs: Any) -> None:  # type: ignore[override] # wandb's summary.update(data) signature, not dict's
        """Set several values (or, with no argument, write the summary as it is)."""
        for key, value in {**dict(data or {}), **kwargs}.items():
            self._set(key, value)
        self._write()

    def pop(self, key: str, *default: Any) -> Any:
        if key not in self:
            if default:
                return default[0]
            raise KeyError(key)
        value = self[key]
        del self[key]
        return value

    def setdefault(self, key: str, default: Any = None) -> Any:
        if key not in self:
            self[key] = default
        return self[key]

    def clear(self) -> None:
        super().clear()
        self._write()

    def __repr__(self) -> str:
        return f"Summary({dict(self)!r})"


class ApiRun:
    """A stored run: attributes as in wandb's public API, data read on demand.

    `name`, `notes`, `tags`, `group`, `job_type` and `config` are edited in place and
    written by `update()`; `summary` writes each change at once. `delete()` removes the run.
    """

    def __init__(self, record: RunRecord, reader: StoreReader) -> None:
        self._record = record
        self._reader = reader
        self.id: str = record["id"]
        self.name: str = record.get("name") or record["id"]
        self.project: str = record.get("project") or ""
        self.state: str = record.get("state") or "running"
        self.config: dict[str, Any] = dict(record.get("config") or {})
        self.summary = ApiSummary(self, dict(record.get("summary") or {}))
        self.tags: list[str] = list(record.get("tags") or [])
        self.notes: str | None = record.get("notes")
        self.group: str | None = record.get("group")
        self.job_type: str | None = record.get("job_type")
        self.sweep_id: str | None = record.get("sweep_id")
        self.metadata: dict[str, Any] = dict(record.get("environment") or {})
        self.created_at: datetime = datetime.fromtimestamp(record.get("created_at") or 0, timezone.utc)

    def __repr__(self) -> str:
        return f"<ApiRun {self.project}/{self.id} {self.name!r} ({self.state})>"

    # -- identity, as wandb names it ------------------------------------------------------
    @property
    def display_name(self) -> str:
        """The run's name (wandb's public API calls the id `name` in filters)."""
        return self.name

    @display_name.setter
    def display_name(self, value: str) -> None:
        self.name = value

    @property
    def entity(self) -> str:
        """WANDB_ENTITY, else "local" (a local store has no entities)."""
        return default_entity()

    @property
    def path(self) -> list[str]:
        """[entity, project, id], as wandb's public Run gives it."""
        return [self.entity, self.project, self.id]

    @property
    def url(self) -> str | None:
        """The store's file URI with the run in the fragment."""
        return store_url(self._reader.store.root, self.project, self.id)

    @property
    def summary_metrics(self) -> dict[str, Any]:
        """The summary as a plain dict."""
        return dict(self.summary)

    @property
    def lastHistoryStep(self) -> int:  # wandb's name
        """The last committed step (-1 before any)."""
        step = self._record.get("last_step")
        return -1 if step is None else int(step)

    # -- edits -----------------------------------------------------------------------------
    def update(self) -> None:
        """Write the edited name, notes, tags, group, job type, config and summary."""
        self._write(name=self.name, notes=self.notes if self.notes is not None else None, tags=list(self.tags),
                    group=self.group, job_type=self.job_type, config=dict(self.config), summary=dict(self.summary))

    def save(self) -> None:
        """wandb's older name for `update()`."""
        self.update()

    def _write(self, **fields: Any) -> None:
        from .store.editor import RunNotFound
        from .store.readers import editor_for

        try:
            editor_for(self._reader.store).update(self.id, **fields)
        except RunNotFound:
            raise CommError(f"run {self.id} is no longer in {self._reader.store.root}") from None

    def delete(self, delete_artifacts: bool = False) -> None:
        """Delete the run (its history, files and lineage; a running run is refused)."""
        from .store.readers import editor_for

        editor_for(self._reader.store).delete([self.id])

    def upload_file(self, path: str | os.PathLike[str], root: str | os.PathLike[str] = ".") -> ApiFile:
        """Keep a local file with the run, named by its path relative to `root`."""
        source = Path(path)
        if not source.is_file():
            raise ValueError(f"upload_file: {str(path)!r} is not a file.")
        try:
            name = source.resolve().relative_to(Path(root).resolve()).as_posix()
        except ValueError:
            name = source.name
        from .store.editor import RunNotFound
        from .store.readers import editor_for

        try:
            rec = editor_for(self._reader.store).add_file(self.id, name, str(source))
        except RunNotFound:
            raise CommError(f"run {self.id} is no longer in {self._reader.store.root}") from None
        return ApiFile(rec["path"], rec["size"], rec["sha256"], rec["kind"], self._reader)

    def load(self, force: bool = False) -> ApiRun:
        """Read the run again from the store (after another process changed it)."""
        records = self._reader.runs(ids=[self.id])
        if not records:
            raise CommError(f"run {self.id} is no longer in {self._reader.store.root}")
        self.__init__(records[0], self._reader)  # type: ignore[misc] # load() re-reads the run into this same object, as wandb's does
        return self

    def alerts(self) -> list[dict[str, Any]]:
        """The alerts the run sent (`nbtrack.alert`), oldest first."""
        import json

        found = [f for f in self.files() if f.kind == ALERT_KIND]
        out = [json.loads(f.read().decode("utf-8")) for f in found]
        return sorted(out, key=lambda a: a.get("created_at") or 0)

    # -- data -------------------------------------------------------------------------------
    def history(self, keys: list[str] | None = None, samples: int | None = None, pandas: bool = True,
                x_axis: str = "_step", stream: str = "default") -> Any:
        """One row per step: `_step`, `_timestamp`, `_runtime` and one column per key.

        Unlike wandb's, all steps are returned unless `samples` asks for fewer (evenly
        spaced). `stream="events"` gives the system metrics (`system/*` keys) alone.
        """
        if stream not in ("default", "events", "system"):
            raise ValueError("history: stream must be 'default' or 'events' (system metrics).")
        if stream != "default" and keys is None:
            keys = [k for k in self._reader.history_keys(self.id) if k.startswith(SYSTEM_PREFIX)]
        frame = self._reader.history_wide(self.id, keys=keys, start_time=self._record.get("created_at"))
        if samples is not None and len(frame) > samples > 0:
            step = len(frame) / samples
            frame = frame.iloc[[int(i * step) for i in range(samples)]].reset_index(drop=True)
        return frame if pandas else frame.to_dict("records")

    def scan_history(self, keys: list[str] | None = None, page_size: int | None = None) -> Iterator[dict[str, Any]]:
        """Every step as a dict (wandb's unsampled iterator)."""
        yield from self.history(keys=keys).to_dict("records")

    def files(self) -> list[ApiFile]:
        """The run's files, the latest version of each name."""
        latest: dict[str, FileRecord] = {}
        for record in self._reader.files(self.id):
            seen = latest.get(record["path"])
            if seen is None or record["created_at"] >= seen["created_at"]:
                latest[record["path"]] = record
        return [ApiFile(r["path"], r["size"], r["sha256"], r["kind"], self._reader) for r in sorted(latest.values(), key=lambda r: r["path"])]

    def file(self, name: str) -> ApiFile:
        """One file by name; KeyError when the run has none of that name."""
        for f in self.files():
            if f.name == name:
                return f
        raise KeyError(f"run {self.id} has no file {name!r}")

    def logged_artifacts(self, per_page: int | None = None) -> list[Any]:
        """Artifact versions this run logged."""
        from .artifacts import query

        return Api.over(self._reader).with_lineage(query.of_run(self._reader, self.id, "output"))

    def used_artifacts(self, per_page: int | None = None) -> list[Any]:
        """Artifact versions this run used."""
        from .artifacts import query

        return Api.over(self._reader).with_lineage(query.of_run(self._reader, self.id, "input"))

    def code(self) -> nbformat.NotebookNode | None:
        """The code the run came from as a notebook: the .ipynb file when it was found,
        else the script (as one cell), else the cells executed in the kernel."""
        import nbformat

        code = [f for f in self.files() if f.kind == "code" and f.name.startswith("code/")]
        notebooks = [f for f in code if f.name.endswith(".ipynb") and f.name != HISTORY_NOTEBOOK]
        if notebooks:
            notebook: nbformat.NotebookNode = nbformat.reads(notebooks[0].read().decode("utf-8"), as_version=4)
            return notebook
        scripts = [f for f in code if f.name.endswith(".py")]
        if scripts:
            nb: nbformat.NotebookNode = nbformat.v4.new_notebook()
            nb.cells.append(nbformat.v4.new_code_cell(scripts[0].read().decode("utf-8", "replace")))
            nb.metadata["nbtrack"] = {"source": scripts[0].name}
            return nb
        return self.code_history()

    def code_history(self) -> nbformat.NotebookNode | None:
        """The cells actually executed in the kernel, in order, as a notebook."""
        import nbformat

        for f in self.files():
            if f.name == HISTORY_NOTEBOOK:
                history: nbformat.NotebookNode = nbformat.reads(f.read().decode("utf-8"), as_version=4)
                return history
        return None


class ApiProject(str):
    """A project of the store: the project's name (a str), with wandb's `name`, `entity`
    and `runs()`."""

    _reader: Any

    def __new__(cls, name: str, reader: Any) -> ApiProject:
        obj = super().__new__(cls, name)
        obj._reader = reader
        return obj

    @property
    def name(self) -> str:
        """The project's name."""
        return str(self)

    @property
    def entity(self) -> str:
        """WANDB_ENTITY, else "local"."""
        return default_entity()

    @property
    def path(self) -> list[str]:
        """[entity, project], as wandb gives it."""
        return [self.entity, str(self)]

    def runs(self, filters: dict[str, Any] | None = None, order: str | None = None) -> list[ApiRun]:
        """The project's runs (see `Api.runs`)."""
        return _runs(self._reader, str(self), filters, order)


class Api:
    """wandb's public API over a local store: `Api().runs("project")`, `Api().run("id")`."""

    def __init__(self, overrides: dict[str, Any] | None = None, dir: str | os.PathLike[str] | None = None,
                 store: str | None = None, **wandb_kwargs: Any) -> None:
        self._reader = _reader(dir or (overrides or {}).get("dir"), store or (overrides or {}).get("store"))
        self.settings: dict[str, Any] = {"entity": default_entity(), **(overrides or {})}

    @classmethod
    def over(cls, reader: StoreReader) -> Api:
        """The read API over an open reader (the reader of an `ApiRun`, say)."""
        api = cls.__new__(cls)
        api._reader = reader
        api.settings = {"entity": default_entity()}
        return api

    @property
    def default_entity(self) -> str:
        """WANDB_ENTITY, else "local"."""
        return default_entity()

    def artifact_runs(self, project: str, name: str, version: int, direction: str) -> list[ApiRun]:
        """The runs that logged ("output") or used ("input") an artifact version: how an
        Artifact answers `logged_by()` / `used_by()` (its `LineageReader`)."""
        from .artifacts import query

        return self._runs_by_id(query.runs_of(self._reader, project, name, version, direction))

    def with_lineage(self, artifacts: list[Artifact]) -> list[Artifact]:
        """`artifacts`, each answering `logged_by()` / `used_by()` from this store."""
        for art in artifacts:
            art.bind_lineage(lambda: self)
        return artifacts

    def flush(self) -> None:
        """Make the next read see everything written so far (wandb clears its cache here)."""
        from .store import live_writers

        live_writers.flush_all(timeout=self._reader.flush_timeout)

    def projects(self, entity: str | None = None, per_page: int | None = None) -> list[ApiProject]:
        """The store's projects (each a str with `.name` and `.runs()`)."""
        return [ApiProject(name, self._reader) for name in self._reader.projects()]

    def project(self, name: str, entity: str | None = None) -> ApiProject:
        """One project by name ("project" or "entity/project"); CommError if it has no runs."""
        project = project_from_path(name) or ""
        if project not in self._reader.projects():
            raise CommError(f"no project {project!r} in {self._reader.store.root}")
        return ApiProject(project, self._reader)

    def runs(self, path: str | None = None, filters: dict[str, Any] | None = None, order: str | None = None,
             per_page: int | None = None, include_sweeps: bool = True) -> list[ApiRun]:
        """Runs of a project ("project" or wandb's "entity/project"), newest first.

        `filters` is a MongoDB-style filter as wandb takes it (see `nbtrack.api_filters`):
        `{"state": "finished"}`, `{"config.lr": {"$lt": 0.01}}`, `{"$or": [...]}`; an
        unknown operator or field raises ValueError. `order` is wandb's "-created_at",
        "+summary_metrics.acc", ...
        """
        return _runs(self._reader, project_from_path(path), filters, order)

    def run(self, path: str) -> ApiRun:
        """One run by "id", "project/id" or "entity/project/id" (the project must match);
        CommError if absent."""
        project, run_id = run_path(path)
        records = self._reader.runs(project=project, ids=[run_id])
        if not records:
            where = f" in project {project!r}" if project is not None else ""
            raise CommError(f"no run with id {run_id!r}{where} in {self._reader.store.root}")
        return ApiRun(records[0], self._reader)

    # -- sweeps --------------------------------------------------------------------------
    def sweep(self, path: str) -> ApiSweep:
        """One sweep by "id", "project/id" or "entity/project/id"; ValueError if absent."""
        sweeps = SweepStore(self._reader.store)
        sweep_id = str(path).rstrip("/").split("/")[-1]
        record = sweeps.get(sweep_id)
        if record is None:
            raise ValueError(f"no sweep with id {sweep_id!r} in {self._reader.store.root}")
        return ApiSweep(record, sweeps, self._runs_by_id)

    def _runs_by_id(self, ids: Sequence[str]) -> list[ApiRun]:
        order = {run_id: i for i, run_id in enumerate(ids)}
        records = sorted(self._reader.runs(ids=list(ids)), key=lambda r: order[r["id"]]) if ids else []
        return [ApiRun(r, self._reader) for r in records]

    # -- artifacts -----------------------------------------------------------------------
    def artifact(self, name: str, type: str | None = None) -> Any:
        """One artifact version: "name:alias", "name:v3", "project/name:alias" ("name" = latest)."""
        from .artifacts import query

        return self.with_lineage([query.fetch(self._reader, name, None, type)])[0]

    def artifacts(self, type_name: str | None = None, name: str | None = None, per_page: int | None = None,
                  tags: Any = None) -> list[Any]:
        """Versions of an artifact ("name" or "project/name"), or of every artifact of a type,
        oldest first."""
        from .artifacts import query

        found = query.versions(self._reader, name=name, type=type_name)
        if tags is not None:
            wanted = {tags} if isinstance(tags, str) else set(tags)
            found = [a for a in found if wanted & set(a.tags)]
        return self.with_lineage(found)

    def artifact_versions(self, type_name: str, name: str | None = None, per_page: int | None = None) -> list[Any]:
        """Versions of an artifact: ``artifact_versions("name")`` or wandb's ``(type_name, name)``."""
        if name is None:
            return self.artifacts(name=type_name)
        return self.artifacts(type_name, name)

    def artifact_exists(self, name: str, type: str | None = None) -> bool:
        """True if the reference resolves."""
        try:
            self.artifact(name, type)
        except ValueError:
            return False
        return True


def _runs(reader: StoreReader, project: str | None, filters: dict[str, Any] | None, order: str | None) -> list[ApiRun]:
    records = reader.runs(project=project)
    if filters:
        keep = compile_filter(filters)
        records = [r for r in records if keep(r)]
    if order:
        field, descending = sort_key(order)
        present = [r for r in records if value_of(r, field) is not None]
        missing = [r for r in records if value_of(r, field) is None]
        try:
            present.sort(key=lambda r: value_of(r, field), reverse=descending)
        except TypeError:
            raise ValueError(f"order: the runs' values of {field!r} cannot be compared (mixed types).") from None
        records = present + missing
    return [ApiRun(r, reader) for r in records]


def runs(project: str | None = None, dir: str | os.PathLike[str] | None = None, store: str | None = None) -> pd.DataFrame:
    """One row per run: identity, state, timing, then `config.*` and `summary.*` columns.

    Nested config/summary dicts become `config.a.b` columns; a key that itself contains a
    dot and collides with such a path is shown in brackets (`config.[a.b]`), so no value
    is hidden behind another. `store="postgresql://..."` (or `NBTRACK_STORE`) reads the
    team store instead of the local one.
    """
    import pandas as pd

    rows = []
    for r in _reader(dir, store).runs(project=project_from_path(project)):
        end = r.get("finished_at") or r.get("heartbeat_at") or r.get("created_at")
        row: dict[str, Any] = {
            "id": r["id"],
            "name": r.get("name"),
            "project": r.get("project"),
            "state": r.get("state"),
            "created_at": pd.Timestamp(r.get("created_at") or 0, unit="s", tz="UTC"),
            "runtime": (end or 0) - (r.get("created_at") or 0),
            "tags": list(r.get("tags") or []),
            "notes": r.get("notes"),
            "group": r.get("group"),
            "job_type": r.get("job_type"),
            "sweep_id": r.get("sweep_id"),
            "last_step": r.get("last_step"),
        }
        row.update({f"config.{k}": v for k, v in flatten_config(r.get("config") or {}).items()})
        row.update({f"summary.{k}": v for k, v in flatten_config(r.get("summary") or {}).items()})
        rows.append(row)
    return pd.DataFrame(rows)


def sql(query: str, params: list[Any] | None = None, dir: str | os.PathLike[str] | None = None,
        store: str | None = None) -> duckdb.DuckDBPyRelation:
    """Run read-only SQL over the store (tables `runs`, `history`, `files`, `artifacts`, `artifact_versions`, `artifact_files`, `artifact_aliases`, `lineage`); a DuckDB relation.

    The result is copied out of the store before it returns, so the relation can be
    kept, chained and converted (`.df()`, `.pl()`) without holding the store's lock.
    `store="postgresql://..."` (or `NBTRACK_STORE`) queries the team's runs.
    """
    table = _reader(dir, store).query(query, params)
    return connect(":memory:").from_arrow(table)  # its own connection: no progress bar printed
