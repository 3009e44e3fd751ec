// The runs table view: toolbar (filter, state, tags, columns, hide, delete), the grid,
// and below it the selected runs' curves, parallel coordinates and parameter importance;
// a run's page replaces the grid while open.
import { float64 } from "../shared/buffers";
import { PALETTE, h, seriesId } from "../shared/util";
import type { Ctl } from "./ctl";
import type { Brush } from "./data";
import { DetailView } from "./detail";
import { ColumnChooser } from "./columns";
import { FilterError, parse, type Filter } from "./filter";
import { Grid, type GridHost } from "./grid";
import { importanceView } from "./importance";
import type { Column } from "../shared/protocol.gen";
import { Overlay } from "./overlay";
import { ParCoords } from "./parcoords";

type Lower = "curves" | "parcoords" | "importance";

/** name, state (and sweep, when the project has sweeps), then config and summary (what
 * users compare), then the run's other facts. */
function defaultColumns(cols: Column[]): string[] {
  const head = ["name", "state", "sweep"];
  const tail = ["created_at", "duration", "tags", "notes"];
  const mid = cols.filter((c) => c.group !== "run").map((c) => c.key).slice(0, 56);
  return [...head, ...mid, ...tail].filter((k) => cols.some((c) => c.key === k));
}

export class TableView implements GridHost {
  root = h("div", "nbt-panel nbt-table");
  view = new Int32Array(0);
  base = new Int32Array(0); // filtered without brushes (parallel coordinates draws these)
  shown: Column[] = [];
  shownKeys: string[] | null = null;
  sortKey = "";
  sortDir: 1 | -1 = -1;
  selected: string[] = [];
  colors = new Map<string, string>();
  hidden = new Set<string>();
  brushes: Brush[] = [];
  filter: Filter = { clauses: [], text: [] };
  private main = h("div", "nbt-main");
  private filterIn = h("input", "nbt-input nbt-filter");
  private filterErr = h("div", "nbt-error");
  private stateSel = h("select");
  private tagSel = h("select");
  private count = h("span", "nbt-meta");
  private wait = h("span", "nbt-wait");
  private hiddenBtn = h("button", "nbt-btn");
  private delBtn = h("button", "nbt-btn nbt-danger", "Delete selected…");
  private chooser: ColumnChooser;
  private grid: Grid;
  private lowerTabs = h("div", "nbt-tabs");
  private lowerPane = h("div", "nbt-lower");
  private lower: Lower = "curves";
  private overlay: Overlay;
  private pc: ParCoords;
  private metricSel = h("select");
  private impBox = h("div");
  private detail: DetailView;
  private overlayKey = "";
  private off: () => void;
  private filterTimer: ReturnType<typeof setTimeout> | null = null;
  private armedDelete = false;
  private curveQueue = new Set<string>();
  private curveTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(private ctl: Ctl, el: HTMLElement) {
    this.grid = new Grid(this);
    this.chooser = new ColumnChooser(() => this.data.columns, () => this.shown.map((c) => c.key), (keys) => { this.shownKeys = keys; this.refresh(false); this.chooser.render(); });
    this.chooser.el.style.display = "none";
    this.overlay = new Overlay((k) => { this.overlayKey = k; this.drawCurves(); }, () => this.drawCurves());
    this.pc = new ParCoords((b) => { this.brushes = [...b]; this.refresh(false, true); });
    this.detail = new DetailView({
      runChoices: () => Array.from(this.view.length ? this.view : this.base, (i) => ({ id: this.data.ids[i], name: this.data.text("name", i) })).slice(0, 500),
      save: (id, f) => this.save(id, f),
      remove: (id) => this.remove([id]),
      diff: async (a, b) => { const { reply } = await ctl.request("diff", { a, b }, "the diff"); return { code: reply.code, config: reply.config }; },
      back: () => this.closeDetail(),
    });
    this.detail.el.style.display = "none";
    this.build();
    el.append(this.root);
    const initial = String(ctl.model.get("filter") || "");
    this.filterIn.value = initial;
    this.applyFilterText(initial);
    this.off = ctl.on((what) => this.onCtl(what));
    this.refresh(true);
    this.onCtl("waiting");
  }

