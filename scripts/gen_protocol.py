"""Generate js/src/shared/protocol.gen.ts from the Python protocol modules.

What the kernel and the browser say to each other is typed once, as TypedDicts in
nbtrack/live/messages.py (the live panel), nbtrack/runs_table/messages.py (the runs
table) and nbtrack/reports/schema.py (a report page's data block). This script writes
their TypeScript twin, which is checked in; tests/test_protocol.py regenerates it in
memory and fails when the checked-in file is stale.

    python scripts/gen_protocol.py          # rewrite the file
    python scripts/gen_protocol.py --check  # exit 1 if it is stale

What a module exports, in definition order: every public TypedDict (an empty one becomes
``Record<string, never>``), every public alias of a Union, a Literal or another TypedDict,
and every ``<NAME>_CALLS`` map of request type -> (request, reply), which becomes the
interface ``<Name>Calls`` (``{ [type]: { request; reply } }``). Docstrings become JSDoc,
a field's trailing ``# comment`` becomes a ``//`` comment.
"""

from __future__ import annotations

import ast
import inspect
import io
import json
import sys
import textwrap
import tokenize
import types
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints, is_typeddict

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "js" / "src" / "shared" / "protocol.gen.ts"
MODULES = ("nbtrack.live.messages", "nbtrack.runs_table.messages", "nbtrack.reports.schema")

_SCALARS: dict[object, str] = {str: "string", int: "number", float: "number", bool: "boolean",
                               type(None): "null", object: "unknown", Any: "unknown"}


class ProtocolError(TypeError):
    """A protocol module uses a type the generator cannot write in TypeScript."""


def _is_union(t: object) -> bool:
    return get_origin(t) in (Union, types.UnionType)


def _is_alias_value(value: object) -> bool:
    return _is_union(value) or get_origin(value) is Literal or is_typeddict(value)


class _Writer:
    def __init__(self) -> None:
        self.aliases: list[tuple[object, str]] = []  # (value, exported name)
        self.names: set[str] = set()

    def alias_name(self, t: object) -> str | None:
        for value, name in self.aliases:
            if value is t:
                return name
        for value, name in self.aliases:
            if not is_typeddict(value) and get_origin(value) is get_origin(t) and value == t:
                return name
        return None

    def ts(self, t: object) -> str:
        """The TypeScript spelling of a resolved Python annotation."""
        named = self.alias_name(t)
        if named is not None:
            return named
        if is_typeddict(t):
            return typing.cast(type, t).__name__
        if t in _SCALARS:
            return _SCALARS[t]
        origin, args = get_origin(t), get_args(t)
        if origin is Literal:
            return " | ".join(json.dumps(a) for a in args)
        if _is_union(t):
            return " | ".join(self.ts(a) for a in args)
        if origin is list:
            inner = self.ts(args[0])
            bare = _is_union(args[0]) or get_origin(args[0]) is Literal
            return f"({inner})[]" if bare and self.alias_name(args[0]) is None else f"{inner}[]"
        if origin is tuple and args and args[-1] is not Ellipsis:
            return "[" + ", ".join(self.ts(a) for a in args) + "]"
        if origin is dict and args and args[0] is str:
            return f"Record<string, {self.ts(args[1])}>"
        raise ProtocolError(f"no TypeScript spelling for {t!r}: use str, int, float, bool, None, object, "
                            "list[...], dict[str, ...], tuple[...], Literal[...], a Union or a TypedDict")

    def claim(self, name: str, module: str) -> None:
        if name in self.names:
            raise ProtocolError(f"{name} is exported twice (again by {module}): the generated file is one namespace")
        self.names.add(name)


def _doc(obj: object, indent: str = "") -> list[str]:
    text = inspect.cleandoc(obj.__doc__ or "") if isinstance(obj, type) and "__doc__" in vars(obj) else ""
    if not text:
        return []
    lines = [" ".join(p.split()).replace("``", "`") for p in text.split("\n\n")]
    if len(lines) == 1:
        return [f"{indent}/** {lines[0]} */"]
    return [f"{indent}/**", *(f"{indent} * {p}" for p in lines), f"{indent} */"]


def _lineage(cls: type) -> list[type]:
    """A TypedDict and the TypedDicts it extends, bases first (Python 3.10 and 3.11 keep a
    TypedDict's bases nowhere at run time, so they are read from its class statement)."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    except (OSError, TypeError):
        return [cls]
    out: list[type] = []
    statement = tree.body[0]
    module = sys.modules[cls.__module__]
    for base in statement.bases if isinstance(statement, ast.ClassDef) else []:
        value = getattr(module, base.id, None) if isinstance(base, ast.Name) else None
        if value is not None and is_typeddict(value):
            out += [k for k in _lineage(typing.cast(type, value)) if k not in out]
    return [*out, cls]


def _field_comments(cls: type) -> dict[str, str]:
    """Trailing ``# comments`` of a class's fields, by field name (its bases' too)."""
    out: dict[str, str] = {}
    for klass in _lineage(cls):
        try:
            source = inspect.getsource(klass)
        except (OSError, TypeError):
            continue
        first_name: dict[int, str] = {}
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            row = tok.start[0]
            if tok.type == tokenize.NAME and row not in first_name:
                first_name[row] = tok.string
            elif tok.type == tokenize.COMMENT and row in first_name:
                out[first_name[row]] = tok.string.lstrip("#").strip()
    return out


