// A stand-in for an anywidget model: traits in a plain object, sent messages recorded.
export class FakeModel<T extends object> {
  sent: unknown[] = [];
  constructor(private traits: T) {}

  get<K extends keyof T>(key: K): T[K] {
    return this.traits[key];
  }

  send(content: unknown): void {
    this.sent.push(content);
  }
}

/** Float64 x[n], t[n], y[n] in one buffer, as a delta carries a series; handed over
 * as a byte view starting at an odd offset (websocket frames do not align them). */
export function seriesBuffer(x: number[], t: number[], y: number[]): Uint8Array {
  const f = Float64Array.from([...x, ...t, ...y]);
  const frame = new Uint8Array(f.byteLength + 3);
  frame.set(new Uint8Array(f.buffer), 1);
  return frame.subarray(1, 1 + f.byteLength);
}

export function base64Of(a: Float64Array | Float32Array | Uint8Array): string {
  const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}