  get data() {
    return this.ctl.data;
  }

  private build(): void {
    const bar = h("div", "nbt-controls nbt-toolbar");
    this.filterIn.placeholder = "filter: lr < 0.01 and state = finished, or words to search";
    this.filterIn.dataset.role = "filter";
    this.filterIn.addEventListener("input", () => {
      if (this.filterTimer) clearTimeout(this.filterTimer);
      this.filterTimer = setTimeout(() => { this.applyFilterText(this.filterIn.value); this.refresh(false); }, 120);
    });
    this.stateSel.dataset.role = "state";
    this.tagSel.dataset.role = "tag";
    for (const s of [this.stateSel, this.tagSel]) s.addEventListener("change", () => this.refresh(false));
    const cols = h("button", "nbt-btn", "Columns");
    cols.dataset.role = "columns";
    cols.addEventListener("click", () => { const on = this.chooser.el.style.display === "none"; this.chooser.el.style.display = on ? "" : "none"; if (on) this.chooser.render(); });
    const hide = h("button", "nbt-btn", "Hide selected");
    hide.dataset.role = "hide";
    hide.addEventListener("click", () => { for (const id of this.selected) this.hidden.add(id); this.setSelected([]); this.refresh(false); });
    this.hiddenBtn.dataset.role = "unhide";
    this.hiddenBtn.addEventListener("click", () => { this.hidden.clear(); this.refresh(false); });
    this.delBtn.dataset.role = "delete-selected";
    this.delBtn.addEventListener("click", () => this.deleteSelected());
    const clear = h("button", "nbt-btn", "Clear selection");
    clear.addEventListener("click", () => this.setSelected([]));
    bar.append(this.filterIn, this.stateSel, this.tagSel, cols, hide, this.hiddenBtn, clear, this.delBtn, this.count, this.wait);
    for (const t of ["curves", "parcoords", "importance"] as Lower[]) {
      const b = h("button", "nbt-tab", t === "curves" ? "Curves" : t === "parcoords" ? "Parallel coordinates" : "Parameter importance");
      b.dataset.tab = t;
      b.addEventListener("click", () => { this.lower = t; this.drawLower(); });
      this.lowerTabs.append(b);
    }
    this.metricSel.dataset.role = "metric";
    this.metricSel.addEventListener("change", () => this.drawLower());
    this.main.append(bar, this.filterErr, this.chooser.el, this.grid.el, this.lowerTabs, this.lowerPane);
    this.root.append(this.main, this.detail.el);
  }

  private onCtl(what: string): void {
    if (what === "data") { this.refresh(true); if (this.selected.length) this.drawCurves(); }
    if (what === "waiting" || what === "status") {
      const w = this.ctl.waiting;
      this.wait.textContent = w ? `waiting for the kernel (a cell is running): ${this.ctl.waitingWhat.join(", ")} will come when it is free` : this.ctl.status;
      this.root.dataset.waiting = w ? "1" : "0";
    }
  }

  private applyFilterText(text: string): void {
    try {
      this.filter = parse(text, this.data.columns);
      this.filterErr.textContent = "";
      this.filterIn.classList.remove("bad");
    } catch (e) {
      if (!(e instanceof FilterError)) throw e;
      this.filterErr.textContent = e.message;
      this.filterIn.classList.add("bad");
    }
  }

  private options(sel: HTMLSelectElement, label: string, values: string[]): void {
    const cur = sel.value;
    sel.textContent = "";
    const all = h("option", undefined, label);
    all.value = "";
    sel.append(all);
    for (const v of values) { const o = h("option", undefined, v); o.value = v; sel.append(o); }
    sel.value = values.includes(cur) ? cur : "";
  }

