// Units of metric values and tick labels. Twin of value_unit in nbtrack/live/layout.py:
// system metrics name their unit in the key's suffix; the unit is scaled to the data.

export interface Unit {
  factor: number; // multiply stored values by this to show them in `label`
  label: string; // "", "%", "MB/s", "GB", ...
}

const RATES = ["B/s", "KB/s", "MB/s", "GB/s", "TB/s"];

export function valueUnit(key: string, largest: number): Unit {
  const a = Number.isFinite(largest) ? Math.abs(largest) : 0;
  if (key.endsWith("_percent")) return { factor: 1, label: "%" };
  if (key.endsWith("_bytes_per_s")) {
    let p = 0;
    while (p < RATES.length - 1 && a >= Math.pow(1000, p + 1)) p++;
    return { factor: 1 / Math.pow(1000, p), label: RATES[p] };
  }
  if (key.endsWith("_mb")) return a >= 1024 ? { factor: 1 / 1024, label: "GB" } : { factor: 1, label: "MB" };
  if (key.endsWith("_c")) return { factor: 1, label: "°C" };
  if (key.endsWith("_w")) return { factor: 1, label: "W" };
  return { factor: 1, label: "" };
}

const SI: [number, string][] = [[1e12, "T"], [1e9, "G"], [1e6, "M"], [1e3, "k"]];

/** Tick labels for evenly spaced splits: as many decimals as the spacing needs, SI
 * suffixes for large numbers, exponents for tiny ones; short enough never to be clipped. */
export function tickLabels(splits: (number | null | undefined)[], unit = ""): string[] {
  const vals = splits.filter((v): v is number => v !== null && v !== undefined && Number.isFinite(v));
  let spacing = Infinity;
  for (let i = 1; i < vals.length; i++) spacing = Math.min(spacing, Math.abs(vals[i] - vals[i - 1]));
  const top = vals.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const sep = unit && unit !== "%" && unit !== "°C" ? " " : "";
  return splits.map((v) => {
    if (v === null || v === undefined || !Number.isFinite(v)) return "";
    return fmtTick(v, spacing, top) + (unit ? sep + unit : "");
  });
}

/** Decimals that show a tick spacing exactly (2.5 needs one, 0.25 two, 50 none). */
export function decimalsFor(spacing: number, max = 6): number {
  if (!Number.isFinite(spacing) || spacing <= 0) return 2;
  let d = Math.max(0, -Math.floor(Math.log10(spacing) + 1e-9));
  while (d < max) {
    const scaled = spacing * Math.pow(10, d);
    if (Math.abs(scaled - Math.round(scaled)) <= 1e-6 * Math.max(1, scaled)) break;
    d++;
  }
  return Math.min(d, max);
}

export function fmtTick(v: number, spacing: number, top: number): string {
  if (v === 0) return "0";
  if (top >= 1e4) {
    for (const [div, suffix] of SI) {
      if (top >= div) return (v / div).toFixed(decimalsFor(spacing / div, 3)) + suffix;
    }
  }
  if (top < 1e-3) return v.toExponential(1);
  return v.toFixed(decimalsFor(spacing));
}

/** A value with its unit, for hover read-outs. */
export function fmtValue(v: number | null | undefined, unit = ""): string {
  if (v === null || v === undefined || Number.isNaN(v)) return "–";
  const a = Math.abs(v);
  let s: string;
  if (a !== 0 && a < 1e-3) s = v.toExponential(2);
  else if (a >= 1e4) {
    const hit = SI.find(([div]) => a >= div)!;
    s = (v / hit[0]).toPrecision(3) + hit[1];
  } else s = String(Number(v.toPrecision(4)));
  return unit ? `${s}${unit === "%" || unit === "°C" ? "" : " "}${unit}` : s;
}

/** Axis range that shows the data: exact for a spread, padded around a single value. */
export function fitRange(min: number | null, max: number | null, pad = 0.05): [number, number] {
  if (min === null || max === null || !Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  if (max - min <= Math.abs(max) * 1e-12) {
    const d = Math.abs(min) * 0.1 || 1;
    return [min - d, max + d];
  }
  const d = (max - min) * pad;
  return [min - d, max + d];
}
