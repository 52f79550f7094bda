/**
 * Intersection over union of a predicted soft mask, thresholded at 0.5, against a binary
 * ground-truth mask. Pure TypeScript so Node tests and page code can share it.
 */

/**
 * IoU of `pred >= 0.5 * predMax` vs `gt >= 128` (8-bit GT, white = person). `pred` may be
 * floats in [0, 1] (predMax 1) or bytes (predMax 255); `stride`/`offset` pick one channel
 * of interleaved data such as RGBA readback (stride 4, offset 0 for .r). Empty union → 1.
 */
export function iou(pred: ArrayLike<number>, gt: ArrayLike<number>, predMax = 1, stride = 1, offset = 0): number {
  const n = gt.length;
  if (pred.length < offset + (n - 1) * stride + 1) throw new Error(`iou: prediction has ${pred.length} values for ${n} GT pixels`);
  const cut = 0.5 * predMax;
  let inter = 0;
  let union = 0;
  for (let i = 0; i < n; i++) {
    const p = pred[offset + i * stride] >= cut;
    const g = gt[i] >= 128;
    if (p && g) inter++;
    if (p || g) union++;
  }
  return union === 0 ? 1 : inter / union;
}

/** Mean of a list of numbers (NaN for an empty list). */
export function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}
