"""Import wandb offline runs (``wandb/offline-run-*`` directories) into an nbtrack store.

Reads the run's ``run-<id>.wandb`` record log (``wandb_records.py``; wandb need not be
installed): the run record (id, project, name, notes, tags, group, job type, host,
start time, config), every history step, summary updates, config updates and the exit
record. Logged images (``image-file``) and tables (``table-file``) are read from the
run's ``files/`` directory: images go into the store's blobs as nbtrack image
references, tables become nbtrack tables. The other files there (``code/`` as code,
``output.log``, ``requirements.txt``, ``wandb-metadata.json``, saved files) are kept
with the run, and the metadata fills its environment. A run without an exit record is
imported as ``crashed``; one with a non-zero exit code as ``failed``.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

from ..flatten import flatten_nested
from ..store.convert import rows_to_arrow
from ..store.importer import import_run
from ..store.records import RunRecord, history_row
from ..store.store import Store
from . import wandb_records as wr
from .values import set_path

_SKIP_KEYS = {"_step", "_timestamp", "_runtime", "_wandb"}
MAX_FILE_BYTES = 100 * 1024 * 1024


def _items(msg: list[tuple[int, Any]], field: int) -> list[tuple[list[str], Any]]:
    """(key path, decoded JSON value) of each item of a history/config/summary message."""
    out = []
    for item in wr.every(msg, field):
        f = wr.fields(item)
        key = wr.text(wr.first(f, 1))
        path = [key] if key else [wr.text(p) for p in wr.every(f, 2)]
        raw = wr.text(wr.first(f, 16, b""))
        try:
            value = json.loads(raw) if raw else None
        except ValueError:
            value = raw
        if path:
            out.append((path, value))
    return out


def _nested(items: list[tuple[list[str], Any]]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for path, value in items:
        set_path(values, path, value)
    return values


def find_runs(path: str | os.PathLike[str]) -> list[Path]:
    """The offline run directories at ``path``: the run itself, or the ``offline-run-*``
    (and ``run-*``) directories inside it (a project dir, its ``wandb/`` folder)."""
    p = Path(path)
    if any(p.glob("run-*.wandb")):
        return [p]
    found = sorted(d for d in p.glob("*run-*") if d.is_dir() and any(d.glob("run-*.wandb")))
    if not found and (p / "wandb").is_dir():
        return find_runs(p / "wandb")
    return found


class _Media:
    """Turns wandb media references into nbtrack ones, copying their files into blobs."""

    def __init__(self, store: Store, run_dir: Path) -> None:
        self.store = store
        self.files_dir = run_dir / "files"
        self.files: dict[str, tuple[str, str, int, str]] = {}

    def convert(self, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        kind = value.get("_type")
        try:
            if kind == "image-file":
                return self._image(value)
            if kind == "table-file":
                return self._table(value)
        except (OSError, ValueError):
            pass  # the file is missing: keep wandb's reference as it is
        return value

    def _read(self, rel: str) -> Path:
        path = (self.files_dir / rel).resolve()
        if self.files_dir.resolve() not in path.parents:
            raise ValueError(f"media path {rel!r} leaves the run directory")
        return path

    def _image(self, ref: dict[str, Any]) -> dict[str, Any]:
        rel = str(ref["path"])
        sha, size = self.store.put_blob_file(self._read(rel))
        self.files[rel] = (rel, sha, size, "media")
        out = {"_type": "image-file", "sha256": sha, "path": rel, "format": ref.get("format", "png"),
               "width": ref.get("width"), "height": ref.get("height"), "size": size}
        if ref.get("caption") is not None:
            out["caption"] = ref["caption"]
        return out

    def _table(self, ref: dict[str, Any]) -> dict[str, Any]:
        data = json.loads(self._read(str(ref["path"])).read_text(encoding="utf-8"))
        rows = data.get("data") or []
        columns = [str(c) for c in data.get("columns") or []]
        return {"_type": "table", "columns": columns, "data": rows, "nrows": len(rows), "ncols": len(columns)}


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def read_run(run_dir: str | os.PathLike[str], store: Store, project: str | None = None) -> tuple[RunRecord, list[dict[str, Any]], list[tuple[str, str, int, str]]]:
    """(run record, history rows, files) of one offline run directory."""
    run_dir = Path(run_dir)
    logs = sorted(run_dir.glob("run-*.wandb"))
    if not logs:
        raise wr.WandbFileError(f"{run_dir} has no run-*.wandb file: not a wandb offline run directory")
    media = _Media(store, run_dir)
    rec: dict[str, Any] = {"id": logs[0].stem[4:], "config": {}, "summary": {}, "metrics": {}, "tags": []}
    summary_updates: dict[str, Any] = {}
    last: dict[str, Any] = {}
    rows: list[dict[str, Any]] = []
    exit_code: int | None = None
    end_ts = None
    for kind, msg in wr.read_records(logs[0]):
        if kind == wr.RUN:
            rec["id"] = wr.text(wr.first(msg, 1)) or rec["id"]
            rec["project"] = wr.text(wr.first(msg, 3)) or None
            rec["name"] = wr.text(wr.first(msg, 8)) or None
            rec["notes"] = wr.text(wr.first(msg, 9)) or None
            rec["tags"] = [wr.text(t) for t in wr.every(msg, 10)]
            rec["group"] = wr.text(wr.first(msg, 6)) or None
            rec["job_type"] = wr.text(wr.first(msg, 7)) or None
            rec["host"] = wr.text(wr.first(msg, 13)) or None
            start = wr.first(msg, 17)
            if isinstance(start, bytes):
                stamp = wr.fields(start)
                rec["created_at"] = float(wr.first(stamp, 1, 0)) + float(wr.first(stamp, 2, 0)) / 1e9
            cfg = wr.first(msg, 4)
            if isinstance(cfg, bytes):
                rec["config"].update(_nested(_items(wr.fields(cfg), 1)))
        elif kind == wr.CONFIG:
            rec["config"].update(_nested(_items(msg, 1)))
        elif kind == wr.HISTORY:
            values = _nested(_items(msg, 1))
            step_msg = wr.first(msg, 2)
            step = values.get("_step")
            if step is None and isinstance(step_msg, bytes):
                step = wr.first(wr.fields(step_msg), 1, 0)
            ts = values.get("_timestamp") or rec.get("created_at") or 0.0
            flat = {k: _clean(media.convert(v)) for k, v in flatten_nested(
                {k: v for k, v in values.items() if k not in _SKIP_KEYS}).items()}
            flat = {k: v for k, v in flat.items() if v is not None}
            last.update(flat)
            rows.append(history_row(int(step or 0), float(ts), flat))
            end_ts = float(ts)
        elif kind == wr.SUMMARY:
            summary_updates.update(_nested(_items(msg, 1)))
        elif kind == wr.EXIT:
            exit_code = int(wr.first(msg, 1, 0))
    rec["config"].pop("_wandb", None)
    summary = {k: v for k, v in last.items()}
    summary.update({k: media.convert(v) for k, v in flatten_nested(
        {k: v for k, v in summary_updates.items() if k not in _SKIP_KEYS}).items()})
    rec["summary"] = summary
    rec["project"] = project or rec.get("project") or "imported"
    rec["state"] = "crashed" if exit_code is None else ("finished" if exit_code == 0 else "failed")
    rec["exit_code"] = exit_code
    rec["created_at"] = rec.get("created_at") or (rows[0]["_timestamp"] if rows else None)
    rec["finished_at"] = end_ts if exit_code is not None else None
    rec["heartbeat_at"] = end_ts or rec["created_at"]
    rec["last_step"] = max((r["_step"] for r in rows), default=None)
    rec["environment"] = {"imported_from": "wandb offline run", "source": str(run_dir), **_metadata(run_dir)}
    return rec, rows, [*media.files.values(), *_run_files(store, run_dir)]  # type: ignore[return-value] # rec is built as a plain dict of RunRecord keys


def _metadata(run_dir: Path) -> dict[str, Any]:
    """What wandb-metadata.json says about the machine and program, in nbtrack's names."""
    try:
        meta = json.loads((run_dir / "files" / "wandb-metadata.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(meta, dict):
        return {}
    names = {"python": "python", "os": "platform", "host": "host", "program": "program", "codePath": "code_path",
             "git": "git", "cpu_count": "cpu_count", "gpu": "gpu", "args": "args"}
    return {ours: meta[theirs] for theirs, ours in names.items() if theirs in meta}


def _run_files(store: Store, run_dir: Path) -> list[tuple[str, str, int, str]]:
    """The run's saved files (files/, media aside) into the blobs: code/ as code, the rest as files."""
    files_dir = run_dir / "files"
    out = []
    for path in sorted(files_dir.rglob("*")) if files_dir.is_dir() else []:
        rel = path.relative_to(files_dir).as_posix()
        if not path.is_file() or path.is_symlink() or rel.startswith("media/") or path.stat().st_size > MAX_FILE_BYTES:
            continue
        sha, size = store.put_blob_file(path)
        out.append((rel, sha, size, "code" if rel.startswith("code/") else "file"))
    return out


def import_wandb_offline(path: str | os.PathLike[str], store: Store, project: str | None = None,
                         replace: bool = False) -> list[str]:
    """Import every offline run at ``path`` (see :func:`find_runs`); returns the run ids."""
    runs = find_runs(path)
    if not runs:
        raise wr.WandbFileError(f"no wandb offline run under {path} (looked for run-*.wandb in offline-run-* directories)")
    ids = []
    for run_dir in runs:
        rec, rows, files = read_run(run_dir, store, project)
        import_run(store, rec, rows_to_arrow(rows), files, replace=replace)
        ids.append(rec["id"])
    return ids
