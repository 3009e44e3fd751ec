"""wandb's `Settings`: accepted by `init(settings=...)`, and what `run.settings` returns."""

from __future__ import annotations

from typing import Any


class Settings:
    """wandb's `Settings`, accepted so `init(settings=wandb.Settings(...))` runs as is.

    Its options tune wandb's service process and network, which nbtrack does not have;
    they are kept as attributes. `run.settings` is a Settings holding the run's own
    (`project`, `run_id`, `run_name`, `mode`, `entity`, `root_dir`, `resumed`, ...) on top
    of what the user passed. Unknown attributes read as None, as most of wandb's do.
    """

    def __init__(self, **options: Any) -> None:
        self.__dict__.update(options)

    def __getattr__(self, key: str) -> Any:
        if key.startswith("__"):
            raise AttributeError(key)
        return None

    def to_dict(self) -> dict[str, Any]:
        """The options as a plain dict."""
        return dict(self.__dict__)

    def update(self, options: dict[str, Any] | None = None, **more: Any) -> None:
        """Set several options."""
        self.__dict__.update(options or {}, **more)

    def __repr__(self) -> str:
        return f"Settings({self.__dict__!r})"
