// A run's page inside the widget: overview (rename, notes, tags, delete with a second
// click, the run's alerts), config, summary, environment, logged tables (image cells as thumbnails), files
// and images, the code as cells, and a diff with another run. Everything from user data
// goes in as textContent.
import { fmtDuration, h } from "../shared/util";
import type { NotebookCell, ConfigDiffRow, LoggedTable, RunDetail } from "../shared/protocol.gen";

export interface DetailHost {
  runChoices(): { id: string; name: string }[];
  save(id: string, fields: { name?: string; notes?: string; tags?: string[] }): Promise<void>;
  remove(id: string): Promise<void>;
  diff(a: string, b: string): Promise<{ code: string[]; config: ConfigDiffRow[] }>;
  back(): void;
}

const TABS = ["overview", "config", "environment", "tables", "files", "code", "diff"] as const;
type Tab = (typeof TABS)[number];

// Audio, video and HTML logged by the run. Sources are data URLs made by the kernel; HTML
// goes into an iframe sandboxed without any permission (no scripts, no same origin).
function mediaList(items: RunDetail["media"]): HTMLElement {
  const list = h("div", "nbt-media");
  for (const m of items) {
    const fig = h("figure", "nbt-media-item");
    fig.dataset.kind = m.kind;
    let el: HTMLElement;
    if (m.kind === "audio" && m.src?.startsWith("data:audio/")) {
      const a = h("audio");
      a.controls = true;
      a.src = m.src;
      el = a;
    } else if (m.kind === "video" && m.src?.startsWith("data:video/")) {
      const v = h("video");
      v.controls = true;
      v.src = m.src;
      el = v;
    } else if (m.kind === "gif" && m.src?.startsWith("data:image/gif")) {
      const img = h("img");
      img.src = m.src;
      img.alt = m.name;
      el = img;
    } else if (m.kind === "html") {
      const f = h("iframe");
      f.setAttribute("sandbox", "");
      f.srcdoc = m.html ?? "";
      el = f;
    } else {
      continue;
    }
    fig.append(el, h("figcaption", undefined, m.name.split("/").pop() || ""));
    list.append(fig);
  }
  return list;
}

function kvTable(obj: Record<string, unknown>, cls = "nbt-kv"): HTMLElement {
  const t = h("table", cls);
  const keys = Object.keys(obj).sort();
  if (!keys.length) return h("div", "nbt-empty", "(none)");
  for (const k of keys) {
    const tr = h("tr");
    const v = obj[k];
    tr.append(h("td", "nbt-k", k), h("td", "nbt-v", typeof v === "string" ? v : JSON.stringify(v)));
    t.append(tr);
  }
  return t;
}

export function diffLines(lines: string[]): HTMLElement {
  const pre = h("pre", "nbt-diff");
  if (!lines.length) pre.append(h("div", "nbt-empty", "(no difference)"));
  for (const line of lines) {
    const cls = line.startsWith("+++") || line.startsWith("---") ? "hdr" : line.startsWith("@@") ? "hunk" : line.startsWith("+") ? "add" : line.startsWith("-") ? "del" : "ctx";
    pre.append(h("div", `nbt-dl nbt-dl-${cls}`, line || " "));
  }
  return pre;
}

/** A logged table: text cells as text, image cells as thumbnails (data URLs only). */
function loggedTableView(t: LoggedTable): HTMLElement {
  const box = h("div", "nbt-logged");
  box.dataset.key = t.key;
  const more = t.nrows > t.rows.length || t.ncols > t.columns.length ? ` (first ${t.rows.length} of ${t.nrows} rows, ${t.columns.length} of ${t.ncols} columns)` : ` (${t.nrows} rows)`;
  box.append(h("h4", undefined, `${t.key} · step ${t.step}${more}`));
  const table = h("table", "nbt-kv nbt-logged-table");
  const head = h("tr");
  for (const c of t.columns) head.append(h("th", undefined, c));
  table.append(head);
  for (const row of t.rows) {
    const tr = h("tr");
    for (const cell of row) {
      const td = h("td", "nbt-v");
      if ("image" in cell && cell.image.startsWith("data:image/")) {
        const img = h("img", "nbt-logged-img");
        img.src = cell.image;
        img.alt = cell.caption;
        img.title = cell.caption;
        td.append(img);
        if (cell.caption) td.append(h("div", "nbt-meta", cell.caption));
      } else if ("text" in cell) td.textContent = cell.text;
      tr.append(td);
    }
    table.append(tr);
  }
  box.append(table);
  return box;
}

