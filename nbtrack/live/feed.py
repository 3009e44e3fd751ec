"""LiveFeed: the Run's feed to its live panel (rows in, deltas out); compare(): runs from the store, overlaid."""

from __future__ import annotations

import os
import threading
import time
import uuid
from pathlib import Path
from typing import Any, TypedDict

import numpy as np

from ..projects import project_from_path
from .layout import x_metric
from .messages import EarlierMsg, MetricMeta, RunInfo, SnapSeries
from .mirror import DEFAULT_CAP
from .pusher import LiveData, Pusher, snap_series
from .widget import LivePanel, make_panel

EARLIER_RUNS = 5
EARLIER_POINTS = 400  # per series: faint background lines need little detail (sent once, never saved)
COMPARE_POINTS = 1000  # per series in a compare panel's (saved) snapshot: M4 over 250 columns, a chart's width
RESET_WINDOW = 2.0  # s after creation during which every push is a full reset (the browser may not listen yet)


class LiveRunInfo(TypedDict):
    id: str
    name: str
    project: str
    state: str
    started_at: float  # unix s


def _display(obj: Any, display_id: str, update: bool = False) -> None:
    try:
        from IPython import get_ipython
        from IPython.display import display, update_display
    except ImportError:
        return
    if get_ipython() is None:
        return
    if update:
        update_display(obj, display_id=display_id)
    else:
        display(obj, display_id=display_id)


def _reader(store_dir: str | os.PathLike[str] | None, store: str | None = None) -> Any:
    from nbtrack.store.readers import reader_for

    return reader_for(store_dir, store)


def _column(table: Any, name: str) -> np.ndarray:
    import pyarrow as pa

    col = table.column(name)
    if pa.types.is_timestamp(col.type):
        unit = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "ns": 1e-9}[col.type.unit]
        col = col.cast(pa.timestamp(col.type.unit)).cast(pa.int64())
        return col.to_numpy(zero_copy_only=False).astype(float) * unit
    if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
        return np.asarray(col.to_pylist(), dtype=object)
    return np.asarray(col.to_numpy(zero_copy_only=False), dtype=float)


