// Exponential moving average with debiasing, as TensorBoard and wandb smooth curves:
// last = last * w + (1 - w) * v; shown = last / (1 - w^k) after k finite points.
export function emaDebiased(y: ArrayLike<number>, n: number, weight: number): Float64Array {
  const out = new Float64Array(n);
  if (weight <= 0) {
    for (let i = 0; i < n; i++) out[i] = y[i];
    return out;
  }
  let last = 0;
  let k = 0;
  for (let i = 0; i < n; i++) {
    const v = y[i];
    if (!Number.isFinite(v)) {
      out[i] = v;
      continue;
    }
    last = last * weight + (1 - weight) * v;
    k++;
    out[i] = last / (1 - Math.pow(weight, k));
  }
  return out;
}
