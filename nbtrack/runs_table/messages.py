"""What the runs table and the kernel say to each other. Mirrored by js/src/table/messages.ts.

Traits (JSON, saved in the notebook, in the opening message: never binary buffers):
``uid``, ``project``, ``columns`` (list of ``Column``), ``page`` (``Rows`` of the first
rows, newest first, numbers as JSON lists), ``total`` (runs in the store for the
project), ``selected`` (run ids, set by the browser), ``method`` (importance method).

Custom messages: the browser sends a ``Request`` (``rid`` numbers it); the kernel
answers with ``Reply`` ``{"type": "reply", "rid", "ok", "error"?, ...}``. Numeric
columns and curve points travel as little-endian Float64 binary buffers in replies
(never in the opening message: Colab drops those).
"""

from __future__ import annotations

from typing import Literal, TypedDict


class Column(TypedDict):
    key: str  # "name", "state", "created_at", "duration", "tags", "notes", "id", "config.lr", "summary.loss"
    label: str  # shown in the header ("lr")
    group: str  # "run" | "config" | "summary"
    kind: str  # "num" | "str" | "tags" | "time" (unix seconds)


class ColData(TypedDict, total=False):
    v: list  # JSON values (null for missing) ...
    buf: int  # ... or the index of a Float64 buffer (NaN for missing)


class Rows(TypedDict):
    ids: list[str]
    cols: dict[str, ColData]  # column key -> data


class LoadReq(TypedDict):
    type: Literal["load"]
    rid: int


class CurvesReq(TypedDict):
    type: Literal["curves"]
    rid: int
    ids: list[str]
    key: str
    width: int


class CurveSeries(TypedDict):
    run: str
    n: int
    buf: int  # Float64 x[n] then y[n]


class ImportanceReq(TypedDict):
    type: Literal["importance"]
    rid: int
    metric: str  # a column key, e.g. "summary.val/loss"
    ids: list[str]  # the runs to learn from (those the table shows)


class ImportanceRow(TypedDict):
    param: str
    importance: float | None
    corr: float | None


class DetailReq(TypedDict):
    type: Literal["detail"]
    rid: int
    id: str


class DiffReq(TypedDict):
    type: Literal["diff"]
    rid: int
    a: str
    b: str


class EditReq(TypedDict, total=False):
    type: Literal["edit"]
    rid: int
    id: str
    name: str
    notes: str
    tags: list[str]


class DeleteReq(TypedDict):
    type: Literal["delete"]
    rid: int
    ids: list[str]


Request = LoadReq | CurvesReq | ImportanceReq | DetailReq | DiffReq | EditReq | DeleteReq
