"""Which metrics get a chart, in which section, against which x axis, in which unit.

The browser's twin is js/src/shared/charts/layout.ts and js/src/shared/charts/units.ts: keep them in
step. The rules, as wandb and TensorBoard lay charts out:

- one chart per metric key; sections by the key's prefix before the first "/"
  (ungrouped keys first, ``system`` last and collapsed);
- a key named as some definition's ``step_metric`` is an x axis, not a chart; a key whose
  definition says ``hidden`` has no chart;
- a key is drawn against its definition's ``step_metric`` when the run logged it,
  else against the global step; ``system/*`` against time since the run started;
- each setting comes from the key's own definition when that sets it, else from the
  first glob pattern ("epoch/*") that matches and sets it, in the order defined.
"""

from __future__ import annotations

import fnmatch
import math
from collections.abc import Iterable, Mapping
from typing import Any

SYSTEM = "system"


def section_of(key: str) -> str:
    """The key's prefix before the first "/", "" for ungrouped keys."""
    i = key.find("/")
    return key[:i] if i > 0 else ""


def section_rank(name: str) -> tuple[int, str]:
    """Sort key of sections: ungrouped first, system last, the rest by name."""
    return (0 if name == "" else 2 if name == SYSTEM else 1, name)


def setting_for(key: str, metrics: Mapping[str, Any] | None, name: str) -> Any:
    """One setting ("step_metric" or "hidden") for `key`: from its own definition when that
    sets it, else from the first matching pattern that does (so ``define_metric("val/acc",
    summary="max")`` beside ``define_metric("val/*", step_metric="epoch")`` keeps both)."""
    if not metrics:
        return None
    own = metrics.get(key)
    if isinstance(own, Mapping) and own.get(name):
        return own.get(name)
    for pattern, definition in metrics.items():
        if (isinstance(definition, Mapping) and definition.get(name) and any(c in pattern for c in "*?[")
                and fnmatch.fnmatchcase(key, pattern)):
            return definition.get(name)
    return None


def step_metrics(metrics: Mapping[str, Any] | None) -> set[str]:
    """Every key some definition names as its step metric."""
    return {str(d["step_metric"]) for d in (metrics or {}).values() if isinstance(d, Mapping) and d.get("step_metric")}


def is_charted(key: str, metrics: Mapping[str, Any] | None) -> bool:
    """True when `key` gets a chart of its own."""
    if key.startswith("_") or key in step_metrics(metrics):
        return False
    return not setting_for(key, metrics, "hidden")


def x_metric(key: str, metrics: Mapping[str, Any] | None) -> str | None:
    """The step metric `key` is drawn against, None for the global step."""
    step_metric = setting_for(key, metrics, "step_metric")
    return str(step_metric) if step_metric and step_metric != key else None


def sections(keys: Iterable[str]) -> list[tuple[str, list[str]]]:
    """(section, sorted keys) in display order."""
    grouped: dict[str, list[str]] = {}
    for key in keys:
        grouped.setdefault(section_of(key), []).append(key)
    return [(name, sorted(set(grouped[name]))) for name in sorted(grouped, key=section_rank)]


_RATE_UNITS = ("B/s", "KB/s", "MB/s", "GB/s", "TB/s")


def value_unit(key: str, largest: float) -> tuple[float, str]:
    """(factor, unit) to show a metric's values in: system metrics name their unit in the
    key's suffix (``_percent``, ``_mb``, ``_bytes_per_s``, ``_c``, ``_w``); the unit is
    scaled to the data (bytes/s as MB/s, MB as GB). Other keys: (1, "")."""
    if key.endswith("_percent"):
        return 1.0, "%"
    if key.endswith("_bytes_per_s"):
        power = 0
        largest = abs(largest) if math.isfinite(largest) else 0.0
        while power < len(_RATE_UNITS) - 1 and largest >= 1000 ** (power + 1):
            power += 1
        return 1.0 / 1000 ** power, _RATE_UNITS[power]
    if key.endswith("_mb"):
        return (1.0 / 1024, "GB") if abs(largest) >= 1024 else (1.0, "MB")
    if key.endswith("_c"):
        return 1.0, "°C"
    if key.endswith("_w"):
        return 1.0, "W"
    return 1.0, ""
