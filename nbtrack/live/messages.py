"""What the kernel and the live panel say to each other: the one source of these types.

js/src/shared/protocol.gen.ts is generated from this module and
nbtrack/runs_table/messages.py (``python scripts/gen_protocol.py``); tests/test_protocol.py
fails when the checked-in file is stale.

Two channels:

* traits (``PanelTraits``; JSON, saved in the notebook, sent in the widget's opening
  message, so they must never carry binary buffers: Colab drops those). A view opened
  late or a reloaded page renders from them. ``code_ref`` names the kernel's shared
  ``WidgetCode`` model (``CodeTraits``, see nbtrack/live/code.py).
* custom messages (``widget.send(content, buffers)``, not saved, lost if the browser has
  no model yet). Kernel to browser (``PanelKernelMsg``): ``DeltaMsg`` at most ~4 times a
  second, with binary Float64 buffers; ``EarlierMsg`` once, with the project's earlier
  runs to overlay faintly (context, not this run's record: not saved, so 20 panels do not
  each store 5 runs). Browser to kernel (``PanelBrowserMsg``): ``ResyncMsg`` when the
  page sees a gap (the kernel answers with full resets and the earlier runs again).

Series arrays in a delta are one little-endian Float64 buffer per series holding
``x[0..n), t[0..n), y[0..n)`` (step, unix seconds, value). In the snapshot they are
base64 strings: x Float64 (Float32 when ``xk == "f4"``), t Float32 seconds since ``t0``,
y Float32.
"""

from __future__ import annotations

from typing import Literal, TypedDict


class MetricMeta(TypedDict, total=False):
    """What define_metric said about a name or glob ("epoch/*") that matters for charts."""

    step_metric: str | None  # chart this metric against that one instead of the global step
    hidden: bool  # no chart of its own


class RunInfo(TypedDict, total=False):
    """A run as the panel names it (the live run, a compared run or an earlier one)."""

    id: str
    name: str
    project: str
    state: str  # running | finished | failed | crashed | killed
    started_at: float  # unix seconds
    finished_at: float | None
    summary: dict[str, object]
    metrics: dict[str, MetricMeta]  # define_metric definitions by name or glob pattern


class SeriesDelta(TypedDict):
    """One series in a delta; its points are buffer ``buf``: Float64 x[n], t[n], y[n]."""

    run: str
    key: str
    ver: int  # mirror version; a new version means the series was compacted
    off: int  # index in the kernel's mirror of the first point carried
    n: int  # number of points carried
    reset: bool  # true: replace the series (off == 0); false: append at off
    buf: int  # index of the buffer holding x, t, y (3 * n Float64)


class ImageItem(TypedDict):
    """One image of a delta; its PNG thumbnail travels as a binary buffer."""

    sha: str
    caption: str | None
    w: int | None
    h: int | None
    buf: int  # index of the buffer with the PNG thumbnail, -1 when none


class ImageDelta(TypedDict):
    """The images logged under one key at one step."""

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


class _SnapSeriesFields(TypedDict):
    run: str
    key: str
    ver: int
    n: int  # kernel mirror length this snapshot stands for (appends continue from here)
    t0: float
    x: str  # base64 steps: Float64, or Float32 when xk is "f4"
    t: str  # base64 Float32 seconds since t0
    y: str  # base64 Float32 values


class SnapSeries(_SnapSeriesFields, total=False):
    """A series in a snapshot or an EarlierMsg, M4-reduced, arrays as base64 strings."""

    xk: Literal["f4"]  # every step is an integer below 2**24 (exact in Float32); absent: Float64


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


class SnapImageItem(TypedDict):
    """One image of a snapshot, its thumbnail inline (traits carry no binary buffers)."""

    sha: str
    caption: str | None
    w: int | None
    h: int | None
    src: str | None  # data:image/png;base64,... thumbnail


class SnapImageStep(TypedDict):
    step: int
    items: list[SnapImageItem]


class SnapImages(TypedDict):
    key: str
    steps: list[SnapImageStep]


class Snapshot(TypedDict):
    """The ``snapshot`` trait: compact state a reloaded page or a late view draws from."""

    v: int
    seq: int  # the last delta this snapshot covers
    step: int | None
    now: float | None
    series: list[SnapSeries]
    images: list[SnapImages]
    hists: list[SnapHist]


class NoSnapshot(TypedDict):
    """The ``snapshot`` trait before the first checkpoint: an empty object."""


class DeltaMsg(TypedDict):
    """New points, images and histograms since the previous delta (kernel to browser)."""

    type: Literal["delta"]
    seq: int  # one more than the previous delta's; a jump is a gap the page resyncs
    step: int | None  # last committed step of the run
    now: float  # kernel clock (unix seconds) at send
    series: list[SeriesDelta]
    images: list[ImageDelta]
    hists: list[HistDelta]


class EarlierMsg(TypedDict):
    """The project's earlier runs, to overlay faintly (sent once; not saved)."""

    type: Literal["earlier"]
    runs: list[RunInfo]
    series: list[SnapSeries]


class ResyncMsg(TypedDict):
    """The page missed a delta: send full resets (browser to kernel)."""

    type: Literal["resync"]


PanelKernelMsg = DeltaMsg | EarlierMsg
PanelBrowserMsg = ResyncMsg


class PanelTraits(TypedDict):
    """The synced traits of nbtrack.live.widget.LivePanel."""

    uid: str  # keys the page's per-model store (views get proxies, not the model)
    mode: Literal["live", "compare"]
    run: RunInfo  # the live run (live mode)
    runs: list[RunInfo]  # the compared runs (compare mode)
    snapshot: Snapshot | NoSnapshot
    code_ref: str  # model id of the WidgetCode holding the bundle ("" when inline)
    code_digest: str  # which bundle (a page imports each one once)


class CodeTraits(TypedDict):
    """The synced traits of nbtrack.live.code.WidgetCode (one per kernel, never displayed)."""

    code: str
    css: str
    digest: str
