"""Shaping the table's data read out of the store (``nbtrack.store.table_queries``).

``load_table`` reads only the columns a table needs and flattens config and summary
into ``config.<a.b>`` / ``summary.<key>`` columns.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..flatten import flatten_config
from ..store.liveness import effective_state
from ..store.table_queries import table_runs
from .messages import Column, ColumnGroup, ColumnKind, Rows

FIXED: list[Column] = [
    {"key": "name", "label": "name", "group": "run", "kind": "str"},
    {"key": "state", "label": "state", "group": "run", "kind": "str"},
    {"key": "created_at", "label": "start", "group": "run", "kind": "time"},
    {"key": "duration", "label": "duration", "group": "run", "kind": "num"},
    {"key": "tags", "label": "tags", "group": "run", "kind": "tags"},
    {"key": "notes", "label": "notes", "group": "run", "kind": "str"},
    {"key": "id", "label": "id", "group": "run", "kind": "str"},
    {"key": "project", "label": "project", "group": "run", "kind": "str"},
    {"key": "sweep", "label": "sweep", "group": "run", "kind": "str"},
]


def flat(data: Any) -> dict[str, Any]:
    """Nested dicts as ``a.b`` keys (media references and other ``_type`` dicts stay whole;
    a dotted key colliding with a nested path is shown as ``[a.b]``: see flatten_config)."""
    if not isinstance(data, dict):
        return {}
    return flatten_config(data)


_FLOAT_INT = 2**1023  # ints below this convert to float without overflow


def _is_num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _cell(v: Any) -> Any:
    """A config/summary value as the table shows it: numbers stay, the rest is text."""
    if type(v) is int and not -_FLOAT_INT < v < _FLOAT_INT:
        return str(v)  # an int no float holds (10**400): shown as text, never an overflow
    if v is None or isinstance(v, str) or _is_num(v):
        return v
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, dict) and "_type" in v:
        return f"<{v['_type']}>"
    return json.dumps(v, default=str)


class TableData:
    """All runs of a project as columns (Python lists), newest first."""

    def __init__(self, columns: list[Column], data: dict[str, list[Any]], ids: list[str]) -> None:
        self.columns = columns
        self.data = data
        self.ids = ids

    @property
    def kinds(self) -> dict[str, str]:
        return {c["key"]: c["kind"] for c in self.columns}

    def __len__(self) -> int:
        return len(self.ids)

    def rows(self, limit: int | None = None, binary: bool = False) -> tuple[Rows, list[bytes]]:
        """Columnar rows: numbers as Float64 buffers when ``binary``, else JSON lists."""
        n = len(self.ids) if limit is None else min(limit, len(self.ids))
        cols: dict[str, Any] = {}
        buffers: list[bytes] = []
        for c in self.columns:
            vals = self.data[c["key"]][:n]
            if binary and c["kind"] in ("num", "time"):
                arr = np.array([math.nan if v is None else v for v in vals], dtype="<f8")
                cols[c["key"]] = {"buf": len(buffers)}
                buffers.append(arr.tobytes())
            else:
                cols[c["key"]] = {"v": [None if isinstance(v, float) and math.isnan(v) else v for v in vals]}
        return {"ids": self.ids[:n], "cols": cols}, buffers


def load_table(reader: Any, project: str | None = None, now: float | None = None) -> TableData:
    """Read the runs of ``project`` (all projects when None) into a TableData."""
    table = table_runs(reader, project)
    raw = table.to_pydict()
    n = table.num_rows
    data: dict[str, list[Any]] = {c["key"]: [None] * n for c in FIXED}
    cfg_cols: dict[str, list[Any]] = {}
    sum_cols: dict[str, list[Any]] = {}
    for i in range(n):
        rec = {k: raw[k][i] for k in raw}
        state = effective_state(rec, now)  # type: ignore[arg-type] # a row of the runs table holds a RunRecord's columns
        start = rec["created_at"]
        end = rec["finished_at"] or (rec["heartbeat_at"] if state != "running" else None)
        if state == "running" and start is not None:
            import time

            end = time.time() if now is None else now
        data["id"][i] = rec["id"]
        data["project"][i] = rec["project"]
        data["name"][i] = rec["name"] or rec["id"]
        data["state"][i] = state
        data["created_at"][i] = start
        data["duration"][i] = (end - start) if (end is not None and start is not None) else None
        data["tags"][i] = list(rec["tags"] or [])
        data["notes"][i] = rec["notes"]
        data["sweep"][i] = rec["sweep_id"]
        for src, dest in (("config", cfg_cols), ("summary", sum_cols)):
            try:
                values = flat(json.loads(rec[src])) if rec[src] else {}
            except (ValueError, RecursionError):
                values = {}
            for k, v in values.items():
                col = dest.get(k)
                if col is None:
                    col = dest[k] = [None] * n
                col[i] = _cell(v)
    columns = list(FIXED)
    if not any(data["sweep"]):  # the sweep column only in projects that have sweeps
        columns = [c for c in columns if c["key"] != "sweep"]
        del data["sweep"]
    sections: tuple[tuple[ColumnGroup, dict[str, list[Any]]], ...] = (("config", cfg_cols), ("summary", sum_cols))
    for group, cols in sections:
        for k in sorted(cols):
            if group == "summary" and k.startswith("_"):
                continue
            vals = cols[k]
            kind: ColumnKind = "num" if all(v is None or _is_num(v) for v in vals) else "str"
            if kind == "str":
                vals = [None if v is None else str(v) for v in vals]
            key = f"{group}.{k}"
            columns.append({"key": key, "label": k, "group": group, "kind": kind})
            data[key] = vals
    return TableData(columns, data, list(data["id"]))


def curves(reader: Any, ids: Sequence[str], key: str, width: int = 800) -> tuple[list[dict[str, Any]], list[bytes]]:
    """M4-downsampled (in DuckDB) points of one metric for each run: series + Float64 buffers."""
    table = reader.downsample(list(ids), keys=[key], width_px=max(50, min(int(width), 4000)))
    if table.num_rows == 0:
        return [], []
    runs = table.column("run_id").to_pylist()
    step = table.column("step").to_numpy(zero_copy_only=False).astype("<f8")
    num = table.column("num").to_numpy(zero_copy_only=False).astype("<f8")
    series: list[dict[str, Any]] = []
    buffers: list[bytes] = []
    start = 0
    for i in range(1, len(runs) + 1):
        if i == len(runs) or runs[i] != runs[start]:
            x, y = step[start:i], num[start:i]
            order = np.argsort(x, kind="stable")
            series.append({"run": runs[start], "n": int(i - start), "buf": len(buffers)})
            buffers.append(np.concatenate([x[order], y[order]]).astype("<f8").tobytes())
            start = i
    return series, buffers
