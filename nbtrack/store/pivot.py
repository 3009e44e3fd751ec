"""Long history (one row per step and key) into a wide frame (one row per step), in numpy.

The reader copies a run's long rows out of the store under the shared lock and pivots
here, after releasing it: the pivot's cost grows with steps x keys and must never hold
writers in other processes back. The work is a few sorts and one scatter into a 2-D
array, so 10,000 keys x 100 steps take well under a second (bench/bench_history.py);
the former pivot in SQL, one ``FILTER`` aggregate per key, grew super-linearly.

Rules (the same as before): per (step, key) the value with the latest ``ts`` wins; a key
is numeric (float column) unless some row of it holds text (str column, numbers shown as
text) or JSON (decoded objects: dicts, lists, numbers, text).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

#: The columns every wide history starts with (wandb's names).
RESERVED_COLUMNS = ("_step", "_timestamp", "_runtime")
#: How a stored key named like a reserved column is shown (a store written by an older
#: nbtrack or by hand); the run's own column keeps the plain name.
LOGGED_SUFFIX = " (logged)"


def _as_numpy(col: pa.ChunkedArray, dtype: Any) -> np.ndarray:
    return np.asarray(col.to_numpy(zero_copy_only=False), dtype=dtype)


def _valid(col: pa.ChunkedArray) -> np.ndarray:
    return np.asarray(pc.is_valid(col).to_numpy(zero_copy_only=False), dtype=bool)


def _num_text(value: float) -> str | None:
    if value != value:  # NaN: no number stored
        return None
    return repr(float(value))


def _decode(text: str) -> Any:
    """A stored JSON value; its text when Python cannot decode it (nested too deep)."""
    try:
        return json.loads(text)
    except (RecursionError, ValueError):
        return text


def empty_frame() -> pd.DataFrame:
    """The wide history of a run without rows."""
    return pd.DataFrame({"_step": pd.Series([], dtype="int64"), "_timestamp": pd.Series([], dtype="float64"),
                         "_runtime": pd.Series([], dtype="float64")})


def pivot_history(long: pa.Table, start_time: float | None) -> pd.DataFrame:
    """Wide frame: ``_step``, ``_timestamp``, ``_runtime``, then one column per key (sorted).

    ``long`` has columns step, ts, key, num, text, json (json as text), in any order.
    ``_runtime`` is ``_timestamp - start_time`` (the first timestamp when None).
    """
    if long.num_rows == 0:
        return empty_frame()
    step = _as_numpy(long.column("step"), np.int64)
    ts = _as_numpy(long.column("ts"), np.float64)
    encoded = pc.dictionary_encode(long.column("key")).combine_chunks()
    names: list[str] = encoded.dictionary.to_pylist()
    order_of_name = np.argsort(np.array(names, dtype=object), kind="stable") if names else np.array([], dtype=np.int64)
    rank = np.empty(len(names), dtype=np.int64)
    rank[order_of_name] = np.arange(len(names))
    key_idx = rank[np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int64)]
    keys = [names[i] for i in order_of_name]
    n_keys = len(keys)

    steps, step_idx = np.unique(step, return_inverse=True)
    step_idx = step_idx.reshape(-1)
    n_steps = len(steps)

    # one winner per (step, key): the row with the latest ts (the later row on ties)
    code = step_idx.astype(np.int64) * n_keys + key_idx
    order = np.lexsort((np.arange(len(code)), ts, code))
    code_sorted = code[order]
    last = np.ones(len(order), dtype=bool)
    last[:-1] = code_sorted[1:] != code_sorted[:-1]
    win = order[last]

    timestamps = np.full(n_steps, -np.inf)
    np.fmax.at(timestamps, step_idx, ts)  # fmax: a NaN ts (a hand-edited store) is ignored
    timestamps[np.isneginf(timestamps)] = np.nan

    num = _as_numpy(long.column("num"), np.float64)
    has_text = _valid(long.column("text"))
    has_json = _valid(long.column("json"))
    text_keys = np.bincount(key_idx[has_text], minlength=n_keys) > 0
    json_keys = np.bincount(key_idx[has_json], minlength=n_keys) > 0
    object_keys = text_keys | json_keys

    numeric_cols = np.flatnonzero(~object_keys)
    col_of_key = np.full(n_keys, -1, dtype=np.int64)
    col_of_key[numeric_cols] = np.arange(len(numeric_cols))
    grid = np.full((n_steps, len(numeric_cols)), np.nan)
    numeric_win = win[~object_keys[key_idx[win]]]
    grid[step_idx[numeric_win], col_of_key[key_idx[numeric_win]]] = num[numeric_win]

    frame = pd.DataFrame(grid, columns=pd.Index([keys[i] for i in numeric_cols], dtype=object))
    object_win = win[object_keys[key_idx[win]]]
    if len(object_win):
        frame = _with_object_columns(frame, long, keys, json_keys, object_keys, key_idx, step_idx,
                                     object_win, num, n_steps)
    frame = frame[keys] if frame.columns.tolist() != keys else frame
    frame.columns = [k + LOGGED_SUFFIX if k in RESERVED_COLUMNS else k for k in keys]
    t0 = start_time if start_time is not None else float(np.nanmin(timestamps)) if np.isfinite(timestamps).any() else 0.0
    head = pd.DataFrame({"_step": steps.astype(np.int64), "_timestamp": timestamps,
                         "_runtime": timestamps - float(t0)})
    return pd.concat([head, frame], axis=1)


def _with_object_columns(frame: pd.DataFrame, long: pa.Table, keys: Sequence[str], json_keys: np.ndarray,
                         object_keys: np.ndarray, key_idx: np.ndarray, step_idx: np.ndarray,
                         win: np.ndarray, num: np.ndarray, n_steps: int) -> pd.DataFrame:
    """Add the text and JSON keys' columns (objects) to the numeric frame."""
    texts = long.column("text").take(pa.array(win)).to_pylist()
    jsons = long.column("json").take(pa.array(win)).to_pylist()
    columns: dict[str, list[Any]] = {keys[int(i)]: [None] * n_steps for i in np.flatnonzero(object_keys)}
    for j, row in enumerate(win.tolist()):
        k = int(key_idx[row])
        value: Any
        if json_keys[k]:
            if jsons[j] is not None:
                value = _decode(jsons[j])
            elif texts[j] is not None:
                value = texts[j]
            else:
                value = None if num[row] != num[row] else float(num[row])
        else:
            value = texts[j] if texts[j] is not None else _num_text(num[row])
        columns[keys[k]][int(step_idx[row])] = value
    extra = pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in columns.items()})
    return pd.concat([frame, extra], axis=1)
