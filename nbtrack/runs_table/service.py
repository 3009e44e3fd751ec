"""The kernel side of the runs table: answers the browser's requests from the store.

Every store access goes through StoreReader (shared lock held only while copying out)
or StoreEditor (exclusive lock for an edit). No user text is pasted into SQL: filters
are parsed (filters.py) and evaluated in Python; ids and keys are parameters.

Requests come from the browser and are untrusted: every run id they name is looked up
within the table's project (a table of project "a" neither shows, diffs, edits nor
deletes a run of project "b"), and message fields are checked for type.
"""

from __future__ import annotations

import base64
import os
import time
from typing import Any

from ..projects import project_from_path
from ..store.errors import UnsafeStoreEntry
from ..store.reader import StoreReader
from ..store.readers import RunEditor, editor_for, reader_for
from . import diff, filters
from .importance import importance
from .logged_tables import logged_tables
from .media import is_playable, playable
from .queries import TableData, curves, flat, load_table

PAGE_ROWS = 200  # rows in the saved ``page`` trait
MAX_IMAGES = 12
MAX_IMAGE_BYTES = 300_000
MAX_DIFF_TEXT = 2_000_000
FRESH_SECONDS = 5.0  # a load request this soon after the last read reuses it


class TableService:
    def __init__(self, project: str | None = None, dir: str | os.PathLike[str] | None = None,
                 store: str | None = None) -> None:
        self.project = project_from_path(project)
        self.reader: StoreReader = reader_for(dir, store)
        #: edits (rename, notes, tags, delete) go to the store read (a team store: edits, no deletes)
        self.editor: RunEditor = editor_for(self.reader.store)
        self.data: TableData | None = None
        self.loaded_at = 0.0

    def load(self) -> TableData:
        self.data = load_table(self.reader, self.project)
        self.loaded_at = time.monotonic()
        return self.data

    def filtered_ids(self, text: str) -> list[str]:
        """Ids of the runs a filter keeps (FilterError with a readable message if bad)."""
        data = self.data or self.load()
        f = filters.parse(text, [c["key"] for c in data.columns], data.kinds)
        mask = filters.apply(f, data.data, data.kinds, len(data))
        return [i for i, ok in zip(data.ids, mask) if ok]

    # -- requests ------------------------------------------------------------------------
    def handle(self, msg: dict[str, Any]) -> tuple[dict[str, Any], list[bytes]]:
        kind = msg.get("type")
        fn = getattr(self, f"_on_{kind}", None) if isinstance(kind, str) and kind.isidentifier() else None
        if fn is None:
            raise ValueError(f"unknown request {kind!r}")
        return fn(msg)

    def _on_load(self, msg: dict[str, Any]) -> tuple[dict[str, Any], list[bytes]]:
        # the widget's first "load" comes right after it was built: reuse that read
        fresh = self.data is not None and time.monotonic() - self.loaded_at < FRESH_SECONDS
        data = self.data if fresh and self.data is not None else self.load()
        rows, buffers = data.rows(binary=True)
        return {"columns": data.columns, "rows": rows, "total": len(data)}, buffers

    # -- scope -----------------------------------------------------------------------------
    def _run(self, run_id: Any) -> Any:
        """The record of one run of this table's project; ValueError if there is none."""
        rid = _text(run_id, "id")
        found = self.reader.runs(project=self.project, ids=[rid])
        if not found:
            where = f" of project {self.project!r}" if self.project is not None else ""
            raise ValueError(f"run {rid!r} is not a run{where} in this store")
        return found[0]

    def _in_scope(self, ids: list[str]) -> list[str]:
        """The ids (order kept) that name runs of this table's project."""
        if self.project is None or not ids:
            return ids
        mine = {r["id"] for r in self.reader.runs(project=self.project, ids=ids)}
        return [i for i in ids if i in mine]

    def _stored_size(self, f: Any) -> float:
        """The real size of a file's blob (a shared store's ``size`` column is untrusted)."""
        try:
            return os.path.getsize(self.reader.store.blob_path(f.sha256))
        except (OSError, UnsafeStoreEntry):
            return float("inf")

    # -- requests ------------------------------------------------------------------------
    def _on_curves(self, msg: dict[str, Any]) -> tuple[dict[str, Any], list[bytes]]:
        ids = self._in_scope(_id_list(msg, "ids")[:50])
        width = msg.get("width", 800)
        if not isinstance(width, (int, float)) or isinstance(width, bool) or width != width:
            raise ValueError("curves: width must be a number")
        series, buffers = curves(self.reader, ids, _text(msg.get("key", ""), "key"), int(width)) if ids else ([], [])
        return {"key": msg.get("key"), "series": series}, buffers

    def _on_importance(self, msg: dict[str, Any]) -> tuple[dict[str, Any], list[bytes]]:
        data = self.data or self.load()
        metric = str(msg.get("metric", ""))
        if metric not in data.data:
            raise ValueError(f"unknown metric {metric!r}")
        wanted = msg.get("ids")
        if wanted is not None:
            keep = set(map(str, wanted))
            rows = [i for i, rid in enumerate(data.ids) if rid in keep]
        else:
            rows = list(range(len(data)))
        params = {c["key"]: [data.data[c["key"]][i] for i in rows] for c in data.columns if c["group"] == "config"}
        out = importance(params, [data.data[metric][i] for i in rows])
        return {"metric": metric, **out}, []

    def _on_detail(self, msg: dict[str, Any]) -> tuple[dict[str, Any], list[bytes]]:
        from ..api import ApiRun

        rec = self._run(msg.get("id"))
        run = ApiRun(rec, self.reader)
        env = dict(rec.get("environment") or {})
        pkgs = env.pop("packages", None)
        files = run.files()
        git_diff = next((f for f in files if f.name == "code/git.diff"), None)
        images: list[dict[str, str]] = []
        for f in files:
            if (f.kind == "media" and f.name.lower().endswith((".png", ".jpg", ".jpeg", ".gif"))
                    and not is_playable(f.name) and len(images) < MAX_IMAGES
                    and f.size <= MAX_IMAGE_BYTES and self._stored_size(f) <= MAX_IMAGE_BYTES):
                try:
                    mime = "image/png" if f.name.lower().endswith(".png") else "image/jpeg" if "jp" in f.name.lower()[-5:] else "image/gif"
                    images.append({"name": f.name, "src": f"data:{mime};base64," + base64.b64encode(f.read()).decode("ascii")})
                except (OSError, UnsafeStoreEntry):  # an unreadable or unsafe file is left off the page
                    pass
        try:
            cells = diff.notebook_cells(run.code())
        except Exception as exc:  # a broken snapshot must not break the page
            cells = [{"type": "raw", "source": f"(could not read the code snapshot: {exc})", "outputs": []}]
        return {"run": {
            "id": run.id, "name": run.name, "project": run.project, "state": run.state,
            "notes": run.notes or "", "tags": run.tags, "created_at": rec.get("created_at"),
            "finished_at": rec.get("finished_at"), "config": _jsonable(flat(run.config)),
            "summary": _jsonable(flat(run.summary)), "environment": _jsonable(env),
            "packages": sorted(f"{k}=={v}" for k, v in (pkgs or {}).items()) if isinstance(pkgs, dict) else [],
            "git_diff": _read_text(git_diff, 200_000) if git_diff is None or self._stored_size(git_diff) <= 20_000_000
            else "(the stored git diff is too large to show)",
            "files": [{"name": f.name, "size": f.size, "kind": f.kind} for f in files],
            "images": images, "media": playable(files), "cells": cells, "tables": logged_tables(self.reader, run.id),
            "alerts": [{k: a.get(k) for k in ("title", "text", "level", "created_at", "step")} for a in _alerts(run)],
        }}, []

    def _on_diff(self, msg: dict[str, Any]) -> tuple[dict[str, Any], list[bytes]]:
        from ..api import ApiRun

        out: dict[str, Any] = {}
        runs = []
        for key in ("a", "b"):
            runs.append(ApiRun(self._run(msg.get(key)), self.reader))
        a, b = runs
        ta, tb = (diff.code_text(diff.notebook_cells(r.code()))[:MAX_DIFF_TEXT] for r in (a, b))
        out["code"] = diff.text_diff(ta, tb, f"{a.name} ({a.id})", f"{b.name} ({b.id})")
        out["config"] = diff.config_diff(a.config, b.config)
        out["a"], out["b"] = {"id": a.id, "name": a.name}, {"id": b.id, "name": b.name}
        return out, []

    def _editor(self) -> RunEditor:
        return self.editor

    def _on_edit(self, msg: dict[str, Any]) -> tuple[dict[str, Any], list[bytes]]:
        rid = _text(msg.get("id"), "id")
        tags = msg.get("tags")
        name, notes = msg.get("name"), msg.get("notes")
        self._editor().update(rid, name=None if name is None else _text(name, "name"),
                              notes=None if notes is None else _text(notes, "notes"),
                              tags=[_text(t, "tag") for t in tags] if isinstance(tags, list) else None,
                              project=self.project)
        rec = self.reader.run(rid) or {}
        return {"id": rid, "name": rec.get("name") or rid, "notes": rec.get("notes") or "",
                "tags": list(rec.get("tags") or [])}, []

    def _on_delete(self, msg: dict[str, Any]) -> tuple[dict[str, Any], list[bytes]]:
        deleted = self._editor().delete(_id_list(msg, "ids"), project=self.project)
        if self.data is not None:
            self.load()
        return {"deleted": deleted}, []


def _alerts(run: Any) -> list[dict[str, Any]]:
    try:
        return run.alerts()[-50:]
    except (OSError, ValueError):  # a missing blob or a damaged alert file must not break the page
        return []


def _text(value: Any, what: str) -> str:
    """A string field of a request (numbers are accepted as their text), else ValueError."""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise ValueError(f"{what} must be a string, got {type(value).__name__}")


def _id_list(msg: dict[str, Any], field: str) -> list[str]:
    """A list of run ids from a request (a lone string is not a list of characters)."""
    value = msg.get(field, [])
    if not isinstance(value, list):
        raise ValueError(f"{field} must be a list of run ids")
    return [_text(v, "a run id") for v in value]


def _read_text(f: Any, cap: int) -> str:
    if f is None:
        return ""
    try:
        return f.read()[:cap].decode("utf-8", "replace")
    except (OSError, UnsafeStoreEntry):
        return ""


def _jsonable(d: dict[str, Any]) -> dict[str, Any]:
    import json

    return json.loads(json.dumps(d, default=str))
