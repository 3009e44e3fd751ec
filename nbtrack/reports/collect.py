"""What a report holds, read out of a store: runs, table, curves, importance, media, code.

``collect`` returns a :class:`ReportData`: a JSON-able ``meta`` dict and the curve points
as numpy arrays (referenced from ``meta`` by index), packed into the page by ``pack.py``.
Long curves are M4-downsampled in DuckDB (``store/downsample.py``) to a width chosen so
that one chart of all the runs stays near :data:`POINTS_PER_CHART` points.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..kept_files import HISTORY_NOTEBOOK
from ..media.thumbs import make_thumbnail
from ..runs_table.diff import notebook_cells
from ..runs_table.importance import importance
from ..runs_table.queries import flat, load_table
from ..store import report_queries
from ..store.reader import StoreReader
from ..store.records import RunRecord

#: about this many points per chart (all runs together); sets the M4 width per series
POINTS_PER_CHART = 100_000
MIN_WIDTH, MAX_WIDTH = 150, 1000
MAX_METRICS = 48
#: runs with curves and details when none are chosen (the latest ones; the table lists all)
MAX_SHOWN_RUNS = 50
MAX_CHOSEN_RUNS = 200
MAX_IMPORTANCE_METRICS = 4
IMAGE_STEPS_PER_KEY = 6
MAX_IMAGES = 240
MAX_TABLE_ROWS = 200
MAX_TEXT = 2000


@dataclass
class ReportData:
    """A report's content: ``meta`` (JSON) and the Float arrays ``meta`` points into."""

    meta: dict[str, Any]
    arrays: list[np.ndarray] = field(default_factory=list)

    def add(self, arr: np.ndarray) -> int:
        """Keep an array for the page; its index goes into ``meta``."""
        self.arrays.append(arr)
        return len(self.arrays) - 1