function cellsView(cells: NotebookCell[]): HTMLElement {
  const box = h("div", "nbt-cells");
  if (!cells.length) box.append(h("div", "nbt-empty", "No code was captured for this run."));
  cells.forEach((c, i) => {
    const cell = h("div", `nbt-nbcell nbt-nbcell-${c.type}`);
    cell.append(h("div", "nbt-nbcell-prompt", c.type === "code" ? `[${i + 1}]` : c.type === "markdown" ? "md" : c.type.slice(0, 4)));
    const body = h("div", "nbt-nbcell-body");
    body.append(h("pre", "nbt-src", c.source));
    for (const o of c.outputs) body.append(h("pre", "nbt-out", o));
    cell.append(body);
    box.append(cell);
  });
  return box;
}

export class DetailView {
  el = h("div", "nbt-detail");
  private tabBar = h("div", "nbt-tabs");
  private pane = h("div", "nbt-pane");
  private tab: Tab = "overview";
  run: RunDetail | null = null;

  constructor(private host: DetailHost) {
    const back = h("button", "nbt-btn", "← runs");
    back.dataset.role = "back";
    back.addEventListener("click", () => host.back());
    const head = h("div", "nbt-detail-head");
    head.append(back, h("span", "nbt-title nbt-detail-title"));
    this.el.append(head, this.tabBar, this.pane);
    for (const t of TABS) {
      const b = h("button", "nbt-tab", t === "code" ? "Code" : t[0].toUpperCase() + t.slice(1));
      b.dataset.tab = t;
      b.addEventListener("click", () => this.show(t));
      this.tabBar.append(b);
    }
  }

  loading(name: string): void {
    this.run = null;
    (this.el.querySelector(".nbt-detail-title") as HTMLElement).textContent = name;
    this.pane.textContent = "";
    this.pane.append(h("div", "nbt-empty", "loading the run's page…"));
  }

  error(msg: string): void {
    this.pane.textContent = "";
    this.pane.append(h("div", "nbt-error", msg));
  }

  set(run: RunDetail): void {
    this.run = run;
    this.el.dataset.run = run.id;
    (this.el.querySelector(".nbt-detail-title") as HTMLElement).textContent = run.name;
    this.show(this.tab);
  }

  show(tab: Tab): void {
    this.tab = tab;
    for (const b of this.tabBar.querySelectorAll<HTMLElement>(".nbt-tab")) b.classList.toggle("on", b.dataset.tab === tab);
    this.el.dataset.tab = tab;
    const run = this.run;
    if (!run) return;
    this.pane.textContent = "";
    if (tab === "overview") this.overview(run);
    else if (tab === "config") {
      this.pane.append(h("h4", undefined, "Config"), kvTable(run.config), h("h4", undefined, "Summary"), kvTable(run.summary));
    } else if (tab === "environment") {
      this.pane.append(kvTable(run.environment));
      if (run.git_diff) this.pane.append(h("h4", undefined, "git diff"), diffLines(run.git_diff.split("\n")));
      this.pane.append(h("h4", undefined, `Packages (${run.packages.length})`), h("pre", "nbt-pkgs", run.packages.join("\n")));
    } else if (tab === "tables") {
      const tables = run.tables || [];
      if (!tables.length) this.pane.append(h("div", "nbt-empty", "This run logged no tables."));
      for (const t of tables) this.pane.append(loggedTableView(t));
    } else if (tab === "files") this.files(run);
    else if (tab === "code") this.pane.append(cellsView(run.cells));
    else this.diffTab(run);
  }

