// The panel view: header (run, state, elapsed, step), toolbar, one chart per metric
// group, image strips. Renders from the per-model store; redraws at most once a frame.
import type { AnyModel } from "@anywidget/types";
import { ChartView, type Line } from "./chart";
import { Controls, type ViewOptions } from "./controls";
import { ImagesView } from "./images";
import type { PanelTraits, RunInfo } from "./messages";
import { getStore, type PanelStore, type Series } from "./store";
import { PALETTE, fmtDuration, fmtNum, groupOf, groupOrder, h, sortedPair } from "./util";

let viewCounter = 0;

export class PanelView {
  private root = h("div", "nbt-panel");
  private title = h("span", "nbt-title");
  private badge = h("span", "nbt-badge");
  private meta = h("span", "nbt-meta");
  private runsEl = h("div", "nbt-runs");
  private summaryEl = h("div", "nbt-summary");
  private chartsEl = h("div", "nbt-charts");
  private emptyEl = h("div", "nbt-empty", "waiting for metrics…");
  private charts = new Map<string, ChartView>();
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
    const head = h("div", "nbt-head");
    head.append(this.title, this.badge, this.meta);
    this.root.append(head, this.runsEl, this.summaryEl, this.controls.el, this.emptyEl, this.chartsEl, this.images.el);
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

  private xOf(s: Series, info: RunInfo | undefined): [Float64Array, Float64Array] {
    const n = s.n;
    if (this.opts.xMode === "step") return [s.x.subarray(0, n), s.y.subarray(0, n)];
    const base = this.opts.xMode === "rel" ? info?.started_at ?? (n ? s.t[0] : 0) : 0;
    const x = new Float64Array(n);
    for (let i = 0; i < n; i++) x[i] = s.t[i] - base;
    return sortedPair(x, s.y, n);
  }

  private line(s: Series, info: (RunInfo & { index: number }) | undefined, color: string, label: string, faint: boolean, dash?: number[]): Line {
    const [x, y] = this.xOf(s, info);
    return { id: s.id, label, color, faint, dash, x, y, n: x.length };
  }

  render(): void {
    const t0 = performance.now();
    this.frame = 0;
    this.renders++;
    const store = this.store;
    const compare = store.mode === "compare";
    const runs = this.runInfo();
    this.header();
    const groups = new Map<string, Series[]>();
    for (const s of store.series.values()) {
      if (!s.n) continue;
      const g = groupOf(s.key);
      if (!groups.has(g)) groups.set(g, []);
      groups.get(g)!.push(s);
    }
    const earlierRuns = new Set<string>();
    for (const s of store.earlier.values()) earlierRuns.add(s.run);
    this.controls.setEarlierRuns(compare ? 0 : earlierRuns.size);
    const names = [...groups.keys()].sort(groupOrder);
    for (const [g, c] of this.charts) if (!groups.has(g)) { c.destroy(); this.charts.delete(g); }
    let points = 0;
    for (const g of names) {
      const list = groups.get(g)!.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      const keys = [...new Set(list.map((s) => s.key))];
      const lines: Line[] = [];
      for (const s of list) {
        points += s.n;
        const info = runs.get(s.run);
        const ki = keys.indexOf(s.key);
        if (compare) {
          const ri = info?.index ?? 0;
          const name = info?.name || s.run;
          lines.push(this.line(s, info, PALETTE[ri % PALETTE.length], keys.length > 1 ? `${name} ${s.key}` : name, false, ki > 0 ? [6, 3 * ki] : undefined));
        } else {
          lines.push(this.line(s, info, PALETTE[ki % PALETTE.length], s.key, false));
        }
      }
      if (!compare && this.opts.showEarlier) {
        for (const s of store.earlier.values()) {
          const ki = keys.indexOf(s.key);
          if (ki < 0 || !s.n) continue;
          const info = runs.get(s.run);
          lines.unshift(this.line(s, info, PALETTE[ki % PALETTE.length], `${info?.name || s.run}: ${s.key}`, true, [5, 4]));
        }
      }
      let chart = this.charts.get(g);
      if (!chart) {
        chart = new ChartView(g, this.hidden);
        this.charts.set(g, chart);
      }
      chart.update(lines, { ...this.opts, syncKey: this.syncKey });
    }
    names.forEach((g) => this.chartsEl.append(this.charts.get(g)!.el)); // keeps order; moves are cheap
    this.emptyEl.style.display = names.length || store.images.size ? "none" : "";
    this.images.update(store.images);
    this.runsList(compare, runs);
    this.summary();
    const d = this.root.dataset;
    d.points = String(points);
    d.charts = String(names.length);
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
    const entries = s ? Object.entries(s).filter(([k]) => !k.startsWith("_")).slice(0, 16) : [];
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
    for (const c of this.charts.values()) c.destroy();
    this.root.remove();
  }
}
