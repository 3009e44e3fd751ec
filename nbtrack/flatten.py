"""Turn what users pass to log() into flat rows of storable values.

Nested dicts become "a/b" keys (wandb's panel grouping), numpy/torch scalars become
Python numbers, arrays become histograms, media become references whose bytes the
store writer keeps. The common case (a dict of str -> int/float) takes a fast path that
only checks types, because it runs on every log() call.
"""

from __future__ import annotations

import math
import types
from collections.abc import Mapping
from typing import Any, Callable

_FAST_TYPES = frozenset({int, float, bool, str})

#: Called for each media value with (key, value) -> stored reference; set by the run.
MediaHook = Callable[[str, Any], Any]


def flatten_row(data: Mapping[str, Any], media: MediaHook | None = None) -> dict[str, Any]:
    """Return a new flat dict of storable values from one log() payload.

    Raises TypeError, naming the key, for keys that are not strings or values that
    cannot be stored.
    """
    for key, value in data.items():
        if type(key) is not str or type(value) not in _FAST_TYPES:
            break
    else:
        return dict(data)
    out: dict[str, Any] = {}
    _flatten_into(out, "", data, media)
    return out


def _flatten_into(out: dict[str, Any], prefix: str, data: Mapping[Any, Any], media: MediaHook | None) -> None:
    for key, value in data.items():
        if not isinstance(key, str):
            raise TypeError(
                f"nbtrack.log: keys must be strings, got {key!r} ({type(key).__name__}) "
                f"under {prefix.rstrip('/') or 'the top level'!r}; use str(key)."
            )
        name = prefix + key
        if isinstance(value, Mapping) and not _is_typed_ref(value):
            _flatten_into(out, name + "/", value, media)
        else:
            out[name] = to_storable(name, value, media)


def _is_typed_ref(value: Mapping[Any, Any]) -> bool:
    return "_type" in value


def to_storable(key: str, value: Any, media: MediaHook | None = None) -> Any:
    """Coerce one value: numbers, text, media references, histograms, JSON-able lists."""
    kind = type(value)
    if kind in _FAST_TYPES or value is None:
        return value
    module = kind.__module__.split(".", 1)[0]
    if module in ("numpy", "torch", "jax", "jaxlib", "tensorflow"):
        return _array_like(key, value)
    if media is not None and _is_media(value):
        return media(key, value)
    if isinstance(value, (list, tuple)):
        if value and media is not None and all(_is_media(v) for v in value):
            return media(key, value)
        return [to_storable(key, v, media) for v in value]
    if isinstance(value, Mapping):
        return {str(k): to_storable(key, v, media) for k, v in value.items()}
    if hasattr(value, "__float__") and not isinstance(value, (bytes, bytearray)):
        return float(value)
    raise TypeError(
        f"nbtrack.log: cannot store {key!r} of type {kind.__name__}; log numbers, strings, "
        "lists, dicts, numpy/torch values or nbtrack.Image."
    )


#: libraries whose figures are logged as media (matplotlib as an image, plotly as a chart)
_FIGURE_MODULES = ("matplotlib", "plotly")


def _is_media(value: Any) -> bool:
    module = type(value).__module__
    if module.startswith("nbtrack.media"):
        return True
    if module.split(".", 1)[0] in _FIGURE_MODULES:
        return True
    return isinstance(value, types.ModuleType) and value.__name__.split(".", 1)[0] == "matplotlib"  # plt itself


def _array_like(key: str, value: Any) -> Any:
    """numpy/torch/jax scalars to numbers; larger arrays to a histogram reference."""
    if hasattr(value, "detach"):  # torch tensor
        value = value.detach().cpu()
        if value.numel() == 1:
            return _scalar(value.item())
    elif getattr(value, "size", None) == 1 or getattr(value, "ndim", None) == 0:  # numpy / jax
        return _scalar(value.item() if hasattr(value, "item") else value)
    return histogram(key, value)


def _scalar(item: Any) -> Any:
    return item if type(item) in _FAST_TYPES else float(item)


def histogram(key: str, value: Any, bins: int = 64) -> dict[str, Any]:
    """A wandb-style histogram reference of an array's finite values."""
    import numpy as np

    arr = np.asarray(value.numpy() if hasattr(value, "numpy") else value, dtype=float).ravel()
    arr = arr[np.isfinite(arr)]
    if arr.size == 0:
        return {"_type": "histogram", "values": [], "bins": []}
    counts, edges = np.histogram(arr, bins=bins)
    return {"_type": "histogram", "values": counts.tolist(), "bins": edges.tolist()}


def flatten_config(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Flatten a nested config dict into "a.b" keys (how tables show config columns)."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(flatten_config(value, name + "."))
        else:
            out[name] = value
    return out


def is_number(value: Any) -> bool:
    """True for finite-or-not real numbers (bools excluded), the values summaries aggregate."""
    return type(value) in (int, float) or (isinstance(value, float) and not math.isnan(value))