  /** Recompute the rows shown (filter, brushes, hidden, sort) and redraw. */
  refresh(dataChanged: boolean, fromBrush = false): void {
    const d = this.data;
    const t0 = performance.now();
    if (dataChanged) {
      this.applyFilterText(this.filterIn.value);
      const states = new Set<string>(), tags = new Set<string>();
      for (let i = 0; i < d.length; i++) { states.add(d.text("state", i)); for (const t of ((d.values.get("tags") as string[][]) || [])[i] || []) tags.add(t); }
      this.options(this.stateSel, "any state", [...states].filter(Boolean).sort());
      this.options(this.tagSel, "any tag", [...tags].sort());
      const metrics = d.columns.filter((c) => c.group === "summary" && c.kind === "num").map((c) => c.key);
      const cur = this.metricSel.value;
      this.metricSel.textContent = "";
      for (const m of metrics) { const o = h("option", undefined, m.replace(/^summary\./, "")); o.value = m; this.metricSel.append(o); }
      this.metricSel.value = metrics.includes(cur) ? cur : metrics.find((m) => /loss/i.test(m)) || metrics[0] || "";
      const ids = new Set(d.ids);
      this.setSelected(this.selected.filter((id) => ids.has(id)), false);
    }
    const byKey = d.byKey;
    const keys = this.shownKeys ?? defaultColumns(d.columns);
    this.shown = keys.map((k) => byKey.get(k)).filter((c): c is Column => !!c);
    this.base = d.filter(this.filter, [], this.hidden, this.stateSel.value, this.tagSel.value);
    const tf = performance.now();
    this.view = this.brushes.length ? d.filter(this.filter, this.brushes, this.hidden, this.stateSel.value, this.tagSel.value) : this.base;
    if (this.sortKey) this.view = d.sort(this.view === this.base ? this.base.slice() : this.view, this.sortKey, this.sortDir);
    const t1 = performance.now();
    this.grid.render();
    this.root.dataset.filterMs = (tf - t0).toFixed(1);
    this.root.dataset.sortMs = (t1 - tf).toFixed(1);
    this.root.dataset.renderMs = (performance.now() - t1).toFixed(1);
    this.root.dataset.rows = String(d.length);
    this.root.dataset.view = String(this.view.length);
    this.root.dataset.loaded = d.complete ? "full" : "page";
    this.root.dataset.loadMs = this.ctl.loadMs.toFixed(1);
    this.count.textContent = `${this.view.length} of ${d.length} runs` + (d.complete ? "" : ` (first page of ${this.ctl.model.get("total")}; the rest comes from the kernel)`) + (this.selected.length ? ` · ${this.selected.length} selected` : "");
    this.hiddenBtn.textContent = `Show ${this.hidden.size} hidden`;
    this.hiddenBtn.style.display = this.hidden.size ? "" : "none";
    if (!fromBrush || this.lower !== "parcoords") this.drawLower();
    else this.pc.draw(d, this.base, this.pcKeys(), this.metricSel.value, new Set(this.selected));
  }

  onSort(key: string): void {
    if (this.sortKey === key) this.sortDir = this.sortDir === 1 ? -1 : 1;
    else { this.sortKey = key; const c = this.data.byKey.get(key); this.sortDir = c && (c.kind === "num" || c.kind === "time") ? -1 : 1; }
    this.root.dataset.sort = `${this.sortKey}:${this.sortDir}`;
    this.refresh(false);
  }

  onSelect(id: string, on: boolean): void {
    this.setSelected(on ? [...this.selected.filter((x) => x !== id), id] : this.selected.filter((x) => x !== id));
  }

  private setSelected(ids: string[], redraw = true): void {
    this.selected = ids;
    this.colors = new Map(ids.map((id, i) => [id, PALETTE[i % PALETTE.length]]));
    this.root.dataset.selected = String(ids.length);
    try { this.ctl.model.set("selected", ids); this.ctl.model.save_changes(); } catch { /* no kernel */ }
    if (!redraw) return;
    this.grid.drawRows();
    this.count.textContent = this.count.textContent!.replace(/ · \d+ selected$/, "") + (ids.length ? ` · ${ids.length} selected` : "");
    if (this.lower !== "curves") this.lower = "curves";
    this.drawLower();
  }

