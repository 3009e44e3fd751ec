"""Static plotly figures for ``nbtrack.plot`` charts (the design's choice for static charts)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def _go() -> Any:
    # plotly looks pandas up in sys.modules without importing it; the run's writer thread may
    # be importing pandas right now, and a half-imported pandas breaks plotly's checks. An
    # import here waits until that import has finished.
    import pandas  # noqa: F401 - waits for a half-done import (see the comment above)
    import plotly.graph_objects as go  # plotly loads only when a chart is made

    return go


def _layout(fig: Any, title: str, x: str | None = None, y: str | None = None) -> Any:
    fig.update_layout(title=title or None, template="plotly_white", xaxis_title=x, yaxis_title=y,
                      margin={"l": 50, "r": 20, "t": 50 if title else 20, "b": 40})
    return fig


def lines(series: Sequence[tuple[str | None, Sequence[Any], Sequence[Any]]], title: str, x: str, y: str,
          mode: str = "lines") -> Any:
    """One trace per (name, xs, ys)."""
    go = _go()
    fig = go.Figure([go.Scatter(x=list(xs), y=list(ys), mode=mode, name=name or y) for name, xs, ys in series])
    return _layout(fig, title, x, y)


def bars(labels: Sequence[Any], values: Sequence[Any], title: str, x: str, y: str) -> Any:
    go = _go()
    return _layout(go.Figure([go.Bar(x=list(labels), y=list(values))]), title, x, y)


def histogram(values: Sequence[Any], title: str, x: str) -> Any:
    go = _go()
    return _layout(go.Figure([go.Histogram(x=list(values))]), title, x, "count")


def heatmap(names: Sequence[Any], counts: Any, title: str) -> Any:
    go = _go()
    labels = [str(n) for n in names]
    fig = go.Figure([go.Heatmap(z=counts.tolist(), x=labels, y=labels, colorscale="Blues",
                                text=counts.tolist(), texttemplate="%{text}")])
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, title, "Predicted", "Actual")
