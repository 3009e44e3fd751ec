"""What the runs table and the kernel say to each other: the one source of these types.

js/src/shared/protocol.gen.ts is generated from this module and nbtrack/live/messages.py
(``python scripts/gen_protocol.py``); tests/test_protocol.py fails when it is stale.

Traits (``TableTraits``; JSON, saved in the notebook, in the opening message: never binary
buffers): the first rows (``page``, newest first, numbers as JSON lists), the columns, the
number of runs in the store for the project, the initial filter text and the run ids the
browser selected.

Custom messages: the browser sends a request (``TableRequest``; ``rid`` numbers it) and
the kernel answers with a ``ReplyHead`` plus that request's reply fields; ``TABLE_CALLS``
maps each request type to its request and reply (``TableCalls`` in TypeScript, where
``Rpc.request`` is typed by it). Numeric columns and curve points travel as little-endian
Float64 binary buffers in replies (never in the opening message: Colab drops those). The
kernel also sends ``StaleMsg`` when ``RunsTable.refresh()`` read the store again.
"""

from __future__ import annotations

from typing import Literal, TypedDict

ColumnGroup = Literal["run", "config", "summary"]
ColumnKind = Literal["num", "str", "tags", "time"]  # "time": unix seconds


class Column(TypedDict):
    """One column of the table."""

    key: str  # "name", "state", "created_at", "duration", "tags", "notes", "id", "config.lr", "summary.loss"
    label: str  # shown in the header ("lr")
    group: ColumnGroup
    kind: ColumnKind


class ColData(TypedDict, total=False):
    """The values of one column: JSON values (null for missing) or a Float64 buffer."""

    v: list[object]  # JSON values (null for missing) ...
    buf: int  # ... or the index of a Float64 buffer (NaN for missing)


class Rows(TypedDict):
    """Rows, columnar."""

    ids: list[str]
    cols: dict[str, ColData]  # column key -> data


class NoRows(TypedDict):
    """The ``page`` trait of an empty table."""


class TableTraits(TypedDict):
    """The synced traits of nbtrack.runs_table.widget.RunsTable."""

    uid: str  # keys the page's per-model controller
    project: str | None
    columns: list[Column]
    page: Rows | NoRows  # the first rows, JSON, saved with the notebook
    total: int  # runs in the store for the project
    filter: str  # initial filter text (the browser may change it)
    selected: list[str]  # run ids selected in the browser


# -- requests and their replies ------------------------------------------------------------


class LoadReq(TypedDict):
    """All rows of the project."""

    type: Literal["load"]
    rid: int


class LoadReply(TypedDict):
    columns: list[Column]
    rows: Rows  # numeric columns as buffers
    total: int


class CurvesReq(TypedDict):
    """One metric's curve for some runs, reduced to about ``width`` points each."""

    type: Literal["curves"]
    rid: int
    ids: list[str]
    key: str
    width: int


class CurveSeries(TypedDict):
    run: str
    n: int
    buf: int  # Float64 x[n] then y[n]


class CurvesReply(TypedDict):
    key: str
    series: list[CurveSeries]


class ImportanceReq(TypedDict):
    """How much each config parameter explains a metric."""

    type: Literal["importance"]
    rid: int
    metric: str  # a column key, e.g. "summary.val/loss"
    ids: list[str]  # the runs to learn from (those the table shows)


class ImportanceRow(TypedDict):
    param: str
    importance: float | None
    corr: float | None


class ImportanceReply(TypedDict):
    metric: str
    method: str  # how importance was measured, in words
    rows: list[ImportanceRow]
    n: int  # runs learnt from


class DetailReq(TypedDict):
    """A run's page."""

    type: Literal["detail"]
    rid: int
    id: str


class NotebookCell(TypedDict):
    type: str  # "code" | "markdown" | "raw"
    source: str
    outputs: list[str]


class RunAlert(TypedDict):
    """An alert the run sent (nbtrack.alert / wandb.alert)."""

    title: str
    text: str
    level: str
    created_at: float | None
    step: int | None


