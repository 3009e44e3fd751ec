// A report page's data: the JSON of its block (ReportMeta and its parts, generated from
// nbtrack/reports/schema.py into shared/protocol.gen.ts) and the arrays it points into
// (see nbtrack/reports/pack.py for the block's layout).
import type { ReportMeta } from "../shared/protocol.gen";

export type {
  ReportDetail, ReportImages, ReportImportance, ReportMeta, ReportRun, ReportSeries, ReportTable,
} from "../shared/protocol.gen";

export interface Report {
  meta: ReportMeta;
  arrays: (Float64Array | Float32Array)[];
}
