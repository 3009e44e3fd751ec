// The table's filter language, evaluated over the rows the browser holds.
// Mirror of nbtrack/runs_table/filters.py: tests/table/test_filter_parity.py keeps the two in step.
import type { Column } from "../shared/protocol.gen";

export interface Clause {
  column: string;
  op: string;
  value: number | string;
}

export interface Filter {
  clauses: Clause[];
  text: string[];
}

export class FilterError extends Error {}

const TOKEN = /\s*(?:("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|(<=|>=|!=|==|=|<|>|~)|([^\s<>=!~"']+)|(\S))/g;
const ALIASES: Record<string, string> = { tag: "tags", status: "state", start: "created_at", runtime: "duration" };

type Tok = [kind: "str" | "op" | "word", val: string];

function tokens(text: string): Tok[] {
  const out: Tok[] = [];
  TOKEN.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = TOKEN.exec(text)) !== null) {
    if (m[0] === "") break;
    if (m[4] !== undefined) throw new FilterError(`unexpected '${m[4]}' in the filter`);
    if (m[1] !== undefined) out.push(["str", m[1].slice(1, -1).replace(/\\(.)/g, "$1")]);
    else if (m[2] !== undefined) out.push(["op", m[2]]);
    else if (m[3] !== undefined) out.push(["word", m[3]]);
  }
  return out;
}

export function resolveColumn(name: string, columns: string[]): string {
  name = ALIASES[name] ?? name;
  if (columns.includes(name)) return name;
  const low = name.toLowerCase();
  const exact = columns.filter((c) => c.toLowerCase() === low);
  if (exact.length === 1) return exact[0];
  const short = columns.filter((c) => c.includes(".") && c.slice(c.indexOf(".") + 1).toLowerCase() === low);
  if (short.length === 1) return short[0];
  if (short.length > 1) throw new FilterError(`'${name}' is ambiguous: say ${short.sort().join(" or ")}`);
  throw new FilterError(`unknown column '${name}'`);
}

function num(text: string): number | null {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text) && !/^[+-]?(inf|infinity)$/i.test(text)) return null;
  const v = /inf/i.test(text) ? (text.startsWith("-") ? -Infinity : Infinity) : Number(text);
  return Number.isNaN(v) ? null : v;
}

export function parse(text: string, cols: Column[]): Filter {
  const keys = cols.map((c) => c.key);
  const kinds = new Map(cols.map((c) => [c.key, c.kind]));
  const toks = tokens(text || "");
  const f: Filter = { clauses: [], text: [] };
  let i = 0;
  while (i < toks.length) {
    const [kind, val] = toks[i];
    const nxt = toks[i + 1];
    if (kind === "word" && (val.toLowerCase() === "and" || val === "&&")) { i++; continue; }
    if (kind === "word" && val.toLowerCase() === "or") throw new FilterError("'or' is not supported: all conditions must hold");
    if (kind === "op") throw new FilterError(`'${val}' needs a column on its left`);
    if (nxt && nxt[0] === "op") {
      if (kind !== "word") throw new FilterError(`a column name cannot be quoted: '${val}'`);
      if (i + 2 >= toks.length || toks[i + 2][0] === "op") throw new FilterError(`${val} ${nxt[1]} needs a value`);
      const col = resolveColumn(val, keys);
      const op = nxt[1] === "==" ? "=" : nxt[1];
      const [vkind, raw] = toks[i + 2];
      const ck = kinds.get(col) ?? "str";
      let value: number | string = raw;
      if (ck === "num" || ck === "time") {
        if (op === "~") throw new FilterError(`${col} is numeric: use < <= > >= = != with a number`);
        const n = vkind === "word" ? num(raw) : null;
        if (n === null) throw new FilterError(`${col} is numeric; '${raw}' is not a number`);
        value = n;
      } else if (op === "<" || op === "<=" || op === ">" || op === ">=") {
        const n = vkind === "word" ? num(raw) : null;
        if (n === null) throw new FilterError(`${col} holds text: use =, != or ~ (contains)`);
        value = n;
      }
      f.clauses.push({ column: col, op, value });
      i += 3;
      continue;
    }
    f.text.push(val.toLowerCase());
    i++;
  }
  return f;
}

export function cmp(op: string, a: number | string, b: number | string): boolean {
  switch (op) {
    case "<": return a < b;
    case "<=": return a <= b;
    case ">": return a > b;
    case ">=": return a >= b;
    case "=": return a === b;
    case "!=": return a !== b;
  }
  return false;
}
