// Parameter importance as the kernel computed it (random forest + correlation), with the
// method named. Bars for importance, signed colour for correlation.
import { fmtNum, h } from "../shared/util";
import type { ImportanceRow } from "../shared/protocol.gen";

export function importanceView(method: string, rows: ImportanceRow[], n: number, metric: string): HTMLElement {
  const box = h("div", "nbt-importance");
  box.append(h("div", "nbt-meta nbt-method", `Method: ${method} — ${n} runs, metric ${metric}`));
  if (!rows.length) {
    box.append(h("div", "nbt-empty", "Not enough runs with this metric and varying config values."));
    return box;
  }
  const t = h("table", "nbt-kv nbt-imp");
  const hr = h("tr");
  hr.append(h("th", undefined, "parameter"), h("th", undefined, "importance"), h("th", undefined, "correlation"));
  t.append(hr);
  const top = Math.max(...rows.map((r) => r.importance ?? 0), 1e-12);
  for (const r of rows) {
    const tr = h("tr");
    tr.dataset.param = r.param;
    const bar = h("div", "nbt-bar");
    bar.style.width = `${Math.round(((r.importance ?? 0) / top) * 120)}px`;
    const imp = h("td");
    imp.append(bar, h("span", "nbt-bar-val", r.importance === null ? "–" : fmtNum(r.importance)));
    const corr = h("td", "nbt-corr " + (r.corr === null ? "" : r.corr > 0 ? "pos" : "neg"), r.corr === null ? "– (categorical)" : fmtNum(r.corr));
    tr.append(h("td", "nbt-k", r.param.replace(/^config\./, "")), imp, corr);
    t.append(tr);
  }
  box.append(t);
  return box;
}