def _interface(w: _Writer, cls: type) -> list[str]:
    hints = get_type_hints(cls)
    name = cls.__name__
    if not hints:
        return [*_doc(cls), f"export type {name} = Record<string, never>;"]
    required: frozenset[str] = getattr(cls, "__required_keys__", frozenset())
    comments = _field_comments(cls)
    lines = [*_doc(cls), f"export interface {name} {{"]
    for field in _field_order(cls):
        opt = "" if field in required else "?"
        note = f" // {comments[field]}" if field in comments else ""
        lines.append(f"  {field}{opt}: {w.ts(hints[field])};{note}")
    lines.append("}")
    return lines


def _field_order(cls: type) -> list[str]:
    """Fields in the order they were written, bases first."""
    seen: list[str] = []
    for klass in _lineage(cls):
        for field in vars(klass).get("__annotations__", {}):
            if field not in seen:
                seen.append(field)
    return seen


def _calls_name(var: str) -> str:
    return "".join(part.capitalize() for part in var.split("_"))


def _exports(module: types.ModuleType) -> Iterator[tuple[str, object]]:
    for var, value in vars(module).items():
        if var.startswith("_"):
            continue
        if is_typeddict(value):
            # a TypedDict defined here, or a new name for one; not one imported under its name
            if getattr(value, "__module__", "") == module.__name__ or getattr(value, "__name__", "") != var:
                yield var, value
        elif _is_alias_value(value) or (var.endswith("_CALLS") and isinstance(value, dict)):
            yield var, value


def generate() -> str:
    """The text of js/src/shared/protocol.gen.ts."""
    w = _Writer()
    modules = [__import__(m, fromlist=["_"]) for m in MODULES]
    sources = ", ".join(f"nbtrack/{m.__name__.split('.', 1)[1].replace('.', '/')}.py" for m in modules)
    out = [f"// Generated by scripts/gen_protocol.py from {sources}.",
           "// Do not edit: change the Python TypedDicts and run `python scripts/gen_protocol.py`.",
           "/* eslint-disable */"]
    for module in modules:  # aliases first, so every use spells the alias
        for var, value in _exports(module):
            if _is_alias_value(value) and not (is_typeddict(value) and getattr(value, "__name__", "") == var):
                w.aliases.append((value, var))
    for module in modules:
        out += ["", f"// ---- {module.__name__} " + "-" * max(0, 70 - len(module.__name__))]
        for var, value in _exports(module):
            w.claim(var if not (var.endswith("_CALLS") and isinstance(value, dict)) else _calls_name(var),
                    module.__name__)
            out.append("")
            if isinstance(value, dict):
                out += _calls(w, var, value, module)
            elif is_typeddict(value) and getattr(value, "__name__", "") == var:
                out += _interface(w, typing.cast(type, value))
            else:
                target = getattr(value, "__name__", "") if is_typeddict(value) else w.alias_name(value) or var
                target = "" if target == var else target
                out.append(f"export type {var} = {target or _alias_body(w, value)};")
    return "\n".join(out) + "\n"


def _alias_body(w: _Writer, value: object) -> str:
    origin, args = get_origin(value), get_args(value)
    if origin is Literal:
        return " | ".join(json.dumps(a) for a in args)
    return " | ".join(w.ts(a) for a in args)


def _calls(w: _Writer, var: str, calls: dict[str, tuple[type, type]], module: types.ModuleType) -> list[str]:
    lines = [f"/** request type -> its request and reply ({module.__name__}.{var}). */",
             f"export interface {_calls_name(var)} {{"]
    for kind, (request, reply) in calls.items():
        hint = get_type_hints(request).get("type")
        if get_args(hint) != (kind,):
            raise ProtocolError(f"{var}[{kind!r}]: {request.__name__}.type must be Literal[{kind!r}]")
        lines.append(f"  {kind}: {{ request: {w.ts(request)}; reply: {w.ts(reply)} }};")
    lines.append("}")
    return lines


def main(argv: list[str]) -> int:
    text = generate()
    if "--check" in argv:
        if OUTPUT.exists() and OUTPUT.read_text() == text:
            return 0
        print(f"{OUTPUT.relative_to(ROOT)} is stale: run `python scripts/gen_protocol.py`", file=sys.stderr)
        return 1
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(text)
    print(f"wrote {OUTPUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main(sys.argv[1:]))
