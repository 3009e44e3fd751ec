// The rows the browser holds, columnar: numbers in Float64Arrays (NaN = missing), text in
// arrays. Sorting and filtering run here, so they work while the kernel is busy.
import { float64 } from "../shared/buffers";
import { cmp, type Filter } from "./filter";
import type { Column, Rows } from "../shared/protocol.gen";

export type ColValues = Float64Array | (string | null)[] | string[][];

export interface Brush {
  key: string;
  lo: number;
  hi: number;
}

export class TableData {
  columns: Column[] = [];
  byKey = new Map<string, Column>();
  ids: string[] = [];
  values = new Map<string, ColValues>();
  complete = false; // all runs loaded (not only the saved first page)

  static from(columns: Column[], rows: Rows, buffers: unknown[], complete: boolean): TableData {
    const d = new TableData();
    d.columns = columns;
    d.complete = complete;
    d.ids = rows.ids || [];
    const n = d.ids.length;
    for (const c of columns) {
      d.byKey.set(c.key, c);
      const cd = rows.cols?.[c.key] || {};
      if (c.kind === "num" || c.kind === "time") {
        let arr: Float64Array;
        if (cd.buf !== undefined) arr = float64(buffers[cd.buf]);
        else arr = Float64Array.from(cd.v || [], (v) => (typeof v === "number" ? v : NaN));
        if (arr.length < n) { const b = new Float64Array(n).fill(NaN); b.set(arr); arr = b; }
        d.values.set(c.key, arr);
      } else if (c.kind === "tags") {
        d.values.set(c.key, (cd.v || []).map((v) => (Array.isArray(v) ? v.map(String) : [])) as string[][]);
      } else {
        d.values.set(c.key, (cd.v || []).map((v) => (v === null || v === undefined ? null : String(v))));
      }
    }
    return d;
  }

  get length(): number {
    return this.ids.length;
  }

  num(key: string): Float64Array | null {
    const v = this.values.get(key);
    return v instanceof Float64Array ? v : null;
  }

  text(key: string, i: number): string {
    const v = this.values.get(key);
    if (!v) return "";
    if (v instanceof Float64Array) return Number.isNaN(v[i]) ? "" : String(v[i]);
    const x = v[i];
    if (Array.isArray(x)) return x.join(", ");
    return x ?? "";
  }

