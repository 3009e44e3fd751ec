"""Turn what users pass to log() into flat rows of storable values.

Nested dicts become "a/b" keys (wandb's panel grouping), numpy/torch scalars become
Python numbers, numeric arrays become histograms, media become references whose bytes
the store writer keeps. The common case (a dict of str -> int/float) takes a fast path
that only checks types, because it runs on every log() call.

Keys and values that cannot be kept faithfully have one documented behaviour each:

* a key that is not a string: TypeError (as before), the row is not logged;
* the key ``""``, a key containing NUL, and the run's own columns ``_step``,
  ``_timestamp`` and ``_runtime``: that key is dropped with a warning naming it, the
  rest of the row is logged;
* nesting deeper than :data:`~nbtrack.plain_values.MAX_DEPTH` (or a dict containing
  itself): ValueError naming the key, instead of a RecursionError;
* a numpy array of text, dates or objects: stored as a list (no histogram of it);
  ``datetime``/``date``/``time`` as ISO text, paths as text, sets as lists, an
  ``Enum`` as its value.
"""

from __future__ import annotations

import datetime as dt
import enum
import os
import types
import warnings
from collections.abc import Callable, Mapping
from typing import Any

from .plain_values import MAX_DEPTH, plain_value, too_deep

_FAST_TYPES = frozenset({int, float, bool, str})
#: Keys the run writes itself in every history row (wandb's names); a user's are dropped.
RESERVED_KEYS = frozenset({"_step", "_timestamp", "_runtime"})

#: Called for each media value with (key, value) -> stored reference; set by the run.
MediaHook = Callable[[str, Any], Any]


def flatten_row(data: Mapping[str, Any], media: MediaHook | None = None) -> dict[str, Any]:
    """Return a new flat dict of storable values from one log() payload.

    Raises TypeError, naming the key, for keys that are not strings or values that
    cannot be stored, and ValueError for nesting deeper than MAX_DEPTH. Keys that
    cannot be stored faithfully ("" , NUL, the reserved ``_step``/``_timestamp``/
    ``_runtime``) are dropped with a warning.
    """
    for key, value in data.items():
        if (type(key) is not str or type(value) not in _FAST_TYPES or not key or key in RESERVED_KEYS
                or "\x00" in key):
            break
    else:
        return dict(data)
    out: dict[str, Any] = {}
    _flatten_into(out, "", data, media, 0)
    for key in [k for k in out if not k or k in RESERVED_KEYS or "\x00" in k]:
        del out[key]
        _warn_dropped(key)
    return out


def _warn_dropped(key: str) -> None:
    if key in RESERVED_KEYS:
        why = f"{key!r} is the run's own column (the run sets it)"
    elif not key:
        why = "the empty key '' names nothing"
    else:
        why = f"{key!r} contains a NUL character, which would make it collide with {key.replace(chr(0), '')!r}"
    warnings.warn(f"nbtrack.log: dropped the key {key!r}: {why}; rename it. The row's other keys are logged.",
                  UserWarning, stacklevel=4)


def _flatten_into(out: dict[str, Any], prefix: str, data: Mapping[Any, Any], media: MediaHook | None,
                  depth: int) -> None:
    if depth >= MAX_DEPTH:
        raise too_deep("nbtrack.log", prefix.rstrip("/"))
    for key, value in data.items():
        if not isinstance(key, str):
            raise TypeError(
                f"nbtrack.log: keys must be strings, got {key!r} ({type(key).__name__}) "
                f"under {prefix.rstrip('/') or 'the top level'!r}; use str(key)."
            )
        name = prefix + key
        if isinstance(value, Mapping) and not _is_typed_ref(value):
            _flatten_into(out, name + "/", value, media, depth + 1)
        else:
            out[name] = to_storable(name, value, media, depth)


def _is_typed_ref(value: Mapping[Any, Any]) -> bool:
    return "_type" in value


def to_storable(key: str, value: Any, media: MediaHook | None = None, depth: int = 0) -> Any:
    """Coerce one value: numbers, text, media references, histograms, JSON-able lists."""
    kind = type(value)
    if kind in _FAST_TYPES or value is None:
        return value
    if depth >= MAX_DEPTH:
        raise too_deep("nbtrack.log", key)
    module = kind.__module__.split(".", 1)[0]
    if module in ("numpy", "torch", "jax", "jaxlib", "tensorflow"):
        return _array_like(key, value)
    if media is not None and is_media(value):
        return media(key, value)
    if isinstance(value, (list, tuple)):
        if value and media is not None and all(is_media(v) for v in value):
            return media(key, value)
        return [to_storable(key, v, media, depth + 1) for v in value]
    if isinstance(value, Mapping):
        return {str(k): to_storable(key, v, media, depth + 1) for k, v in value.items()}
    if isinstance(value, (dt.datetime, dt.date, dt.time, os.PathLike, set, frozenset, enum.Enum)):
        return plain_value(value, key, "nbtrack.log", depth)
    if hasattr(value, "__float__") and not isinstance(value, (bytes, bytearray)):
        try:
            return float(value)
        except (TypeError, ValueError, OverflowError):
            pass
    raise TypeError(
        f"nbtrack.log: cannot store {key!r} of type {kind.__name__}; log numbers, strings, "
        "lists, dicts, numpy/torch values or nbtrack.Image."
    )


