// Mirror of the JSON that nbtrack/reports/collect.py writes (see nbtrack/reports/pack.py for
// the block that carries it). Keep the two in step.
import type { ImageStep } from "../shared/images";
import type { Column, ImportanceReply, NotebookCell, Rows } from "../shared/protocol.gen";

export interface ReportRun {
  id: string;
  name: string;
  project: string | null;
  state: string | null;
  created_at: number | null;
  finished_at: number | null;
  tags: string[];
  notes: string;
  last_step: number | null;
}

/** One curve; x, t, y index `arrays` (x Float64 steps, t Float32 seconds since t0, y Float32). */
export interface ReportSeries {
  run: string;
  key: string;
  n: number;
  t0: number;
  x: number;
  t: number;
  y: number;
}

/** Parameter importance for one metric, as the runs table's importance reply has it. */
export type ReportImportance = ImportanceReply;

export interface ReportImages {
  run: string;
  key: string;
  steps: ImageStep[];
}

export interface ReportTable {
  run: string;
  key: string;
  step: number;
  columns: string[];
  data: unknown[][];
  nrows: number;
}

export interface ReportDetail {
  config: Record<string, unknown>;
  summary: Record<string, unknown>;
  environment: Record<string, unknown>;
  code: string | null;
}

export interface ReportMeta {
  v: number;
  title: string;
  project: string | null;
  generated_at: number;
  total_runs: number;
  m4_width?: number;
  runs: ReportRun[];
  metrics: string[];
  series: ReportSeries[];
  table: { columns: Column[]; rows: Rows };
  importance: ReportImportance[];
  images: ReportImages[];
  tables: ReportTable[];
  details: Record<string, ReportDetail>;
  code: Record<string, NotebookCell[]>;
  links: { run?: string; project?: string };
  arrays: [number, number, "f8" | "f4"][];
}

export interface Report {
  meta: ReportMeta;
  arrays: (Float64Array | Float32Array)[];
}