  private pcKeys(): string[] {
    const d = this.data;
    const cfg = this.shown.filter((c) => c.group === "config");
    const varying = cfg.filter((c) => {
      const seen = new Set<string>();
      for (const i of this.base) { seen.add(d.text(c.key, i)); if (seen.size > 1) return true; }
      return false;
    });
    return varying.slice(0, 12).map((c) => c.key);
  }

  private drawLower(): void {
    for (const b of this.lowerTabs.querySelectorAll<HTMLElement>(".nbt-tab")) b.classList.toggle("on", b.dataset.tab === this.lower);
    this.lowerPane.textContent = "";
    this.lowerPane.dataset.tab = this.lower;
    if (this.lower === "curves") {
      this.lowerPane.append(this.overlay.el);
      if (!this.selected.length) {
        this.overlay.clear();
        this.overlay.setStatus("select runs (checkboxes) to overlay their curves");
      } else this.drawCurves();
      return;
    }
    const bar = h("div", "nbt-controls");
    bar.append(h("span", undefined, "metric"), this.metricSel);
    this.lowerPane.append(bar);
    if (this.lower === "parcoords") {
      const hint = h("span", "nbt-meta", "drag along an axis to filter the table; double-click an axis to clear");
      bar.append(hint);
      this.lowerPane.append(this.pc.el);
      this.pc.brushes = this.brushes;
      requestAnimationFrame(() => this.pc.draw(this.data, this.base, this.pcKeys(), this.metricSel.value, new Set(this.selected)));
    } else {
      this.lowerPane.append(this.impBox);
      this.computeImportance();
    }
  }

  private async computeImportance(): Promise<void> {
    const metric = this.metricSel.value;
    this.impBox.textContent = "";
    if (!metric) { this.impBox.append(h("div", "nbt-empty", "No numeric summary metric to explain.")); return; }
    this.impBox.append(h("div", "nbt-empty", "computing in the kernel…"));
    try {
      const ids = Array.from(this.view, (i) => this.data.ids[i]);
      const { reply } = await this.ctl.request("importance", { metric, ids }, "parameter importance");
      if (this.lower !== "importance" || this.metricSel.value !== metric) return;
      this.impBox.textContent = "";
      this.impBox.append(importanceView(reply.method, reply.rows, reply.n, metric.replace(/^summary\./, "")));
    } catch (e) {
      this.impBox.textContent = "";
      this.impBox.append(h("div", "nbt-error", (e as Error).message));
    }
  }

  private async drawCurves(): Promise<void> {
    const d = this.data;
    const metrics = d.columns.filter((c) => c.group === "summary" && c.kind === "num" && !c.label.startsWith("_")).map((c) => c.label);
    if (!this.overlayKey || !metrics.includes(this.overlayKey)) this.overlayKey = metrics.find((m) => /loss/i.test(m)) || metrics[0] || "";
    this.overlay.setMetrics(metrics, this.overlayKey);
    const key = this.overlayKey;
    const ids = [...this.selected];
    if (!key || !ids.length) return;
    const inflight = this.ctl.inflight;
    const missing = ids.filter((id) => !this.ctl.curves.has(seriesId(id, key)) && !inflight.has(seriesId(id, key)));
    const draw = () => {
      const series = ids.filter((id) => this.ctl.curves.has(seriesId(id, key))).map((id) => {
        const c = this.ctl.curves.get(seriesId(id, key))!;
        const i = d.ids.indexOf(id);
        return { run: id, label: i >= 0 ? d.text("name", i) : id, color: this.colors.get(id) || PALETTE[0], x: c.x, y: c.y };
      });
      this.overlay.draw(series, key);
    };
    draw();
    if (!missing.length) { if (!inflight.size) this.overlay.setStatus(""); return; }
    this.overlay.setStatus("loading curves from the store…");
    // quick clicks on several checkboxes make one request, not one per click
    for (const id of missing) this.curveQueue.add(id);
    if (this.curveTimer) return;
    this.curveTimer = setTimeout(() => { this.curveTimer = null; this.fetchCurves(key); }, 150);
  }

