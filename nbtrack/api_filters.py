"""MongoDB-style run filters for `Api().runs(path, filters=...)`, as wandb's public API takes.

    api.runs("proj", {"$or": [{"config.lr": 0.1}, {"summary.acc": {"$gt": 0.9}}]})
    api.runs("proj", {"state": "finished", "tags": {"$in": ["best"]}, "display_name": {"$regex": "^cnn"}})

Fields: `state`, `display_name`/`displayName` (the run's name), `name` (wandb's filters
mean the run id by it: the id or the name matches), `id`, `tags`,
`notes`, `group`, `job_type`/`jobType`, `host`, `created_at`/`createdAt` (ISO text or
unix seconds), `config.<key>` (wandb's `config.<key>.value` too), `summary.<key>` /
`summary_metrics.<key>` (nested keys with "." or the stored "/"). Operators: `$and`,
`$or`, `$nor`, `$not`, `$eq`, `$ne`, `$gt`, `$gte`, `$lt`, `$lte`, `$in`, `$nin`,
`$exists`, `$regex` (with `$options` "i"), `$all`, `$size`. An unknown operator or
field raises ValueError rather than silently matching nothing. A list field (tags)
matches an equality when it contains the value, as in MongoDB.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import Any

from .flatten import flatten_config

_MISSING = object()

_TOP_FIELDS = {
    "state": "state", "name": "name_or_id", "display_name": "name", "displayName": "name", "id": "id",
    "tags": "tags", "notes": "notes", "group": "group", "job_type": "job_type", "jobType": "job_type",
    "host": "host", "created_at": "created_at", "createdAt": "created_at", "project": "project",
}
_PREFIXES = {"config": "config", "summary": "summary", "summary_metrics": "summary", "summaryMetrics": "summary"}
LOGICAL = ("$and", "$or", "$nor")
COMPARISONS = ("$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$exists", "$regex", "$options",
               "$all", "$size", "$not")


class FilterError(ValueError):
    """A filter nbtrack cannot evaluate; the message names the part and what is supported."""


def compile_filter(spec: Mapping[str, Any]) -> Callable[[Mapping[str, Any]], bool]:
    """Check a filter once and return a predicate over run records (RunRecord dicts)."""
    if not isinstance(spec, Mapping):
        raise FilterError(f"filters must be a dict such as {{'state': 'finished'}}, got {type(spec).__name__}.")
    _check(spec)
    return lambda record: _match(spec, record)


def _check(spec: Mapping[str, Any]) -> None:
    for key, cond in spec.items():
        if key in LOGICAL:
            if not isinstance(cond, list) or not all(isinstance(c, Mapping) for c in cond):
                raise FilterError(f"{key} takes a list of filters, e.g. {{'{key}': [{{'state': 'finished'}}, ...]}}.")
            for sub in cond:
                _check(sub)
        elif key.startswith("$"):
            raise FilterError(f"unknown filter operator {key!r} at the top level; use one of {', '.join(LOGICAL)} "
                              "or a field such as 'config.lr'.")
        else:
            _field_path(key)
            _check_condition(key, cond)


def _check_condition(key: str, cond: Any) -> None:
    if not _is_operator_dict(cond):
        return
    for op, arg in cond.items():
        if op not in COMPARISONS:
            raise FilterError(f"unknown filter operator {op!r} on {key!r}; supported: {', '.join(COMPARISONS)}.")
        if op in ("$in", "$nin", "$all") and not isinstance(arg, (list, tuple, set)):
            raise FilterError(f"{op} on {key!r} takes a list of values.")
        if op == "$not":
            _check_condition(key, arg)
        if op == "$regex":
            try:
                re.compile(arg)
            except (re.error, TypeError) as exc:
                raise FilterError(f"$regex on {key!r}: {exc}") from None


def _is_operator_dict(cond: Any) -> bool:
    return isinstance(cond, Mapping) and bool(cond) and all(isinstance(k, str) and k.startswith("$") for k in cond)


def _field_path(key: str) -> tuple[str, list[str]]:
    if key in _TOP_FIELDS:
        return _TOP_FIELDS[key], []
    head, _, rest = key.partition(".")
    if head in _PREFIXES and rest:
        return _PREFIXES[head], rest.split(".")
    raise FilterError(f"unknown filter field {key!r}; use state, name/display_name, id, tags, notes, group, "
                      "job_type, host, created_at, config.<key> or summary.<key>.")


def _match(spec: Mapping[str, Any], record: Mapping[str, Any]) -> bool:
    for key, cond in spec.items():
        if key == "$and":
            ok = all(_match(s, record) for s in cond)
        elif key == "$or":
            ok = any(_match(s, record) for s in cond)
        elif key == "$nor":
            ok = not any(_match(s, record) for s in cond)
        else:
            ok = _condition(cond, _value(record, key))
        if not ok:
            return False
    return True


def _value(record: Mapping[str, Any], key: str) -> Any:
    field, path = _field_path(key)
    if field == "name_or_id":  # wandb's filters call the run id "name": match either
        return [v for v in (record.get("name"), record.get("id")) if v is not None]
    value = record.get(field, _MISSING)
    if "[" in key and isinstance(value, Mapping):  # a bracketed column name: config.[a.b]
        flat = flatten_config(value)
        name = key.partition(".")[2]
        if name in flat:
            return flat[name]
    if field == "created_at" and isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, timezone.utc)
    if not path:
        return value
    if field == "config" and len(path) > 1 and path[-1] == "value":  # wandb spells config.lr.value
        found = _lookup(value, path)
        return found if found is not _MISSING else _lookup(value, path[:-1])
    return _lookup(value, path)


def _lookup(data: Any, parts: list[str]) -> Any:
    """Walk nested dicts by parts, a key may itself hold "." or "/" (e.g. "val/acc")."""
    if not parts:
        return data
    if not isinstance(data, Mapping):
        return _MISSING
    for i in range(len(parts), 0, -1):
        for sep in (".", "/"):
            key = sep.join(parts[:i])
            if key in data:
                found = _lookup(data[key], parts[i:])
                if found is not _MISSING:
                    return found
    return _MISSING


def _condition(cond: Any, value: Any) -> bool:
    if not _is_operator_dict(cond):
        return _equals(value, cond)
    return all(_operator(op, arg, value, cond) for op, arg in cond.items())


def _operator(op: str, arg: Any, value: Any, cond: Mapping[str, Any]) -> bool:
    if op == "$eq":
        return _equals(value, arg)
    if op == "$ne":
        return not _equals(value, arg)
    if op == "$in":
        return any(_equals(value, a) for a in arg)
    if op == "$nin":
        return not any(_equals(value, a) for a in arg)
    if op == "$exists":
        return (value is not _MISSING and value is not None) == bool(arg)
    if op == "$not":
        return not _condition(arg, value)
    if op == "$options":
        return True  # read by $regex
    if op == "$regex":
        flags = re.IGNORECASE if "i" in str(cond.get("$options", "")) else 0
        values = value if isinstance(value, list) else [value]
        return any(isinstance(v, str) and re.search(arg, v, flags) is not None for v in values)
    if op == "$all":
        return isinstance(value, list) and all(_equals(value, a) for a in arg)
    if op == "$size":
        return isinstance(value, list) and len(value) == arg
    return _compare(op, value, arg)


def _equals(value: Any, target: Any) -> bool:
    if value is _MISSING:
        return target is None
    if isinstance(value, list) and not isinstance(target, list):
        return any(_equals(v, target) for v in value)
    if isinstance(value, datetime):
        other = _as_datetime(target)
        return other is not None and value == other
    if isinstance(value, bool) or isinstance(target, bool):
        return type(value) is type(target) and bool(value == target)
    return bool(value == target)


def _compare(op: str, value: Any, arg: Any) -> bool:
    if value is _MISSING or value is None:
        return False
    if isinstance(value, datetime):
        arg = _as_datetime(arg)
        if arg is None:
            return False
    elif isinstance(value, dict) and "_type" not in value and len(value) == 1:
        value = next(iter(value.values()))  # a define_metric aggregate such as {"max": 0.93}
    number = (int, float)
    if not ((isinstance(value, number) and isinstance(arg, number) and not isinstance(value, bool))
            or (isinstance(value, str) and isinstance(arg, str)) or isinstance(value, datetime)):
        return False
    if op == "$gt":
        return bool(value > arg)
    if op == "$gte":
        return bool(value >= arg)
    if op == "$lt":
        return bool(value < arg)
    return bool(value <= arg)


def _as_datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, timezone.utc)
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
    return None


def sort_key(order: str) -> tuple[str, bool]:
    """("field", descending) from wandb's order strings: "-created_at", "+summary_metrics.acc"."""
    text = (order or "-created_at").strip()
    descending = text.startswith("-")
    field = text.lstrip("+-")
    _field_path(field)
    return field, descending


def value_of(record: Mapping[str, Any], key: str) -> Any:
    """A field's value in a record (None when missing), for sorting."""
    value = _value(record, key)
    return None if value is _MISSING else value
