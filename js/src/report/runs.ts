// The report's runs table: the runs table widget's data model (TableData), filter language
// and cell formatting, in a plain static table: sort by a header, filter with the same
// language as nbtrack.table() ("lr < 0.01 state=finished"), untick a run to hide its
// curves. Every cell is text.
import { FilterError, parse } from "../table/filter";
import { fmtCell } from "../table/grid";
import type { Brush, TableData } from "../table/data";
import type { Column } from "../shared/protocol.gen";
import { h } from "../shared/util";
import { runColor } from "./charts";

const MAX_COLUMNS = 40;
const MAX_ROWS = 500; // rows drawn at once; the filter and sort cover all

export interface RunsHost {
  onVisible(ids: Set<string>): void;
  /** The link of a run's name, or null for none. */
  runHref(id: string): string | null;
}

export class RunsTable {
  el = h("section", "nbt-report-section nbt-report-runs");
  private input = h("input", "nbt-input nbt-filter");
  private error = h("div", "nbt-error");
  private table = h("table", "nbt-report-table");
  private more = h("div", "nbt-meta");
  private columns: Column[];
  private sortKey = "";
  private dir: 1 | -1 = 1;
  private unticked = new Set<string>();
  brushes: Brush[] = [];
  private index = new Map<string, number>();

  constructor(private data: TableData, order: string[], private host: RunsHost) {
    order.forEach((id, i) => this.index.set(id, i));
    const cfg = data.columns.filter((c) => c.group === "config");
    const sum = data.columns.filter((c) => c.group === "summary");
    const fixed = data.columns.filter((c) => c.group === "run" && ["name", "state", "created_at", "duration", "tags"].includes(c.key));
    this.columns = [...fixed, ...cfg, ...sum].slice(0, MAX_COLUMNS);
    this.input.placeholder = "filter: lr < 0.01 state=finished optimizer=adam (as in nbtrack.table())";
    this.input.dataset.role = "filter";
    this.input.addEventListener("input", () => this.render());
    this.el.append(h("h2", "nbt-report-h2", `Runs (${data.length})`), this.input, this.error, h("div", "nbt-report-scroll"));
    (this.el.lastChild as HTMLElement).append(this.table);
    this.el.append(this.more);
    this.render();
  }

  /** Row indices passing the filter and the parallel-coordinates brushes. */
  rows(): Int32Array {
    let f = { clauses: [], text: [] } as ReturnType<typeof parse>;
    try {
      f = parse(this.input.value, this.data.columns);
      this.error.textContent = "";
      this.input.classList.remove("bad");
    } catch (err) {
      if (!(err instanceof FilterError)) throw err;
      this.error.textContent = err.message;
      this.input.classList.add("bad");
    }
    return this.data.filter(f, this.brushes, new Set(), "", "");
  }

  render(): void {
    let idx = this.rows();
    if (this.sortKey) idx = this.data.sort(idx, this.sortKey, this.dir);
    this.table.textContent = "";
    const head = h("tr");
    head.append(h("th", "", ""));
    for (const c of this.columns) {
      const th = h("th", c.kind === "num" ? "num" : "", c.label + (this.sortKey === c.key ? (this.dir > 0 ? " ▲" : " ▼") : ""));
      th.dataset.key = c.key;
      th.title = `${c.group}: ${c.label} (click to sort)`;
      th.addEventListener("click", () => {
        if (this.sortKey === c.key) this.dir = this.dir > 0 ? -1 : 1;
        else { this.sortKey = c.key; this.dir = c.kind === "num" ? -1 : 1; }
        this.render();
      });
      head.append(th);
    }
    const thead = h("thead");
    thead.append(head);
    const body = h("tbody");
    const shown = new Set<string>();
    for (const i of idx) if (this.index.has(this.data.ids[i]) && !this.unticked.has(this.data.ids[i])) shown.add(this.data.ids[i]);
    this.more.textContent = idx.length > MAX_ROWS ? `showing ${MAX_ROWS} of ${idx.length} runs: filter or sort to see others` : "";
    for (const i of idx.subarray(0, MAX_ROWS)) {
      const id = this.data.ids[i];
      const charted = this.index.has(id);
      const tr = h("tr");
      tr.dataset.run = id;
      const tick = h("input");
      tick.type = "checkbox";
      tick.checked = charted && !this.unticked.has(id);
      tick.disabled = !charted;
      tick.dataset.role = "show";
      tick.title = charted ? "show this run's curves" : "not charted in this report (only the latest runs are)";
      tick.addEventListener("change", () => {
        if (tick.checked) this.unticked.delete(id); else this.unticked.add(id);
        this.emit();
      });
      const sw = h("span", "nbt-swatch");
      if (charted) sw.style.background = runColor(this.index.get(id)!).color;
      const first = h("td", "nbt-report-tick");
      first.append(tick, sw);
      tr.append(first);
      for (const c of this.columns) {
        const td = h("td", c.kind === "num" ? "num" : "");
        td.dataset.key = c.key;
        const text = fmtCell(this.data, c, i);
        const href = c.key === "name" ? this.host.runHref(id) : null;
        if (href !== null) {
          const a = h("a", "nbt-name", text);
          a.href = href;
          td.append(a);
        } else td.textContent = text;
        td.title = text;
        tr.append(td);
      }
      body.append(tr);
    }
    this.table.append(thead, body);
    this.el.dataset.rows = String(idx.length);
    this.emitSet(shown);
  }

  private emit(): void {
    const shown = new Set<string>();
    for (const i of this.rows()) if (this.index.has(this.data.ids[i]) && !this.unticked.has(this.data.ids[i])) shown.add(this.data.ids[i]);
    this.emitSet(shown);
  }

  private emitSet(shown: Set<string>): void {
    this.el.dataset.shown = String(shown.size);
    this.host.onVisible(shown);
  }
}
