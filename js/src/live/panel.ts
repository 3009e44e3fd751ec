// The panel view: header (run, state, elapsed, step), toolbar, one chart per metric in
// collapsible sections (charts/), image strips. Renders from the per-model store; redraws
// at most once a frame. The only module here that knows the widget model: the charts get
// plain data.
import type { AnyModel } from "@anywidget/types";
import { planCharts, settingFor, type HistData, type LinePlan, type RunMeta, type SeriesData } from "../shared/charts/layout";
import { ChartGrid, type LineStyle } from "../shared/charts/sections";
import { Controls, type ViewOptions } from "../shared/controls";
import { ImagesView } from "../shared/images";
import type { PanelTraits, RunInfo } from "../shared/protocol.gen";
import { getStore, type PanelStore } from "./store";
import { PALETTE, fmtDuration, fmtNum, h } from "../shared/util";

let viewCounter = 0;

export class PanelView {
  private root = h("div", "nbt-panel");
  private title = h("span", "nbt-title");
  private badge = h("span", "nbt-badge");
  private meta = h("span", "nbt-meta");
  private runsEl = h("div", "nbt-runs");
  private summaryEl = h("div", "nbt-summary");
  private emptyEl = h("div", "nbt-empty", "waiting for metrics…");
  private grid: ChartGrid;
  private images = new ImagesView();
  private controls: Controls;
  private hidden: Set<string>;
  private opts: ViewOptions;
  private store: PanelStore;
  private frame = 0;
  private timer: ReturnType<typeof setInterval>;
  private unsub: () => void;
  private syncKey = `nbt-${++viewCounter}-${Math.random().toString(36).slice(2, 8)}`;
  private renders = 0;

  constructor(model: AnyModel<PanelTraits>, el: HTMLElement) {
    this.store = getStore(model);
    // view options live in the model's store: a re-rendered output (update_display at
    // the end of the run) keeps the user's smoothing, log scale and hidden series
    this.opts = this.store.viewOptions;
    this.hidden = this.store.hidden;
    this.controls = new Controls(this.opts, () => this.schedule());
    this.grid = new ChartGrid(this.hidden, this.store.openSections, () => this.schedule());
    const head = h("div", "nbt-head");
    head.append(this.title, this.badge, this.meta);
    this.root.append(head, this.runsEl, this.summaryEl, this.controls.el, this.emptyEl, this.grid.el, this.images.el);
    el.append(this.root);
    this.unsub = this.store.subscribe(() => this.schedule());
    this.timer = setInterval(() => this.header(), 1000);
    this.render();
  }

  private schedule(): void {
    if (this.frame) return;
    const raf = typeof requestAnimationFrame === "function" && document.visibilityState !== "hidden";
    this.frame = raf ? requestAnimationFrame(() => this.render()) : (setTimeout(() => this.render(), 50) as unknown as number);
  }

  private header(): void {
    const run = this.store.run;
    const compare = this.store.mode === "compare";
    this.title.textContent = run.name || run.id || (compare ? "compare" : "run");
    const state = run.state || "";
    this.badge.textContent = state;
    this.badge.className = `nbt-badge nbt-state-${state.replace(/[^a-z]/g, "")}`;
    this.badge.style.display = state ? "" : "none";
    this.root.dataset.state = state;
    if (compare) {
      this.meta.textContent = "";
      return;
    }
    let elapsed: number | null = null;
    if (run.started_at) {
      if (state === "running") {
        const kn = this.store.kernelNow;
        elapsed = kn ? kn - run.started_at + (this.store.recvAt ? (performance.now() - this.store.recvAt) / 1000 : 0) : Date.now() / 1000 - run.started_at;
      } else if (run.finished_at) elapsed = run.finished_at - run.started_at;
      else if (this.store.kernelNow) elapsed = this.store.kernelNow - run.started_at;
    }
    const parts = [];
    if (run.project) parts.push(run.project);
    parts.push(`elapsed ${fmtDuration(elapsed)}`);
    parts.push(`step ${this.store.step ?? "–"}`);
    this.meta.textContent = parts.join(" · ");
  }