def _table_series(table: Any) -> dict[tuple[str, str], tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Group a downsample() Arrow table (run_id, key, step, ts, num) into step-sorted arrays."""
    if table is None or table.num_rows == 0:
        return {}
    run, key = _column(table, "run_id"), _column(table, "key")
    step, ts, num = _column(table, "step"), _column(table, "ts"), _column(table, "num")
    groups: dict[tuple[str, str], list[int]] = {}
    for i, rk in enumerate(zip(run.tolist(), key.tolist())):
        groups.setdefault((str(rk[0]), str(rk[1])), []).append(i)
    out = {}
    for rk, idx in groups.items():
        ia = np.asarray(idx)
        ia = ia[np.argsort(step[ia], kind="stable")]
        ia = ia[np.isfinite(num[ia])]
        out[rk] = (step[ia], ts[ia], num[ia])
    return out


def chart_metrics(definitions: dict[str, Any] | None) -> dict[str, MetricMeta]:
    """The part of a run's define_metric definitions the charts use (step metric, hidden)."""
    out: dict[str, MetricMeta] = {}
    for name, d in (definitions or {}).items():
        if isinstance(d, dict) and (d.get("step_metric") or d.get("hidden")):
            out[str(name)] = {"step_metric": d.get("step_metric") or None, "hidden": bool(d.get("hidden"))}
    return out


def _info(rec: dict[str, Any]) -> RunInfo:
    return {"id": str(rec.get("id", "")), "name": str(rec.get("name") or rec.get("id", "")),
            "project": str(rec.get("project", "")), "state": str(rec.get("state", "")),
            "started_at": float(rec.get("created_at") or rec.get("started_at") or 0.0),
            "finished_at": rec.get("finished_at"), "summary": {}, "metrics": chart_metrics(rec.get("metrics"))}


class LiveFeed:
    """Live panel of one run. The Run appends committed rows to ``rows``; nothing else is needed."""

    def __init__(self, run: LiveRunInfo, store_dir: Path | None = None, push_interval: float = 0.25,
                 cap: int = DEFAULT_CAP, earlier_runs: int = EARLIER_RUNS) -> None:
        self.info: RunInfo = {**run, "finished_at": None, "summary": {}, "metrics": {}}
        self.store_dir = store_dir  # where earlier runs to overlay are read (None: the default store)
        self.rows: list = []
        self.data = LiveData(run["id"], cap)
        self.widget = make_panel(mode="live", run=dict(self.info))
        self.widget.on_resync(self._on_resync)
        self.display_id = f"nbtrack-live-{run['id']}-{uuid.uuid4().hex[:8]}"
        self._shown = False
        self._earlier_wanted = earlier_runs
        self._earlier: EarlierMsg | None = None
        self._pusher = Pusher(self.rows, self.data, self.widget.send, push_interval, on_tick=self._load_earlier)
        self._pusher.reset_until = time.monotonic() + RESET_WINDOW
        self._pusher.start()

    # -- called by the Run -------------------------------------------------------------
    def show(self) -> None:
        _display(self.widget, self.display_id)
        self._shown = True

    def checkpoint(self) -> None:
        with self._pusher.lock:
            self._pusher.flush()
            self.widget.snapshot = dict(self.data.snapshot(self._pusher.seq))

    def set_metrics(self, definitions: dict[str, Any]) -> None:
        """Take the run's define_metric definitions (step metrics become x axes, hidden
        metrics get no chart)."""
        metrics = chart_metrics(definitions)
        with self._pusher.lock:
            if metrics != self.widget.run.get("metrics"):
                self.widget.run = {**self.widget.run, "metrics": metrics}

    def set_state(self, state: str, summary: dict | None = None) -> None:
        info = dict(self.widget.run)
        info["state"] = state
        if state != "running":
            info["finished_at"] = time.time()
        if summary is not None:
            info["summary"] = _shown_summary(summary)
        self.checkpoint()
        self.widget.run = info
        if self._shown:
            _display(self.widget, self.display_id, update=True)

    def close(self) -> None:
        try:
            self._pusher.flush()
        finally:
            self._pusher.stop()

    # -- internals -----------------------------------------------------------------------
    @property
    def stats(self) -> dict[str, Any]:
        p = self._pusher
        return {"sends": p.sends, "bytes": p.bytes_sent, "errors": p.errors, "rows": self.data.rows_seen,
                "points": sum(m.total for m in self.data.series.values())}

    def _on_resync(self) -> None:
        self._pusher.force_reset = True
        if self._earlier is not None:
            self._send_earlier()

    def _send_earlier(self) -> None:
        with self._pusher.lock:
            if self._earlier is not None:
                self.widget.send(dict(self._earlier), [])

    def _load_earlier(self) -> None:
        """Called on the pusher thread: once, load the earlier runs on a helper thread (the
        store read may wait for locks and flushes; pushes must not)."""
        if self._earlier_wanted <= 0:
            return
        wanted, self._earlier_wanted = self._earlier_wanted, 0
        threading.Thread(target=self._read_earlier, args=(wanted,), name="nbtrack-live-earlier", daemon=True).start()

    def _read_earlier(self, wanted: int) -> None:
        try:
            reader = _reader(self.store_dir)
            recs = [r for r in reader.runs(project=self.info.get("project") or None)
                    if r.get("id") != self.info["id"] and r.get("state") == "finished"]
            recs.sort(key=lambda r: r.get("created_at") or 0, reverse=True)
            recs = recs[:wanted]
            if not recs:
                return
            table = reader.downsample([r["id"] for r in recs], keys=None, width_px=EARLIER_POINTS // 4)
            series: list[SnapSeries] = [snap_series(rid, key, None, x, t, y, EARLIER_POINTS)
                                        for (rid, key), (x, t, y) in _table_series(table).items()
                                        if len(x) and not key.startswith("system/")]
            self._earlier = {"type": "earlier", "runs": [_info(r) for r in recs], "series": series}
            self._send_earlier()
        except Exception:  # boundary: the earlier runs' curves are a nicety; counted in the pusher's errors
            self._pusher.errors += 1


def _plain(v: Any) -> bool:
    return isinstance(v, (int, float, str, bool))


def _shown_summary(summary: dict) -> dict[str, Any]:
    """The summary line's values: plain ones, and define_metric aggregates as "key max"
    (media and tables, dicts with a "_type", are shown elsewhere)."""
    out: dict[str, Any] = {}
    for k, v in summary.items():
        if _plain(v):
            out[str(k)] = v
        elif isinstance(v, dict) and "_type" not in v:
            out.update({f"{k} {agg}": x for agg, x in v.items() if _plain(x)})
    return out


def compare(run_ids: list[str] | None = None, project: str | None = None, keys: list[str] | None = None,
            dir: str | os.PathLike[str] | None = None, width_px: int = 800, limit: int = 10,
            store: str | None = None, store_root: str | None = None) -> LivePanel:
    """Overlay runs from the store (downsampled in DuckDB) in the same panel UI.

    ``dir``: the store directory (default ``NBTRACK_DIR``, else ``./nbtrack``), as for
    ``nbtrack.table()`` and ``nbtrack.Api()``; ``store_root`` is its former name.
    ``store="postgresql://..."`` (or ``NBTRACK_STORE``) overlays runs of the team store.
    """
    reader = _reader(dir if dir is not None else store_root, store)
    recs = list(reader.runs(project=project_from_path(project)))
    if run_ids is not None:
        by_id = {r.get("id"): r for r in recs}
        recs = [by_id[i] for i in run_ids if i in by_id]
    else:
        recs.sort(key=lambda r: r.get("created_at") or 0, reverse=True)
        recs = recs[:limit]
    ids = [str(r["id"]) for r in recs]
    if keys is not None:  # the step metrics the keys are drawn against come along (x axes, not charts)
        axes = {x_metric(k, chart_metrics(r.get("metrics"))) for r in recs for k in keys}
        keys = list(keys) + sorted(a for a in axes if a and a not in keys)
    table = reader.downsample(ids, keys=keys, width_px=width_px) if ids else None
    grouped = _table_series(table) if table is not None else {}
    series = [snap_series(rid, key, None, x, t, y, min(4 * width_px, COMPARE_POINTS))
              for (rid, key), (x, t, y) in sorted(grouped.items(), key=lambda kv: (ids.index(kv[0][0]), kv[0][1]))
              if len(x)]
    snapshot = {"v": 1, "seq": 0, "step": None, "now": None, "series": series, "images": [], "hists": []}
    return make_panel(mode="compare", run={"name": f"{len(ids)} runs" + (f" in {project}" if project else ""),
                                          "state": ""}, runs=[_info(r) for r in recs], snapshot=snapshot)
