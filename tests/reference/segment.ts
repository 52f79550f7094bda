/**
 * CPU references for the segmentation path: the antialiased bilinear stretch into the model's
 * NCHW input (PIL's BILINEAR, which shaders/segment-preprocess.wgsl implements), the plain
 * bilinear mask upsample used for scoring, and IoU.
 */

/**
 * Normalised triangle-filter taps along one axis (PIL BILINEAR with antialiasing): radius one
 * output pixel when shrinking, one source pixel when enlarging. Written from PIL's definition,
 * not from the shader: centre = (o + 0.5) * scale in source pixels, weight = 1 - |x + 0.5 - centre| / radius.
 */
function taps(o: number, nSrc: number, nDst: number): { first: number; weights: number[] } {
  const scale = nSrc / nDst;
  const radius = Math.max(scale, 1);
  const centre = (o + 0.5) * scale;
  const first = Math.max(0, Math.floor(centre - radius));
  const last = Math.min(nSrc - 1, Math.ceil(centre + radius));
  const weights: number[] = [];
  for (let x = first; x <= last; x++) weights.push(Math.max(0, 1 - Math.abs(x + 0.5 - centre) / radius));
  const sum = weights.reduce((a, b) => a + b, 0);
  return { first, weights: weights.map((v) => v / sum) };
}

/** The `crop` region of an RGBA8 image, reads past the edges clamped to the edge pixel. */
export function cropClamped(rgba: Uint8Array, w: number, h: number, crop: { x: number; y: number; width: number; height: number }): Uint8Array {
  const out = new Uint8Array(crop.width * crop.height * 4);
  for (let y = 0; y < crop.height; y++) {
    const sy = Math.min(h - 1, Math.max(0, crop.y + y));
    for (let x = 0; x < crop.width; x++) {
      const sx = Math.min(w - 1, Math.max(0, crop.x + x));
      out.set(rgba.subarray((sy * w + sx) * 4, (sy * w + sx) * 4 + 4), (y * crop.width + x) * 4);
    }
  }
  return out;
}

/** Stretch-resizes tightly packed RGBA8 to f32 NCHW RGB in [0,1] of size dstW x dstH. */
export function preprocessReference(rgba: Uint8Array, srcW: number, srcH: number, dstW: number, dstH: number): Float32Array {
  const out = new Float32Array(3 * dstW * dstH);
  const plane = dstW * dstH;
  const xs = Array.from({ length: dstW }, (_, x) => taps(x, srcW, dstW));
  for (let y = 0; y < dstH; y++) {
    const ty = taps(y, srcH, dstH);
    for (let x = 0; x < dstW; x++) {
      const tx = xs[x];
      for (let c = 0; c < 3; c++) {
        let v = 0;
        ty.weights.forEach((wy, j) => {
          const row = (ty.first + j) * srcW;
          tx.weights.forEach((wx, i) => { v += wy * wx * rgba[(row + tx.first + i) * 4 + c]; });
        });
        out[c * plane + y * dstW + x] = v / 255;
      }
    }
  }
  return out;
}

/** Source indices and the weight of the second one (half-pixel centres, clamped edges). */
function axis(o: number, srcN: number, dstN: number): [number, number, number] {
  const s = Math.max(0, Math.min(srcN - 1, (o + 0.5) * (srcN / dstN) - 0.5));
  const i0 = Math.floor(s);
  return [i0, Math.min(i0 + 1, srcN - 1), s - i0];
}

/** Bilinear (half-pixel, clamped) resize of a single-channel float image. */
export function resizeMask(mask: Float32Array, w: number, h: number, outW: number, outH: number): Float32Array {
  const out = new Float32Array(outW * outH);
  const xs = Array.from({ length: outW }, (_, x) => axis(x, w, outW));
  for (let y = 0; y < outH; y++) {
    const [y0, y1, fy] = axis(y, h, outH);
    for (let x = 0; x < outW; x++) {
      const [x0, x1, fx] = xs[x];
      const top = mask[y0 * w + x0] * (1 - fx) + mask[y0 * w + x1] * fx;
      const bottom = mask[y1 * w + x0] * (1 - fx) + mask[y1 * w + x1] * fx;
      out[y * outW + x] = top * (1 - fy) + bottom * fy;
    }
  }
  return out;
}

/** IoU of `prob > threshold` against a ground-truth mask (gray bytes, > 127 = person). */
export function iou(prob: Float32Array, gt: Uint8Array, threshold = 0.5): number {
  let inter = 0, union = 0;
  for (let i = 0; i < prob.length; i++) {
    const p = prob[i] > threshold, g = gt[i] > 127;
    if (p && g) inter++;
    if (p || g) union++;
  }
  return union === 0 ? 1 : inter / union;
}

/** Largest absolute element difference of two equally long arrays. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
