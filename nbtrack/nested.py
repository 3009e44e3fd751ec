"""Nested summary keys: stored flat ("a/b", as log() flattens), read back nested.

`wandb.log({"nested": {"a": 1}})` keeps the key "nested/a" (a flat column in SQL, a
panel group in charts); wandb code then reads `summary["nested"]["a"]`. `nested_get`
answers that read from the flat keys; a dict assigned to a summary key becomes the same
flat keys by `nbtrack.flatten.flatten_nested` (the one flattening rule).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

SEP = "/"


def nest(flat: Mapping[str, Any]) -> dict[str, Any]:
    """{"a/b": 1, "a/c": 2} -> {"a": {"b": 1, "c": 2}} (a key that is both a leaf and a
    prefix keeps its leaf under the full name)."""
    out: dict[str, Any] = {}
    for key, value in flat.items():
        parts = key.split(SEP)
        node = out
        clash = False
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict) or "_type" in child:
                if child is not None:  # a leaf already here: keep both, the leaf by full name
                    clash = True
                    break
                child = node[part] = {}
            node = child
        if clash:
            out[key] = value
        else:
            node[parts[-1]] = value
    return out


def nested_get(data: Mapping[str, Any], key: str) -> Any:
    """`data[key]`, or the nested dict of every "key/..." entry; KeyError if neither."""
    if key in data:
        return data[key]
    prefix = key + SEP
    below = {k[len(prefix):]: v for k, v in data.items() if k.startswith(prefix)}
    if not below:
        raise KeyError(key)
    return nest(below)


def prefixed(data: Mapping[str, Any], key: str) -> list[str]:
    """The keys of `data` a nested `key` stands for (itself and "key/...")."""
    prefix = key + SEP
    return [k for k in data if k == key or k.startswith(prefix)]
