"""A run's summary: one value (or a few aggregates) per metric, as wandb shows in tables.

By default the summary holds the last value logged for each key. `define_metric(name,
summary="min")` asks for aggregates instead (wandb's shape: `summary["loss"] ==
{"min": ...}`; asking for several, e.g. "min,max", or calling define_metric twice,
accumulates them). `run.summary[k] = v` overrides whatever history says.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, ItemsView, Iterator, KeysView
from dataclasses import dataclass, field
from typing import Any

from ..flatten import flatten_nested
from ..nested import nested_get, prefixed
from ..plain_values import plain_value

SUMMARY_KINDS = ("min", "max", "mean", "first", "last", "best", "none")


@dataclass
class MetricDefinition:
    """What `define_metric` said about one metric name or glob pattern."""

    name: str
    step_metric: str | None = None
    summaries: set[str] = field(default_factory=set)
    goal: str | None = None  # "minimize" | "maximize"
    hidden: bool = False

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form for the store."""
        return {
            "step_metric": self.step_metric,
            "summary": sorted(self.summaries),
            "goal": self.goal,
            "hidden": self.hidden,
        }


def parse_summary(summary: str | None) -> set[str]:
    """Split "min,max" into {"min", "max"}; raise ValueError naming the allowed kinds."""
    if summary is None:
        return set()
    kinds = {part.strip().lower() for part in str(summary).split(",") if part.strip()}
    wrong = kinds - set(SUMMARY_KINDS)
    if wrong:
        raise ValueError(
            f"define_metric: unknown summary {', '.join(sorted(wrong))!r}; "
            f"use one or more of {', '.join(SUMMARY_KINDS)} (comma-separated)."
        )
    return kinds


class _Aggregate:
    """Running min/max/mean/first/last of one metric."""

    __slots__ = ("count", "total", "min", "max", "first", "last")

    def __init__(self) -> None:
        self.count = 0
        self.total = 0.0
        self.min: float | None = None
        self.max: float | None = None
        self.first: Any = None
        self.last: Any = None

    def add(self, value: Any) -> None:
        if self.count == 0:
            self.first = value
        self.last = value
        self.count += 1
        if type(value) in (int, float):
            self.total += value
            self.min = value if self.min is None or value < self.min else self.min
            self.max = value if self.max is None or value > self.max else self.max


def _compact(value: Any) -> Any:
    """A table's summary is its shape, not its rows (they stay in the history)."""
    if type(value) is dict and value.get("_type") == "table":
        return {k: v for k, v in value.items() if k != "data"}
    return value


