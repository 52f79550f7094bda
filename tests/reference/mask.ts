/**
 * Plain TypeScript references for the mask refinement passes (src/gpu/passes/mask-*.ts),
 * written from the definitions in double precision with clamp-to-edge borders, plus the
 * helpers that turn ground truth into realistic model-like soft masks.
 */

/** A single-channel float image, row-major. */
export interface Plane {
  width: number;
  height: number;
  data: Float32Array;
}

const clamp = (v: number, lo: number, hi: number): number => (v < lo ? lo : v > hi ? hi : v);
const smooth01 = (x: number): number => { const t = clamp(x, 0, 1); return t * t * (3 - 2 * t); };

/** Normalised one-sided Gaussian weights w[0..radius]. */
export function gauss(sigma: number, radius: number): number[] {
  if (radius === 0 || sigma <= 0) return [1];
  const w = Array.from({ length: radius + 1 }, (_, k) => Math.exp(-(k * k) / (2 * sigma * sigma)));
  const sum = w.reduce((a, v, k) => a + (k === 0 ? v : 2 * v), 0);
  return w.map((v) => v / sum);
}

/** Separable symmetric filter along x then y (clamp to edge); `post` maps each final value. */
function separable(src: Plane, w: number[], post: (v: number) => number = (v) => v, quantize?: (v: number) => number): Plane {
  const { width, height } = src;
  const r = w.length - 1;
  const tmp = new Float64Array(width * height);
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let s = 0;
      for (let k = -r; k <= r; k++) s += w[Math.abs(k)] * src.data[y * width + clamp(x + k, 0, width - 1)];
      tmp[y * width + x] = quantize ? quantize(s) : s;
    }
  }
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let s = 0;
      for (let k = -r; k <= r; k++) s += w[Math.abs(k)] * tmp[clamp(y + k, 0, height - 1) * width + x];
      out[y * width + x] = quantize ? quantize(post(s)) : post(s);
    }
  }
  return { width, height, data: out };
}

/** Area-average downscale of an 8-bit single-channel image to a float plane in [0, 1]. */
export function areaDownscale(src: Uint8Array, sw: number, sh: number, dw: number, dh: number): Plane {
  const out = new Float32Array(dw * dh);
  const fx = sw / dw, fy = sh / dh;
  for (let y = 0; y < dh; y++) {
    const y0 = y * fy, y1 = y0 + fy;
    for (let x = 0; x < dw; x++) {
      const x0 = x * fx, x1 = x0 + fx;
      let s = 0;
      for (let sy = Math.floor(y0); sy < Math.ceil(y1); sy++) {
        const wy = Math.min(sy + 1, y1) - Math.max(sy, y0);
        for (let sx = Math.floor(x0); sx < Math.ceil(x1); sx++) {
          const wx = Math.min(sx + 1, x1) - Math.max(sx, x0);
          s += wx * wy * src[sy * sw + sx];
        }
      }
      out[y * dw + x] = s / (fx * fy * 255);
    }
  }
  return { width: dw, height: dh, data: out };
}

/** Gaussian blur (separable, clamp to edge). */
export function gaussianBlur(src: Plane, sigma: number): Plane {
  return separable(src, gauss(sigma, Math.ceil(3 * sigma)));
}

/** Temporal parameters of the reference; mirrors the knobs, not the code, of mask-temporal. */
export interface TemporalParams {
  /** Half-width of the hold band on P(person) where the picture is static. */
  band: number;
  motionLo: number;
  motionHi: number;
  /** One-frame |raw − prevMask| over which the band closes (absolute, not in bands). */
  snapLo: number;
  snapHi: number;
}

/**
 * Motion-adaptive temporal hold: motion = 3x3 max of max_c |frame − prevFrame|,
 * b = band · (1 − smoothstep(motionLo, motionHi, motion)) · (1 − smoothstep(snapLo, snapHi, |raw − prevMask|)),
 * out = prevMask clamped to [raw − b, raw + b]. With no previous state the raw mask passes through.
 */