  private overview(run: RunDetail): void {
    const p = this.pane;
    const meta = h("div", "nbt-meta");
    const dur = run.finished_at && run.created_at ? fmtDuration(run.finished_at - run.created_at) : "";
    meta.textContent = `${run.id} · ${run.project} · ${run.state}` + (run.created_at ? ` · started ${new Date(run.created_at * 1000).toLocaleString()}` : "") + (dur ? ` · ${dur}` : "");
    const name = h("input", "nbt-input");
    name.value = run.name;
    name.dataset.role = "rename";
    const notes = h("textarea", "nbt-input nbt-notes");
    notes.value = run.notes;
    notes.dataset.role = "notes";
    const tags = h("input", "nbt-input");
    tags.value = run.tags.join(", ");
    tags.dataset.role = "tags";
    tags.placeholder = "tag1, tag2";
    const status = h("span", "nbt-meta");
    const save = h("button", "nbt-btn", "Save");
    save.dataset.role = "save";
    save.addEventListener("click", async () => {
      status.textContent = "saving…";
      try {
        await this.host.save(run.id, { name: name.value, notes: notes.value, tags: tags.value.split(",").map((s) => s.trim()).filter(Boolean) });
        status.textContent = "saved";
      } catch (e) {
        status.textContent = String((e as Error).message);
      }
    });
    const del = h("button", "nbt-btn nbt-danger", "Delete run…");
    del.dataset.role = "delete";
    let armed = false;
    del.addEventListener("click", async () => {
      if (!armed) {
        armed = true;
        del.textContent = "Click again to delete for good";
        del.classList.add("armed");
        setTimeout(() => { armed = false; del.textContent = "Delete run…"; del.classList.remove("armed"); }, 5000);
        return;
      }
      status.textContent = "deleting…";
      try { await this.host.remove(run.id); } catch (e) { status.textContent = String((e as Error).message); }
    });
    const form = h("div", "nbt-form");
    const row = (label: string, input: HTMLElement) => { const r = h("label", "nbt-form-row"); r.append(h("span", "nbt-form-label", label), input); form.append(r); };
    row("name", name);
    row("notes", notes);
    row("tags", tags);
    const actions = h("div", "nbt-actions");
    actions.append(save, del, status);
    p.append(meta, form, actions);
    const alerts = run.alerts || [];
    if (alerts.length) {
      const list = h("table", "nbt-kv nbt-alerts");
      for (const a of alerts) {
        const tr = h("tr", `nbt-alert nbt-alert-${a.level === "ERROR" ? "error" : a.level === "WARN" ? "warn" : "info"}`);
        const when = a.created_at ? new Date(a.created_at * 1000).toLocaleString() : "";
        tr.append(h("td", "nbt-k", a.level), h("td", "nbt-k", a.title), h("td", "nbt-v", a.text),
          h("td", "nbt-meta", `${when}${a.step !== null && a.step !== undefined ? ` · step ${a.step}` : ""}`));
        list.append(tr);
      }
      p.append(h("h4", undefined, `Alerts (${alerts.length})`), list);
    }
    p.append(h("h4", undefined, "Summary"), kvTable(run.summary));
  }

  private files(run: RunDetail): void {
    const t = h("table", "nbt-kv");
    for (const f of run.files) {
      const tr = h("tr");
      tr.append(h("td", "nbt-k", f.name), h("td", "nbt-v", `${f.kind} · ${f.size.toLocaleString()} bytes`));
      t.append(tr);
    }
    this.pane.append(run.files.length ? t : h("div", "nbt-empty", "(no files)"));
    if (run.images.length) {
      const strip = h("div", "nbt-strip");
      for (const im of run.images) {
        const fig = h("figure", "nbt-thumb");
        const img = h("img");
        if (im.src.startsWith("data:image/")) img.src = im.src;
        img.alt = im.name;
        fig.append(img, h("figcaption", undefined, im.name.split("/").pop() || ""));
        strip.append(fig);
      }
      this.pane.append(h("h4", undefined, "Images"), strip);
    }
    if (run.media && run.media.length) this.pane.append(h("h4", undefined, "Media"), mediaList(run.media));
  }

  private diffTab(run: RunDetail): void {
    const pick = h("select");
    pick.dataset.role = "diff-with";
    for (const r of this.host.runChoices()) {
      if (r.id === run.id) continue;
      const o = h("option", undefined, `${r.name} (${r.id})`);
      o.value = r.id;
      pick.append(o);
    }
    const go = h("button", "nbt-btn", "Show diff");
    go.dataset.role = "diff-go";
    const out = h("div", "nbt-diff-out");
    go.addEventListener("click", async () => {
      out.textContent = "computing the diff…";
      try {
        const d = await this.host.diff(run.id, pick.value);
        out.textContent = "";
        const cfg = h("table", "nbt-kv nbt-cfgdiff");
        const hr = h("tr");
        hr.append(h("th", undefined, "config key"), h("th", undefined, run.name), h("th", undefined, pick.selectedOptions[0]?.textContent || pick.value));
        cfg.append(hr);
        for (const r of d.config) {
          const tr = h("tr");
          tr.append(h("td", "nbt-k", r.key), h("td", "nbt-v nbt-dl-del", r.a ?? "—"), h("td", "nbt-v nbt-dl-add", r.b ?? "—"));
          cfg.append(tr);
        }
        out.append(h("h4", undefined, `Config (${d.config.length} difference${d.config.length === 1 ? "" : "s"})`), d.config.length ? cfg : h("div", "nbt-empty", "(same config)"));
        out.append(h("h4", undefined, "Code"), diffLines(d.code));
        out.dataset.ready = "1";
      } catch (e) {
        out.textContent = "";
        out.append(h("div", "nbt-error", (e as Error).message));
      }
    });
    const bar = h("div", "nbt-controls");
    bar.append(h("span", undefined, "compare with"), pick, go);
    this.pane.append(bar, out);
  }
}
