"""``CustomChart``: what ``nbtrack.plot.*`` returns: a chart's data table plus its figure.

Logged, it becomes ``{"_type": "custom-chart", "chart": "line", "title", "fields",
"table": <table ref>, "plotly": <plotly-file ref>}``: the rows stay queryable as data,
the figure (built with plotly) is kept as a blob that ``plotly.io.from_json`` reads.
"""

from __future__ import annotations

from typing import Any

from .data import Table
from .plotly_figure import Plotly


class CustomChart:
    """A chart made by ``nbtrack.plot.line`` & co. (wandb's ``CustomChart``)."""

    def __init__(self, chart: str, table: Table, fields: dict[str, Any], title: str = "",
                 figure: Any = None, string_fields: dict[str, Any] | None = None) -> None:
        self.chart = chart
        self.table = table
        self.fields = dict(fields)
        self.string_fields = dict(string_fields or {})
        self.title = title or ""
        self.figure = figure
        self._plotly = Plotly(figure) if figure is not None else None

    def to_ref(self) -> dict[str, Any]:
        """The JSON reference a history row holds."""
        ref: dict[str, Any] = {"_type": "custom-chart", "chart": self.chart, "title": self.title,
                               "fields": self.fields, "table": self.table.to_ref()}
        if self.string_fields:
            ref["string_fields"] = self.string_fields
        if self._plotly is not None:
            ref["plotly"] = self._plotly.to_ref()
        return ref

    def blobs(self) -> list[tuple[str, bytes]]:
        """The figure's JSON, stored content-addressed."""
        return self._plotly.blobs() if self._plotly is not None else []

    def __repr__(self) -> str:
        return f"<nbtrack.CustomChart {self.chart} {self.title!r} ({len(self.table.data)} rows)>"