  private async fetchCurves(key: string): Promise<void> {
    const ids = [...this.curveQueue];
    this.curveQueue.clear();
    const inflight = this.ctl.inflight;
    for (const id of ids) inflight.add(seriesId(id, key));
    try {
      const width = Math.max(400, Math.floor(this.root.clientWidth || 800));
      const t0 = performance.now();
      const { reply, buffers } = await this.ctl.request("curves", { ids, key, width }, "curves");
      for (const id of ids) this.ctl.curves.set(seriesId(id, key), { x: new Float64Array(0), y: new Float64Array(0) });
      for (const s of reply.series) {
        const all = float64(buffers[s.buf]);
        this.ctl.curves.set(seriesId(s.run, key), { x: all.slice(0, s.n), y: all.slice(s.n, 2 * s.n) });
      }
      this.overlay.el.dataset.fetchMs = (performance.now() - t0).toFixed(1);
      this.overlay.setStatus("");
    } catch (e) {
      this.overlay.setStatus((e as Error).message);
    } finally {
      for (const id of ids) inflight.delete(seriesId(id, key));
    }
    if (this.lower === "curves") this.drawCurves();
  }

  onOpen(id: string): void {
    const i = this.data.ids.indexOf(id);
    this.main.style.display = "none";
    this.detail.el.style.display = "";
    this.detail.loading(i >= 0 ? this.data.text("name", i) : id);
    this.root.dataset.page = id;
    this.ctl.request("detail", { id }, "the run's page").then(({ reply }) => {
      if (this.root.dataset.page === id) this.detail.set(reply.run);
    }, (e) => this.detail.error((e as Error).message));
  }

  private closeDetail(): void {
    this.detail.el.style.display = "none";
    this.main.style.display = "";
    delete this.root.dataset.page;
    this.refresh(false);
  }

  private async save(id: string, fields: { name?: string; notes?: string; tags?: string[] }): Promise<void> {
    const { reply } = await this.ctl.request("edit", { id, ...fields }, "the edit");
    this.data.patch(id, { name: reply.name, notes: reply.notes, tags: reply.tags });
    if (this.detail.run && this.detail.run.id === id) this.detail.set({ ...this.detail.run, name: reply.name, notes: reply.notes, tags: reply.tags });
    this.refresh(true);
  }

  private async remove(ids: string[]): Promise<void> {
    const { reply } = await this.ctl.request("delete", { ids }, "the deletion");
    const gone = reply.deleted;
    this.data.remove(gone);
    this.setSelected(this.selected.filter((x) => !gone.includes(x)), false);
    if (this.root.dataset.page && gone.includes(this.root.dataset.page)) this.closeDetail();
    this.refresh(true);
  }

  private deleteSelected(): void {
    if (!this.selected.length) return;
    if (!this.armedDelete) {
      this.armedDelete = true;
      this.delBtn.textContent = `Click again to delete ${this.selected.length} run(s) for good`;
      this.delBtn.classList.add("armed");
      setTimeout(() => { this.armedDelete = false; this.delBtn.textContent = "Delete selected…"; this.delBtn.classList.remove("armed"); }, 5000);
      return;
    }
    this.armedDelete = false;
    this.delBtn.textContent = "Delete selected…";
    this.delBtn.classList.remove("armed");
    this.remove([...this.selected]).catch((e) => { this.filterErr.textContent = (e as Error).message; });
  }

  destroy(): void {
    this.off();
    this.grid.destroy();
    this.overlay.clear();
    this.root.remove();
  }
}
