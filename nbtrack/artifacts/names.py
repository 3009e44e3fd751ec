"""Artifact names, aliases and the "project/name:alias" references users pass around."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable
from typing import NamedTuple

NAME_RE = re.compile(r"^[A-Za-z0-9_.-]+$")
VERSION_RE = re.compile(r"^v(\d+)$")
MAX_NAME = 128


def check_name(name: object, what: str = "artifact name") -> str:
    """Return ``name`` if it is a valid artifact name (or type), else raise ValueError."""
    if not isinstance(name, str) or not name:
        raise ValueError(f"nbtrack.Artifact: the {what} must be a non-empty string, got {name!r}.")
    if len(name) > MAX_NAME or not NAME_RE.match(name):
        raise ValueError(
            f"nbtrack.Artifact: invalid {what} {name!r}: use at most {MAX_NAME} letters, digits, "
            "'_', '-' and '.' (no spaces, '/' or ':'), e.g. 'mnist-model'."
        )
    return name


def check_aliases(aliases: Iterable[str] | str | None) -> list[str]:
    """Validated aliases, always including "latest", without duplicates (order kept).

    Aliases that look like a version ("v3") are ignored with a warning: versions are
    named by the store, as wandb does.
    """
    if isinstance(aliases, str):
        aliases = [aliases]
    out = ["latest"]
    for alias in aliases or ():
        if not isinstance(alias, str) or not alias or len(alias) > MAX_NAME or "/" in alias or ":" in alias:
            raise ValueError(f"nbtrack: invalid artifact alias {alias!r}: 1 to {MAX_NAME} characters, no '/' or ':'.")
        if VERSION_RE.match(alias):
            warnings.warn(f"nbtrack: alias {alias!r} looks like a version and is ignored; versions are "
                          "assigned by the store.", stacklevel=3)
            continue
        if alias not in out:
            out.append(alias)
    return out


class Ref(NamedTuple):
    """A parsed reference: project (None: the caller's default), name, alias or version."""

    project: str | None
    name: str
    alias: str  # "latest", a custom alias, or "vN"

    @property
    def version(self) -> int | None:
        """The version number when the alias is "vN"."""
        m = VERSION_RE.match(self.alias)
        return int(m.group(1)) if m else None


def parse_ref(ref: str) -> Ref:
    """Parse "name", "name:alias", "name:v3", "project/name:alias", "entity/project/name:alias"."""
    if not isinstance(ref, str) or not ref:
        raise ValueError(f"nbtrack: an artifact reference must be a string like 'model:latest', got {ref!r}.")
    path, _, alias = ref.partition(":")
    parts = path.split("/")
    if len(parts) > 3 or not all(parts):
        raise ValueError(f"nbtrack: cannot read artifact reference {ref!r}; use 'name:alias' or 'project/name:alias'.")
    name = check_name(parts[-1])
    project = parts[-2] if len(parts) >= 2 else None
    return Ref(project, name, alias or "latest")
