"""A run's config: hyperparameters with attribute and item access, kept in the store."""

from __future__ import annotations

import argparse
import copy
from collections.abc import Callable, ItemsView, Iterator, KeysView, Mapping, ValuesView
from typing import Any

from ..plain_values import plain_value


def _as_dict(data: Any) -> dict[str, Any]:
    if data is None:
        return {}
    if isinstance(data, Mapping):
        return dict(data)
    if isinstance(data, argparse.Namespace):
        return vars(data)
    if hasattr(data, "to_dict") and callable(data.to_dict):  # omegaconf, pandas Series, ...
        return dict(data.to_dict())
    raise TypeError(
        f"config must be a dict (or argparse.Namespace), got {type(data).__name__}; "
        "e.g. nbtrack.init(config={'lr': 1e-3})."
    )


def _clean(key: str, value: Any) -> Any:
    return plain_value(value, key, "nbtrack.config")


class Config:
    """Mapping of hyperparameters; `config.lr`, `config["lr"]`, `config.update({...})`.

    Every change is handed to the store (through `on_change`); values are coerced to
    plain JSON data as wandb does (see `nbtrack.plain_values`): numpy scalars become
    numbers, arrays lists, datetimes ISO text, paths text, sets lists, enums values.
    """

    _items: dict[str, Any]  # set through object.__setattr__: attribute writes are config keys

    def __init__(self, data: Any = None, on_change: Callable[[dict[str, Any]], None] | None = None) -> None:
        object.__setattr__(self, "_items", {})
        object.__setattr__(self, "_on_change", on_change)
        self.update(data)

    def bind(self, on_change: Callable[[dict[str, Any]], None] | None) -> None:
        """Call `on_change(config_dict)` after every later change."""
        object.__setattr__(self, "_on_change", on_change)

    # -- mapping API -------------------------------------------------------------
    def update(self, data: Any = None, allow_val_change: bool | None = None, **kwargs: Any) -> None:
        """Merge a dict (or Namespace) of values; re-setting a key overwrites it."""
        merged = {**_as_dict(data), **kwargs}
        for key, value in merged.items():
            self._items[str(key)] = _clean(str(key), value)
        if merged:
            self._changed()

    def setdefaults(self, data: Mapping[str, Any]) -> None:
        """Set keys that are not set yet (wandb's `config.setdefaults`)."""
        self.update({k: v for k, v in _as_dict(data).items() if k not in self._items})

    def get(self, key: str, default: Any = None) -> Any:
        return self._items.get(key, default)

    def keys(self) -> KeysView[str]:  # dict protocol
        return self._items.keys()

    def items(self) -> ItemsView[str, Any]:
        return self._items.items()

    def values(self) -> ValuesView[Any]:
        return self._items.values()

    def as_dict(self) -> dict[str, Any]:
        """A deep copy of the config as a plain dict."""
        return copy.deepcopy(self._items)

    def __getitem__(self, key: str) -> Any:
        return self._items[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.update({key: value})

    def __delitem__(self, key: str) -> None:
        del self._items[key]
        self._changed()

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    # -- attribute API -----------------------------------------------------------
    def __getattr__(self, key: str) -> Any:
        try:
            return self._items[key]
        except KeyError:
            raise AttributeError(f"config has no key {key!r}; set it with config.{key} = value") from None

    def __setattr__(self, key: str, value: Any) -> None:
        self.update({key: value})

    def __repr__(self) -> str:
        return f"Config({self._items!r})"

    def _changed(self) -> None:
        if self._on_change is not None:
            self._on_change(self.as_dict())
