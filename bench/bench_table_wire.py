"""Would Arrow IPC carry the runs table's rows and curves better than what we send now?

    .venv/bin/python bench/bench_table_wire.py

Today a ``load`` reply is JSON (ids, text and tag columns as lists) plus one
little-endian Float64 buffer per numeric column; a ``curves`` reply is JSON (one small
dict per run) plus one Float64 buffer per run (x then y). The alternative is one Arrow
IPC stream per reply (as quak does). This measures, for 1,000 and 10,000 runs with 25
config and 25 summary keys (5 of each text) and for the curves of 50 runs x 1,000
points: the bytes each encoding puts on the wire, the kernel's encode time (median of 9;
the JSON encoding is what the comm does with the reply: json.dumps) and, in node, the
browser-side decode of today's encoding (JSON.parse + Float64 copies, median of 9).
Decoding Arrow in the browser would need the apache-arrow package bundled into the
widget, which this project does not carry; the byte and kernel-time figures decide.
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nbtrack.runs_table.messages import Column
from nbtrack.runs_table.queries import FIXED, TableData

REPEAT = 9


def table(n: int) -> TableData:
    rng = np.random.default_rng(0)
    columns: list[Column] = [c for c in FIXED if c["key"] != "sweep"]
    data: dict[str, list[Any]] = {
        "name": [f"run-{i}" for i in range(n)], "state": rng.choice(["finished", "running", "crashed"], n).tolist(),
        "created_at": (1.7e9 + np.arange(n, dtype=float)).tolist(), "duration": rng.uniform(1, 9e3, n).tolist(),
        "tags": [["baseline"] if i % 3 else ["sweep", "big"] for i in range(n)], "notes": [""] * n,
        "id": [f"{i:08x}" for i in range(n)], "project": ["bench"] * n,
    }
    for group in ("config", "summary"):
        for k in range(25):
            key = f"{group}.k{k}"
            if k < 5:
                columns.append({"key": key, "label": f"k{k}", "group": group, "kind": "str"})
                words = ["adam", "sgd", "adamw", ""]
                data[key] = [words[i] or None for i in rng.integers(0, len(words), n)]
            else:
                columns.append({"key": key, "label": f"k{k}", "group": group, "kind": "num"})
                vals = rng.normal(size=n)
                data[key] = [None if v > 2.5 else float(v) for v in vals]
    return TableData(columns, data, data["id"])


def ours_load(data: TableData) -> tuple[str, list[bytes]]:
    rows, buffers = data.rows(binary=True)
    return json.dumps({"type": "reply", "rid": 1, "req": "load", "ok": True, "columns": data.columns,
                       "rows": rows, "total": len(data)}), buffers


def arrow_load(data: TableData) -> bytes:
    arrays, names = [], []
    for c in data.columns:
        vals = data.data[c["key"]]
        if c["kind"] in ("num", "time"):
            arrays.append(pa.array(vals, pa.float64()))
        elif c["kind"] == "tags":
            arrays.append(pa.array(vals, pa.list_(pa.string())))
        else:
            arrays.append(pa.array(vals, pa.string()))
        names.append(c["key"])
    return _ipc(pa.Table.from_arrays(arrays, names=names))


def _ipc(t: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, t.schema) as writer:
        writer.write_table(t)
    return bytes(sink.getvalue())


def curves(runs: int = 50, points: int = 1000) -> list[tuple[str, np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(1)
    return [(f"{r:08x}", np.arange(points, dtype=float) * 1000, rng.normal(size=points).cumsum()) for r in range(runs)]


def ours_curves(cs: list[tuple[str, np.ndarray, np.ndarray]]) -> tuple[str, list[bytes]]:
    series = [{"run": run, "n": len(x), "buf": i} for i, (run, x, _) in enumerate(cs)]
    buffers = [np.concatenate([x, y]).astype("<f8").tobytes() for _, x, y in cs]
    return json.dumps({"type": "reply", "rid": 1, "req": "curves", "ok": True, "key": "loss", "series": series}), buffers


def arrow_curves(cs: list[tuple[str, np.ndarray, np.ndarray]]) -> bytes:
    run = pa.array([r for r, x, _ in cs for _ in range(len(x))]).dictionary_encode()
    return _ipc(pa.table({"run": run, "step": np.concatenate([x for _, x, _ in cs]),
                          "y": np.concatenate([y for _, _, y in cs])}))


def median_ms(fn: Callable[[], object]) -> float:
    times = []
    for _ in range(REPEAT):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


NODE_DECODE = r"""
import { readFileSync } from "node:fs";
const dir = process.argv[2];
const meta = JSON.parse(readFileSync(dir + "/cases.json", "utf8"));
const out = {};
for (const c of meta) {
  const text = readFileSync(dir + "/" + c.name + ".json", "utf8");
  const bufs = c.buffers.map((f) => { const b = readFileSync(dir + "/" + f); return new DataView(b.buffer, b.byteOffset, b.byteLength); });
  const times = [];
  for (let r = 0; r < 9; r++) {
    const t0 = performance.now();
    const msg = JSON.parse(text);
    let n = 0;
    for (const b of bufs) { const u = new Uint8Array(b.buffer, b.byteOffset, b.byteLength); n += new Float64Array(u.slice(0, u.length - (u.length % 8)).buffer).length; }
    times.push(performance.now() - t0);
    if (!msg || n < 0) throw new Error("unreachable");
  }
  times.sort((a, b) => a - b);
  out[c.name] = times[4];
}
process.stdout.write(JSON.stringify(out));
"""


def node_decode_ms(cases: dict[str, tuple[str, list[bytes]]]) -> dict[str, float] | None:
    node = shutil.which("node")
    if node is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        meta = []
        for name, (text, buffers) in cases.items():
            (d / f"{name}.json").write_text(text)
            files = []
            for i, b in enumerate(buffers):
                (d / f"{name}.{i}.bin").write_bytes(b)
                files.append(f"{name}.{i}.bin")
            meta.append({"name": name, "buffers": files})
        (d / "cases.json").write_text(json.dumps(meta))
        (d / "decode.mjs").write_text(NODE_DECODE)
        out = subprocess.run([node, str(d / "decode.mjs"), str(d)], capture_output=True, text=True, check=True)
        return {k: float(v) for k, v in json.loads(out.stdout).items()}


def main() -> None:
    rows = []
    cases: dict[str, tuple[str, list[bytes]]] = {}
    for n in (1_000, 10_000):
        data = table(n)
        text, buffers = ours_load(data)
        ipc = arrow_load(data)
        cases[f"load {n}"] = (text, buffers)
        rows.append((f"load, {n:,} runs", len(text) + sum(map(len, buffers)), len(ipc),
                     median_ms(partial(ours_load, data)), median_ms(partial(arrow_load, data))))
    cs = curves()
    text, buffers = ours_curves(cs)
    cases["curves"] = (text, buffers)
    rows.append(("curves, 50 runs x 1,000 points", len(text) + sum(map(len, buffers)), len(arrow_curves(cs)),
                 median_ms(lambda: ours_curves(cs)), median_ms(lambda: arrow_curves(cs))))
    decode = node_decode_ms(cases) or {}
    print(f"{'reply':34} {'ours bytes':>11} {'Arrow bytes':>12} {'ours encode':>12} {'Arrow encode':>13} {'ours decode (node)':>19}")
    for (label, ours_b, arrow_b, ours_t, arrow_t), name in zip(rows, cases):
        dec = f"{decode[name]:.2f} ms" if name in decode else "n/a"
        print(f"{label:34} {ours_b:>11,} {arrow_b:>12,} {ours_t:>9.2f} ms {arrow_t:>10.2f} ms {dec:>19}")


if __name__ == "__main__":
    main()
