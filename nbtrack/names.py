"""Run ids and readable run names."""

from __future__ import annotations

import secrets
import string
from typing import Any

_ALPHABET = string.ascii_lowercase + string.digits
_ADJECTIVES = (
    "amber", "brisk", "calm", "crisp", "dapper", "eager", "fancy", "gentle", "glad", "hazy",
    "icy", "jolly", "keen", "lively", "lucky", "mellow", "misty", "noble", "olive", "proud",
    "quiet", "rapid", "rosy", "shiny", "silent", "snowy", "solar", "spry", "stoic", "sunny",
    "swift", "tidy", "vivid", "warm", "wild", "witty", "young", "zesty", "bold", "clever",
)
_NOUNS = (
    "aurora", "badger", "breeze", "brook", "canyon", "cedar", "comet", "coral", "dawn", "delta",
    "dune", "ember", "falcon", "fern", "fjord", "forest", "glacier", "harbor", "heron", "lake",
    "lantern", "maple", "meadow", "moon", "nebula", "otter", "pebble", "pine", "planet", "prairie",
    "raven", "river", "sky", "sparrow", "spruce", "star", "stone", "thunder", "valley", "wave",
)


def new_run_id() -> str:
    """An 8-character lowercase id, like wandb's."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(8))


def new_run_name() -> str:
    """A readable name such as "brisk-river-42"."""
    return f"{secrets.choice(_ADJECTIVES)}-{secrets.choice(_NOUNS)}-{secrets.randbelow(99) + 1}"


def check_tags(tags: Any, where: str = "tags") -> list[str]:
    """Tags as a list of distinct strings, in order; TypeError saying what to pass otherwise."""
    if tags is None:
        return []
    if isinstance(tags, str) or not isinstance(tags, (list, tuple, set, frozenset)) or not all(
        isinstance(t, str) for t in tags
    ):
        raise TypeError(f"{where} must be a list of strings, e.g. ['baseline'].")
    return list(dict.fromkeys(tags))
