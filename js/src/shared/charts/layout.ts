// Which metrics get a chart, in which section, against which x axis: plain data in, a
// plan out (no widget model, no DOM). Twin of nbtrack/live/layout.py: keep them in step.
//  - one chart per metric key; sections by the prefix before the first "/" (ungrouped
//    first, "system" last and collapsed);
//  - a key named as some definition's step_metric is an x axis, not a chart; a hidden
//    definition means no chart;
//  - x "auto": a key's step_metric when its run logged it, else the global step;
//    system/* always against time (relative, or wall time when chosen);
//  - each setting comes from the key's own definition when that sets it, else from the
//    first glob pattern that matches and sets it.
import type { MetricMeta } from "../protocol.gen";
import { seriesId, sortedPair } from "../util";
import { valueUnit, type Unit } from "./units";

export type { MetricMeta };

export interface SeriesData {
  id: string;
  run: string;
  key: string;
  x: Float64Array; // global step, ascending
  t: Float64Array; // unix seconds
  y: Float64Array;
  n: number;
}

export interface RunMeta {
  id: string;
  name: string;
  index: number; // colour index
  started_at?: number;
  metrics?: Record<string, MetricMeta>;
}

export interface HistData {
  run: string;
  key: string;
  steps: number[];
  lo: number[];
  hi: number[];
  counts: ArrayLike<number>[]; // one column per step, equal bins over [lo, hi]
}

/** "auto" | "step" | "rel" | "wall" | "m:<step metric key>" */
export type XChoice = string;
export type XKind = "step" | "rel" | "wall";

export interface LinePlan {
  series: SeriesData;
  run: RunMeta | undefined;
  faint: boolean;
  x: Float64Array;
  y: Float64Array;
  n: number;
}

export interface ChartPlan {
  key: string;
  kind: "line" | "hist";
  xKind: XKind;
  xName: string; // "step", "epoch/epoch", "time", ...
  unit: Unit;
  lines: LinePlan[];
  hists: HistData[];
}

export interface SectionPlan {
  name: string; // "" for ungrouped keys
  title: string;
  collapsedByDefault: boolean;
  charts: ChartPlan[];
}

export interface Plan {
  sections: SectionPlan[];
  stepMetrics: string[]; // x choices this data offers besides step and time
}

export interface PlanInput {
  series: SeriesData[];
  earlier?: SeriesData[]; // faint lines of earlier runs, in the charts the main series have
  hists?: HistData[];
  runs: Map<string, RunMeta>;
  x: XChoice;
}

export const SYSTEM = "system";

export function sectionOf(key: string): string {
  const i = key.indexOf("/");
  return i > 0 ? key.slice(0, i) : "";
}

export function sectionOrder(a: string, b: string): number {
  const rank = (g: string) => (g === "" ? 0 : g === SYSTEM ? 2 : 1);
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}

const globs = new Map<string, RegExp>();

function globMatch(pattern: string, key: string): boolean {
  let re = globs.get(pattern);
  if (!re) {
    let src = "";
    for (let i = 0; i < pattern.length; i++) {
      const c = pattern[i];
      if (c === "*") src += ".*";
      else if (c === "?") src += ".";
      else if (c === "[") {
        const j = pattern.indexOf("]", i + 1);
        if (j < 0) src += "\\[";
        else {
          const body = pattern.slice(i + 1, j);
          src += "[" + (body.startsWith("!") ? "^" + body.slice(1) : body).replace(/\\/g, "\\\\") + "]";
          i = j;
        }
      } else src += c.replace(/[.+^${}()|\\/]/g, "\\$&");
    }
    re = new RegExp("^" + src + "$", "s");
    globs.set(pattern, re);
  }
  return re.test(key);
}

