// Mirror of nbtrack/live/messages.py: keep the two in step.

export interface RunInfo {
  id?: string;
  name?: string;
  project?: string;
  state?: string; // running | finished | failed | crashed | killed
  started_at?: number; // unix seconds
  finished_at?: number | null;
  summary?: Record<string, unknown>;
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

export interface DeltaMsg {
  type: "delta";
  seq: number;
  step: number | null;
  now: number;
  series: SeriesDelta[];
  images: ImageDelta[];
}

export interface ResyncMsg {
  type: "resync";
}

/** Snapshot series: base64 x Float64, t Float32 (seconds since t0), y Float32. */
export interface SnapSeries {
  run: string;
  key: string;
  ver: number;
  n: number;
  t0: number;
  x: string;
  t: string;
  y: string;
}

export interface SnapImageItem {
  sha: string;
  caption: string | null;
  w: number | null;
  h: number | null;
  src: string | null;
}

export interface SnapImages {
  key: string;
  steps: { step: number; items: SnapImageItem[] }[];
}

export interface Snapshot {
  v: number;
  seq: number;
  step: number | null;
  now: number | null;
  series: SnapSeries[];
  images: SnapImages[];
}

/** The synced traits of nbtrack.live.widget.LivePanel. */
export interface PanelTraits {
  uid: string;
  mode: "live" | "compare";
  run: RunInfo;
  runs: RunInfo[];
  snapshot: Snapshot | Record<string, never>;
  earlier: SnapSeries[];
}
