"""What the kernel and the live panel say to each other. Mirrored by js/src/messages.ts.

Two channels:

* traits (JSON, saved in the notebook, sent in the widget's opening message, so they
  must never carry binary buffers: Colab drops those): ``run``, ``snapshot``, ``runs``,
  ``earlier``, ``mode``. A view opened late or a reloaded page renders from them.
* custom messages (``widget.send(content, buffers)``, not saved, lost if the browser has
  no model yet): ``DeltaMsg`` from the kernel at most ~4 times a second, with binary
  Float64 buffers; ``ResyncMsg`` from the browser when it sees a gap.

Series arrays in a delta are one little-endian Float64 buffer per series holding
``x[0..n), t[0..n), y[0..n)`` (step, unix seconds, value). In the snapshot they are
base64 strings: x Float64, t Float32 seconds since ``t0``, y Float32.
"""

from __future__ import annotations

from typing import Literal, TypedDict


class RunInfo(TypedDict, total=False):
    id: str
    name: str
    project: str
    state: str  # running | finished | failed | crashed | killed
    started_at: float  # unix seconds
    finished_at: float | None
    summary: dict[str, object]


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


class DeltaMsg(TypedDict):
    type: Literal["delta"]
    seq: int
    step: int | None  # last committed step of the run
    now: float  # kernel clock (unix seconds) at send
    series: list[SeriesDelta]
    images: list[ImageDelta]


class ResyncMsg(TypedDict):
    type: Literal["resync"]


class SnapSeries(TypedDict):
    run: str
    key: str
    ver: int
    n: int  # kernel mirror length this snapshot stands for (appends continue from here)
    t0: float
    x: str  # base64 Float64 steps
    t: str  # base64 Float32 seconds since t0
    y: str  # base64 Float32 values


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
