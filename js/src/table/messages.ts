// Mirror of nbtrack/runs_table/messages.py: keep the two in step.

export interface Column {
  key: string;
  label: string;
  group: "run" | "config" | "summary";
  kind: "num" | "str" | "tags" | "time";
}

export interface ColData {
  v?: unknown[];
  buf?: number;
}

export interface Rows {
  ids: string[];
  cols: Record<string, ColData>;
}

export interface TableTraits {
  uid: string;
  project: string | null;
  columns: Column[];
  page: Rows | Record<string, never>;
  total: number;
  filter: string;
  selected: string[];
}

export interface Reply {
  type: "reply";
  rid: number;
  req: string;
  ok: boolean;
  error?: string;
  [k: string]: unknown;
}

export interface CurveSeries {
  run: string;
  n: number;
  buf: number; // Float64 x[n] then y[n]
}

export interface ImportanceRow {
  param: string;
  importance: number | null;
  corr: number | null;
}

export interface Cell {
  type: string;
  source: string;
  outputs: string[];
}

export interface RunDetail {
  id: string;
  name: string;
  project: string;
  state: string;
  notes: string;
  tags: string[];
  created_at: number | null;
  finished_at: number | null;
  config: Record<string, unknown>;
  summary: Record<string, unknown>;
  environment: Record<string, unknown>;
  packages: string[];
  git_diff: string;
  files: { name: string; size: number; kind: string }[];
  images: { name: string; src: string }[];
  media: { name: string; kind: "audio" | "video" | "gif" | "html"; src?: string; html?: string }[];
  cells: Cell[];
  tables: LoggedTable[];
  alerts: RunAlert[];
}

/** An alert the run sent (nbtrack.alert / wandb.alert). */
export interface RunAlert {
  title: string;
  text: string;
  level: string;
  created_at: number | null;
  step: number | null;
}

/** A table the run logged (its last version), as the kernel shapes it for the page. */
export interface LoggedTable {
  key: string;
  step: number;
  columns: string[];
  rows: TableCell[][];
  nrows: number;
  ncols: number;
}

export type TableCell = { text: string } | { image: string; caption: string };

export interface ConfigDiffRow {
  key: string;
  a: string | null;
  b: string | null;
}
