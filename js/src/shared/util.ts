// Small DOM and formatting helpers. All user text goes through textContent, never HTML.

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  cls?: string,
  text?: string,
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

export const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

export function alpha(hex: string, a: number): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${a})`;
}

/** The key of one run's series of one metric (maps of series are keyed by it). */
export function seriesId(run: string, key: string): string {
  return run + "\u0000" + key;
}

/** Metric group: the prefix before the first "/", "" for ungrouped keys (charts/layout.ts
 * has the live panel's full rules: sectionOf, sectionOrder). */
export function groupOf(key: string): string {
  const i = key.indexOf("/");
  return i > 0 ? key.slice(0, i) : "";
}

export function groupOrder(a: string, b: string): number {
  const rank = (g: string) => (g === "" ? 0 : g === "system" ? 2 : 1);
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}

export function fmtNum(v: number | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) return "–";
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(3);
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(5)));
}

export function fmtDuration(s: number | null | undefined): string {
  if (s === null || s === undefined || !Number.isFinite(s)) return "–";
  const neg = s < 0;
  s = Math.abs(s);
  let out: string;
  if (s < 60) out = `${s < 10 ? s.toFixed(1) : Math.round(s)}s`;
  else if (s < 3600) out = `${Math.floor(s / 60)}m${String(Math.floor(s % 60)).padStart(2, "0")}s`;
  else out = `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
  return neg ? "-" + out : out;
}

/** Sorted union of sorted arrays (the shared x of an aligned uPlot data set). */
export function unionSorted(arrs: Float64Array[]): Float64Array {
  if (arrs.length === 0) return new Float64Array(0);
  if (arrs.length === 1) return arrs[0];
  const first = arrs[0];
  if (arrs.every((a) => a.length === first.length && a[0] === first[0] && a[a.length - 1] === first[first.length - 1])) {
    let same = true;
    outer: for (const a of arrs) for (let i = 0; i < a.length; i++) if (a[i] !== first[i]) { same = false; break outer; }
    if (same) return first;
  }
  let total = 0;
  for (const a of arrs) total += a.length;
  const all = new Float64Array(total);
  let o = 0;
  for (const a of arrs) { all.set(a, o); o += a.length; }
  all.sort();
  let m = 0;
  for (let i = 0; i < all.length; i++) if (i === 0 || all[i] !== all[m - 1]) all[m++] = all[i];
  return all.slice(0, m);
}

/** y values of (x, y) placed at their positions in ux (nulls elsewhere). */
export function align(ux: Float64Array, x: Float64Array, y: ArrayLike<number>, n: number, positiveOnly: boolean): (number | null)[] {
  const out: (number | null)[] = new Array(ux.length).fill(null);
  let j = 0;
  for (let i = 0; i < n; i++) {
    const xi = x[i];
    while (j < ux.length && ux[j] < xi) j++;
    if (j >= ux.length) break;
    if (ux[j] === xi) {
      const v = y[i];
      out[j] = Number.isFinite(v) && (!positiveOnly || v > 0) ? v : null;
    }
  }
  return out;
}

/** Sort (x, y) by x when not already sorted (time axes of merged series). */
export function sortedPair(x: Float64Array, y: Float64Array, n: number): [Float64Array, Float64Array] {
  let sorted = true;
  for (let i = 1; i < n; i++) if (x[i] < x[i - 1]) { sorted = false; break; }
  if (sorted) return [x.subarray(0, n), y.subarray(0, n)];
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => x[a] - x[b]);
  return [Float64Array.from(idx, (i) => x[i]), Float64Array.from(idx, (i) => y[i])];
}
