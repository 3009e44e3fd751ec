"""Exceptions nbtrack raises for misuse of its API (storage trouble never raises)."""

from __future__ import annotations

from . import term  # noqa: F401 - wandb code calls wandb.errors.term.termlog/termwarn


class Error(Exception):
    """Base class of nbtrack's own errors (wandb spells it ``wandb.Error``)."""


class UsageError(Error):
    """The API was called in a way that cannot work; the message says what to do instead."""


def no_active_run(what: str) -> UsageError:
    """The error for calling `what` before `nbtrack.init()` (or after `finish()`)."""
    return UsageError(
        f"{what} needs an active run: call nbtrack.init(project=...) first "
        "(or %nbtrack init in a notebook)."
    )


class NoActiveRun:
    """Stands for `nbtrack.config` / `nbtrack.summary` while no run is active: any use
    raises the UsageError that says to call init() first."""

    def __init__(self, what: str) -> None:
        self._what = what

    def __getattr__(self, key: str) -> object:
        if key.startswith("__"):
            raise AttributeError(key)
        raise no_active_run(f"nbtrack.{self._what}")

    def __getitem__(self, key: str) -> object:
        raise no_active_run(f"nbtrack.{self._what}")

    def __setitem__(self, key: str, value: object) -> None:
        raise no_active_run(f"nbtrack.{self._what}")

    def __setattr__(self, key: str, value: object) -> None:
        if key == "_what":
            object.__setattr__(self, key, value)
            return
        raise no_active_run(f"nbtrack.{self._what}")

    def __repr__(self) -> str:
        return f"<nbtrack.{self._what}: no active run; call nbtrack.init() first>"


class CommError(Error, ValueError):
    """wandb's error for a failed look-up on its server; nbtrack raises it where a run
    asked for by the read API is not in the store (a ValueError too)."""
