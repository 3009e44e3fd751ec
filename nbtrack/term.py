"""wandb's terminal messages: `termlog`, `termwarn`, `termerror` (also `wandb.errors.term`).

They print one line to stderr prefixed "nbtrack: ", as wandb prefixes "wandb: ";
`termwarn` can also repeat-suppress (`repeat=False`) as wandb does.
"""

from __future__ import annotations

import sys
from typing import Any

PREFIX = "nbtrack:"
_said: set[str] = set()


def _emit(string: str, tag: str, newline: bool, repeat: bool, prefix: bool) -> None:
    text = str(string)
    if not repeat:
        if text in _said:
            return
        _said.add(text)
    head = f"{PREFIX} {tag}" if prefix else ""
    lines = text.split("\n") if text else [""]
    out = "\n".join(f"{head}{line}" if prefix else line for line in lines)
    print(out, file=sys.stderr, end="\n" if newline else "", flush=True)


def termlog(string: str = "", newline: bool = True, repeat: bool = True, prefix: bool = True, **_: Any) -> None:
    """Print an informational line to stderr."""
    _emit(string, "", newline, repeat, prefix)


def termwarn(string: str, newline: bool = True, repeat: bool = True, prefix: bool = True, **_: Any) -> None:
    """Print a warning line to stderr ("nbtrack: WARNING ...")."""
    _emit(string, "WARNING ", newline, repeat, prefix)


def termerror(string: str, newline: bool = True, repeat: bool = True, prefix: bool = True, **_: Any) -> None:
    """Print an error line to stderr ("nbtrack: ERROR ...")."""
    _emit(string, "ERROR ", newline, repeat, prefix)
