// Each run's page in the report: notes, tags, config, summary, environment, logged images
// (the live panel's image strips), logged tables and the code the run came from.
// All of it is text or data: URLs set through DOM properties.
import { ImagesView } from "../shared/images";
import type { ImageStep } from "../shared/images";
import type { NotebookCell } from "../shared/protocol.gen";
import { fmtNum, h } from "../shared/util";
import type { Report, ReportRun, ReportTable } from "./types";

function kv(title: string, obj: Record<string, unknown>): HTMLElement {
  const box = h("div", "nbt-report-kv");
  box.append(h("h4", "nbt-report-h4", title));
  const keys = Object.keys(obj).sort();
  if (!keys.length) {
    box.append(h("div", "nbt-meta", "none"));
    return box;
  }
  const t = h("table", "nbt-kv");
  for (const k of keys) {
    const v = obj[k];
    const tr = h("tr");
    tr.append(h("td", "nbt-k", k), h("td", "nbt-v", typeof v === "number" ? fmtNum(v) : typeof v === "string" ? v : JSON.stringify(v)));
    t.append(tr);
  }
  box.append(t);
  return box;
}

function tableView(t: ReportTable): HTMLElement {
  const box = h("div", "nbt-report-logged");
  box.append(h("h4", "nbt-report-h4", `${t.key} (step ${t.step}, ${t.nrows} rows${t.nrows > t.data.length ? `, first ${t.data.length} shown` : ""})`));
  const wrap = h("div", "nbt-report-scroll");
  const table = h("table", "nbt-report-table");
  const head = h("tr");
  for (const c of t.columns) head.append(h("th", "", c));
  const thead = h("thead");
  thead.append(head);
  const body = h("tbody");
  for (const row of t.data) {
    const tr = h("tr");
    for (const v of row) tr.append(h("td", typeof v === "number" ? "num" : "", v === null || v === undefined ? "" : typeof v === "number" ? fmtNum(v) : typeof v === "string" ? v : JSON.stringify(v)));
    body.append(tr);
  }
  table.append(thead, body);
  wrap.append(table);
  box.append(wrap);
  return box;
}

function codeView(cells: NotebookCell[]): HTMLElement {
  const box = h("div", "nbt-report-code");
  cells.forEach((c, i) => {
    const cell = h("div", `nbt-report-cell nbt-report-cell-${c.type === "code" ? "code" : "text"}`);
    cell.append(h("div", "nbt-meta", c.type === "code" ? `In [${i + 1}]` : c.type), h("pre", "nbt-report-src", c.source));
    for (const o of c.outputs) cell.append(h("pre", "nbt-report-out", o));
    box.append(cell);
  });
  return box;
}

export function runAnchor(id: string): string {
  return "run-" + id.replace(/[^A-Za-z0-9_-]/g, "_");
}

export class DetailsView {
  el = h("section", "nbt-report-section nbt-report-details");

  constructor(report: Report) {
    const { meta } = report;
    this.el.append(h("h2", "nbt-report-h2", "Runs in detail"));
    const images = new Map<string, Map<string, ImageStep[]>>();
    for (const im of meta.images) {
      if (!images.has(im.run)) images.set(im.run, new Map());
      images.get(im.run)!.set(im.key, im.steps.map((s) => ({ step: s.step, items: s.items.map((i) => ({ ...i })) })));
    }
    for (const run of meta.runs) this.el.append(this.run(report, run, images.get(run.id)));
  }

  private run(report: Report, run: ReportRun, images: Map<string, ImageStep[]> | undefined): HTMLElement {
    const box = h("details", "nbt-report-run");
    box.id = runAnchor(run.id);
    box.dataset.run = run.id;
    const sum = h("summary", "nbt-report-run-head");
    sum.append(h("span", "nbt-title", run.name), h("span", `nbt-badge nbt-state-${(run.state || "").replace(/[^a-z]/g, "")}`, run.state || ""),
      h("span", "nbt-meta", `${run.id}${run.project ? " · " + run.project : ""}${run.last_step !== null ? " · step " + run.last_step : ""}`));
    box.append(sum);
    // the content is built when the run is first opened: a report of many runs opens fast
    let filled = false;
    box.addEventListener("toggle", () => {
      if (!box.open || filled) return;
      filled = true;
      this.fill(box, report, run, images);
    });
    return box;
  }

  private fill(box: HTMLElement, report: Report, run: ReportRun, images: Map<string, ImageStep[]> | undefined): void {
    const { meta } = report;
    const d = meta.details[run.id];
    if (run.tags.length) box.append(h("div", "nbt-meta", "tags: " + run.tags.join(", ")));
    if (run.notes) box.append(h("div", "nbt-report-runnotes", run.notes));
    if (d) {
      const grid = h("div", "nbt-report-kvs");
      grid.append(kv("Config", d.config), kv("Summary", d.summary), kv("Environment", d.environment));
      box.append(grid);
    }
    if (images && images.size) {
      const iv = new ImagesView();
      iv.update(images);
      box.append(h("h4", "nbt-report-h4", "Images"), iv.el);
    }
    for (const t of meta.tables.filter((t) => t.run === run.id)) box.append(tableView(t));
    const cells = d && d.code ? meta.code[d.code] : null;
    if (cells && cells.length) {
      const code = h("details", "nbt-report-codebox");
      code.append(h("summary", "", `Code (${cells.length} cell${cells.length === 1 ? "" : "s"})`), codeView(cells));
      box.append(code);
    }
  }
}
