// Per-model data store. Created in anywidget's initialize() (at comm open, before any
// view) so no pushed message is lost for want of a listener; views render from it.
import type { AnyModel } from "@anywidget/types";
import { bytesOf, float64, float64FromBase64, fromBase64 } from "../shared/buffers";
import type { HistData } from "../shared/charts/layout";
import type { ImageStep } from "../shared/images";
import { seriesId } from "../shared/util";
import type { DeltaMsg, HistDelta, NoSnapshot, PanelKernelMsg, PanelTraits, RunInfo, SnapHist, SnapSeries, Snapshot } from "../shared/protocol.gen";

export interface Series {
  id: string;
  run: string;
  key: string;
  ver: number;
  kn: number; // kernel mirror length these points stand for (appends continue at kn)
  x: Float64Array;
  t: Float64Array;
  y: Float64Array;
  n: number;
  gappy: boolean; // a delta was missed: heal at the next reset or snapshot
  earlier: boolean;
}

const IMAGE_STEPS = 64;
const HIST_STEPS = 64; // per key, thinned by half when full (latest kept), as the kernel does

export const sid = seriesId;

function histFromSnap(h: SnapHist): HistData {
  const raw = fromBase64(h.counts);
  const bins = h.bins || 32;
  const counts: Float64Array[] = [];
  for (let i = 0; i < h.steps.length; i++) counts.push(Float64Array.from(raw.subarray(i * bins, (i + 1) * bins)));
  return { run: h.run, key: h.key, steps: [...h.steps], lo: [...h.lo], hi: [...h.hi], counts };
}

function fromSnap(s: SnapSeries, earlier: boolean): Series {
  const x = float64FromBase64(s.x, s.xk === "f4" ? "f4" : "f8");
  const t = float64FromBase64(s.t, "f4");
  for (let i = 0; i < t.length; i++) t[i] += s.t0;
  const y = float64FromBase64(s.y, "f4");
  return { id: sid(s.run, s.key), run: s.run, key: s.key, ver: s.ver, kn: s.n, x, t, y, n: x.length, gappy: false, earlier };
}

function toBlobUrl(buf: unknown): string | null {
  const bytes = bytesOf(buf);
  return bytes.length ? URL.createObjectURL(new Blob([bytes.slice()], { type: "image/png" })) : null;
}

function grow(a: Float64Array, need: number): Float64Array {
  if (a.length >= need) return a;
  const b = new Float64Array(Math.max(need, a.length * 2, 64));
  b.set(a);
  return b;
}

/** What the store needs of the widget model: its traits and a way to ask for a resync. */
export type PanelModel = Pick<AnyModel<PanelTraits>, "get" | "send">;

export class PanelStore {
  series = new Map<string, Series>();
  earlier = new Map<string, Series>();
  earlierRuns: RunInfo[] = [];
  images = new Map<string, ImageStep[]>();
  hists = new Map<string, HistData>();
  step: number | null = null;
  kernelNow: number | null = null;
  recvAt = 0; // performance.now() of the last delta
  seq = 0;
  revision = 0;
  messages = 0;
  viewOptions = { smoothing: 0, logY: false, xMode: "auto", showEarlier: false };
  hidden = new Set<string>();
  openSections = new Map<string, boolean>(); // the user's section toggles (kept across re-renders)
  private listeners = new Set<() => void>();
  private blobUrls = new Set<string>();
  private lastResync = -Infinity; // performance.now() starts at page load: 0 would mute the first 5 s

  constructor(private model: PanelModel) {
    this.adoptSnapshot(model.get("snapshot"));
  }