export function temporalRef(raw: Plane, frame: Float32Array, prevMask: Plane | null, prevFrame: Float32Array | null, p: TemporalParams): Plane {
  const { width: w, height: h } = raw;
  if (!prevMask || !prevFrame) return { width: w, height: h, data: Float32Array.from(raw.data) };
  const n = w * h;
  const diff = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let d = 0;
    for (let c = 0; c < 3; c++) d = Math.max(d, Math.abs(frame[c * n + i] - prevFrame[c * n + i]));
    diff[i] = d;
  }
  const out = new Float32Array(n);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let m = 0;
      for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) m = Math.max(m, diff[clamp(y + dy, 0, h - 1) * w + clamp(x + dx, 0, w - 1)]);
      const i = y * w + x;
      const r = raw.data[i], prev = prevMask.data[i];
      const still = 1 - smooth01((m - p.motionLo) / (p.motionHi - p.motionLo));
      const small = p.snapHi > p.snapLo ? 1 - smooth01((Math.abs(r - prev) - p.snapLo) / (p.snapHi - p.snapLo)) : 0;
      const b = p.band * still * small;
      out[i] = Math.min(r + b, Math.max(r - b, prev));
    }
  }
  return { width: w, height: h, data: out };
}

/** smoothstep(t − s/2, t + s/2, m); softness 0 is a hard step at t (m ≥ t → 1). */
export function thresholdRef(src: Plane, threshold: number, softness: number): Plane {
  const lo = threshold - softness / 2, hi = threshold + softness / 2;
  const data = src.data.map((m) => (softness <= 0 ? (m >= threshold ? 1 : 0) : smooth01((m - lo) / (hi - lo))));
  return { width: src.width, height: src.height, data };
}

/** Dilate (n > 0, max filter) or erode (n < 0, min filter) over a (2|n|+1)² square. */
export function morphRef(src: Plane, n: number): Plane {
  const { width: w, height: h } = src;
  const r = Math.abs(n);
  const pick = n >= 0 ? Math.max : Math.min;
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let v = src.data[y * w + x];
      for (let dy = -r; dy <= r; dy++) for (let dx = -r; dx <= r; dx++) v = pick(v, src.data[clamp(y + dy, 0, h - 1) * w + clamp(x + dx, 0, w - 1)]);
      out[y * w + x] = v;
    }
  }
  return { width: w, height: h, data: out };
}

/** Contour smoothing: Gaussian blur (sigma = 2·s mask px), then smoothstep(0, 1) to re-sharpen. */
export function smoothRef(src: Plane, smoothContour: number): Plane {
  const sigma = 2 * smoothContour;
  if (sigma <= 0) return { width: src.width, height: src.height, data: Float32Array.from(src.data) };
  return separable(src, gauss(sigma, Math.ceil(3 * sigma)), smooth01);
}

/** Upsampling parameters: tent half-width, range sigma and range-weight floor. */
export interface UpsampleParams {
  edgeAware: boolean;
  radius: number;
  sigmaRange: number;
  rangeFloor: number;
}

/**
 * Upsamples a mask to the guide's size. Bilinear (pixel centres aligned, clamp to edge), or
 * joint bilateral over the (2R)² low-res samples around each pixel: tent of half-width R
 * (low-res px) × max(range Gaussian on RGB distance between the full-res guide pixel and the
 * low-res frame at the sample, floor). Returns floats in [0, 1] before 8-bit quantisation.
 */
