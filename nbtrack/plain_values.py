"""Config and summary values as plain JSON data, the way wandb keeps them.

Config values are hyperparameters, not log values: a numpy array stays a list (it
does not become a histogram), numpy/torch scalars become numbers, ``datetime``/``date``
/``time`` become ISO text, paths become text, sets become lists (sorted when they
can be), an ``Enum`` becomes its value (its name when the value is not plain), a
dataclass becomes a dict, and any other object becomes its ``str()``. Nothing a user
passes to ``init(config=)``, ``config.update`` or ``run.summary[k] = v`` raises.
Nesting deeper than :data:`MAX_DEPTH` (or a dict that contains itself) is a clear
ValueError instead of a RecursionError.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import os
from collections.abc import Mapping
from typing import Any

#: Deepest nesting of dicts/lists accepted in a config, summary or log value.
MAX_DEPTH = 100

_PLAIN = (str, int, float, bool)
_ARRAY_MODULES = ("numpy", "torch", "jax", "jaxlib", "tensorflow")


def too_deep(what: str, key: str) -> ValueError:
    """The error for a value nested deeper than MAX_DEPTH."""
    return ValueError(f"{what}: {key!r} is nested deeper than {MAX_DEPTH} levels (a dict or list that "
                      "contains itself?); flatten it or log a summary of it.")


def plain_value(value: Any, key: str = "", what: str = "nbtrack.config", depth: int = 0) -> Any:
    """``value`` as JSON-able plain data (see the module docstring)."""
    if value is None or type(value) in _PLAIN:
        return value
    if depth >= MAX_DEPTH:
        raise too_deep(what, key)
    if isinstance(value, enum.Enum):
        inner = value.value
        return plain_value(inner, key, what, depth + 1) if inner is None or isinstance(inner, _PLAIN) else value.name
    if isinstance(value, _PLAIN):  # subclasses of str/int/float/bool
        return _base(value)
    module = type(value).__module__.split(".", 1)[0]
    if module in _ARRAY_MODULES:
        return plain_value(_to_list(value), key, what, depth + 1)
    if isinstance(value, Mapping):
        return {str(k): plain_value(v, key, what, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain_value(v, key, what, depth + 1) for v in value]
    if isinstance(value, (set, frozenset)):
        items = [plain_value(v, key, what, depth + 1) for v in value]
        try:
            return sorted(items)
        except TypeError:
            return items
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, os.PathLike):
        return os.fspath(value) if isinstance(os.fspath(value), str) else str(value)
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", "backslashreplace")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return plain_value({f.name: getattr(value, f.name) for f in dataclasses.fields(value)}, key, what, depth + 1)
    if type(value).__name__ in ("Decimal", "Fraction"):
        return float(value)
    return str(value)


def _base(value: Any) -> Any:
    for kind in (bool, int, float, str):
        if isinstance(value, kind):
            return kind(value)
    return value  # pragma: no cover


def _to_list(value: Any) -> Any:
    """numpy/torch/jax/tf arrays and scalars as (nested) Python lists or numbers."""
    if hasattr(value, "detach"):  # torch
        value = value.detach().cpu()
        try:
            return value.tolist()
        except (TypeError, RuntimeError):
            return value.double().tolist()
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "numpy"):  # tensorflow
        return value.numpy().tolist()
    return str(value)
