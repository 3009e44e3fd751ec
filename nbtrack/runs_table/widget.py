"""The runs table anywidget: traits for what is saved and shown first, messages for the rest.

All drawing, sorting and filtering of loaded rows happens in js/src/table/ (so it works
while a cell runs); the kernel answers requests between cells: messages.TABLE_CALLS maps
each request to its reply, TableService has one ``_on_<type>`` handler per request.
"""

from __future__ import annotations

import os
import traceback
import uuid
from typing import Any

import anywidget
import traitlets

from ..live.code import MISSING_ESM, widget_asset
from .messages import Column, ReplyHead, StaleMsg
from .service import PAGE_ROWS, TableService


class RunsTable(anywidget.AnyWidget):
    """Runs of a project: sort, filter, select, overlay curves, parallel coordinates,
    parameter importance, a page per run (config, environment, files, code) and diffs."""

    _esm = widget_asset("table.js", MISSING_ESM)
    _css = widget_asset("table.css", "")

    uid = traitlets.Unicode().tag(sync=True)
    project = traitlets.Unicode(allow_none=True).tag(sync=True)
    columns: traitlets.List[Column] = traitlets.List().tag(sync=True)
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
        stale: StaleMsg = {"type": "stale"}
        self.send(stale)

    def ids(self, filter: str | None = None) -> list[str]:
        """Run ids the filter keeps (the table's own filter when None), newest first."""
        return self._service.filtered_ids(self.filter if filter is None else filter)

    def to_pandas(self) -> Any:
        """The table's data as a DataFrame, one row per run."""
        import pandas as pd

        data = self._service.data or self._service.load()
        return pd.DataFrame({c["key"]: data.data[c["key"]] for c in data.columns})

    def _on_custom(self, _w: object, content: object, _buffers: object) -> None:
        """Answer a TableRequest: a ReplyHead plus the reply fields TABLE_CALLS names for
        its type, or ``ok`` false and the error (the page shows it)."""
        if not isinstance(content, dict) or "rid" not in content:
            return
        head: ReplyHead = {"type": "reply", "rid": content["rid"], "req": str(content.get("type")), "ok": True}
        try:
            body, buffers = self._service.handle(content)
            reply: dict[str, Any] = {**body, **head}
        except Exception as exc:  # every failure becomes an answer the UI shows
            self.errors.append(traceback.format_exc())
            failed: ReplyHead = {**head, "ok": False, "error": f"{type(exc).__name__}: {exc}"}
            reply, buffers = dict(failed), []
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
