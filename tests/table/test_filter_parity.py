"""The table's filter language is parsed twice: in the kernel (nbtrack/runs_table/filters.py)
and in the browser (js/src/table/filter.ts, so filtering works while a cell runs). Both
must read every filter the same way; this runs the TypeScript parser under node."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from nbtrack.runs_table.filters import FilterError, parse

ROOT = Path(__file__).resolve().parents[2]
ESBUILD = ROOT / "js" / "node_modules" / ".bin" / "esbuild"

COLUMNS = {
    "name": "str", "state": "str", "tags": "tags", "created_at": "time", "duration": "num",
    "config.lr": "num", "config.depth": "num", "config.optimizer": "str", "config.seed": "num",
    "summary.loss": "num", "summary.val.acc": "num", "config.val.acc": "num",
}

CASES = [
    "", "lr < 0.01", "lr<1e-3 and state = finished", "adam", "Adam SGD", "tags ~ base", "tag ~ base",
    "lr < abc", "or", "a or b", "lr < 1_000", "depth >= 2 && optimizer = 'sgd'", "'quoted words' here",
    "lr ~ 1", 'name = "a b"', "x = 1", "loss > -inf", "loss > inf", "lr <", "< 3", "lr < .5", "lr < 5.",
    "seed = 01", "seed == 3", "seed != 3", "optimizer > 2", "optimizer > b", "val.acc > 0.5",
    "LR < 0.1", "status = running", "runtime > 10", "lr < 1e400", "lr < nan", "lr < +2", "lr < 0x10",
    "lr<0.1 seed>1", "optimizer ~ 'ad", "name = <img src=x onerror=alert(1)>", "loss >= 1E-2",
]


def python_side(text: str) -> dict:
    try:
        f = parse(text, list(COLUMNS), COLUMNS)
    except FilterError:
        return {"error": True}
    return {"clauses": [[c.column, c.op, _js(c.value)] for c in f.clauses], "text": f.text}


def _js(value: float | str) -> float | str:
    """How the node side prints a value (JSON has no Infinity)."""
    if isinstance(value, float) and value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    return value


@pytest.fixture(scope="module")
def ts_side(tmp_path_factory):
    node = shutil.which("node")
    if node is None or not ESBUILD.exists():
        pytest.skip("needs node and js/node_modules (scripts/setup.sh builds them)")
    out = tmp_path_factory.mktemp("parity")
    bundle = out / "filter.mjs"
    subprocess.run([str(ESBUILD), str(ROOT / "js/src/table/filter.ts"), "--bundle", "--format=esm",
                    "--platform=node", f"--outfile={bundle}", "--log-level=error"], check=True)
    runner = out / "run.mjs"
    runner.write_text(
        "import { parse, FilterError } from './filter.mjs';\n"
        "import { readFileSync } from 'node:fs';\n"
        "const { cases, columns } = JSON.parse(readFileSync(0, 'utf8'));\n"
        "const num = (v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v);\n"
        "const cols = Object.entries(columns).map(([key, kind]) => ({ key, label: key, group: 'run', kind }));\n"
        "const out = cases.map((text) => { try { const f = parse(text, cols);\n"
        "  return { clauses: f.clauses.map((c) => [c.column, c.op, num(c.value)]), text: f.text }; }\n"
        "  catch (e) { if (e instanceof FilterError) return { error: true }; throw e; } });\n"
        "process.stdout.write(JSON.stringify(out));\n"
    )
    result = subprocess.run([node, str(runner)], input=json.dumps({"cases": CASES, "columns": COLUMNS}),
                            capture_output=True, text=True, check=True)
    return dict(zip(CASES, json.loads(result.stdout)))


@pytest.mark.parametrize("text", CASES)
def test_kernel_and_browser_read_a_filter_the_same_way(text, ts_side):
    assert ts_side[text] == python_side(text)