  private runInfo(): Map<string, RunInfo & { index: number }> {
    const m = new Map<string, RunInfo & { index: number }>();
    const run = this.store.run;
    if (run.id) m.set(run.id, { ...run, index: 0 });
    this.store.runs.forEach((r, i) => { if (r.id && !m.has(r.id)) m.set(r.id, { ...r, index: i + (run.id ? 1 : 0) }); });
    return m;
  }

  render(): void {
    const t0 = performance.now();
    this.frame = 0;
    this.renders++;
    const store = this.store;
    const compare = store.mode === "compare";
    const runs = this.runInfo();
    this.header();
    const metas = new Map<string, RunMeta>();
    for (const [id, r] of runs) metas.set(id, { id, name: r.name || id, index: r.index, started_at: r.started_at, metrics: r.metrics });
    const series: SeriesData[] = [...store.series.values()].filter((s) => s.n);
    const earlierRuns = new Set<string>();
    for (const s of store.earlier.values()) earlierRuns.add(s.run);
    this.controls.setEarlierRuns(compare ? 0 : earlierRuns.size);
    const earlier: SeriesData[] = !compare && this.opts.showEarlier ? [...store.earlier.values()].filter((s) => s.n) : [];
    const hists: HistData[] = [...store.hists.values()];
    const plan = planCharts({ series, earlier, hists, runs: metas, x: this.opts.xMode });
    this.controls.setXOptions(plan.stepMetrics);
    const style = (l: LinePlan): LineStyle => {
      const meta = l.run;
      const name = meta?.name || l.series.run;
      const color = PALETTE[(meta?.index ?? 0) % PALETTE.length];
      if (compare) return { id: l.series.id, label: name, color, faint: false };
      if (l.faint) return { id: l.series.id, label: name, color, faint: true, dash: [5, 4] };
      return { id: l.series.id, label: name, color: PALETTE[0], faint: false };
    };
    const points = this.grid.update(plan, { smoothing: this.opts.smoothing, logY: this.opts.logY, syncKey: this.syncKey }, style);
    let charts = 0;
    for (const sec of plan.sections) charts += sec.charts.length;
    this.emptyEl.style.display = charts || store.images.size ? "none" : "";
    this.images.update(store.images);
    this.runsList(compare, runs);
    this.summary();
    const d = this.root.dataset;
    d.points = String(points);
    d.charts = String(charts);
    d.sections = plan.sections.map((sec) => sec.title).join(",");
    d.renders = String(this.renders);
    d.smoothing = String(this.opts.smoothing);
    d.logy = this.opts.logY ? "1" : "0";
    d.xmode = this.opts.xMode;
    d.messages = String(store.messages);
    d.step = String(store.step ?? "");
    // uPlot commits its drawing in a microtask queued during the work above: time it too
    queueMicrotask(() => { d.renderMs = (performance.now() - t0).toFixed(1); });
  }

  private runsList(compare: boolean, runs: Map<string, RunInfo & { index: number }>): void {
    this.runsEl.textContent = "";
    if (!compare) return;
    for (const r of runs.values()) {
      const chip = h("span", "nbt-run-chip");
      const sw = h("span", "nbt-swatch");
      sw.style.background = PALETTE[r.index % PALETTE.length];
      chip.append(sw, h("span", "", r.name || r.id || ""), h("span", "nbt-meta", r.state ? ` ${r.state}` : ""));
      this.runsEl.append(chip);
    }
  }

  private summary(): void {
    const s = this.store.run.summary;
    const metrics = this.store.run.metrics;
    const shown = (k: string) => !k.startsWith("_") && !settingFor(k.split(" ")[0], metrics, "hidden");
    const entries = s ? Object.entries(s).filter(([k]) => shown(k)).slice(0, 16) : [];
    this.summaryEl.textContent = "";
    this.summaryEl.style.display = entries.length ? "" : "none";
    for (const [k, v] of entries) {
      const item = h("span", "nbt-summary-item");
      item.append(h("span", "nbt-meta", k + " "), h("span", "", typeof v === "number" ? fmtNum(v) : String(v)));
      this.summaryEl.append(item);
    }
  }

  destroy(): void {
    clearInterval(this.timer);
    if (this.frame) cancelAnimationFrame(this.frame);
    this.unsub();
    this.grid.destroy();
    this.root.remove();
  }
}
