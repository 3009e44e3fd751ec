// Choose and reorder the table's columns (checkbox to show, arrows to move).
import { h } from "../shared/util";
import type { Column } from "../shared/protocol.gen";

export class ColumnChooser {
  el = h("div", "nbt-colchooser");
  private list = h("div", "nbt-collist");
  private search = h("input", "nbt-input");

  constructor(private all: () => Column[], private shown: () => string[], private onChange: (keys: string[]) => void) {
    this.search.placeholder = "find a column";
    this.search.dataset.role = "col-search";
    this.search.addEventListener("input", () => this.render());
    const none = h("button", "nbt-btn", "only run columns");
    none.addEventListener("click", () => this.onChange(this.shown().filter((k) => !k.includes("."))));
    const every = h("button", "nbt-btn", "all columns");
    every.addEventListener("click", () => this.onChange(this.all().map((c) => c.key)));
    const bar = h("div", "nbt-controls");
    bar.append(this.search, none, every);
    this.el.append(bar, this.list);
  }

  render(): void {
    this.list.textContent = "";
    const shown = this.shown();
    const q = this.search.value.toLowerCase();
    const order = [...shown, ...this.all().map((c) => c.key).filter((k) => !shown.includes(k))];
    const byKey = new Map(this.all().map((c) => [c.key, c]));
    for (const key of order) {
      const c = byKey.get(key);
      if (!c || (q && !key.toLowerCase().includes(q))) continue;
      const row = h("div", "nbt-colrow");
      row.dataset.key = key;
      const cb = h("input");
      cb.type = "checkbox";
      cb.checked = shown.includes(key);
      cb.addEventListener("change", () => this.onChange(cb.checked ? [...shown, key] : shown.filter((k) => k !== key)));
      const up = h("button", "nbt-btn nbt-mini", "▲");
      up.dataset.role = "col-up";
      const down = h("button", "nbt-btn nbt-mini", "▼");
      down.dataset.role = "col-down";
      const move = (d: number) => {
        const i = shown.indexOf(key);
        const j = i + d;
        if (i < 0 || j < 0 || j >= shown.length) return;
        const next = [...shown];
        [next[i], next[j]] = [next[j], next[i]];
        this.onChange(next);
      };
      up.addEventListener("click", () => move(-1));
      down.addEventListener("click", () => move(1));
      up.disabled = down.disabled = !cb.checked;
      row.append(cb, h("span", "nbt-colname", key), up, down);
      this.list.append(row);
    }
  }
}
