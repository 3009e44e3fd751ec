// The filter parser (its agreement with the kernel's is tests/table/test_filter_parity.py).
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Column } from "../../src/shared/protocol.gen";
import { FilterError, cmp, parse, resolveColumn } from "../../src/table/filter";

const COLS: Column[] = [
  { key: "name", label: "name", group: "run", kind: "str" },
  { key: "state", label: "state", group: "run", kind: "str" },
  { key: "tags", label: "tags", group: "run", kind: "tags" },
  { key: "config.lr", label: "lr", group: "config", kind: "num" },
  { key: "config.acc", label: "acc", group: "config", kind: "num" },
  { key: "summary.acc", label: "acc", group: "summary", kind: "num" },
];

test("clauses name a column, an operator and a value; other words are free text", () => {
  assert.deepEqual(parse("lr < 1e-3 and state == finished big", COLS), {
    clauses: [{ column: "config.lr", op: "<", value: 0.001 }, { column: "state", op: "=", value: "finished" }],
    text: ["big"],
  });
});

test("quoted values keep their spaces; aliases map to columns", () => {
  assert.deepEqual(parse('name = "a b" tag ~ base status != crashed', COLS).clauses, [
    { column: "name", op: "=", value: "a b" }, { column: "tags", op: "~", value: "base" }, { column: "state", op: "!=", value: "crashed" },
  ]);
});

test("a numeric column wants a number; infinities are numbers", () => {
  assert.equal(parse("lr > -inf", COLS).clauses[0].value, -Infinity);
  assert.throws(() => parse("lr < abc", COLS), /numeric; 'abc' is not a number/);
  assert.throws(() => parse("lr ~ 1", COLS), FilterError);
});

test("mistakes get a message that says what to do", () => {
  assert.throws(() => parse("a or b", COLS), /'or' is not supported/);
  assert.throws(() => parse("< 3", COLS), /needs a column on its left/);
  assert.throws(() => parse("lr <", COLS), /needs a value/);
  assert.throws(() => parse("nosuch = 1", COLS), /unknown column 'nosuch'/);
  assert.throws(() => parse("acc > 0.5", COLS), /ambiguous: say config.acc or summary.acc/);
  assert.throws(() => parse("name > b", COLS), /holds text/);
});

test("column names resolve exactly, case-insensitively, or by their short name", () => {
  const keys = COLS.map((c) => c.key);
  assert.equal(resolveColumn("LR", keys), "config.lr");
  assert.equal(resolveColumn("summary.acc", keys), "summary.acc");
  assert.equal(resolveColumn("NAME", keys), "name");
});

test("cmp compares numbers and text with every operator", () => {
  assert.ok(cmp("<=", 1, 1) && cmp(">", "b", "a") && cmp("!=", 1, 2) && cmp("=", "x", "x"));
  assert.ok(!cmp("<", 2, 1) && !cmp("~", 1, 1));
});
