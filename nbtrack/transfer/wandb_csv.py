"""Import wandb's CSV exports into an nbtrack store.

Three shapes are recognised from the header:

- the runs table's "Export as CSV" (a ``Name`` column, often ``State``, ``Notes``,
  ``User``, ``Tags``, ``Created``, ``Runtime``, ``Sweep``, ``ID``): one run per row.
  Its config and summary columns are not marked in the file: columns named
  ``config.X``/``summary.X`` go where they say, those listed in ``config_columns`` are
  config, the rest summary.
- a line plot panel's "Export CSV" (``Step`` then ``<run name> - <metric>`` columns,
  with ``__MIN``/``__MAX`` companions, which are skipped): one run per run name, with
  its curves as history.
- a run's history as pandas writes it (``run.history().to_csv()``: ``_step`` and one
  column per metric): one run named after the file.

Run ids are kept when the file has them, else derived from the project and name, so
importing the same file twice finds the runs already there (``replace`` re-imports).
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import os
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from ..store.convert import rows_to_arrow
from ..store.importer import import_run
from ..store.records import history_row
from ..store.store import Store
from .values import set_path

_META = {"name", "id", "state", "notes", "user", "tags", "created", "runtime", "sweep", "group", "job type",
         "jobtype", "hostname", "end time", "updated"}
_STATES = {"finished", "failed", "crashed", "killed", "running"}


class CsvShapeError(ValueError):
    """The CSV is none of the wandb export shapes this importer knows."""


def _value(text: str) -> Any:
    """CSV text as the value it stands for: number, bool, JSON list/dict, else the text."""
    s = text.strip()
    if s == "":
        return None
    try:
        v = float(s)
        if math.isfinite(v) and v == int(v) and "." not in s and "e" not in s.lower():
            return int(v)
        return v if math.isfinite(v) else None
    except ValueError:
        pass
    if s.lower() in ("true", "false"):
        return s.lower() == "true"
    if s[:1] in "[{":
        try:
            return json.loads(s)
        except ValueError:
            pass
    return s


def _run_id(project: str, name: str) -> str:
    return "csv-" + hashlib.sha1(f"{project}\0{name}".encode()).hexdigest()[:10]


def _created(text: str | None) -> float | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.strip().replace("Z", "+00:00")).timestamp()
    except ValueError:
        v = _value(text)
        return float(v) if isinstance(v, (int, float)) else None


def _record(run_id: str, name: str, project: str, created: float | None, state: str = "finished") -> dict[str, Any]:
    now = time.time()
    return {"id": run_id, "name": name, "project": project, "state": state, "created_at": created or now,
            "finished_at": created or now, "heartbeat_at": created or now, "config": {}, "summary": {},
            "metrics": {}, "tags": [], "environment": {"imported_from": "wandb CSV export"}}


def _runs_table(rows: list[dict[str, str]], header: list[str], project: str, config_columns: set[str]) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    meta = {h.lower(): h for h in header if h.lower() in _META and h[:1].isupper()}
    out: list[tuple[dict[str, Any], list[dict[str, Any]]]] = []
    for row in rows:
        name = (row.get(meta.get("name", "Name")) or "").strip()
        if not name:
            continue
        rid = (row.get(meta["id"]) or "").strip() if "id" in meta else ""
        rec = _record(rid or _run_id(project, name), name, project, _created(row.get(meta.get("created", ""))))
        state = (row.get(meta.get("state", "")) or "").strip().lower()
        rec["state"] = state if state in _STATES and state != "running" else "finished"
        rec["notes"] = (row.get(meta.get("notes", "")) or "").strip() or None
        tags = (row.get(meta.get("tags", "")) or "").strip()
        rec["tags"] = [t.strip() for t in tags.split(",") if t.strip()] if tags else []
        runtime = _value(row.get(meta.get("runtime", ""), "") or "")
        if isinstance(runtime, (int, float)):
            rec["finished_at"] = rec["created_at"] + runtime
        for col in header:
            if col.lower() in meta:
                continue
            value = _value(row.get(col) or "")
            if value is None:
                continue
            if col.startswith("config."):
                set_path(rec["config"], col[7:].split("."), value)
            elif col.startswith("summary."):
                rec["summary"][col[8:]] = value
            elif col in config_columns:
                set_path(rec["config"], col.split("."), value)
            else:
                rec["summary"][col] = value
        out.append((rec, []))
    return out


def _panel(rows: list[dict[str, str]], header: list[str], step_col: str, project: str) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    series: dict[str, list[tuple[str, str]]] = {}
    for col in header:
        if col == step_col or col.endswith("__MIN") or col.endswith("__MAX") or " - " not in col:
            continue
        run, metric = col.rsplit(" - ", 1)
        series.setdefault(run, []).append((col, metric))
    now = time.time()
    out = []
    for run, cols in series.items():
        rec = _record(_run_id(project, run), run, project, now)
        hist = []
        for row in rows:
            step = _value(row.get(step_col) or "")
            if not isinstance(step, (int, float)):
                continue
            values = {m: v for c, m in cols if isinstance(v := _value(row.get(c) or ""), (int, float))}
            if values:
                hist.append(history_row(int(step), now, values))
                rec["summary"].update(values)
        out.append((rec, hist))
    return out


def _history(rows: list[dict[str, str]], header: list[str], step_col: str, name: str, project: str) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    rec = _record(_run_id(project, name), name, project, None)
    hist = []
    start = None
    for i, row in enumerate(rows):
        step = _value(row.get(step_col) or "")
        ts = _value(row.get("_timestamp") or "")
        ts = float(ts) if isinstance(ts, (int, float)) else rec["created_at"]
        start = ts if start is None else start
        values = {c: v for c in header if not c.startswith("_") and c != step_col and c != ""
                  and (v := _value(row.get(c) or "")) is not None}
        hist.append(history_row(int(step) if isinstance(step, (int, float)) else i, ts, values))
        rec["summary"].update({k: v for k, v in values.items() if isinstance(v, (int, float, str))})
    if start is not None:
        rec["created_at"] = start
        rec["finished_at"] = rec["heartbeat_at"] = hist[-1]["_timestamp"]
    return [(rec, hist)]


def read_csv(path: str | os.PathLike[str], project: str | None = None,
             config_columns: Sequence[str] = ()) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """(run record, history rows) for every run in a wandb CSV export (see the module doc)."""
    p = Path(path)
    project = project or "imported"
    with open(p, newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        header = [h for h in (reader.fieldnames or [])]
        rows = list(reader)
    lower = {h.lower(): h for h in header}
    if "Name" in header:  # wandb capitalises its runs table's headers
        return _runs_table(rows, header, project, set(config_columns))
    step = lower.get("step") or lower.get("_step")
    if step and any(" - " in h for h in header):
        return _panel(rows, header, step, project)
    if step:
        return _history(rows, header, step, p.stem, project)
    raise CsvShapeError(f"{p}: not a wandb CSV export this importer knows (expected a 'Name' column for the runs "
                        "table, or 'Step'/'_step' for a chart or a run's history); header: " + ", ".join(header[:10]))


def import_wandb_csv(path: str | os.PathLike[str], store: Store, project: str | None = None,
                     config_columns: Sequence[str] = (), replace: bool = False) -> list[str]:
    """Import the runs of a wandb CSV export; returns their ids."""
    ids = []
    for rec, hist in read_csv(path, project, config_columns):
        if hist:
            rec["last_step"] = max(r["_step"] for r in hist)
        import_run(store, rec, rows_to_arrow(hist), replace=replace)  # type: ignore[arg-type] # rec is a plain dict of RunRecord keys
        ids.append(rec["id"])
    return ids


__all__ = ["CsvShapeError", "import_wandb_csv", "read_csv"]
