"""What the kernel and the live panel say to each other. Mirrored by js/src/messages.ts.

Two channels:

* traits (JSON, saved in the notebook, sent in the widget's opening message, so they
  must never carry binary buffers: Colab drops those): ``run``, ``snapshot``, ``runs``
  (compare mode), ``mode``, ``code_ref`` (see nbtrack/live/code.py). A view opened late or
  a reloaded page renders from them.
* custom messages (``widget.send(content, buffers)``, not saved, lost if the browser has
  no model yet): ``DeltaMsg`` from the kernel at most ~4 times a second, with binary
  Float64 buffers; ``EarlierMsg`` once, with the project's earlier runs to overlay faintly
  (context, not this run's record: not saved, so 20 panels do not each store 5 runs);
  ``ResyncMsg`` from the browser when it sees a gap (the kernel answers with full resets
  and the earlier runs again).

Series arrays in a delta are one little-endian Float64 buffer per series holding
``x[0..n), t[0..n), y[0..n)`` (step, unix seconds, value). In the snapshot they are
base64 strings: x Float64, t Float32 seconds since ``t0``, y Float32.
"""

from __future__ import annotations

from typing import Literal, TypedDict


class MetricMeta(TypedDict, total=False):
    """What ``define_metric`` said about a name or glob ("epoch/*") that matters for charts."""

    step_metric: str | None  # chart this metric against that one instead of the global step
    hidden: bool  # no chart of its own


class RunInfo(TypedDict, total=False):
    id: str
    name: str
    project: str
    state: str  # running | finished | failed | crashed | killed
    started_at: float  # unix seconds
    finished_at: float | None
    summary: dict[str, object]
    metrics: dict[str, MetricMeta]  # define_metric definitions by name or glob pattern


class SeriesDelta(TypedDict):
    run: str
    key: str
    ver: int  # mirror version; a new version means the series was compacted
    off: int  # index in the kernel's mirror of the first point carried
    n: int  # number of points carried
    reset: bool  # True: replace the series (off == 0); False: append at off
    buf: int  # index of the buffer holding x, t, y (3 * n Float64)


class ImageItem(TypedDict):
    sha: str
    caption: str | None
    w: int | None
    h: int | None
    buf: int  # index of the buffer with the PNG thumbnail, -1 when none


class SnapImageItem(TypedDict):
    sha: str
    caption: str | None
    w: int | None
    h: int | None
    src: str | None  # data:image/png;base64,... thumbnail


class ImageDelta(TypedDict):
    key: str
    step: int
    items: list[ImageItem]


class HistDelta(TypedDict):
    """One histogram logged at one step, re-binned to HIST_BINS equal bins over [lo, hi]."""

    run: str
    key: str
    step: int
    lo: float
    hi: float
    counts: list[float]


class DeltaMsg(TypedDict):
    type: Literal["delta"]
    seq: int
    step: int | None  # last committed step of the run
    now: float  # kernel clock (unix seconds) at send
    series: list[SeriesDelta]
    images: list[ImageDelta]
    hists: list[HistDelta]


class EarlierMsg(TypedDict):
    type: Literal["earlier"]
    runs: list[RunInfo]
    series: list[SnapSeries]


class ResyncMsg(TypedDict):
    type: Literal["resync"]


class SnapSeries(TypedDict, total=False):
    run: str
    key: str
    ver: int
    n: int  # kernel mirror length this snapshot stands for (appends continue from here)
    t0: float
    x: str  # base64 steps: Float64, or Float32 when xk == "f4"
    xk: str  # "f4" when every step is an integer below 2**24 (exact in Float32); absent: "f8"
    t: str  # base64 Float32 seconds since t0
    y: str  # base64 Float32 values


class SnapHist(TypedDict):
    """The histograms of one key, up to SNAPSHOT_HIST_STEPS steps, each column's counts
    scaled to 0..255 of its own maximum (a heat-map needs no more)."""

    run: str
    key: str
    bins: int
    steps: list[int]
    lo: list[float]
    hi: list[float]
    counts: str  # base64 Uint8, len(steps) * bins, step-major


class SnapImageStep(TypedDict):
    step: int
    items: list[SnapImageItem]


class SnapImages(TypedDict):
    key: str
    steps: list[SnapImageStep]


class Snapshot(TypedDict):
    v: int
    seq: int
    step: int | None
    now: float | None
    series: list[SnapSeries]
    images: list[SnapImages]
    hists: list[SnapHist]
