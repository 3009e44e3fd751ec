"""nbtrack/live/messages.py and js/src/messages.ts describe the same messages: every
TypedDict has a TypeScript interface of the same name with the same fields."""

from __future__ import annotations

import re
from pathlib import Path
from typing import is_typeddict

from nbtrack.live import messages

TS = Path(__file__).resolve().parents[2] / "js" / "src" / "messages.ts"


def ts_interfaces() -> dict[str, set[str]]:
    text = TS.read_text()
    out = {}
    for name, body in re.findall(r"export interface (\w+)\s*\{(.*?)\n\}", text, re.S):
        out[name] = set(re.findall(r"^\s*(\w+)\??:", body, re.M))
    return out


def test_every_message_type_has_a_twin_with_the_same_fields():
    ts = ts_interfaces()
    py = {name: set(obj.__annotations__) for name, obj in vars(messages).items()
          if is_typeddict(obj) and obj.__module__ == messages.__name__}
    assert py, "no TypedDicts found"
    for name, fields in py.items():
        assert name in ts, f"{name} is missing from messages.ts"
        assert fields == ts[name], (name, fields ^ ts[name])
