"""Histograms for the live panel: what ``run.watch()`` and ``nbtrack.Histogram`` log.

A logged histogram is a reference ``{"_type": "histogram", "values": counts, "bins": edges}``.
The panel draws a key's histograms as a heat-map over steps (TensorBoard's and wandb's
distribution view), so each one is re-binned here to ``HIST_BINS`` equal bins over its own
``[lo, hi]`` (TensorBoard re-bins to 30). A key keeps at most ``HIST_STEPS_KEPT`` steps,
thinned by half when full (the latest always kept), like the image strips.
"""

from __future__ import annotations

import base64
from typing import Any

import numpy as np

from .messages import HistDelta, SnapHist

HIST_BINS = 32
HIST_STEPS_KEPT = 64
SNAPSHOT_HIST_STEPS = 32


def is_histogram(value: Any) -> bool:
    """True for a histogram reference as history rows hold it."""
    return isinstance(value, dict) and value.get("_type") == "histogram"


def rebin(counts: Any, edges: Any, bins: int = HIST_BINS) -> tuple[float, float, np.ndarray] | None:
    """``(lo, hi, counts[bins])`` of a histogram spread evenly over ``bins`` equal bins, or
    None when it holds nothing drawable. Each source bin's count is shared among the new
    bins in proportion to their overlap, so the total is kept."""
    try:
        c = np.asarray(counts, dtype=float).ravel()
        e = np.asarray(edges, dtype=float).ravel()
    except (TypeError, ValueError):
        return None
    if len(c) == 0 or len(e) != len(c) + 1 or not np.isfinite(e).all():
        return None
    c = np.where(np.isfinite(c) & (c > 0), c, 0.0)
    lo, hi = float(e[0]), float(e[-1])
    if not hi > lo:
        out = np.zeros(bins)
        out[bins // 2] = c.sum()
        return lo - 0.5, lo + 0.5, out
    # cumulative count at each source edge, then read it at the new edges (linear inside a bin)
    cum = np.concatenate(([0.0], np.cumsum(c)))
    new_edges = np.linspace(lo, hi, bins + 1)
    at = np.interp(new_edges, e, cum)
    return lo, hi, np.diff(at)


class HistogramSeries:
    """The kept histograms of one key: steps, ranges and re-binned counts."""

    __slots__ = ("steps", "lo", "hi", "counts")

    def __init__(self) -> None:
        self.steps: list[int] = []
        self.lo: list[float] = []
        self.hi: list[float] = []
        self.counts: list[np.ndarray] = []

    def add(self, step: int, lo: float, hi: float, counts: np.ndarray) -> None:
        if self.steps and self.steps[-1] == step:  # logged twice in one step: the last wins
            self.lo[-1], self.hi[-1], self.counts[-1] = lo, hi, counts
            return
        self.steps.append(step)
        self.lo.append(lo)
        self.hi.append(hi)
        self.counts.append(counts)
        if len(self.steps) > HIST_STEPS_KEPT:
            for name in self.__slots__:
                column = getattr(self, name)
                column[:] = column[:-1:2] + column[-1:]

    def snapshot(self, run: str, key: str, steps: int = SNAPSHOT_HIST_STEPS) -> SnapHist:
        """A compact JSON copy: at most ``steps`` steps spread over the run (latest kept),
        each column scaled to 0..255 of its own maximum."""
        n = len(self.steps)
        idx = list(range(n)) if n <= steps else sorted({round(i * (n - 1) / (steps - 1)) for i in range(steps)})
        rows = []
        for i in idx:
            c = self.counts[i]
            top = float(c.max()) if len(c) else 0.0
            rows.append(np.round(c / top * 255) if top > 0 else np.zeros(len(c)))
        packed = np.asarray(rows, dtype=np.uint8).tobytes() if rows else b""
        return {"run": run, "key": key, "bins": HIST_BINS, "steps": [self.steps[i] for i in idx],
                "lo": [self.lo[i] for i in idx], "hi": [self.hi[i] for i in idx],
                "counts": base64.b64encode(packed).decode("ascii")}


def hist_delta(run: str, key: str, step: int, lo: float, hi: float, counts: np.ndarray) -> HistDelta:
    """The message entry for one new histogram."""
    return {"run": run, "key": key, "step": int(step), "lo": lo, "hi": hi,
            "counts": [round(float(v), 3) for v in counts]}