def _jsonable(value: Any) -> Any:
    """Plain JSON values: NaN and infinities become None, unknown objects their str()."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if value is None or isinstance(value, (str, int, bool)):
        return value
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return _jsonable(value.item())
    return str(value)


def _clip(text: Any) -> str:
    s = text if isinstance(text, str) else json.dumps(text, default=str)
    return s if len(s) <= MAX_TEXT else s[:MAX_TEXT] + "…"


def select_runs(reader: StoreReader, project: str | None, runs: Sequence[Any] | None) -> list[RunRecord]:
    """The run records a report covers: ``runs`` (ids, names or objects with ``.id``) of
    ``project``, or all runs of ``project`` (of the store when None), oldest first."""
    records = reader.runs(project=project)
    if runs is not None:
        wanted = [str(getattr(r, "id", r)) for r in runs]
        by_id = {r["id"]: r for r in records}
        by_name: dict[str, RunRecord] = {}
        for r in records:
            by_name.setdefault(str(r.get("name") or ""), r)
        chosen: list[RunRecord] = []
        missing: list[str] = []
        for w in wanted:
            rec = by_id.get(w) or by_name.get(w)
            if rec is None:
                missing.append(w)
            elif rec not in chosen:
                chosen.append(rec)
        if missing:
            where = f"project {project!r}" if project else "the store"
            raise ValueError(f"no run {', '.join(map(repr, missing))} in {where} ({reader.store.root}); "
                             "pass run ids or names from nbtrack.runs()")
        records = chosen
    return sorted(records, key=lambda r: (r.get("created_at") or 0, r["id"]))


def choose_metrics(available: list[tuple[str, int]], metrics: Sequence[str] | None) -> list[str]:
    """The metrics to chart: those asked for (in that order) or every numeric key, system
    metrics last, at most :data:`MAX_METRICS`."""
    keys = [k for k, _ in available]
    if metrics is not None:
        unknown = [m for m in metrics if m not in keys]
        if unknown:
            raise ValueError(f"no logged values for metric(s) {', '.join(map(repr, unknown))} in these runs; "
                             f"logged metrics: {', '.join(keys[:20]) or 'none'}")
        return list(dict.fromkeys(metrics))
    user = [k for k in keys if not k.startswith("system/") and not k.startswith("_")]
    system = [k for k in keys if k.startswith("system/")]
    return (user + system)[:MAX_METRICS]


def _downsampled(data: ReportData, reader: StoreReader, run_ids: list[str], metrics: Sequence[str] | None) -> tuple[list[str], Any]:
    """The metrics to chart and their M4-downsampled points, in one pass over the history
    (the keys come from the downsampled rows; only a metric asked for but never logged
    costs a second query, for the error message)."""
    width = int(max(MIN_WIDTH, min(MAX_WIDTH, POINTS_PER_CHART // (4 * max(1, len(run_ids))))))
    data.meta["m4_width"] = width
    table = reader.downsample(run_ids, keys=list(metrics) if metrics is not None else None, width_px=width)
    present = sorted(set(table.column("key").to_pylist())) if run_ids else []
    if metrics is not None and set(metrics) - set(present):
        choose_metrics(report_queries.numeric_keys(reader, run_ids), metrics)  # raises, naming what exists
    keys = choose_metrics([(k, 0) for k in present], metrics)
    if len(keys) < len(present):
        table = table.filter(pc.is_in(table.column("key"), value_set=pa.array(keys, type=pa.string())))
    return keys, table


def _curves(data: ReportData, table: Any) -> list[dict[str, Any]]:
    """One entry per (run, key) of the downsampled table, its arrays kept in ``data``."""
    if table.num_rows == 0:
        return []
    run_col = np.asarray(table.column("run_id").to_pylist(), dtype=object)
    key_col = np.asarray(table.column("key").to_pylist(), dtype=object)
    step = table.column("step").to_numpy(zero_copy_only=False).astype("<f8")
    ts = table.column("ts").to_numpy(zero_copy_only=False).astype("<f8")
    num = table.column("num").to_numpy(zero_copy_only=False).astype("<f8")
    change = np.flatnonzero((run_col[1:] != run_col[:-1]) | (key_col[1:] != key_col[:-1])) + 1
    bounds = [0, *change.tolist(), len(step)]
    out = []
    for a, b in zip(bounds[:-1], bounds[1:]):
        x, t, y = step[a:b], ts[a:b], num[a:b]
        t0 = float(np.nanmin(t)) if len(t) else 0.0
        out.append({"run": run_col[a], "key": key_col[a], "n": int(b - a), "t0": t0,
                    "x": data.add(x.astype("<f8")), "t": data.add((t - t0).astype("<f4")),
                    "y": data.add(y.astype("<f4"))})
    return out


def _importance(table: dict[str, Any], metrics: Sequence[str] | None) -> list[dict[str, Any]]:
    """Parameter importance for the summary metrics that vary: those asked for first,
    then the others (system metrics last), at most :data:`MAX_IMPORTANCE_METRICS`."""
    columns, rows = table["columns"], table["rows"]["cols"]
    params = {c["key"]: rows[c["key"]]["v"] for c in columns if c["group"] == "config"}
    if not params:
        return []
    summary = [c["key"] for c in columns if c["group"] == "summary" and c["kind"] == "num"
               and len({v for v in rows[c["key"]]["v"] if v is not None}) > 1]
    asked = [f"summary.{m}" for m in metrics or [] if f"summary.{m}" in summary]
    rest = sorted((k for k in summary if k not in asked), key=lambda k: (k.startswith("summary.system/"), k))
    out = []
    for key in (asked + rest)[:MAX_IMPORTANCE_METRICS]:
        res = importance(params, rows[key]["v"])
        if res["rows"]:
            out.append({"metric": key, **res})
    return out


def _table(reader: StoreReader, project: str | None, run_ids: list[str]) -> dict[str, Any]:
    td = load_table(reader, project)
    keep = [i for i, rid in enumerate(td.ids) if rid in set(run_ids)]
    cols: dict[str, Any] = {}
    columns = []
    for c in td.columns:
        vals = [td.data[c["key"]][i] for i in keep]
        if c["group"] != "run" and all(v is None for v in vals):
            continue
        columns.append(c)
        cols[c["key"]] = {"v": _jsonable(vals)}
    return {"columns": columns, "rows": {"ids": [td.ids[i] for i in keep], "cols": cols}}


def _image_items(reader: StoreReader, ref: dict[str, Any], budget: list[int]) -> list[dict[str, Any]]:
    refs = ref.get("items", []) if ref.get("_type") == "images/separated" else [ref]
    items = []
    for r in refs:
        if not isinstance(r, dict):
            continue
        src = None
        if budget[0] > 0 and r.get("sha256"):
            try:
                thumb = make_thumbnail(reader.store.read_blob(str(r["sha256"])))
                src = "data:image/png;base64," + base64.b64encode(thumb).decode("ascii")
                budget[0] -= 1
            except Exception:  # a missing or unreadable blob leaves a placeholder
                src = None
        items.append({"caption": None if r.get("caption") is None else str(r.get("caption")),
                      "w": r.get("width"), "h": r.get("height"), "src": src})
    return items


def _media(reader: StoreReader, run_ids: list[str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    images: dict[tuple[str, str], list[dict[str, Any]]] = {}
    tables: list[dict[str, Any]] = []
    budget = [MAX_IMAGES]
    latest_table: dict[tuple[str, str], dict[str, Any]] = {}
    for row in report_queries.media_refs(reader, run_ids, per_key=IMAGE_STEPS_PER_KEY):
        try:
            ref = json.loads(row["json"])
        except ValueError:
            continue
        if ref.get("_type") == "table":
            latest_table[(row["run_id"], row["key"])] = {"step": row["step"], "ref": ref}
            continue
        images.setdefault((row["run_id"], row["key"]), []).append(
            {"step": row["step"], "items": _image_items(reader, ref, budget)})
    for (rid, key), found in latest_table.items():
        ref = found["ref"]
        data = ref.get("data") or []
        tables.append({"run": rid, "key": key, "step": found["step"],
                       "columns": [str(c) for c in ref.get("columns") or []],
                       "data": [[None if v is None else _clip(v) if not isinstance(v, (int, float)) else v for v in row]
                                for row in data[:MAX_TABLE_ROWS]],
                       "nrows": int(ref.get("nrows") or len(data))})
    return ([{"run": rid, "key": key, "steps": steps} for (rid, key), steps in images.items()],
            _jsonable(tables))


def _media_label(value: Any) -> Any:
    """A media reference in a summary as a short label ("<table 2x2>"), other values as they are."""
    if not isinstance(value, dict) or "_type" not in value:
        return value
    kind = str(value["_type"])
    if kind == "table":
        return f"<table {value.get('nrows', '?')}x{value.get('ncols', '?')}>"
    if kind == "image-file":
        return f"<image {value.get('width', '?')}x{value.get('height', '?')}>"
    if kind == "images/separated":
        return f"<{value.get('count', '?')} images>"
    return f"<{kind}>"


def _code_cells(reader: StoreReader, files: dict[str, str]) -> list[dict[str, Any]]:
    """A run's code as cells, chosen as ``ApiRun.code()`` does: the notebook file, else
    the script, else the cells executed in the kernel."""
    code = {p: sha for p, sha in files.items() if p.startswith("code/")}
    notebooks = sorted(p for p in code if p.endswith(".ipynb") and p != HISTORY_NOTEBOOK)
    scripts = sorted(p for p in code if p.endswith(".py"))
    if notebooks or (not scripts and HISTORY_NOTEBOOK in code):
        name = notebooks[0] if notebooks else HISTORY_NOTEBOOK
        return notebook_cells(json.loads(reader.store.read_blob(code[name]).decode("utf-8")))
    if scripts:
        return [{"type": "code", "source": reader.store.read_blob(code[scripts[0]]).decode("utf-8", "replace"),
                 "outputs": []}]
    return []


def _details(reader: StoreReader, records: list[RunRecord], code: dict[str, Any], with_code: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    files = report_queries.code_files(reader, [r["id"] for r in records]) if with_code else {}
    for rec in records:
        env = dict(rec.get("environment") or {})
        env.pop("packages", None)
        code_id = None
        if with_code:
            try:
                cells = _code_cells(reader, files.get(rec["id"], {}))
            except Exception as exc:  # a broken snapshot must not break the report
                cells = [{"type": "raw", "source": f"(could not read the code snapshot: {exc})", "outputs": []}]
            if cells:
                code_id = hashlib.sha256(json.dumps(cells, sort_keys=True).encode()).hexdigest()[:16]
                code.setdefault(code_id, cells)
        out[rec["id"]] = _jsonable({
            "config": flat(rec.get("config") or {}),
            "summary": {k: _media_label(v) for k, v in flat(rec.get("summary") or {}).items() if not k.startswith("_")},
            "environment": {k: env[k] for k in ("python", "platform", "host", "git", "executable", "notebook")
                            if k in env},
            "code": code_id,
        })
    return out


def collect(reader: StoreReader, project: str | None = None, runs: Sequence[Any] | None = None,
            metrics: Sequence[str] | None = None, with_code: bool = True) -> ReportData:
    """Read everything a report of these runs shows (see the module doc)."""
    every = select_runs(reader, project, runs)
    if runs is not None and len(every) > MAX_CHOSEN_RUNS:
        raise ValueError(f"a report shows at most {MAX_CHOSEN_RUNS} chosen runs ({len(every)} asked for); "
                         "choose fewer, or leave runs out for the project's latest runs with the table of all")
    # curves and details for the chosen runs, or the project's latest ones; the table has all
    records = every if runs is not None else every[-MAX_SHOWN_RUNS:]
    run_ids = [r["id"] for r in records]
    data = ReportData(meta={"v": 1, "generated_at": time.time(), "project": project, "total_runs": len(every)})
    data.meta["runs"] = _jsonable([{
        "id": r["id"], "name": r.get("name") or r["id"], "project": r.get("project"), "state": r.get("state"),
        "created_at": r.get("created_at"), "finished_at": r.get("finished_at"), "tags": list(r.get("tags") or []),
        "notes": r.get("notes") or "", "last_step": r.get("last_step")} for r in records])
    table = _table(reader, project, [r["id"] for r in every])
    data.meta["table"] = table
    # the forest learns on another thread while DuckDB downsamples (both release the GIL)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="nbtrack-importance") as pool:
        importance_done = pool.submit(_importance, table, metrics)
        keys, points = _downsampled(data, reader, run_ids, metrics)
        data.meta["importance"] = importance_done.result()
    data.meta["metrics"] = keys
    data.meta["series"] = _curves(data, points)
    data.meta["images"], data.meta["tables"] = _media(reader, run_ids)
    code: dict[str, Any] = {}
    data.meta["details"] = _details(reader, records, code, with_code)
    data.meta["code"] = code
    return data
