"""Bounded per-series mirror of a run's history, kept by the kernel for the live panel.

Points arrive in step order. The mirror keeps them raw until it holds more than ``cap``;
then it compacts with M4 (Jugel et al., VLDB 2014): the step axis is cut into buckets of
width ``w`` anchored at 0, and each bucket keeps only its first, last, min and max point.
``w`` doubles until the compacted series holds at most ``cap // 2`` points. Buckets of
width 2w are unions of buckets of width w and M4 is composable (M4 of M4s is the M4 of
the union), so repeated compactions keep exactly the points a single M4 pass over the
whole history would keep: every peak and every trough survives, and memory stays
bounded however long the run is. Points logged after a compaction stay raw until the
next one, so the live tail has full resolution.
"""

from __future__ import annotations

import numpy as np

DEFAULT_CAP = 4000


def m4_indices(x: np.ndarray, y: np.ndarray, width: float) -> np.ndarray:
    """Sorted indices of the M4 points of (x, y) for buckets ``floor(x / width)``.

    ``x`` must be non-decreasing. Keeps first, last, argmin and argmax of each bucket.
    """
    n = len(x)
    if n <= 4:
        return np.arange(n)
    b = np.floor(x / width)
    starts = np.flatnonzero(np.concatenate(([True], b[1:] != b[:-1])))
    ends = np.concatenate((starts[1:] - 1, [n - 1]))
    seg = np.repeat(np.arange(len(starts)), np.diff(np.concatenate((starts, [n]))))
    order = np.lexsort((y, seg))  # by segment, then by value
    seg_sorted = seg[order]
    first_of = np.flatnonzero(np.concatenate(([True], seg_sorted[1:] != seg_sorted[:-1])))
    last_of = np.concatenate((first_of[1:] - 1, [n - 1]))
    keep = np.concatenate((starts, ends, order[first_of], order[last_of]))
    return np.unique(keep)


def m4_reduce(x: np.ndarray, y: np.ndarray, buckets: int) -> np.ndarray:
    """Indices that M4-reduce a sorted series to about ``buckets`` pixel columns."""
    n = len(x)
    if n <= 4 * buckets or n < 2:
        return np.arange(n)
    lo, hi = float(x[0]), float(x[-1])
    if hi <= lo:
        return np.array([0, n - 1])
    return m4_indices(x - lo, y, (hi - lo) / buckets * (1 + 1e-12))


class SeriesMirror:
    """The kernel's bounded copy of one series (step, unix time, value)."""

    __slots__ = ("cap", "x", "t", "y", "width", "ver", "sent", "total", "dirty")

    def __init__(self, cap: int = DEFAULT_CAP) -> None:
        self.cap = max(16, int(cap))
        self.x = np.empty(0)
        self.t = np.empty(0)
        self.y = np.empty(0)
        self.width = 0.0  # M4 bucket width in steps; 0 while still raw
        self.ver = 0  # bumped by every compaction: the browser must take a full reset
        self.sent = 0  # points of the current version already pushed
        self.total = 0  # points ever appended
        self.dirty = False

    def __len__(self) -> int:
        return len(self.x)

    def append(self, x: np.ndarray, t: np.ndarray, y: np.ndarray) -> None:
        if not len(x):
            return
        ok = np.isfinite(y)
        if not ok.all():
            x, t, y = x[ok], t[ok], y[ok]
            if not len(x):
                return
        if len(self.x) and x[0] < self.x[-1] or (len(x) > 1 and (np.diff(x) < 0).any()):
            # out of order (should not happen for a run's steps): merge and resort
            xs = np.concatenate((self.x, x))
            order = np.argsort(xs, kind="stable")
            self.x, self.t, self.y = xs[order], np.concatenate((self.t, t))[order], np.concatenate((self.y, y))[order]
            self.ver += 1
            self.sent = 0
        else:
            self.x = np.concatenate((self.x, x))
            self.t = np.concatenate((self.t, t))
            self.y = np.concatenate((self.y, y))
        self.total += len(x)
        self.dirty = True
        if len(self.x) > self.cap:
            self._compact()

    def _compact(self) -> None:
        x, y = self.x, self.y
        w = self.width
        if w <= 0:
            span = float(x[-1] - x[0])
            w = max(span / (self.cap / 8), 1e-9)
        while True:
            idx = m4_indices(x, y, w)
            if len(idx) <= self.cap // 2:
                break
            w *= 2
        self.width = w
        self.x, self.t, self.y = x[idx], self.t[idx], y[idx]
        self.ver += 1
        self.sent = 0

    def take_delta(self, force_reset: bool = False) -> tuple[int, np.ndarray] | None:
        """(offset, packed [x..., t..., y...]) of points not yet pushed, or None."""
        if force_reset:
            self.sent = 0
        n = len(self.x)
        if self.sent >= n and not force_reset:
            self.dirty = False
            return None
        off = self.sent
        packed = np.concatenate((self.x[off:], self.t[off:], self.y[off:])).astype("<f8", copy=False)
        self.sent = n
        self.dirty = False
        return off, packed
