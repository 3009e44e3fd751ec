// The rows the browser holds: decoding, filtering, sorting and edits, so the table works
// while a cell runs.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Column, Rows } from "../../src/shared/protocol.gen";
import { TableData } from "../../src/table/data";
import { parse } from "../../src/table/filter";

const COLUMNS: Column[] = [
  { key: "name", label: "name", group: "run", kind: "str" },
  { key: "state", label: "state", group: "run", kind: "str" },
  { key: "tags", label: "tags", group: "run", kind: "tags" },
  { key: "config.lr", label: "lr", group: "config", kind: "num" },
  { key: "config.optimizer", label: "optimizer", group: "config", kind: "str" },
  { key: "summary.loss", label: "loss", group: "summary", kind: "num" },
];

function table(): TableData {
  const rows: Rows = {
    ids: ["a", "b", "c", "d"],
    cols: {
      name: { v: ["alpha", "beta", "gamma", null] },
      state: { v: ["finished", "running", "finished", "crashed"] },
      tags: { v: [["baseline"], ["Sweep", "big"], [], null] },
      "config.lr": { buf: 0 },
      "config.optimizer": { v: ["adam", "sgd", "adam", "sgd"] },
      "summary.loss": { v: [0.5, null, 0.25, 0.75] },
    },
  };
  return TableData.from(COLUMNS, rows, [Float64Array.from([0.1, 0.01, NaN, 0.001]).buffer], true);
}

const ids = (d: TableData, idx: Int32Array) => [...idx].map((i) => d.ids[i]);
const keep = (d: TableData, text: string, state = "", tag = "") => ids(d, d.filter(parse(text, COLUMNS), [], new Set(), state, tag));

test("numbers come from a buffer or JSON (missing is NaN), text and tags from JSON", () => {
  const d = table();
  assert.deepEqual([...d.num("config.lr")!].map(String), ["0.1", "0.01", "NaN", "0.001"]);
  assert.deepEqual([...d.num("summary.loss")!].map(String), ["0.5", "NaN", "0.25", "0.75"]);
  assert.equal(d.text("name", 3), "");
  assert.equal(d.text("tags", 1), "Sweep, big");
  assert.equal(d.num("name"), null);
});

test("a short numeric column is padded with missing values", () => {
  const d = TableData.from(COLUMNS, { ids: ["a", "b"], cols: { "config.lr": { v: [1] } } }, [], false);
  assert.deepEqual([...d.num("config.lr")!].map(String), ["1", "NaN"]);
});

test("filters: numeric clauses skip missing values, text is case-insensitive", () => {
  const d = table();
  assert.deepEqual(keep(d, "lr < 0.05"), ["b", "d"]);
  assert.deepEqual(keep(d, "loss >= 0.5 and optimizer = SGD"), ["d"]);
  assert.deepEqual(keep(d, "name ~ AL"), ["a"]);
  assert.deepEqual(keep(d, "ALPHA"), ["a"]); // free text over text and tag columns
  assert.deepEqual(keep(d, "big"), ["b"]);
  assert.deepEqual(keep(d, ""), ["a", "b", "c", "d"]);
});

test("tags match whole tags with =, parts with ~, and != keeps runs without the tag", () => {
  const d = table();
  assert.deepEqual(keep(d, "tags = sweep"), ["b"]);
  assert.deepEqual(keep(d, "tags ~ base"), ["a"]);
  assert.deepEqual(keep(d, "tags != sweep"), ["a", "c", "d"]);
});

test("the state and tag pickers, brushes and hidden runs narrow the rows too", () => {
  const d = table();
  assert.deepEqual(keep(d, "", "finished"), ["a", "c"]);
  assert.deepEqual(keep(d, "", "", "baseline"), ["a"]);
  assert.deepEqual(ids(d, d.filter(parse("", COLUMNS), [{ key: "config.lr", lo: 0.005, hi: 0.2 }], new Set(), "", "")), ["a", "b"]);
  assert.deepEqual(ids(d, d.filter(parse("", COLUMNS), [], new Set(["a", "c"]), "", "")), ["b", "d"]);
});

test("a clause on a column the rows do not have keeps nothing", () => {
  const d = TableData.from(COLUMNS.slice(0, 1), { ids: ["a"], cols: { name: { v: ["x"] } } }, [], true);
  assert.deepEqual(ids(d, d.filter({ clauses: [{ column: "config.lr", op: "<", value: 1 }], text: [] }, [], new Set(), "", "")), []);
});

test("sorting puts missing values last in both directions", () => {
  const d = table();
  const all = () => Int32Array.from([0, 1, 2, 3]);
  assert.deepEqual(ids(d, d.sort(all(), "config.lr", 1)), ["d", "b", "a", "c"]);
  assert.deepEqual(ids(d, d.sort(all(), "config.lr", -1)), ["a", "b", "d", "c"]);
  assert.deepEqual(ids(d, d.sort(all(), "name", -1)), ["c", "b", "a", "d"]);
  assert.deepEqual(ids(d, d.sort(all(), "name", 1)), ["a", "b", "c", "d"]);
});

test("text sorts by natural order (run-2 before run-10)", () => {
  const d = TableData.from(COLUMNS.slice(0, 1), { ids: ["x", "y"], cols: { name: { v: ["run-10", "run-2"] } } }, [], true);
  assert.deepEqual(ids(d, d.sort(Int32Array.from([0, 1]), "name", 1)), ["y", "x"]);
});

test("an edit reply patches the held row; a deletion removes rows from every column", () => {
  const d = table();
  d.patch("b", { name: "renamed", tags: ["x"] });
  assert.equal(d.text("name", 1), "renamed");
  assert.equal(d.text("tags", 1), "x");
  d.remove(["a", "c"]);
  assert.deepEqual(d.ids, ["b", "d"]);
  assert.deepEqual([...d.num("config.lr")!], [0.01, 0.001]);
  assert.equal(d.text("name", 0), "renamed");
});
