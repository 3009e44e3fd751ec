// The report's learning curves: one chart per metric (the live panel's ChartView, uPlot),
// grouped in sections by the metric's prefix ("train/", "val/", ...), with the live
// panel's toolbar (smoothing, log y, x axis). Charts are built when they scroll into
// view, so a report with many metrics opens fast.
import { ChartView, type ChartOpts, type Line, type XMode } from "../shared/charts/line";
import { Controls, type ViewOptions } from "../shared/controls";
import { PALETTE, groupOf, groupOrder, h, sortedPair } from "../shared/util";
import type { Report, ReportRun, ReportSeries } from "./types";

const DASHES: (number[] | undefined)[] = [undefined, [6, 3], [2, 3], [8, 3, 2, 3]];

export function runColor(index: number): { color: string; dash?: number[] } {
  return { color: PALETTE[index % PALETTE.length], dash: DASHES[Math.floor(index / PALETTE.length) % DASHES.length] };
}

interface Slot {
  key: string;
  el: HTMLElement;
  chart: ChartView | null;
}

export class ChartsView {
  el = h("section", "nbt-report-section nbt-report-charts");
  private opts: ViewOptions = { smoothing: 0, logY: false, xMode: "step", showEarlier: false };
  private slots: Slot[] = [];
  private byKey = new Map<string, ReportSeries[]>();
  private runs = new Map<string, ReportRun & { index: number }>();
  private visible: Set<string>;
  private observer: IntersectionObserver | null = null;
  private syncKey = `nbt-report-${Math.random().toString(36).slice(2, 8)}`;

  constructor(private report: Report) {
    const { meta } = report;
    meta.runs.forEach((r, index) => this.runs.set(r.id, { ...r, index }));
    this.visible = new Set(meta.runs.map((r) => r.id));
    for (const s of meta.series) {
      if (!this.byKey.has(s.key)) this.byKey.set(s.key, []);
      this.byKey.get(s.key)!.push(s);
    }
    const controls = new Controls(this.opts, () => this.redraw());
    controls.setEarlierRuns(0);
    this.el.append(h("h2", "nbt-report-h2", "Learning curves"), controls.el);
    if (!meta.metrics.length) this.el.append(h("div", "nbt-empty", "No numeric metrics were logged by these runs."));
    const groups = new Map<string, string[]>();
    for (const key of meta.metrics) {
      const g = groupOf(key);
      if (!groups.has(g)) groups.set(g, []);
      groups.get(g)!.push(key);
    }
    if (typeof IntersectionObserver !== "undefined") {
      this.observer = new IntersectionObserver((entries) => {
        for (const e of entries) if (e.isIntersecting) this.build(this.slots.find((s) => s.el === e.target));
      }, { rootMargin: "400px" });
    }
    for (const g of [...groups.keys()].sort(groupOrder)) {
      const sec = h("div", "nbt-report-group");
      sec.dataset.group = g;
      sec.append(h("h3", "nbt-report-h3", g || "metrics"));
      const grid = h("div", "nbt-charts");
      for (const key of groups.get(g)!) {
        const slot: Slot = { key, el: h("div", "nbt-report-slot"), chart: null };
        slot.el.dataset.metric = key;
        this.slots.push(slot);
        grid.append(slot.el);
        if (this.observer) this.observer.observe(slot.el);
      }
      sec.append(grid);
      this.el.append(sec);
    }
    if (!this.observer) for (const s of this.slots) this.build(s);
    this.el.dataset.charts = String(this.slots.length);
  }

  /** Show only these runs (the runs table's selection and filter). */
  setVisible(ids: Set<string>): void {
    this.visible = ids;
    this.redraw();
  }

  private lines(key: string): Line[] {
    const out: Line[] = [];
    const arrays = this.report.arrays;
    for (const s of this.byKey.get(key) || []) {
      const run = this.runs.get(s.run);
      if (!run || !this.visible.has(s.run)) continue;
      const steps = arrays[s.x] as Float64Array;
      const t = arrays[s.t];
      const y = Float64Array.from(arrays[s.y]);
      let x: Float64Array<ArrayBufferLike>;
      let yy: Float64Array<ArrayBufferLike> = y;
      if (this.xKind() === "step") x = steps; // the report has no step metrics: "default" is the step
      else {
        const base = this.opts.xMode === "rel" ? (run.created_at ?? s.t0) : 0;
        const tx = new Float64Array(s.n);
        for (let i = 0; i < s.n; i++) tx[i] = t[i] + s.t0 - base;
        [x, yy] = sortedPair(tx, y, s.n);
      }
      const { color, dash } = runColor(run.index);
      out.push({ id: s.run, label: run.name, color, dash, faint: false, x, y: yy, n: x.length });
    }
    return out;
  }

  /** The toolbar's x choice as the chart reads it ("default" and step metrics: the step). */
  private xKind(): XMode {
    return this.opts.xMode === "rel" || this.opts.xMode === "wall" ? this.opts.xMode : "step";
  }

  private chartOpts(): ChartOpts {
    return { smoothing: this.opts.smoothing, logY: this.opts.logY, xMode: this.xKind(), syncKey: this.syncKey };
  }

  private build(slot: Slot | undefined): void {
    if (!slot || slot.chart) return;
    this.observer?.unobserve(slot.el);
    slot.chart = new ChartView(slot.key, new Set()); // legend clicks hide a run in this chart only
    slot.el.append(slot.chart.el);
    slot.chart.update(this.lines(slot.key), this.chartOpts());
    this.el.dataset.drawn = String(this.slots.filter((s) => s.chart).length);
  }

  private redraw(): void {
    for (const s of this.slots) if (s.chart) s.chart.update(this.lines(s.key), this.chartOpts());
    this.el.dataset.smoothing = String(this.opts.smoothing);
    this.el.dataset.logy = this.opts.logY ? "1" : "0";
    this.el.dataset.xmode = this.opts.xMode;
  }
}
