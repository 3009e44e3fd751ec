// Binary data from the kernel, decoded in one place for every view: little-endian Float64
// buffers (custom-message buffers: live deltas, table columns and curves) and base64
// strings (traits, which carry no binary buffers, and report blocks).

/** The bytes of a buffer as anywidget hands it over (ArrayBuffer, DataView or typed
 * array), without copying; empty for anything else (a missing buffer). */
export function bytesOf(buf: unknown): Uint8Array {
  if (buf instanceof ArrayBuffer) return new Uint8Array(buf);
  if (ArrayBuffer.isView(buf)) return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  return new Uint8Array(0);
}

/** A little-endian Float64 buffer as a Float64Array. Copied: the view may sit unaligned
 * inside the websocket frame. Trailing bytes short of a whole number are dropped. */
export function float64(buf: unknown): Float64Array {
  const bytes = bytesOf(buf);
  return new Float64Array(bytes.slice(0, bytes.length - (bytes.length % 8)).buffer);
}

/** The bytes of a base64 string ("" gives none). */
export function fromBase64(text: string): Uint8Array {
  const bin = atob((text || "").trim());
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** A base64 array of little-endian Float64 ("f8") or Float32 ("f4") numbers, as Float64. */
export function float64FromBase64(text: string, kind: "f8" | "f4"): Float64Array {
  const bytes = fromBase64(text);
  if (kind === "f8") return float64(bytes);
  return Float64Array.from(new Float32Array(bytes.buffer, 0, Math.floor(bytes.length / 4)));
}