class TextCell(TypedDict):
    text: str


class ImageCell(TypedDict):
    image: str  # data:image/png;base64,... thumbnail
    caption: str


TableCell = TextCell | ImageCell


class LoggedTable(TypedDict):
    """A table the run logged (its last version), as the kernel shapes it for the page."""

    key: str
    step: int
    columns: list[str]
    rows: list[list[TableCell]]
    nrows: int
    ncols: int


class RunFile(TypedDict):
    name: str
    size: int
    kind: str


class RunImage(TypedDict):
    name: str
    src: str  # data URL


MediaKind = Literal["audio", "video", "gif", "html"]  # "gif": an animated GIF video


class _PlayableMediaFields(TypedDict):
    name: str
    kind: MediaKind


class PlayableMedia(_PlayableMediaFields, total=False):
    """An audio, video or HTML file the run page can play or show."""

    src: str  # data URL (audio, video, gif)
    html: str  # page text (html), shown in a sandboxed iframe


class RunDetail(TypedDict):
    """Everything the run page shows."""

    id: str
    name: str
    project: str
    state: str
    notes: str
    tags: list[str]
    created_at: float | None
    finished_at: float | None
    config: dict[str, object]  # flat, dotted keys
    summary: dict[str, object]  # flat, dotted keys
    environment: dict[str, object]
    packages: list[str]  # "name==version"
    git_diff: str
    files: list[RunFile]
    images: list[RunImage]
    media: list[PlayableMedia]
    cells: list[NotebookCell]
    tables: list[LoggedTable]
    alerts: list[RunAlert]


class DetailReply(TypedDict):
    run: RunDetail


class DiffReq(TypedDict):
    """The code and config differences of two runs."""

    type: Literal["diff"]
    rid: int
    a: str
    b: str


class ConfigDiffRow(TypedDict):
    key: str
    a: str | None  # JSON text; null: absent in run a
    b: str | None


class RunRef(TypedDict):
    id: str
    name: str


class DiffReply(TypedDict):
    code: list[str]  # unified diff lines of the two notebooks' code
    config: list[ConfigDiffRow]
    a: RunRef
    b: RunRef


class _EditReqFields(TypedDict):
    type: Literal["edit"]
    rid: int
    id: str


class EditReq(_EditReqFields, total=False):
    """Rename a run, or set its notes or tags (absent fields stay as they are)."""

    name: str
    notes: str
    tags: list[str]


class EditReply(TypedDict):
    id: str
    name: str
    notes: str
    tags: list[str]


class DeleteReq(TypedDict):
    """Delete runs from the store."""

    type: Literal["delete"]
    rid: int
    ids: list[str]


class DeleteReply(TypedDict):
    deleted: list[str]  # the ids that were deleted


TableRequest = LoadReq | CurvesReq | ImportanceReq | DetailReq | DiffReq | EditReq | DeleteReq

#: request type -> (request, reply): the table's calls, typed as a map.
TABLE_CALLS: dict[str, tuple[type, type]] = {
    "load": (LoadReq, LoadReply),
    "curves": (CurvesReq, CurvesReply),
    "importance": (ImportanceReq, ImportanceReply),
    "detail": (DetailReq, DetailReply),
    "diff": (DiffReq, DiffReply),
    "edit": (EditReq, EditReply),
    "delete": (DeleteReq, DeleteReply),
}


class _ReplyHeadFields(TypedDict):
    type: Literal["reply"]
    rid: int  # the request's rid
    req: str  # the request's type
    ok: bool


class ReplyHead(_ReplyHeadFields, total=False):
    """What every reply carries; ``ok`` false comes with ``error`` and no reply fields."""

    error: str  # "ExceptionName: message", shown in the table


class StaleMsg(TypedDict):
    """The kernel read the store again (``RunsTable.refresh()``): reload."""

    type: Literal["stale"]


TableKernelMsg = ReplyHead | StaleMsg
TableBrowserMsg = TableRequest