export function upsampleRef(mask: Plane, lowFrame: Float32Array, guideRgba: Uint8Array, gw: number, gh: number, p: UpsampleParams,
  region = { x: 0, y: 0, width: gw, height: gh }): Float32Array {
  const { width: w, height: h } = mask;
  const n = w * h;
  const out = new Float32Array(gw * gh);
  const R = p.radius;
  const kr = 1 / (2 * p.sigmaRange * p.sigmaRange);
  for (let y = 0; y < gh; y++) {
    const v = ((y + 0.5 - region.y) * h) / region.height - 0.5;
    const y0 = Math.floor(v);
    for (let x = 0; x < gw; x++) {
      const px = x + 0.5 - region.x, py = y + 0.5 - region.y;
      // Outside the region the pass looked at, the mask is background.
      if (px < 0 || py < 0 || px >= region.width || py >= region.height) continue;
      const u = (px * w) / region.width - 0.5;
      const x0 = Math.floor(u);
      const at = (xx: number, yy: number): number => clamp(yy, 0, h - 1) * w + clamp(xx, 0, w - 1);
      if (!p.edgeAware) {
        const fx = u - x0, fy = v - y0;
        const top = mask.data[at(x0, y0)] * (1 - fx) + mask.data[at(x0 + 1, y0)] * fx;
        const bot = mask.data[at(x0, y0 + 1)] * (1 - fx) + mask.data[at(x0 + 1, y0 + 1)] * fx;
        out[y * gw + x] = top * (1 - fy) + bot * fy;
        continue;
      }
      const g = (y * gw + x) * 4;
      const r0 = guideRgba[g] / 255, g0 = guideRgba[g + 1] / 255, b0 = guideRgba[g + 2] / 255;
      let sw = 0, sm = 0;
      for (let j = 1 - R; j <= R; j++) {
        for (let i = 1 - R; i <= R; i++) {
          const q = at(x0 + i, y0 + j);
          const dx = x0 + i - u, dy = y0 + j - v;
          const dr = r0 - lowFrame[q], dg = g0 - lowFrame[n + q], db = b0 - lowFrame[2 * n + q];
          const ws = Math.max(0, 1 - Math.abs(dx) / R) * Math.max(0, 1 - Math.abs(dy) / R);
          const wgt = ws * Math.max(Math.exp(-(dr * dr + dg * dg + db * db) * kr), p.rangeFloor);
          sw += wgt;
          sm += wgt * mask.data[q];
        }
      }
      out[y * gw + x] = clamp(sm / sw, 0, 1);
    }
  }
  return out;
}

/** Float in [0, 1] → byte, as an rgba8unorm store rounds it. */
export const toByte = (v: number): number => Math.round(clamp(v, 0, 1) * 255);

/**
 * Feather: separable Gaussian (sigma = radius/2, `radius` taps each side) on an 8-bit mask,
 * quantised to 8 bits after each direction as the GPU's rgba8unorm intermediate is.
 */
export function featherRef(mask8: Uint8Array, w: number, h: number, radius: number): Uint8Array {
  if (radius <= 0) return Uint8Array.from(mask8);
  const src: Plane = { width: w, height: h, data: Float32Array.from(mask8, (b) => b / 255) };
  const res = separable(src, gauss(radius / 2, radius), (v) => v, (v) => toByte(v) / 255);
  return Uint8Array.from(res.data, (v) => toByte(v));
}

/** Bilinear (stretch) resize of RGB bytes to NCHW f32 in [0,1], pixel centres aligned. */
export function resizeToNchw(rgb: Uint8Array, sw: number, sh: number, dw: number, dh: number): Float32Array {
  const n = dw * dh;
  const out = new Float32Array(3 * n);
  for (let y = 0; y < dh; y++) {
    const v = clamp(((y + 0.5) * sh) / dh - 0.5, 0, sh - 1);
    const y0 = Math.floor(v), y1 = Math.min(y0 + 1, sh - 1), fy = v - y0;
    for (let x = 0; x < dw; x++) {
      const u = clamp(((x + 0.5) * sw) / dw - 0.5, 0, sw - 1);
      const x0 = Math.floor(u), x1 = Math.min(x0 + 1, sw - 1), fx = u - x0;
      for (let c = 0; c < 3; c++) {
        const p = (xx: number, yy: number): number => rgb[(yy * sw + xx) * 3 + c];
        const top = p(x0, y0) * (1 - fx) + p(x1, y0) * fx;
        const bot = p(x0, y1) * (1 - fx) + p(x1, y1) * fx;
        out[c * n + y * dw + x] = (top * (1 - fy) + bot * fy) / 255;
      }
    }
  }
  return out;
}
