// Read the report block out of the page: base64 -> gunzip (the browser's own
// DecompressionStream, nothing fetched) -> JSON + typed arrays. Layout: nbtrack/reports/pack.py.
import { fromBase64 } from "../shared/buffers";
import type { Report, ReportMeta } from "./types";

async function gunzip(bytes: Uint8Array): Promise<ArrayBuffer> {
  if (typeof DecompressionStream === "undefined") throw new Error("this browser cannot inflate the report (no DecompressionStream); open it in a current browser");
  const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Response(stream).arrayBuffer();
}

export function parseBlock(buf: ArrayBuffer): Report {
  const view = new DataView(buf);
  const magic = String.fromCharCode(...new Uint8Array(buf, 0, 4));
  if (magic !== "NBTR") throw new Error("not an nbtrack report");
  const n = view.getUint32(8, true);
  const meta = JSON.parse(new TextDecoder().decode(new Uint8Array(buf, 12, n))) as ReportMeta;
  const start = 12 + n + ((8 - ((12 + n) % 8)) % 8);
  const arrays = meta.arrays.map(([off, count, kind]) =>
    kind === "f8" ? new Float64Array(buf, start + off, count) : new Float32Array(buf, start + off, count));
  return { meta, arrays };
}

export async function loadReport(el: HTMLElement): Promise<Report> {
  return parseBlock(await gunzip(fromBase64(el.textContent || "")));
}
