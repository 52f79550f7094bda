/**
 * Plain TypeScript references for the background passes, in float64 from the formulas in the
 * brief: blur = Σ w·(1−m)·c / Σ w·(1−m) over the downsample → Gaussian → bilinear chain, then
 * out = m·camera + (1−m)·blur; replacement as straight-alpha "person over background" with a
 * cover-fit written as a crop rectangle. Only the plan (factor, taps, wrap offsets) is shared
 * with src/, not the pixel maths.
 */
import { blurPlan, lightWrapOffsets } from '../../src/gpu/passes/bg-plan.ts';

/** Fallback weight of the pixel itself; mirrors BG_BLUR_EPS without importing the shader module. */
export const EPS = 1e-3;

const toByte = (v: number): number => Math.round(Math.min(Math.max(v, 0), 1) * 255);

/**
 * Blurred-background composite. `cam` RGBA bytes, `mask` one byte per pixel (255 = person).
 * `naive` blurs without the mask weighting (every pixel weight 1) to show what a halo is.
 */
export function refBlur(cam: Uint8Array, mask: Uint8Array, w: number, h: number, strength: number, lightWrap = 0, naive = false): Uint8Array {
  const plan = blurPlan(strength, w, h);
  const f = plan.factor, lw = plan.levelWidth, lh = plan.levelHeight;
  let lev: Float64Array = new Float64Array(lw * lh * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const b = naive ? 1 : 1 - mask[i] / 255;
      const o = (Math.floor(y / f) * lw + Math.floor(x / f)) * 4;
      for (let k = 0; k < 3; k++) lev[o + k] += (b * cam[i * 4 + k]) / 255;
      lev[o + 3] += b;
    }
  }
  for (let i = 0; i < lev.length; i++) lev[i] /= f * f;
  const wts = Array.from(plan.weights);
  const conv = (src: Float64Array, dx: number, dy: number): Float64Array => {
    const dst = new Float64Array(src.length);
    for (let y = 0; y < lh; y++) {
      for (let x = 0; x < lw; x++) {
        for (let k = -plan.radius; k <= plan.radius; k++) {
          const sx = x + k * dx, sy = y + k * dy;
          if (sx < 0 || sy < 0 || sx >= lw || sy >= lh) continue;
          const wk = wts[Math.abs(k)], s = (sy * lw + sx) * 4, d = (y * lw + x) * 4;
          for (let c = 0; c < 4; c++) dst[d + c] += wk * src[s + c];
        }
      }
    }
    return dst;
  };
  if (plan.radius > 0) lev = conv(conv(lev, 1, 0), 0, 1);
  const out = new Uint8Array(w * h * 4);
  const at = (x: number, y: number, c: number) => lev[(Math.min(Math.max(y, 0), lh - 1) * lw + Math.min(Math.max(x, 0), lw - 1)) * 4 + c];
  const s = [0, 0, 0, 0];
  for (let y = 0; y < h; y++) {
    const py = (y + 0.5) / f - 0.5, y0 = Math.floor(py), ty = py - y0;
    for (let x = 0; x < w; x++) {
      const px = (x + 0.5) / f - 0.5, x0 = Math.floor(px), tx = px - x0;
      for (let c = 0; c < 4; c++) {
        s[c] = (1 - ty) * ((1 - tx) * at(x0, y0, c) + tx * at(x0 + 1, y0, c)) + ty * ((1 - tx) * at(x0, y0 + 1, c) + tx * at(x0 + 1, y0 + 1, c));
      }
      const i = y * w + x, m = mask[i] / 255;
      const wrap = lightWrap * m * Math.min(Math.max(s[3], 0), 1);
      for (let c = 0; c < 3; c++) {
        const cc = cam[i * 4 + c] / 255;
        const bg = (s[c] + EPS * cc) / (s[3] + EPS);
        const o = m * cc + (1 - m) * bg;
        out[i * 4 + c] = toByte(o + wrap * (bg - o));
      }
      out[i * 4 + 3] = 255;
    }
  }
  return out;
}

