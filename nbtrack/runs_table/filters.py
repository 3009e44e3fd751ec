"""The table's filter language, parsed into data (never pasted into SQL).

    lr < 0.01 and state = finished   resnet   tags ~ base   "two words"   name != 'a b'

A filter is clauses joined by whitespace or ``and`` (all must hold). A clause is
``column op value`` (ops ``< <= > >= = == != ~``; ``~`` is "contains") or a bare word or
quoted string, which must appear in the run's name, id, notes, tags or any text column
(case-insensitive). Columns are the table's column keys (``config.lr``, ``summary.val/loss``,
``name``, ``state``, ``tags`` ...) or an unambiguous short name (``lr``). Mirrored by
js/src/table/filter.ts: keep the two in step.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

OPS = ("<=", ">=", "!=", "==", "<", ">", "=", "~")
_TOKEN = re.compile(r"""\s*(?:(?P<str>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|(?P<op><=|>=|!=|==|=|<|>|~)|(?P<word>[^\s<>=!~"']+)|(?P<bad>\S))""")
_ALIASES = {"tag": "tags", "status": "state", "start": "created_at", "runtime": "duration"}


class FilterError(ValueError):
    """A filter the table cannot understand; the message says why, for the user."""


@dataclass(frozen=True)
class Clause:
    column: str
    op: str  # one of OPS, "==" normalised to "="
    value: float | str


@dataclass
class Filter:
    clauses: list[Clause] = field(default_factory=list)
    text: list[str] = field(default_factory=list)  # lower-cased search terms

    @property
    def empty(self) -> bool:
        return not self.clauses and not self.text


def _tokens(text: str) -> list[tuple[str, str]]:
    out = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind is None:
            continue
        val = m.group(kind)
        if kind == "bad":
            raise FilterError(f"unexpected {val!r} in the filter")
        if kind == "str":
            val = re.sub(r"\\(.)", r"\1", val[1:-1])
        out.append((kind, val))
    return out


def resolve_column(name: str, columns: Sequence[str]) -> str:
    """The column key a user's name stands for; FilterError if unknown or ambiguous."""
    name = _ALIASES.get(name, name)
    if name in columns:
        return name
    low = name.lower()
    exact = [c for c in columns if c.lower() == low]
    if len(exact) == 1:
        return exact[0]
    short = [c for c in columns if "." in c and c.split(".", 1)[1].lower() == low]
    if len(short) == 1:
        return short[0]
    if len(short) > 1:
        raise FilterError(f"{name!r} is ambiguous: say {' or '.join(sorted(short))}")
    raise FilterError(f"unknown column {name!r}")


_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?|[+-]?(inf|infinity)", re.IGNORECASE)


def _number(text: str) -> float | None:
    """A number as the browser's parser reads one (no "1_000", "nan" or hex)."""
    return float(text) if _NUMBER.fullmatch(text) else None


def parse(text: str, columns: Sequence[str], kinds: dict[str, str] | None = None) -> Filter:
    """Parse a filter; ``kinds`` (column -> "num" | "str" | "tags" | "time") checks values."""
    kinds = kinds or {}
    toks = _tokens(text or "")
    f = Filter()
    i = 0
    while i < len(toks):
        kind, val = toks[i]
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        if kind == "word" and val.lower() in ("and", "&&"):
            i += 1
            continue
        if kind == "word" and val.lower() == "or":
            raise FilterError("'or' is not supported: all conditions must hold")
        if kind == "op":
            raise FilterError(f"{val!r} needs a column on its left")
        if nxt is not None and nxt[0] == "op":
            if kind != "word":
                raise FilterError(f"a column name cannot be quoted: {val!r}")
            if i + 2 >= len(toks) or toks[i + 2][0] == "op":
                raise FilterError(f"{val} {nxt[1]} needs a value")
            col = resolve_column(val, columns)
            op = "=" if nxt[1] == "==" else nxt[1]
            vkind, raw = toks[i + 2]
            ck = kinds.get(col, "str")
            value: float | str = raw
            if ck in ("num", "time"):
                if op == "~":
                    raise FilterError(f"{col} is numeric: use < <= > >= = != with a number")
                num = _number(raw) if vkind == "word" else None
                if num is None:
                    raise FilterError(f"{col} is numeric; {raw!r} is not a number")
                value = num
            elif op in ("<", "<=", ">", ">="):
                num = _number(raw) if vkind == "word" else None
                if num is None:
                    raise FilterError(f"{col} holds text: use =, != or ~ (contains)")
                value = num
            f.clauses.append(Clause(col, op, value))
            i += 3
            continue
        f.text.append(val.lower())
        i += 1
    return f


def _cmp(op: str, a: Any, b: Any) -> bool:
    if op == "<":
        return a < b
    if op == "<=":
        return a <= b
    if op == ">":
        return a > b
    if op == ">=":
        return a >= b
    if op == "=":
        return a == b
    if op == "!=":
        return a != b
    return False


def _clause_mask(c: Clause, values: Sequence[Any], kind: str) -> list[bool]:
    out = []
    for v in values:
        if v is None or (isinstance(v, float) and math.isnan(v)):
            out.append(False)
        elif kind == "tags":
            tags = [str(t).lower() for t in v]
            want = str(c.value).lower()
            hit = any(want in t for t in tags) if c.op == "~" else want in tags
            out.append(not hit if c.op == "!=" else hit if c.op in ("=", "~") else False)
        elif isinstance(c.value, float):
            try:
                out.append(_cmp(c.op, float(v), c.value))
            except (TypeError, ValueError):
                out.append(False)
        else:
            s, want = str(v).lower(), c.value.lower()
            out.append(want in s if c.op == "~" else _cmp(c.op, s, want))
    return out


def apply(f: Filter, data: Mapping[str, Sequence[Any]], kinds: dict[str, str], n: int) -> list[bool]:
    """Row mask of ``f`` over columnar ``data`` (column -> values, ``n`` rows)."""
    mask = [True] * n
    for c in f.clauses:
        for i, ok in enumerate(_clause_mask(c, data.get(c.column, [None] * n), kinds.get(c.column, "str"))):
            if not ok:
                mask[i] = False
    if f.text:
        text_cols = [k for k, kd in kinds.items() if kd in ("str", "tags") and k in data]
        for i in range(n):
            if not mask[i]:
                continue
            hay = " ".join(" ".join(map(str, v)) if isinstance(v, list) else str(v)
                           for k in text_cols if (v := data[k][i]) is not None).lower()
            mask[i] = all(t in hay for t in f.text)
    return mask
