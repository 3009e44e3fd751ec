// Mirror of nbtrack/live/messages.py: keep the two in step.

/** What define_metric said about a name or glob, as far as charts care. */
export interface MetricMeta {
  step_metric?: string | null; // chart against this key instead of the global step
  hidden?: boolean; // no chart of its own
}

export interface RunInfo {
  id?: string;
  name?: string;
  project?: string;
  state?: string; // running | finished | failed | crashed | killed
  started_at?: number; // unix seconds
  finished_at?: number | null;
  summary?: Record<string, unknown>;
  metrics?: Record<string, MetricMeta>; // define_metric definitions by name or glob
}

/** One series in a delta; its points are buffer `buf`: Float64 x[n], t[n], y[n]. */
export interface SeriesDelta {
  run: string;
  key: string;
  ver: number;
  off: number;
  n: number;
  reset: boolean;
  buf: number;
}

export interface ImageItem {
  sha: string;
  caption: string | null;
  w: number | null;
  h: number | null;
  buf: number; // -1: no thumbnail
}

export interface ImageDelta {
  key: string;
  step: number;
  items: ImageItem[];
}

/** One histogram at one step, re-binned to equal bins over [lo, hi]. */
export interface HistDelta {
  run: string;
  key: string;
  step: number;
  lo: number;
  hi: number;
  counts: number[];
}

export interface DeltaMsg {
  type: "delta";
  seq: number;
  step: number | null;
  now: number;
  series: SeriesDelta[];
  images: ImageDelta[];
  hists?: HistDelta[];
}

/** The project's earlier runs, to overlay faintly (sent once; not saved). */
export interface EarlierMsg {
  type: "earlier";
  runs: RunInfo[];
  series: SnapSeries[];
}

export type KernelMsg = DeltaMsg | EarlierMsg;

export interface ResyncMsg {
  type: "resync";
}

/** Snapshot series: base64 x Float64 (Float32 when xk is "f4"), t Float32 (seconds since t0), y Float32. */
export interface SnapSeries {
  run: string;
  key: string;
  ver: number;
  n: number;
  t0: number;
  x: string;
  xk?: "f4";
  t: string;
  y: string;
}

/** Histograms of one key: counts base64 Uint8 (steps x bins), each column scaled to 0..255. */
export interface SnapHist {
  run: string;
  key: string;
  bins: number;
  steps: number[];
  lo: number[];
  hi: number[];
  counts: string;
}

export interface SnapImageItem {
  sha: string;
  caption: string | null;
  w: number | null;
  h: number | null;
  src: string | null;
}

export interface SnapImageStep {
  step: number;
  items: SnapImageItem[];
}

export interface SnapImages {
  key: string;
  steps: SnapImageStep[];
}

export interface Snapshot {
  v: number;
  seq: number;
  step: number | null;
  now: number | null;
  series: SnapSeries[];
  images: SnapImages[];
  hists?: SnapHist[];
}

/** The synced traits of nbtrack.live.widget.LivePanel. */
export interface PanelTraits {
  uid: string;
  mode: "live" | "compare";
  run: RunInfo;
  runs: RunInfo[];
  snapshot: Snapshot | Record<string, never>;
  code_ref: string; // model id of the WidgetCode holding the bundle ("" when inline)
  code_digest: string;
}

/** The synced traits of nbtrack.live.code.WidgetCode (one per kernel, never displayed). */
export interface CodeTraits {
  code: string;
  css: string;
  digest: string;
}
