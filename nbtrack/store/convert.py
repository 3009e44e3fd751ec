"""Fast conversion of committed history rows into a long-format Arrow table.

One output row per (step, key): numbers and bools go to ``num``, str to ``text``,
anything else (dicts with ``_type``, lists) to ``json`` as ``json.dumps(default=str)``.
The common case (every value an int/float) takes a fast path that lets Arrow convert
the whole value list at once.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from itertools import chain, compress
from typing import Any

import numpy as np
import pyarrow as pa

from .records import STEP_KEY, TIME_KEY, HistoryRow
from .safe_values import clean_text

SCHEMA = pa.schema(
    [
        ("step", pa.int64()),
        ("ts", pa.float64()),
        ("key", pa.string()),
        ("num", pa.float64()),
        ("text", pa.string()),
        ("json", pa.string()),
    ]
)


def _dumps(value: Any) -> str:
    try:
        return json.dumps(value, default=str, allow_nan=True)
    except (ValueError, TypeError, RecursionError):  # circular or odd keys: keep the repr
        return json.dumps(repr(value))


def _strings(values: list[Any]) -> pa.Array:
    """A string column; text with lone surrogates is escaped rather than refused."""
    try:
        return pa.array(values, type=pa.string())
    except UnicodeEncodeError:
        return pa.array([clean_text(v) if isinstance(v, str) else v for v in values], type=pa.string())


def _classify(values: list[Any]) -> tuple[list[Any], list[Any], list[Any]]:
    """Split values into the num / text / json columns (slow path, one pass)."""
    nums: list[Any] = []
    texts: list[Any] = []
    jsons: list[Any] = []
    for v in values:
        t = type(v)
        if t is float or t is bool or (t is int and -(2**1023) < v < 2**1023):
            nums.append(float(v))
            texts.append(None)
            jsons.append(None)
        elif t is str:
            nums.append(None)
            texts.append(v)
            jsons.append(None)
        elif v is None:
            nums.append(None)
            texts.append(None)
            jsons.append(None)
        else:
            num = None
            try:  # numpy scalars and other number-likes
                if isinstance(v, (np.integer, np.floating, np.bool_)):
                    num = float(v)
            except Exception:  # pragma: no cover
                num = None
            nums.append(num)
            texts.append(None)
            jsons.append(None if num is not None else _dumps(v))
    return nums, texts, jsons


def rows_to_arrow(rows: Sequence[HistoryRow]) -> pa.Table:
    """Long-format table (step, ts, key, num, text, json) for a batch of history rows."""
    if not rows:
        return SCHEMA.empty_table()
    n_rows = len(rows)
    sizes = np.fromiter((len(r) for r in rows), dtype=np.int64, count=n_rows)
    counts = sizes - 2  # every row ends with STEP_KEY and TIME_KEY
    steps = np.repeat(np.fromiter((r[STEP_KEY] for r in rows), dtype=np.int64, count=n_rows), counts)
    tss = np.repeat(np.fromiter((r[TIME_KEY] for r in rows), dtype=np.float64, count=n_rows), counts)
    keep = np.ones(int(sizes.sum()), dtype=bool)  # drop each row's last two entries
    ends = np.cumsum(sizes)
    keep[ends - 1] = False
    keep[ends - 2] = False
    keep_list = keep.tolist()
    keys = list(compress(chain.from_iterable(rows), keep_list))
    values = list(compress(chain.from_iterable(r.values() for r in rows), keep_list))
    n = len(values)
    nulls = pa.nulls(n, pa.string())
    try:
        # fast path: all numbers/bools/None (a str, dict or list makes Arrow raise)
        num = pa.array(values, type=pa.float64(), from_pandas=False)
        text = json_col = nulls
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, OverflowError):
        nums, texts, jsons = _classify(values)
        num = pa.array(nums, type=pa.float64())
        text = _strings(texts)
        json_col = pa.array(jsons, type=pa.string())
    try:
        key_col = _strings(keys)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
        key_col = _strings([str(k) for k in keys])
    return pa.Table.from_arrays(
        [pa.array(steps), pa.array(tss), key_col, num, text, json_col],
        schema=SCHEMA,
    )


def rows_to_arrow_checked(rows: Sequence[HistoryRow]) -> tuple[pa.Table | None, list[tuple[Any, str]]]:
    """Like :func:`rows_to_arrow`, but a row that cannot be converted is left out.

    Returns the table of the good rows and, for each bad row, its step and the reason.
    """
    try:
        return rows_to_arrow(rows), []
    except Exception:  # a value's own __str__ may raise anything: find the bad rows one by one
        good: list[HistoryRow] = []
        bad: list[tuple[Any, str]] = []
        for row in rows:
            try:
                rows_to_arrow([row])
                good.append(row)
            except Exception as exc:  # one bad row must not block the run
                bad.append((row.get(STEP_KEY), f"{type(exc).__name__}: {exc}"))
    return (rows_to_arrow(good) if good else None), bad


__all__ = ["rows_to_arrow", "rows_to_arrow_checked", "SCHEMA"]