  get mode(): "live" | "compare" {
    return this.model.get("mode") || "live";
  }
  get run(): RunInfo {
    return this.model.get("run") || {};
  }
  /** Compared runs (compare mode) or the earlier runs overlaid faintly (live mode). */
  get runs(): RunInfo[] {
    return this.mode === "compare" ? this.model.get("runs") || [] : this.earlierRuns;
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  changed(): void {
    this.revision++;
    for (const fn of this.listeners) fn();
  }

  onTrait(name: string): void {
    if (name === "snapshot") this.adoptSnapshot(this.model.get("snapshot"));
    this.changed();
  }

  /** Take the saved snapshot where it is at least as current as what this page holds. */
  adoptSnapshot(snap: Snapshot | NoSnapshot | undefined): void {
    if (!snap || !("series" in snap) || !snap.series) return;
    const behind = (snap.seq || 0) > this.seq;
    for (const s of snap.series) {
      const id = sid(s.run, s.key);
      const cur = this.series.get(id);
      if (!cur || cur.gappy || behind || cur.ver !== s.ver || cur.kn < s.n) this.series.set(id, fromSnap(s, false));
    }
    if (behind || this.step === null) {
      this.step = snap.step ?? this.step;
      this.kernelNow = snap.now ?? this.kernelNow;
      this.seq = Math.max(this.seq, snap.seq || 0);
    }
    for (const hs of snap.hists || []) {
      const id = sid(hs.run, hs.key);
      const have = this.hists.get(id);
      if (!have || behind || have.steps.length < hs.steps.length) this.hists.set(id, histFromSnap(hs));
    }
    for (const im of snap.images || []) {
      const have = this.images.get(im.key);
      if (have && have.length && !behind) continue;
      this.images.set(im.key, im.steps.map((st) => ({ step: st.step, items: st.items.map((i) => ({ ...i })) })));
    }
  }

  adoptEarlier(runs: RunInfo[], list: SnapSeries[]): void {
    this.earlier.clear();
    this.earlierRuns = runs;
    for (const s of list) this.earlier.set(sid(s.run, s.key), fromSnap(s, true));
  }

  /** Any message from the kernel. */
  receive(msg: PanelKernelMsg, buffers: unknown[]): void {
    if (!msg) return;
    if (msg.type === "earlier") {
      this.adoptEarlier(msg.runs || [], msg.series || []);
      this.changed();
    } else this.handle(msg, buffers);
  }

  handle(msg: DeltaMsg, buffers: unknown[]): void {
    if (!msg || msg.type !== "delta") return;
    this.messages++;
    if (msg.seq <= this.seq && this.seq - msg.seq < 1e6) return; // already covered by a snapshot
    let gap = msg.seq !== this.seq + 1 && this.seq !== 0;
    this.seq = msg.seq;
    for (const d of msg.series) {
      const pts = float64(buffers[d.buf]);
      const n = Math.min(d.n, Math.floor(pts.length / 3));
      const id = sid(d.run, d.key);
      let s = this.series.get(id);
      if (d.reset || !s) {
        s = { id, run: d.run, key: d.key, ver: d.ver, kn: d.off + n, x: pts.slice(0, n), t: pts.slice(n, 2 * n), y: pts.slice(2 * n, 3 * n), n, gappy: !d.reset, earlier: false };
        this.series.set(id, s);
        gap = gap || !d.reset;
        continue;
      }
      // append only points beyond the last one held, whatever happened in between
      const lastX = s.n ? s.x[s.n - 1] : -Infinity;
      let i0 = 0;
      while (i0 < n && pts[i0] <= lastX) i0++;
      const k = n - i0;
      if (d.ver !== s.ver || d.off !== s.kn) {
        s.gappy = true;
        gap = true;
      }
      s.ver = d.ver;
      s.kn = d.off + n;
      if (k <= 0) continue;
      s.x = grow(s.x, s.n + k);
      s.t = grow(s.t, s.n + k);
      s.y = grow(s.y, s.n + k);
      s.x.set(pts.subarray(i0, n), s.n);
      s.t.set(pts.subarray(n + i0, 2 * n), s.n);
      s.y.set(pts.subarray(2 * n + i0, 3 * n), s.n);
      s.n += k;
    }
    for (const im of msg.images) {
      const steps = this.images.get(im.key) || [];
      const items = im.items.map((it) => {
        const src = it.buf >= 0 ? toBlobUrl(buffers[it.buf]) : null;
        if (src) this.blobUrls.add(src);
        return { caption: it.caption, w: it.w, h: it.h, src };
      });
      if (steps.length && steps[steps.length - 1].step === im.step) steps[steps.length - 1] = { step: im.step, items };
      else steps.push({ step: im.step, items });
      if (steps.length > IMAGE_STEPS) {
        const kept = steps.filter((_, i) => i % 2 === 0 || i === steps.length - 1);
        for (const st of steps) if (!kept.includes(st)) for (const it of st.items) this.revoke(it.src);
        steps.splice(0, steps.length, ...kept);
      }
      this.images.set(im.key, steps);
    }
    for (const hd of msg.hists || []) this.addHist(hd);
    this.step = msg.step ?? this.step;
    this.kernelNow = msg.now;
    this.recvAt = performance.now();
    if (gap) this.requestResync();
    this.changed();
  }

  private addHist(d: HistDelta): void {
    const id = sid(d.run, d.key);
    let hd = this.hists.get(id);
    if (!hd) {
      hd = { run: d.run, key: d.key, steps: [], lo: [], hi: [], counts: [] };
      this.hists.set(id, hd);
    }
    const last = hd.steps.length - 1;
    const counts = Float64Array.from(d.counts);
    if (last >= 0 && hd.steps[last] >= d.step) {
      const at = hd.steps.indexOf(d.step);
      if (at >= 0) { hd.lo[at] = d.lo; hd.hi[at] = d.hi; hd.counts[at] = counts; }
      return; // older than what is held (a reset resending kept steps): keep ours
    }
    hd.steps.push(d.step);
    hd.lo.push(d.lo);
    hd.hi.push(d.hi);
    hd.counts.push(counts);
    if (hd.steps.length > HIST_STEPS) {
      const keep = (_: unknown, i: number, a: unknown[]) => i % 2 === 0 && i < a.length - 1 || i === a.length - 1;
      hd.steps = hd.steps.filter(keep);
      hd.lo = hd.lo.filter(keep);
      hd.hi = hd.hi.filter(keep);
      hd.counts = hd.counts.filter(keep);
    }
  }

  /** Ask the kernel for full resets (delivered once the running cell ends). */
  requestResync(): void {
    const now = performance.now();
    if (now - this.lastResync < 5000) return;
    this.lastResync = now;
    try {
      this.model.send({ type: "resync" });
    } catch {
      /* comm closed */
    }
  }

  private revoke(url: string | null): void {
    if (url && this.blobUrls.delete(url)) URL.revokeObjectURL(url);
  }

  dispose(): void {
    for (const u of this.blobUrls) URL.revokeObjectURL(u);
    this.blobUrls.clear();
    this.listeners.clear();
  }

  /** Points held for the main run(s) (excludes the faint earlier runs). */
  get points(): number {
    let n = 0;
    for (const s of this.series.values()) n += s.n;
    return n;
  }
}

// anywidget hands initialize() and each render() a different proxy of the model, so the
// store is keyed by the model's `uid` trait, not by the object.
const stores = new Map<string, PanelStore>();
const anon = new WeakMap<object, PanelStore>();

export function getStore(model: AnyModel<PanelTraits>): PanelStore {
  const uid = model.get("uid");
  let s = uid ? stores.get(uid) : anon.get(model);
  if (!s) {
    s = new PanelStore(model);
    if (uid) stores.set(uid, s);
    else anon.set(model, s);
  }
  return s;
}

export function attachStore(model: AnyModel<PanelTraits>): () => void {
  const store = getStore(model);
  const onMsg = (msg: PanelKernelMsg, buffers: unknown[]) => store.receive(msg, buffers || []);
  const handlers: [string, () => void][] = ["snapshot", "run", "runs", "mode"].map((n) => [`change:${n}`, () => store.onTrait(n)]);
  model.on("msg:custom", onMsg);
  for (const [ev, fn] of handlers) model.on(ev, fn);
  return () => {
    model.off("msg:custom", onMsg);
    for (const [ev, fn] of handlers) model.off(ev, fn);
    store.dispose();
    stores.delete(model.get("uid"));
  };
}