/** Image pixel coordinates of output pixel centres, from the centred crop rectangle of a cover fit. */
export function coverCrop(iw: number, ih: number, w: number, h: number): { x0: number; y0: number; cw: number; ch: number } {
  // The crop has the output's aspect ratio and is as large as the image allows.
  const cw = Math.min(iw, (ih * w) / h), ch = Math.min(ih, (iw * h) / w);
  return { x0: (iw - cw) / 2, y0: (ih - ch) / 2, cw, ch };
}

/** Options of the replacement reference. */
export interface ReplaceOpts {
  mode: 'none' | 'color' | 'image' | 'transparent';
  /** Straight RGBA 0..1. */
  color?: [number, number, number, number];
  image?: { data: Uint8Array; width: number; height: number };
  lightWrap?: number;
}

/** Replacement composite (straight alpha out). */
export function refReplace(cam: Uint8Array, mask: Uint8Array, w: number, h: number, o: ReplaceOpts): Uint8Array {
  const out = new Uint8Array(w * h * 4);
  const img = o.image;
  const crop = img ? coverCrop(img.width, img.height, w, h) : null;
  const bgAt = (x: number, y: number): [number, number, number, number] => {
    if (o.mode !== 'image' || !img || !crop) return o.color ?? [0, 0, 0, 1];
    const u = crop.x0 + ((x + 0.5) * crop.cw) / w - 0.5, v = crop.y0 + ((y + 0.5) * crop.ch) / h - 0.5;
    const u0 = Math.floor(u), v0 = Math.floor(v), tu = u - u0, tv = v - v0;
    const px = (xx: number, yy: number, c: number) =>
      img.data[(Math.min(Math.max(yy, 0), img.height - 1) * img.width + Math.min(Math.max(xx, 0), img.width - 1)) * 4 + c] / 255;
    const r: [number, number, number, number] = [0, 0, 0, 0];
    for (let c = 0; c < 4; c++) r[c] = (1 - tv) * ((1 - tu) * px(u0, v0, c) + tu * px(u0 + 1, v0, c)) + tv * ((1 - tu) * px(u0, v0 + 1, c) + tu * px(u0 + 1, v0 + 1, c));
    return r;
  };
  const offs = lightWrapOffsets(w, h);
  const lwAmt = o.lightWrap ?? 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x, m = mask[i] / 255;
      const c = [cam[i * 4] / 255, cam[i * 4 + 1] / 255, cam[i * 4 + 2] / 255];
      let rgb = c, a = 1;
      if (o.mode === 'transparent') a = m;
      else if (o.mode !== 'none') {
        const g = bgAt(x, y);
        a = m + (1 - m) * g[3];
        if (a > 0) rgb = c.map((cc, k) => (m * cc + (1 - m) * g[3] * g[k]) / a);
        if (lwAmt > 0 && m > 0) {
          const sumP = [g[0] * g[3], g[1] * g[3], g[2] * g[3]];
          let sumA = g[3], sumM = m;
          for (let k = 0; k < 16; k++) {
            const qx = Math.min(Math.max(x + offs[k * 2], 0), w - 1), qy = Math.min(Math.max(y + offs[k * 2 + 1], 0), h - 1);
            const gq = bgAt(qx, qy);
            for (let ch = 0; ch < 3; ch++) sumP[ch] += gq[ch] * gq[3];
            sumA += gq[3];
            sumM += mask[qy * w + qx] / 255;
          }
          const amount = lwAmt * m * (1 - sumM / 17) * (sumA / 17);
          if (sumA > 0) rgb = rgb.map((v, k) => v + amount * (sumP[k] / sumA - v));
        }
      }
      for (let k = 0; k < 3; k++) out[i * 4 + k] = toByte(rgb[k]);
      out[i * 4 + 3] = toByte(a);
    }
  }
  return out;
}

/** Max and mean absolute byte difference over RGBA (or only the channels in `channels`). */
export function diffStats(a: Uint8Array, b: Uint8Array, channels = [0, 1, 2, 3]): { max: number; mean: number } {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let max = 0, sum = 0, n = 0;
  for (let i = 0; i < a.length; i += 4) {
    for (const c of channels) { const d = Math.abs(a[i + c] - b[i + c]); if (d > max) max = d; sum += d; n++; }
  }
  return { max, mean: sum / n };
}