  /** Row indices that pass the filter, the brushes and are not hidden. */
  filter(f: Filter, brushes: Brush[], hidden: Set<string>, state: string, tag: string): Int32Array<ArrayBuffer> {
    const n = this.length;
    const ok = new Uint8Array(n).fill(1);
    if (hidden.size) for (let i = 0; i < n; i++) if (hidden.has(this.ids[i])) ok[i] = 0;
    const clauses = [...f.clauses];
    if (state) clauses.push({ column: "state", op: "=", value: state });
    if (tag) clauses.push({ column: "tags", op: "=", value: tag });
    for (const c of clauses) {
      const col = this.byKey.get(c.column);
      const v = this.values.get(c.column);
      if (!col || !v) { ok.fill(0); continue; }
      if (v instanceof Float64Array) {
        const want = Number(c.value);
        for (let i = 0; i < n; i++) if (ok[i] && (Number.isNaN(v[i]) || !cmp(c.op, v[i], want))) ok[i] = 0;
      } else if (col.kind === "tags") {
        const want = String(c.value).toLowerCase();
        const tv = v as string[][];
        for (let i = 0; i < n; i++) {
          if (!ok[i]) continue;
          const tags = tv[i].map((t) => t.toLowerCase());
          const hit = c.op === "~" ? tags.some((t) => t.includes(want)) : tags.includes(want);
          if (c.op === "!=" ? hit : !(hit && (c.op === "=" || c.op === "~"))) ok[i] = 0;
        }
      } else {
        const sv = v as (string | null)[];
        const numeric = typeof c.value === "number";
        const want = numeric ? (c.value as number) : String(c.value).toLowerCase();
        for (let i = 0; i < n; i++) {
          if (!ok[i]) continue;
          const x = sv[i];
          if (x === null) { ok[i] = 0; continue; }
          let pass: boolean;
          if (numeric) { const xn = Number(x); pass = !Number.isNaN(xn) && cmp(c.op, xn, want); }
          else if (c.op === "~") pass = x.toLowerCase().includes(want as string);
          else pass = cmp(c.op, x.toLowerCase(), want);
          if (!pass) ok[i] = 0;
        }
      }
    }
    for (const b of brushes) {
      const v = this.num(b.key);
      if (!v) continue;
      for (let i = 0; i < n; i++) if (ok[i] && !(v[i] >= b.lo && v[i] <= b.hi)) ok[i] = 0;
    }
    if (f.text.length) {
      const textCols = this.columns.filter((c) => c.kind === "str" || c.kind === "tags").map((c) => this.values.get(c.key)!);
      for (let i = 0; i < n; i++) {
        if (!ok[i]) continue;
        let hay = "";
        for (const v of textCols) {
          const x = (v as unknown[])[i];
          if (x !== null && x !== undefined) hay += " " + (Array.isArray(x) ? x.join(" ") : String(x));
        }
        hay = hay.toLowerCase();
        for (const t of f.text) if (!hay.includes(t)) { ok[i] = 0; break; }
      }
    }
    let m = 0;
    for (let i = 0; i < n; i++) if (ok[i]) m++;
    const out = new Int32Array(m);
    m = 0;
    for (let i = 0; i < n; i++) if (ok[i]) out[m++] = i;
    return out;
  }

  /** Sort row indices in place by a column (missing values last either way). */
  sort<T extends Int32Array>(idx: T, key: string, dir: 1 | -1): T {
    const v = this.values.get(key);
    if (!v) return idx;
    if (v instanceof Float64Array) {
      return idx.sort((a, b) => {
        const x = v[a], y = v[b];
        const nx = Number.isNaN(x), ny = Number.isNaN(y);
        if (nx || ny) return nx === ny ? a - b : nx ? 1 : -1;
        return x === y ? a - b : (x < y ? -1 : 1) * dir;
      });
    }
    const keys: (string | null)[] = (v as unknown[]).map((x) => (x === null || x === undefined ? null : Array.isArray(x) ? x.join(",").toLowerCase() : String(x).toLowerCase()));
    const coll = new Intl.Collator(undefined, { numeric: true });
    return idx.sort((a, b) => {
      const x = keys[a], y = keys[b];
      if (x === null || y === null || x === "" || y === "") {
        const ex = x === null || x === "", ey = y === null || y === "";
        if (ex !== ey) return ex ? 1 : -1;
        if (ex && ey) return a - b;
      }
      return (coll.compare(x as string, y as string) || a - b) * (x === y ? 1 : dir);
    });
  }

  /** Apply an edit reply to the held rows. */
  patch(id: string, fields: { name?: string; notes?: string; tags?: string[] }): void {
    const i = this.ids.indexOf(id);
    if (i < 0) return;
    if (fields.name !== undefined) (this.values.get("name") as (string | null)[])[i] = fields.name;
    if (fields.notes !== undefined) (this.values.get("notes") as (string | null)[])[i] = fields.notes;
    if (fields.tags !== undefined) (this.values.get("tags") as string[][])[i] = fields.tags;
  }

  remove(ids: string[]): void {
    const gone = new Set(ids);
    const keep: number[] = [];
    this.ids.forEach((id, i) => { if (!gone.has(id)) keep.push(i); });
    this.ids = keep.map((i) => this.ids[i]);
    for (const [k, v] of this.values) {
      if (v instanceof Float64Array) this.values.set(k, Float64Array.from(keep, (i) => v[i]));
      else this.values.set(k, keep.map((i) => (v as unknown[])[i]) as ColValues);
    }
  }
}