#: libraries whose figures are logged as media (matplotlib as an image, plotly as a chart)
_FIGURE_MODULES = ("matplotlib", "plotly")


def is_media(value: Any) -> bool:
    """True for nbtrack's media objects (Image, Table, ...) and matplotlib/plotly figures
    (and the ``plt`` module), stored as references."""
    module = type(value).__module__
    if module.startswith("nbtrack.media"):
        return True
    if module.split(".", 1)[0] in _FIGURE_MODULES:
        return True
    return isinstance(value, types.ModuleType) and value.__name__.split(".", 1)[0] == "matplotlib"  # plt itself


def _array_like(key: str, value: Any) -> Any:
    """numpy/torch/jax scalars to numbers; numeric arrays to a histogram, others to lists."""
    if hasattr(value, "detach"):  # torch tensor
        value = value.detach().cpu()
        if value.numel() == 1:
            return _scalar(key, value.item())
    elif getattr(value, "size", None) == 1 or getattr(value, "ndim", None) == 0:  # numpy / jax
        return _scalar(key, value.item() if hasattr(value, "item") else value)
    dtype_kind = getattr(getattr(value, "dtype", None), "kind", None)
    if dtype_kind is not None and dtype_kind not in "biuf":  # text, dates, objects: keep the values
        return plain_value(value, key, "nbtrack.log")
    return histogram(key, value)


def _scalar(key: str, item: Any) -> Any:
    if type(item) in _FAST_TYPES:
        return item
    try:
        return float(item)
    except (TypeError, ValueError):
        return plain_value(item, key, "nbtrack.log")


def histogram(key: str, value: Any, bins: int = 64) -> dict[str, Any]:
    """A wandb-style histogram reference of an array's finite values."""
    import numpy as np

    if hasattr(value, "detach"):  # torch: bfloat16 and half have no numpy form of their own
        value = value.detach().cpu()
        value = value.double() if not value.is_complex() else value.abs().double()
    try:
        arr = np.asarray(value.numpy() if hasattr(value, "numpy") else value, dtype=float).ravel()
    except (TypeError, ValueError) as exc:
        raise TypeError(f"nbtrack.log: cannot make a histogram of {key!r} ({exc}); log its values "
                        "as a list or a number.") from None
    arr = arr[np.isfinite(arr)]
    if arr.size == 0:
        return {"_type": "histogram", "values": [], "bins": []}
    try:
        counts, edges = np.histogram(arr, bins=bins)
    except ValueError:  # a range too narrow for its magnitude (or too wide for a float): one bin
        counts, edges = np.array([arr.size]), np.array([arr.min(), arr.max()])
    return {"_type": "histogram", "values": counts.tolist(), "bins": edges.tolist()}


def flatten_nested(data: Mapping[str, Any], sep: str = "/") -> dict[str, Any]:
    """Flatten nested dicts into path names: the one rule nbtrack flattens stored values by.

    * A non-empty mapping without a ``"_type"`` key is a level: its keys (``str`` of them)
      join the path with ``sep``. Everything else is a leaf and kept whole: numbers, text,
      lists, media references and other ``{"_type": ...}`` dicts, empty dicts.
    * Below :data:`~nbtrack.plain_values.MAX_DEPTH` levels a mapping is kept whole.
    * Two different paths never share a name: when a key that contains ``sep`` collides
      with a nested path, its segment is shown in brackets, so ``{"a": {"b": 1}, "a.b": 2}``
      gives ``{"a.b": 1, "[a.b]": 2}`` with ``sep="."``; a name still taken gets a ``'``.

    ``"/"`` (the default) gives wandb's stored keys (``summary["a"] = {"b": 1}`` keeps
    ``a/b``; imported runs); ``"."`` the column names tables and filters show for config
    and summary (``flatten_config``). ``log()`` rows go through ``flatten_row``, which
    walks the same levels but also checks keys and coerces each value for storage.
    """
    pairs: list[tuple[tuple[str, ...], Any]] = []
    _paths(pairs, (), data, 0)
    names = [sep.join(path) for path, _ in pairs]
    seen: dict[str, int] = {}
    for name in names:
        seen[name] = seen.get(name, 0) + 1
    out: dict[str, Any] = {}
    for (path, value), name in zip(pairs, names):
        if seen[name] > 1 and any(sep in part for part in path):
            name = sep.join(f"[{part}]" if sep in part else part for part in path)
        while name in out:
            name += "'"
        out[name] = value
    return out


def flatten_config(data: Mapping[str, Any]) -> dict[str, Any]:
    """Config or summary as the ``a.b`` column names tables and filters show (``flatten_nested`` with ".")."""
    return flatten_nested(data, sep=".")


def _paths(out: list[tuple[tuple[str, ...], Any]], prefix: tuple[str, ...], data: Mapping[Any, Any],
           depth: int) -> None:
    for key, value in data.items():
        path = (*prefix, str(key))
        if isinstance(value, Mapping) and value and "_type" not in value and depth < MAX_DEPTH:
            _paths(out, path, value, depth + 1)
        else:
            out.append((path, value))
