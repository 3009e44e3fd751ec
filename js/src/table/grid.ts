// The runs grid: a header row and only the visible rows in the DOM (virtualised), every
// cell set with textContent. Click a header to sort; the checkbox selects; the name opens
// the run's page.
import { fmtDuration, fmtNum, h } from "../shared/util";
import type { TableData } from "./data";
import type { Column } from "../shared/protocol.gen";

export const ROW_H = 26;
const OVERSCAN = 8;

export interface GridHost {
  data: TableData;
  view: Int32Array; // row indices in display order
  shown: Column[]; // visible columns, in order
  sortKey: string;
  sortDir: 1 | -1;
  selected: string[];
  colors: Map<string, string>;
  onSort(key: string): void;
  onSelect(id: string, on: boolean): void;
  onOpen(id: string): void;
}

export function colWidth(c: Column): number {
  if (c.key === "name") return 200;
  if (c.key === "notes" || c.key === "tags") return 150;
  if (c.key === "created_at") return 140;
  if (c.key === "id") return 110;
  return 96;
}

export function fmtCell(data: TableData, c: Column, i: number): string {
  if (c.kind === "num") {
    const v = data.num(c.key)![i];
    return c.key === "duration" ? fmtDuration(Number.isNaN(v) ? null : v) : Number.isNaN(v) ? "" : fmtNum(v);
  }
  if (c.kind === "time") {
    const v = data.num(c.key)![i];
    if (Number.isNaN(v)) return "";
    const d = new Date(v * 1000);
    const p = (x: number) => String(x).padStart(2, "0");
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
  }
  return data.text(c.key, i);
}

export class Grid {
  el = h("div", "nbt-grid");
  private head = h("div", "nbt-grid-head");
  private body = h("div", "nbt-grid-body");
  private spacer = h("div", "nbt-grid-spacer");
  private frame = 0;
  rendered = 0; // rows in the DOM (for tests: virtualisation)

  constructor(private host: GridHost) {
    this.el.tabIndex = 0;
    this.body.append(this.spacer);
    this.el.append(this.head, this.body);
    this.el.addEventListener("scroll", () => this.schedule());
  }

  schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => { this.frame = 0; this.drawRows(); });
  }

  private width(): number {
    let w = 28;
    for (const c of this.host.shown) w += colWidth(c);
    return w;
  }

  render(): void {
    const host = this.host;
    this.head.textContent = "";
    const w = this.width();
    this.head.style.width = `${w}px`;
    this.body.style.width = `${w}px`;
    const sel = h("div", "nbt-cell nbt-cell-sel");
    sel.style.width = "28px";
    this.head.append(sel);
    for (const c of host.shown) {
      const cell = h("div", `nbt-cell nbt-hcell nbt-group-${c.group}` + (c.kind === "num" || c.kind === "time" ? " num" : ""));
      cell.style.width = `${colWidth(c)}px`;
      cell.dataset.key = c.key;
      cell.title = `${c.key} — click to sort`;
      const grp = c.group === "run" ? "" : c.group === "config" ? "config" : "summary";
      if (grp) cell.append(h("span", "nbt-hgroup", grp));
      // the arrow shares the name's line: as a third line of the two-line header it pushed the name out
      const label = h("span", "nbt-hlabel-row");
      label.append(h("span", "nbt-hlabel", c.label));
      if (host.sortKey === c.key) label.append(h("span", "nbt-sort", host.sortDir === 1 ? "▲" : "▼"));
      cell.append(label);
      cell.addEventListener("click", () => host.onSort(c.key));
      this.head.append(cell);
    }
    this.spacer.style.height = `${host.view.length * ROW_H}px`;
    this.el.style.height = `${Math.max(120, Math.min(420, 36 + host.view.length * ROW_H + 16))}px`;
    this.drawRows();
  }

  drawRows(): void {
    const host = this.host;
    const data = host.data;
    for (const r of [...this.body.querySelectorAll(".nbt-row")]) r.remove();
    const viewH = this.el.clientHeight || 420;
    const top = Math.max(0, this.el.scrollTop - ROW_H);
    const first = Math.max(0, Math.floor(top / ROW_H) - OVERSCAN);
    const last = Math.min(host.view.length, Math.ceil((top + viewH) / ROW_H) + OVERSCAN);
    const frag = document.createDocumentFragment();
    const sel = new Set(host.selected);
    for (let r = first; r < last; r++) {
      const i = host.view[r];
      const id = data.ids[i];
      const row = h("div", "nbt-row" + (sel.has(id) ? " selected" : ""));
      row.style.top = `${r * ROW_H}px`;
      row.dataset.id = id;
      const c0 = h("div", "nbt-cell nbt-cell-sel");
      c0.style.width = "28px";
      const cb = h("input");
      cb.type = "checkbox";
      cb.checked = sel.has(id);
      cb.dataset.role = "select";
      cb.addEventListener("change", () => host.onSelect(id, cb.checked));
      const sw = host.colors.get(id);
      if (sw) c0.style.borderLeft = `4px solid ${sw}`;
      c0.append(cb);
      row.append(c0);
      for (const c of host.shown) {
        const text = fmtCell(data, c, i);
        const cell = h("div", "nbt-cell" + (c.kind === "num" || c.kind === "time" ? " num" : ""), text);
        cell.style.width = `${colWidth(c)}px`;
        cell.dataset.key = c.key;
        if (c.key === "state") cell.classList.add("nbt-state", `nbt-st-${text}`);
        if (c.key === "name") {
          cell.classList.add("nbt-name");
          cell.title = "open the run's page";
          cell.addEventListener("click", () => host.onOpen(id));
        } else if (text.length > 12) cell.title = text;
        row.append(cell);
      }
      frag.append(row);
    }
    this.body.append(frag);
    this.rendered = last - first;
    this.el.dataset.rendered = String(this.rendered);
  }

  destroy(): void {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.el.remove();
  }
}
