"""What a report page's data block holds: the one source of these types.

``collect.py`` builds the ``meta`` JSON, ``page.py`` adds the title and links and
``pack.py`` the array table; js/src/report/ reads it. The TypeScript twin is generated
into js/src/shared/protocol.gen.ts with the widgets' messages (``python
scripts/gen_protocol.py``); tests/report/test_report_schema.py checks a real report's
block against these types, and tests/test_protocol.py that the TypeScript is current.
"""

from __future__ import annotations

from typing import Literal, TypedDict

from ..runs_table.messages import Column, ImportanceReply, NotebookCell, Rows


class ReportRun(TypedDict):
    id: str
    name: str
    project: str | None
    state: str | None
    created_at: float | None
    finished_at: float | None
    tags: list[str]
    notes: str
    last_step: int | None


class ReportSeries(TypedDict):
    """One curve; ``x``, ``t``, ``y`` index the block's arrays (x Float64 steps, t Float32
    seconds since ``t0``, y Float32)."""

    run: str
    key: str
    n: int
    t0: float
    x: int
    t: int
    y: int


class ReportImportance(ImportanceReply):
    """Parameter importance for one summary metric (the runs table's reply, kept)."""


class ReportImageItem(TypedDict):
    caption: str | None
    w: int | None
    h: int | None
    src: str | None  # data:image/png;base64,... thumbnail, null past the report's image budget


class ReportImageStep(TypedDict):
    step: int
    items: list[ReportImageItem]


class ReportImages(TypedDict):
    """The logged images of one run under one key, step by step."""

    run: str
    key: str
    steps: list[ReportImageStep]


class ReportTable(TypedDict):
    """A wandb.Table a run logged (its last version, rows cut to the report's limit)."""

    run: str
    key: str
    step: int
    columns: list[str]
    data: list[list[object]]
    nrows: int


class ReportDetail(TypedDict):
    config: dict[str, object]  # flat, dotted keys
    summary: dict[str, object]  # flat, dotted keys; media as short labels ("<table 2x2>")
    environment: dict[str, object]
    code: str | None  # key into ReportMeta.code (runs with the same code share one copy)


class ReportRows(TypedDict):
    """The runs table of every run of the project (JSON values, no buffers)."""

    columns: list[Column]
    rows: Rows


class ReportLinks(TypedDict, total=False):
    run: str  # URL template of a run's page on the Jupyter server
    project: str


class ReportMeta(TypedDict):
    """The JSON of a report's data block."""

    v: int
    title: str
    project: str | None
    generated_at: float  # unix seconds
    total_runs: int
    m4_width: int  # curves are M4-reduced to this many pixel columns
    runs: list[ReportRun]  # the runs charted (the chosen ones, or the latest)
    metrics: list[str]
    series: list[ReportSeries]
    table: ReportRows
    importance: list[ReportImportance]
    images: list[ReportImages]
    tables: list[ReportTable]
    details: dict[str, ReportDetail]  # by run id
    code: dict[str, list[NotebookCell]]
    links: ReportLinks
    arrays: list[tuple[int, int, Literal["f8", "f4"]]]  # byte offset, count, kind of each array