export function settingFor<K extends keyof MetricMeta>(key: string, metrics: Record<string, MetricMeta> | undefined, name: K): MetricMeta[K] | undefined {
  if (!metrics) return undefined;
  const own = metrics[key];
  if (own && own[name]) return own[name];
  for (const [pattern, d] of Object.entries(metrics)) {
    if (d && d[name] && /[*?[]/.test(pattern) && globMatch(pattern, key)) return d[name];
  }
  return undefined;
}

export function stepMetricsOf(metrics: Record<string, MetricMeta> | undefined): Set<string> {
  const out = new Set<string>();
  for (const d of Object.values(metrics || {})) if (d && d.step_metric) out.add(d.step_metric);
  return out;
}

export function isCharted(key: string, metrics: Record<string, MetricMeta> | undefined): boolean {
  if (key.startsWith("_") || stepMetricsOf(metrics).has(key)) return false;
  return !settingFor(key, metrics, "hidden");
}

export function xMetricOf(key: string, metrics: Record<string, MetricMeta> | undefined): string | null {
  const sm = settingFor(key, metrics, "step_metric");
  return sm && sm !== key ? sm : null;
}

/** Each point of `s` placed at the value `by` (same run) had at that step: the latest
 * value logged at or before the point's step (wandb's step_sync). Points before the first
 * value of `by` are left out. */
export function joinOnStep(s: SeriesData, by: SeriesData): [Float64Array, Float64Array] {
  const x = new Float64Array(s.n);
  const y = new Float64Array(s.n);
  let m = 0;
  let j = -1;
  for (let i = 0; i < s.n; i++) {
    const step = s.x[i];
    while (j + 1 < by.n && by.x[j + 1] <= step) j++;
    if (j < 0 || !Number.isFinite(by.y[j])) continue;
    x[m] = by.y[j];
    y[m] = s.y[i];
    m++;
  }
  return sortedPair(x, y, m);
}

function timeAxis(s: SeriesData, base: number): [Float64Array, Float64Array] {
  const x = new Float64Array(s.n);
  for (let i = 0; i < s.n; i++) x[i] = s.t[i] - base;
  return sortedPair(x, s.y, s.n);
}

export function planCharts(input: PlanInput): Plan {
  const { runs, x: choice } = input;
  const byRunKey = new Map<string, SeriesData>();
  for (const s of input.series) byRunKey.set(seriesId(s.run, s.key), s);
  const stepMetrics = new Set<string>();
  for (const s of input.series) {
    for (const sm of stepMetricsOf(runs.get(s.run)?.metrics)) if (byRunKey.has(seriesId(s.run, sm))) stepMetrics.add(sm);
    // "epoch" logged without define_metric is offered as an x too (hidden bookkeeping is not)
    if (looksLikeCounter(s) && !settingFor(s.key, runs.get(s.run)?.metrics, "hidden")) stepMetrics.add(s.key);
  }
  const charts = new Map<string, ChartPlan>();
  const place = (s: SeriesData, faint: boolean) => {
    const run = runs.get(s.run);
    if (!s.n || !isCharted(s.key, run?.metrics)) return;
    if (faint && !charts.has(s.key)) return; // earlier runs only join charts the run has
    const system = sectionOf(s.key) === SYSTEM;
    let xKind: XKind = "step";
    let xName = "step";
    let xy: [Float64Array, Float64Array] | null = null;
    if (system || choice === "rel" || choice === "wall") {
      xKind = choice === "wall" ? "wall" : "rel";
      xName = "time";
      xy = timeAxis(s, xKind === "wall" ? 0 : run?.started_at ?? s.t[0]);
    } else {
      const wanted = choice.startsWith("m:") ? choice.slice(2) : choice === "auto" ? xMetricOf(s.key, run?.metrics) : null;
      const by = wanted ? byRunKey.get(seriesId(s.run, wanted)) ?? (faint ? findEarlier(input.earlier, s.run, wanted) : undefined) : undefined;
      if (wanted && by) {
        xName = wanted;
        xy = joinOnStep(s, by);
      } else if (wanted && choice.startsWith("m:")) {
        xName = wanted;
        xy = [new Float64Array(0), new Float64Array(0)]; // this run never logged that step metric
      } else xy = [s.x.subarray(0, s.n), s.y.subarray(0, s.n)];
    }
    let chart = charts.get(s.key);
    if (!chart) {
      chart = { key: s.key, kind: "line", xKind, xName, unit: { factor: 1, label: "" }, lines: [], hists: [] };
      charts.set(s.key, chart);
    } else if (!faint && chart.xName !== xName && chart.xName === "step") chart.xName = xName;
    chart.lines.push({ series: s, run, faint, x: xy[0], y: xy[1], n: xy[0].length });
  };
  for (const s of input.series) place(s, false);
  for (const s of input.earlier || []) place(s, true);
  for (const h of input.hists || []) {
    if (!h.steps.length || !isCharted(h.key, runs.get(h.run)?.metrics)) continue;
    let chart = charts.get(h.key);
    if (!chart) {
      chart = { key: h.key, kind: "hist", xKind: "step", xName: "step", unit: { factor: 1, label: "" }, lines: [], hists: [] };
      charts.set(h.key, chart);
    }
    chart.hists.push(h);
  }
  for (const c of charts.values()) {
    if (sectionOf(c.key) !== SYSTEM || c.kind !== "line") continue;
    let top = 0;
    for (const l of c.lines) for (let i = 0; i < l.n; i++) if (Number.isFinite(l.y[i])) top = Math.max(top, Math.abs(l.y[i]));
    c.unit = valueUnit(c.key, top);
    if (c.unit.factor !== 1) {
      for (const l of c.lines) {
        const y = new Float64Array(l.n);
        for (let i = 0; i < l.n; i++) y[i] = l.y[i] * c.unit.factor;
        l.y = y;
      }
    }
  }
  const bySection = new Map<string, ChartPlan[]>();
  for (const c of charts.values()) {
    const g = sectionOf(c.key);
    if (!bySection.has(g)) bySection.set(g, []);
    bySection.get(g)!.push(c);
  }
  const sections: SectionPlan[] = [...bySection.keys()].sort(sectionOrder).map((name) => ({
    name,
    title: name || "charts",
    collapsedByDefault: name === SYSTEM,
    charts: bySection.get(name)!.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
  }));
  return { sections, stepMetrics: [...stepMetrics].sort() };
}

/** A key named like a counter (epoch, global_step, batch_step, ...) whose values never go down. */
export function looksLikeCounter(s: SeriesData): boolean {
  const name = s.key.slice(s.key.lastIndexOf("/") + 1);
  if (!/^(epoch|step|global_step|\w+_step|iteration|iter)$/.test(name) || sectionOf(s.key) === SYSTEM || s.n < 2) return false;
  for (let i = 1; i < s.n; i++) if (!(s.y[i] >= s.y[i - 1])) return false;
  return true;
}

function findEarlier(list: SeriesData[] | undefined, run: string, key: string): SeriesData | undefined {
  return (list || []).find((s) => s.run === run && s.key === key);
}
