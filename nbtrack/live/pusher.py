"""Kernel side of the live panel: drain the run's rows, keep bounded mirrors, push deltas.

The run only appends history rows to ``rows``: flat ``{key: value}`` dicts ending with
``_step`` and ``_timestamp`` (``store.records.HistoryRow``). A daemon thread wakes every
``interval`` seconds, drains the list, folds numbers into per-series ``SeriesMirror``s
(numpy) and media references into a bounded image list, and sends one message with the
points that are new since the previous one (a full reset for a series that was compacted).
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from ..store.records import STEP_KEY, TIME_KEY
from .histograms import HistogramSeries, hist_delta, is_histogram, rebin
from .messages import (
    DeltaMsg,
    HistDelta,
    ImageDelta,
    ImageItem,
    SeriesDelta,
    SnapImageItem,
    SnapImages,
    SnapImageStep,
    SnapSeries,
    Snapshot,
)
from .mirror import DEFAULT_CAP, SeriesMirror, m4_reduce

IMAGE_STEPS_KEPT = 64  # per key, thinned by half when full (latest always kept)
SNAPSHOT_POINTS = 400  # per series in the saved snapshot (M4 over 100 pixel columns)
SNAPSHOT_IMAGE_BYTES = 16_000  # data URLs of thumbnails in one saved snapshot, newest first
SNAPSHOT_IMAGE_STEPS = 4  # per key
F32_EXACT = 2.0 ** 24  # integers below this are exact in Float32


_NUMERIC = (float, int, bool)


def _is_image(v: Any) -> bool:
    return isinstance(v, dict) and "image" in str(v.get("_type", ""))


def _b64(a: np.ndarray, dtype: str) -> str:
    return base64.b64encode(np.ascontiguousarray(a, dtype=dtype).tobytes()).decode("ascii")


def snap_series(run: str, key: str, m: SeriesMirror | None, x: np.ndarray, t: np.ndarray, y: np.ndarray,
                points: int = SNAPSHOT_POINTS) -> SnapSeries:
    """A JSON-able compact copy of a series (M4-reduced to ``points``)."""
    idx = m4_reduce(x, y, max(1, points // 4))
    x, t, y = x[idx], t[idx], y[idx]
    t0 = float(t[0]) if len(t) else 0.0
    out: SnapSeries = {"run": run, "key": key, "ver": m.ver if m else 0, "n": len(m) if m else len(x), "t0": t0,
                       "x": _b64(x, "<f8"), "t": _b64(t - t0, "<f4"), "y": _b64(y, "<f4")}
    if len(x) and bool(np.all((x == np.floor(x)) & (np.abs(x) < F32_EXACT))):
        out["x"], out["xk"] = _b64(x, "<f4"), "f4"  # steps are integers: half the bytes, still exact
    return out


def _thumbnail(sha: str) -> bytes | None:
    from nbtrack.media import thumbnail

    return thumbnail(sha)


class LiveData:
    """Mirrors of one run's series plus its recent images. Not thread-safe: one owner."""

    def __init__(self, run_id: str, cap: int = DEFAULT_CAP) -> None:
        self.run_id = run_id
        self.cap = cap
        self.series: dict[str, SeriesMirror] = {}
        self.images: dict[str, list[tuple[int, list[dict[str, Any]]]]] = {}
        self.new_images: list[tuple[str, int, list[dict[str, Any]]]] = []
        self.hists: dict[str, HistogramSeries] = {}
        self.new_hists: list[HistDelta] = []
        self.step: int | None = None
        self.now: float | None = None
        self.rows_seen = 0

    def ingest(self, batch: list) -> None:
        """Fold rows into the mirrors. Rows come in runs with the same keys (a training loop
        logs the same dict every step): each run is read column-wise with np.fromiter, and
        only keys holding something else than numbers (media, text) take the per-row path."""
        if not batch:
            return
        acc: dict[str, list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = {}
        n = len(batch)
        i = 0
        while i < n:
            keys = batch[i].keys()
            j = i + 1
            while j < n and batch[j].keys() == keys:
                j += 1
            rows = batch[i:j] if (i, j) != (0, n) else batch
            m = j - i
            st: np.ndarray | None = None
            tt: np.ndarray | None = None
            for k in keys:
                if k in (STEP_KEY, TIME_KEY):
                    continue
                v0 = rows[0][k]
                if type(v0) in _NUMERIC:
                    try:
                        y = np.fromiter((r[k] for r in rows), float, m)
                    except (TypeError, ValueError):
                        y = None
                    if y is not None:
                        if st is None or tt is None:  # set together, once per group of rows
                            st = np.fromiter((r[STEP_KEY] for r in rows), float, m)
                            tt = np.fromiter((r[TIME_KEY] for r in rows), float, m)
                        acc.setdefault(k, []).append((st, tt, y))
                        continue
                self._slow(k, rows, acc)
            i = j
        last = batch[-1]
        self.step, self.now = last[STEP_KEY], last[TIME_KEY]
        self.rows_seen += n
        for k, parts in acc.items():
            mirror = self.series.get(k)
            if mirror is None:
                mirror = self.series[k] = SeriesMirror(self.cap)
            if len(parts) == 1:
                mirror.append(*parts[0])
            else:
                mirror.append(*(np.concatenate(c) for c in zip(*parts)))

    def _slow(self, k: str, rows: list, acc: dict) -> None:
        xs: list[float] = []
        ts: list[float] = []
        ys: list[float] = []
        for vals in rows:
            step, t, v = vals[STEP_KEY], vals[TIME_KEY], vals.get(k)
            if type(v) in _NUMERIC or (isinstance(v, (int, float)) and not isinstance(v, complex)):
                xs.append(step)
                ts.append(t)
                ys.append(float(v))
            elif is_histogram(v):
                self._histogram(k, step, v)
            elif isinstance(v, (dict, list)):
                self._image(k, step, v)
        if xs:
            acc.setdefault(k, []).append((np.asarray(xs, float), np.asarray(ts, float), np.asarray(ys, float)))

    def _histogram(self, key: str, step: int, v: dict[str, Any]) -> None:
        binned = rebin(v.get("values"), v.get("bins"))
        if binned is None:
            return
        lo, hi, counts = binned
        self.hists.setdefault(key, HistogramSeries()).add(int(step), lo, hi, counts)
        self.new_hists.append(hist_delta(self.run_id, key, step, lo, hi, counts))
        if len(self.new_hists) > 4 * IMAGE_STEPS_KEPT * max(1, len(self.hists)):
            self.new_hists = self.new_hists[-IMAGE_STEPS_KEPT * len(self.hists):]

    def _image(self, key: str, step: int, v: Any) -> None:
        if isinstance(v, list):
            items = [i for i in v if _is_image(i)]
            if not items:
                return
        elif _is_image(v):
            items = [v]
        else:
            return
        steps = self.images.setdefault(key, [])
        if steps and steps[-1][0] == step:
            steps[-1] = (step, items)
        else:
            steps.append((step, items))
        if len(steps) > IMAGE_STEPS_KEPT:
            steps[:] = steps[:-1:2] + steps[-1:]
        self.new_images.append((key, step, items))

    def take_message(self, seq: int, force_reset: bool = False) -> tuple[DeltaMsg, list[bytes]] | None:
        series: list[SeriesDelta] = []
        buffers: list[bytes] = []
        for k, m in self.series.items():
            if not (m.dirty or force_reset):
                continue
            reset_needed = force_reset or m.sent == 0
            d = m.take_delta(force_reset)
            if d is None:
                continue
            off, packed = d
            series.append({"run": self.run_id, "key": k, "ver": m.ver, "off": off, "n": len(packed) // 3,
                           "reset": reset_needed or off == 0, "buf": len(buffers)})
            buffers.append(packed.tobytes())
        images: list[ImageDelta] = []
        pending = self.new_images
        self.new_images = []
        if force_reset:
            pending = [(k, s, it) for k, steps in self.images.items() for s, it in steps]
        for key, step, items in pending[-IMAGE_STEPS_KEPT:]:
            out: list[ImageItem] = []
            for it in items:
                sha = str(it.get("sha256", ""))
                png = _thumbnail(sha) if sha else None
                out.append({"sha": sha, "caption": it.get("caption"), "w": it.get("width"), "h": it.get("height"),
                            "buf": len(buffers) if png else -1})
                if png:
                    buffers.append(png)
            images.append({"key": key, "step": step, "items": out})
        hists = self.new_hists
        self.new_hists = []
        if force_reset:
            hists = [hist_delta(self.run_id, k, s, lo, hi, c) for k, h in self.hists.items()
                     for s, lo, hi, c in zip(h.steps, h.lo, h.hi, h.counts)]
        if not series and not images and not hists:
            return None
        msg: DeltaMsg = {"type": "delta", "seq": seq, "step": self.step, "now": time.time(),
                         "series": series, "images": images, "hists": hists}
        return msg, buffers

    def snapshot(self, seq: int) -> Snapshot:
        series = [snap_series(self.run_id, k, m, m.x, m.t, m.y) for k, m in self.series.items() if len(m)]
        images: list[SnapImages] = []
        budget = SNAPSHOT_IMAGE_BYTES
        for key, steps in self.images.items():
            kept: list[SnapImageStep] = []
            for step, items in reversed(steps):  # newest first until the byte budget is spent
                out: list[SnapImageItem] = []
                for it in items:
                    sha = str(it.get("sha256", ""))
                    png = _thumbnail(sha) if sha and budget > 0 else None
                    src = None
                    if png and len(png) * 4 // 3 <= budget:
                        src = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
                        budget -= len(src)
                    out.append({"sha": sha, "caption": it.get("caption"), "w": it.get("width"),
                                "h": it.get("height"), "src": src})
                kept.append({"step": step, "items": out})
                if len(kept) >= SNAPSHOT_IMAGE_STEPS:
                    break
            images.append({"key": key, "steps": kept[::-1]})
        hists = [h.snapshot(self.run_id, k) for k, h in self.hists.items() if h.steps]
        return {"v": 1, "seq": seq, "step": self.step, "now": self.now, "series": series, "images": images,
                "hists": hists}


class Pusher:
    """Daemon thread: every ``interval`` s drain ``rows`` into ``data`` and ``send`` a delta."""

    def __init__(self, rows: list, data: LiveData, send: Callable[[dict, list[bytes]], None],
                 interval: float = 0.25, on_tick: Callable[[], None] | None = None) -> None:
        self.rows = rows
        self.data = data
        self.send = send
        self.interval = interval
        self.on_tick = on_tick
        self.lock = threading.RLock()
        self.seq = 0
        self.force_reset = False
        self.reset_until = 0.0  # monotonic time until which every push is a full reset
        self.sends = 0
        self.bytes_sent = 0
        self.errors = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> Pusher:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="nbtrack-live", daemon=True)
            self._thread.start()
        return self

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.flush()
                if self.on_tick is not None:
                    self.on_tick()
            except Exception:  # never let the panel take the run down
                self.errors += 1

    def flush(self) -> bool:
        """Drain pending rows and send one delta now. True when something was sent."""
        with self.lock:
            rows = self.rows
            n = len(rows)
            if n:
                batch = rows[:n]
                del rows[:n]
                self.data.ingest(batch)
            force, self.force_reset = self.force_reset, False
            force = force or time.monotonic() < self.reset_until
            out = self.data.take_message(self.seq + 1, force)
            if out is None:
                return False
            self.seq += 1
            msg, buffers = out
            self.send(msg, buffers)  # type: ignore[arg-type] # the message TypedDicts are JSON objects for send()
            self.sends += 1
            self.bytes_sent += sum(len(b) for b in buffers) + len(json.dumps(msg))
            return True

    def stop(self) -> None:
        self._stop.set()
        t = self._thread
        if t is not None and t is not threading.current_thread():
            t.join(timeout=5)
        self._thread = None