class Summary:
    """Mapping of summary values; `run.summary["best_acc"] = 0.9` sets one explicitly."""

    def __init__(self, on_change: Callable[[], None] | None = None,
                 convert: Callable[[str, Any], Any] | None = None) -> None:
        self.on_change = on_change
        #: turns a value set by the user into a storable one (media into references), as log() does
        self.convert = convert
        self._last: dict[str, Any] = {}
        #: observe() for a row while no metric is defined: keeps the last values only
        self.remember = self._last.update
        self._overrides: dict[str, Any] = {}
        self._definitions: dict[str, MetricDefinition] = {}
        self._aggregates: dict[str, _Aggregate] = {}
        self._resolved: dict[str, MetricDefinition | None] = {}

    # -- fed by the run ------------------------------------------------------------
    @property
    def has_definitions(self) -> bool:
        """True once define_metric() asked for more than the last value of some metric."""
        return bool(self._definitions)
    def restore(self, stored: dict[str, Any]) -> None:
        """Start from a stored summary (a resumed run), without reporting a change."""
        self._last.update(stored)

    def observe(self, row: dict[str, Any]) -> None:
        """Take one committed history row (called once per step by the run)."""
        self._last.update(row)
        if self._definitions:
            for key, value in row.items():
                definition = self._definition_for(key)
                if definition is not None and definition.summaries - {"last"}:
                    self._aggregates.setdefault(key, _Aggregate()).add(value)

    def define(self, definition: MetricDefinition) -> MetricDefinition:
        """Add (or merge into) a metric definition; returns the merged definition."""
        existing = self._definitions.get(definition.name)
        if existing is not None:
            existing.summaries |= definition.summaries
            existing.step_metric = definition.step_metric or existing.step_metric
            existing.goal = definition.goal or existing.goal
            existing.hidden = definition.hidden or existing.hidden
            definition = existing
        else:
            self._definitions[definition.name] = definition
        self._resolved.clear()
        return definition

    def definitions(self) -> dict[str, dict[str, Any]]:
        """All definitions in their JSON-able form, by name or pattern."""
        return {name: d.as_dict() for name, d in self._definitions.items()}

    def _definition_for(self, key: str) -> MetricDefinition | None:
        try:
            return self._resolved[key]
        except KeyError:
            pass
        found = self._definitions.get(key)
        if found is None:
            for pattern, definition in self._definitions.items():
                if any(c in pattern for c in "*?[") and fnmatch.fnmatchcase(key, pattern):
                    found = definition
                    break
        self._resolved[key] = found
        return found

    # -- what users read -----------------------------------------------------------
    def _value(self, key: str) -> Any:
        if key in self._overrides:
            return self._overrides[key]
        definition = self._definition_for(key)
        if definition is None or not definition.summaries or definition.summaries == {"last"}:
            return _compact(self._last[key])
        if "none" in definition.summaries:
            raise KeyError(key)
        agg = self._aggregates.get(key)
        if agg is None:
            raise KeyError(key)
        out: dict[str, Any] = {}
        for kind in sorted(definition.summaries):
            if kind == "mean":
                out[kind] = agg.total / agg.count if agg.count else None
            elif kind == "best":
                out[kind] = agg.max if definition.goal == "maximize" else agg.min
            else:
                out[kind] = getattr(agg, kind)
        return out

    def as_dict(self) -> dict[str, Any]:
        """The whole summary as a plain dict (what the store keeps)."""
        out: dict[str, Any] = {}
        for key in list(self._last) + list(self._overrides):
            if key in out:
                continue
            try:
                out[key] = self._value(key)
            except KeyError:
                continue
        return out

    def __getitem__(self, key: str) -> Any:
        try:
            return self._value(key)
        except KeyError:
            return nested_get(self.as_dict(), key)  # summary["nested"]["a"] for "nested/a"

    def __setitem__(self, key: str, value: Any) -> None:
        if self.convert is not None:
            value = self.convert(key, value)  # media become stored references
        value = plain_value(value, str(key), "nbtrack.summary")
        self._overrides.update(flatten_nested({str(key): value}))  # a dict is kept as flat "key/sub" entries
        self._changed()

    def __delitem__(self, key: str) -> None:
        for name in prefixed({**self._last, **self._overrides}, key):
            self._overrides.pop(name, None)
            self._last.pop(name, None)
        self._changed()

    def _changed(self) -> None:
        if self.on_change is not None:
            self.on_change()

    def __contains__(self, key: object) -> bool:
        data = self.as_dict()
        return key in data or (isinstance(key, str) and bool(prefixed(data, key)))

    def __iter__(self) -> Iterator[str]:
        return iter(self.as_dict())

    def __len__(self) -> int:
        return len(self.as_dict())

    def keys(self) -> KeysView[str]:  # dict protocol
        return self.as_dict().keys()

    def items(self) -> ItemsView[str, Any]:
        return self.as_dict().items()

    def get(self, key: str, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default

    def update(self, data: dict[str, Any] | None = None, **kwargs: Any) -> None:
        """Set several summary values explicitly (media as references, other values coerced
        like config values, dicts as flat "key/sub" entries)."""
        for key, value in {**(data or {}), **kwargs}.items():
            if self.convert is not None:
                value = self.convert(key, value)
            value = plain_value(value, str(key), "nbtrack.summary")
            self._overrides.update(flatten_nested({str(key): value}))
        self._changed()

    def __repr__(self) -> str:
        return f"Summary({self.as_dict()!r})"
