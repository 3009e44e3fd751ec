"""The package's import graph: acyclic, and every import goes down the layers that
docs/architecture.md writes down ("Layers").

Every import of an nbtrack module counts, at module level and inside functions alike
(an import inside a function is still a dependency; it is only allowed where it defers
a heavy third-party package, and it must go downward like any other). Imports under
``if TYPE_CHECKING:`` are not edges: they never run, and the Protocols and annotations
they serve are how a lower layer names what it receives from a higher one.
"""

from __future__ import annotations

import ast
import fnmatch
import json
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARCHITECTURE = ROOT / "docs" / "architecture.md"

#: Third-party packages `import nbtrack.session` (what `nbtrack.init()` needs) may load.
#: Everything else heavy (duckdb, pandas, pyarrow, torch, keras, anywidget, ...) is imported
#: inside the function that needs it, so init() stays fast. Add one only with a reason.
INIT_THIRD_PARTY_ALLOWED: dict[str, str] = {}


def _modules(root: Path) -> dict[str, Path]:
    found = {}
    for path in (root / "nbtrack").rglob("*.py"):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for inner in node.body:
                skipped.update(id(n) for n in ast.walk(inner))
    return skipped


def import_graph(root: Path = ROOT) -> dict[str, set[str]]:
    """module -> the nbtrack modules it imports (a name imported from a package counts as
    the submodule when it is one, else as the package), for the checkout at `root`."""
    modules = _modules(root)

    def resolve(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    edges: dict[str, set[str]] = defaultdict(set)
    for module, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skipped = _type_checking_nodes(tree)
        base = module if path.name == "__init__.py" else module.rpartition(".")[0]
        for node in ast.walk(tree):
            if id(node) in skipped:
                continue
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names if alias.name.split(".")[0] == "nbtrack"]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    package = base
                    for _ in range(node.level - 1):
                        package = package.rpartition(".")[0]
                    full = package + ("." + node.module if node.module else "")
                else:
                    full = node.module or ""
                if full.split(".")[0] == "nbtrack":
                    targets = [f"{full}.{alias.name}" for alias in node.names]
            for target in targets:
                resolved = resolve(target)
                if resolved is not None and resolved != module:
                    edges[module].add(resolved)
    for module in modules:
        edges.setdefault(module, set())
    return dict(edges)


def graph_in_a_fresh_process(root: Path = ROOT) -> dict[str, set[str]]:
    """`import_graph()` computed in a new interpreter: CPython 3.11's ``ast.parse`` can fail
    with "AST constructor recursion depth mismatch" when called deep in a long test
    session's stack (after asyncio-driven tests); a fresh process parses from the top."""
    code = ("import json, sys, pathlib; sys.path.insert(0, sys.argv[1]); from test_import_graph import import_graph; "
            "print(json.dumps({m: sorted(t) for m, t in import_graph(pathlib.Path(sys.argv[2])).items()}))")
    out = subprocess.run([sys.executable, "-c", code, str(Path(__file__).parent), str(root)], capture_output=True,
                         text=True, check=True, cwd=ROOT).stdout
    return {module: set(targets) for module, targets in json.loads(out).items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def documented_layers() -> list[tuple[str, list[str]]]:
    """(layer name, module patterns), bottom layer first, as docs/architecture.md lists them
    between the ``import-layers`` markers."""
    text = ARCHITECTURE.read_text(encoding="utf-8")
    block = re.search(r"<!-- import-layers -->(.*?)<!-- /import-layers -->", text, re.S)
    assert block, "docs/architecture.md must list the layers between <!-- import-layers --> markers"
    layers = []
    for line in block.group(1).splitlines():
        match = re.match(r"\s*\d+\.\s+\*\*(.+?)\*\*", line)
        if match:
            layers.append((match.group(1), re.findall(r"`(nbtrack[\w.*]*)`", line)))
    assert layers, "no layers found in docs/architecture.md"
    return layers


def layer_of(module: str, layers: list[tuple[str, list[str]]]) -> int | None:
    """The layer of the most specific pattern that matches `module` (None if none does)."""
    best: tuple[int, int] | None = None  # (pattern length, layer)
    for number, (_, patterns) in enumerate(layers):
        for pattern in patterns:
            if fnmatch.fnmatchcase(module, pattern) and (best is None or len(pattern) > best[0]):
                best = (len(pattern), number)
    return None if best is None else best[1]


def test_the_package_has_no_import_cycle() -> None:
    found = cycles(graph_in_a_fresh_process())
    assert not found, "import cycles (module -> ... -> module):\n" + "\n".join(" ".join(c) for c in found)


def test_every_module_has_a_documented_layer() -> None:
    layers = documented_layers()
    missing = sorted(m for m in graph_in_a_fresh_process() if layer_of(m, layers) is None)
    assert not missing, f"modules in no layer of docs/architecture.md (add them to one): {missing}"


def test_imports_go_down_the_layers() -> None:
    layers = documented_layers()
    edges = graph_in_a_fresh_process()
    upward = []
    for module, targets in sorted(edges.items()):
        own = layer_of(module, layers)
        for target in sorted(targets):
            theirs = layer_of(target, layers)
            if own is not None and theirs is not None and theirs > own:
                upward.append(f"{module} ({layers[own][0]}) imports {target} ({layers[theirs][0]})")
    assert not upward, "imports against the layer order of docs/architecture.md:\n" + "\n".join(upward)


def test_init_loads_no_heavy_third_party_package() -> None:
    code = (
        "import sys; before = set(sys.modules); import nbtrack, nbtrack.session; "
        "print('\\n'.join(sorted({m.split('.')[0] for m in set(sys.modules) - before})))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    loaded = set(out.split())
    third_party = sorted(m for m in loaded if m not in sys.stdlib_module_names and m != "nbtrack"
                         and not m.startswith("_") and m not in INIT_THIRD_PARTY_ALLOWED)
    assert not third_party, f"`import nbtrack.session` loads {third_party}; import them where they are used"


def test_the_graph_sees_imports_inside_functions_and_skips_type_checking(tmp_path: Path) -> None:
    """The checker itself: an in-function import is an edge, a TYPE_CHECKING one is not."""
    package = tmp_path / "nbtrack"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "low.py").write_text("def f():\n    from . import high\n")
    (package / "high.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .low import f\n")
    edges = graph_in_a_fresh_process(tmp_path)
    assert edges["nbtrack.low"] == {"nbtrack.high"}
    assert edges["nbtrack.high"] == set()
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
