"""The runs table anywidget: traits for what is saved and shown first, messages for the rest.

All drawing, sorting and filtering of loaded rows happens in js/src/table/ (so it works
while a cell runs); the kernel answers requests between cells (see messages.py).
"""

from __future__ import annotations

import os
import traceback
import uuid
from typing import Any

import anywidget
import traitlets

from ..live.widget import _MISSING_ESM, STATIC
from .service import PAGE_ROWS, TableService


def _asset(name: str, fallback: str) -> Any:
    p = STATIC / name
    return p if p.is_file() else fallback


class RunsTable(anywidget.AnyWidget):
    """Runs of a project: sort, filter, select, overlay curves, parallel coordinates,
    parameter importance, a page per run (config, environment, files, code) and diffs."""

    _esm = _asset("table.js", _MISSING_ESM)
    _css = _asset("table.css", "")

    uid = traitlets.Unicode().tag(sync=True)
    project = traitlets.Unicode(allow_none=True).tag(sync=True)
    columns: traitlets.List[Any] = traitlets.List().tag(sync=True)  # messages.Column
    page = traitlets.Dict().tag(sync=True)  # messages.Rows: the first rows, JSON, saved
    total = traitlets.Int(0).tag(sync=True)
    filter = traitlets.Unicode("").tag(sync=True)  # initial filter text (the browser may change it)
    selected: traitlets.List[str] = traitlets.List().tag(sync=True)  # run ids selected in the browser

    def __init__(self, project: str | None = None, dir: str | os.PathLike[str] | None = None,
                 filter: str = "", page_rows: int = PAGE_ROWS, store: str | None = None, **kwargs: Any) -> None:
        self._service = TableService(project, dir, store)
        data = self._service.load()
        if filter:
            self._service.filtered_ids(filter)  # raises FilterError now, in the cell
        page, _ = data.rows(limit=page_rows)
        kwargs.setdefault("uid", uuid.uuid4().hex)
        super().__init__(project=self._service.project, columns=data.columns, page=page, total=len(data),
                         filter=filter, **kwargs)
        self.errors: list[str] = []
        self.on_msg(self._on_custom)

    # -- Python side ---------------------------------------------------------------------
    @property
    def service(self) -> TableService:
        return self._service

    def refresh(self) -> None:
        """Read the store again and tell open views to reload."""
        data = self._service.load()
        page, _ = data.rows(limit=PAGE_ROWS)
        self.columns, self.page, self.total = data.columns, dict(page), len(data)
        self.send({"type": "stale"})

    def ids(self, filter: str | None = None) -> list[str]:
        """Run ids the filter keeps (the table's own filter when None), newest first."""
        return self._service.filtered_ids(self.filter if filter is None else filter)

    def to_pandas(self) -> Any:
        """The table's data as a DataFrame, one row per run."""
        import pandas as pd

        data = self._service.data or self._service.load()
        return pd.DataFrame({c["key"]: data.data[c["key"]] for c in data.columns})

    def _on_custom(self, _w: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict) or "rid" not in content:
            return
        reply: dict[str, Any] = {"type": "reply", "rid": content.get("rid"), "req": content.get("type")}
        buffers: list[bytes] = []
        try:
            body, buffers = self._service.handle(content)
            reply.update(body, ok=True)
        except Exception as exc:  # every failure becomes an answer the UI shows
            reply.update(ok=False, error=f"{type(exc).__name__}: {exc}")
            self.errors.append(traceback.format_exc())
            buffers = []
        self.send(reply, buffers)

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        bundle = super()._repr_mimebundle_(**kwargs)
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        if isinstance(data, dict):
            data["text/plain"] = (f"nbtrack runs table: {self.total} run(s)"
                                  + (f" in project {self.project!r}" if self.project else "")
                                  + " (needs a notebook frontend with widgets)")
        return bundle


def table(project: str | None = None, dir: str | os.PathLike[str] | None = None, filter: str = "",
          store: str | None = None) -> RunsTable:
    """The runs table widget for ``project`` (all projects when None) in store ``dir``, or
    over the team's runs with ``store="postgresql://..."`` (or ``NBTRACK_STORE``)."""
    return RunsTable(project=project, dir=dir, filter=filter, store=store)
