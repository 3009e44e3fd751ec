"""The read API: wandb's `Api().runs(project)` shape, plus pandas and SQL over the store.

Everything here reads through `StoreReader`, which holds the store's shared lock only
while copying data out, so reading never blocks training for long and works while
other kernels write.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .flatten import flatten_config
from .snapshot import HISTORY_NOTEBOOK
from .store.paths import resolve_store_dir

if TYPE_CHECKING:
    import duckdb
    import nbformat
    import pandas as pd

    from .store.reader import StoreReader
    from .store.records import FileRecord, RunRecord


def _reader(dir: str | os.PathLike[str] | None, store: str | None = None) -> StoreReader:
    """The local store's reader, or the team store's (``store=`` URL or ``NBTRACK_STORE``)."""
    from .store.readers import reader_for

    return reader_for(dir, store)


def _project_of(path: str | None) -> str | None:
    """wandb paths are "entity/project"; a local store only knows projects."""
    if not path:
        return None
    return str(path).rstrip("/").split("/")[-1]


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
        return self._reader.store.read_blob(self.sha256)

    def download(self, root: str | os.PathLike[str] = ".", replace: bool = False, exist_ok: bool = False) -> Path:
        """Write the file under `root` (keeping its name's folders); returns the path."""
        target = Path(root) / self.name
        if target.exists() and not (replace or exist_ok):
            raise FileExistsError(f"{target} exists; pass replace=True to overwrite it.")
        if not target.exists() or replace:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(self.read())
        return target


class ApiRun:
    """A stored run: attributes as in wandb's public API, data read on demand."""

    def __init__(self, record: RunRecord, reader: StoreReader) -> None:
        self._record = record
        self._reader = reader
        self.id: str = record["id"]
        self.name: str = record.get("name") or record["id"]
        self.project: str = record.get("project") or ""
        self.state: str = record.get("state") or "running"
        self.config: dict[str, Any] = dict(record.get("config") or {})
        self.summary: dict[str, Any] = dict(record.get("summary") or {})
        self.tags: list[str] = list(record.get("tags") or [])
        self.notes: str | None = record.get("notes")
        self.group: str | None = record.get("group")
        self.job_type: str | None = record.get("job_type")
        self.metadata: dict[str, Any] = dict(record.get("environment") or {})
        self.created_at: datetime = datetime.fromtimestamp(record.get("created_at") or 0, timezone.utc)

    def __repr__(self) -> str:
        return f"<ApiRun {self.project}/{self.id} {self.name!r} ({self.state})>"

    def history(self, keys: list[str] | None = None, samples: int | None = None, pandas: bool = True, x_axis: str = "_step") -> Any:
        """One row per step: `_step`, `_timestamp`, `_runtime` and one column per key.

        Unlike wandb's, all steps are returned unless `samples` asks for fewer (evenly spaced).
        """
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

        return query.of_run(self._reader, self.id, "output")

    def used_artifacts(self, per_page: int | None = None) -> list[Any]:
        """Artifact versions this run used."""
        from .artifacts import query

        return query.of_run(self._reader, self.id, "input")

    def code(self) -> nbformat.NotebookNode | None:
        """The code the run came from as a notebook: the .ipynb file when it was found,
        else the script (as one cell), else the cells executed in the kernel."""
        import nbformat

        code = [f for f in self.files() if f.kind == "code" and f.name.startswith("code/")]
        notebooks = [f for f in code if f.name.endswith(".ipynb") and f.name != HISTORY_NOTEBOOK]
        if notebooks:
            return nbformat.reads(notebooks[0].read().decode("utf-8"), as_version=4)
        scripts = [f for f in code if f.name.endswith(".py")]
        if scripts:
            nb = nbformat.v4.new_notebook()
            nb.cells.append(nbformat.v4.new_code_cell(scripts[0].read().decode("utf-8", "replace")))
            nb.metadata["nbtrack"] = {"source": scripts[0].name}
            return nb
        return self.code_history()

    def code_history(self) -> nbformat.NotebookNode | None:
        """The cells actually executed in the kernel, in order, as a notebook."""
        import nbformat

        for f in self.files():
            if f.name == HISTORY_NOTEBOOK:
                return nbformat.reads(f.read().decode("utf-8"), as_version=4)
        return None


class Api:
    """wandb's public API over a local store: `Api().runs("project")`, `Api().run("id")`."""

    def __init__(self, overrides: dict[str, Any] | None = None, dir: str | os.PathLike[str] | None = None,
                 store: str | None = None, **wandb_kwargs: Any) -> None:
        self._reader = _reader(dir or (overrides or {}).get("dir"), store or (overrides or {}).get("store"))

    def projects(self) -> list[str]:
        """Project names in the store."""
        return self._reader.projects()

    def runs(self, path: str | None = None, filters: dict[str, Any] | None = None, order: str | None = None, per_page: int | None = None) -> list[ApiRun]:
        """Runs of a project ("project" or wandb's "entity/project"), newest first.

        `filters` takes simple equalities on "state", "name", "tags" (membership),
        "config.<key>" or "summary.<key>".
        """
        runs = [ApiRun(r, self._reader) for r in self._reader.runs(project=_project_of(path))]
        if filters:
            runs = [r for r in runs if all(_matches(r, k, v) for k, v in filters.items())]
        return runs

    def run(self, path: str) -> ApiRun:
        """One run by "id", "project/id" or "entity/project/id"."""
        run_id = str(path).rstrip("/").split("/")[-1]
        records = self._reader.runs(ids=[run_id])
        if not records:
            raise ValueError(f"no run with id {run_id!r} in {self._reader.store.root}")
        return ApiRun(records[0], self._reader)

    # -- artifacts -----------------------------------------------------------------------
    def artifact(self, name: str, type: str | None = None) -> Any:
        """One artifact version: "name:alias", "name:v3", "project/name:alias" ("name" = latest)."""
        from .artifacts import query

        return query.fetch(self._reader, name, None, type)

    def artifacts(self, type_name: str | None = None, name: str | None = None, per_page: int | None = None,
                  tags: Any = None) -> list[Any]:
        """Versions of an artifact ("name" or "project/name"), or of every artifact of a type,
        oldest first."""
        from .artifacts import query

        found = query.versions(self._reader, name=name, type=type_name)
        if tags is not None:
            wanted = {tags} if isinstance(tags, str) else set(tags)
            found = [a for a in found if wanted & set(a.tags)]
        return found

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


def _matches(run: ApiRun, key: str, value: Any) -> bool:
    if key == "tags":
        return value in run.tags
    if key.startswith("config."):
        return flatten_config(run.config).get(key[7:]) == value
    if key.startswith("summary."):
        return flatten_config(run.summary).get(key[8:]) == value
    return getattr(run, key, None) == value


def runs(project: str | None = None, dir: str | os.PathLike[str] | None = None, store: str | None = None) -> pd.DataFrame:
    """One row per run: identity, state, timing, then `config.*` and `summary.*` columns.

    `store="postgresql://..."` (or `NBTRACK_STORE`) reads the team store instead of the local one.
    """
    import pandas as pd

    rows = []
    for r in _reader(dir, store).runs(project=_project_of(project)):
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
            "last_step": r.get("last_step"),
        }
        row.update({f"config.{k}": v for k, v in _flat_values(r.get("config") or {}).items()})
        row.update({f"summary.{k}": v for k, v in _flat_values(r.get("summary") or {}).items()})
        rows.append(row)
    return pd.DataFrame(rows)


def _flat_values(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict) and "_type" not in value:
            out.update(_flat_values(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def sql(query: str, params: list[Any] | None = None, dir: str | os.PathLike[str] | None = None,
        store: str | None = None) -> duckdb.DuckDBPyRelation:
    """Run read-only SQL over the store (tables `runs`, `history`, `files`, `artifacts`, `artifact_versions`, `artifact_files`, `artifact_aliases`, `lineage`); a DuckDB relation.

    The result is copied out of the store before it returns, so the relation can be
    kept, chained and converted (`.df()`, `.pl()`) without holding the store's lock.
    `store="postgresql://..."` (or `NBTRACK_STORE`) queries the team's runs.
    """
    import duckdb

    return duckdb.from_arrow(_reader(dir, store).query(query, params))
