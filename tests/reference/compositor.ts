/**
 * Plain TS reference of the scene compositor (shaders/compositor.wgsl), written from the
 * description rather than from src/gpu/passes/compositor.ts: for each output pixel centre
 * inside an item's quad, invert the item's affine to get the source uv; average nx × ny taps
 * spread over the pixel's footprint in the source (nx = ceil(footprint length along the pixel's
 * x axis in texels), capped at 8); each tap is clamped to the crop's texel-centre range and
 * sampled bilinearly with premultiplied texels; then blended premultiplied-over the target,
 * which is rounded to bytes after every item as an rgba8unorm render target is.
 *
 * Also: an exact area-average (box) reference for axis-aligned downscales, a supersampled one
 * for any affine, an edge mask of pixels whose rasterised coverage may differ, and PSNR.
 */

/** A straight-alpha RGBA8 source placed by a DrawQuad-style affine, uv rect and opacity. */
export interface RefLayer {
  src: Uint8Array; width: number; height: number;
  /** [a, b, c, d, e, f]: x = a·u + c·v + e, y = b·u + d·v + f for (u, v) in the unit square. */
  matrix: ArrayLike<number>;
  uv: readonly [number, number, number, number];
  opacity: number;
}

export interface RefOptions {
  /** Multiplies every layer's opacity. */
  opacityScale?: number;
  /** Taps per axis cap: 8 as the shader; 1 gives plain bilinear sampling (for comparisons). */
  maxTaps?: number;
}

const INSET = 1e-3;

/** Where a pixel centre lands in a layer: unit-square (s, t) and the inverse's linear part. */
interface Inverse { det: number; ia: number; ib: number; ic: number; id: number }

function inverse(m: ArrayLike<number>): Inverse {
  const det = m[0]! * m[3]! - m[1]! * m[2]!;
  return { det, ia: m[3]! / det, ib: -m[1]! / det, ic: -m[2]! / det, id: m[0]! / det };
}

/** Pixel box [x0, x1) × [y0, y1) that holds the quad (clamped to the target). */
function bounds(m: ArrayLike<number>, dw: number, dh: number): [number, number, number, number] {
  const xs = [m[4]!, m[4]! + m[0]!, m[4]! + m[2]!, m[4]! + m[0]! + m[2]!];
  const ys = [m[5]!, m[5]! + m[1]!, m[5]! + m[3]!, m[5]! + m[1]! + m[3]!];
  return [Math.max(0, Math.floor(Math.min(...xs)) - 1), Math.max(0, Math.floor(Math.min(...ys)) - 1),
    Math.min(dw, Math.ceil(Math.max(...xs)) + 1), Math.min(dh, Math.ceil(Math.max(...ys)) + 1)];
}

/** Premultiplied bilinear sample (0..1 channels) at texel-space (tx, ty), clamp to edge. */
function bilinearPremul(l: RefLayer, tx: number, ty: number, out: Float64Array): void {
  const { src, width: w, height: h } = l;
  const fx0 = Math.floor(tx), fy0 = Math.floor(ty);
  const fx = tx - fx0, fy = ty - fy0;
  const cx = (x: number) => Math.min(w - 1, Math.max(0, x));
  const cy = (y: number) => Math.min(h - 1, Math.max(0, y));
  const x0 = cx(fx0), x1 = cx(fx0 + 1), y0 = cy(fy0), y1 = cy(fy0 + 1);
  const wts = [(1 - fx) * (1 - fy), fx * (1 - fy), (1 - fx) * fy, fx * fy];
  const at = [(y0 * w + x0) * 4, (y0 * w + x1) * 4, (y1 * w + x0) * 4, (y1 * w + x1) * 4];
  out.fill(0);
  for (let k = 0; k < 4; k++) {
    const o = at[k]!, a = src[o + 3]! / 255, wt = wts[k]!;
    out[0] += wt * (src[o]! / 255) * a; out[1] += wt * (src[o + 1]! / 255) * a;
    out[2] += wt * (src[o + 2]! / 255) * a; out[3] += wt * a;
  }
}

/** Taps along one pixel axis whose footprint is `texels` long. */
export function refTaps(texels: number, maxTaps = 8): number {
  return Math.min(maxTaps, Math.max(1, Math.ceil(texels - 1e-3)));
}

/** Composites `layers` bottom first over `dst` (dw × dh premultiplied RGBA bytes), in place. */
export function compositeLayers(dst: Uint8Array, dw: number, dh: number, layers: readonly RefLayer[], opts: RefOptions = {}): void {
  const scale = opts.opacityScale ?? 1;
  const maxTaps = opts.maxTaps ?? 8;
  const tap = new Float64Array(4), sum = new Float64Array(4);
  for (const l of layers) {
    const m = l.matrix;
    const inv = inverse(m);
    const op = Math.min(1, Math.max(0, l.opacity)) * Math.min(1, Math.max(0, scale));
    if (!(op > 0) || Math.abs(inv.det) < 1e-9) continue;
    const [u0, v0, u1, v1] = l.uv;
    const W = l.width, H = l.height;
    // Footprint of one output pixel in source texels: d(texel)/dx and d(texel)/dy.
    const jxx = (u1 - u0) * inv.ia * W, jxy = (v1 - v0) * inv.ib * H;
    const jyx = (u1 - u0) * inv.ic * W, jyy = (v1 - v0) * inv.id * H;
    const nx = refTaps(Math.hypot(jxx, jxy), maxTaps), ny = refTaps(Math.hypot(jyx, jyy), maxTaps);
    const range = (c0: number, c1: number, size: number): [number, number] => {
      let lo = Math.max(Math.min(c0, c1) * size, 0) + 0.5 + INSET;
      let hi = Math.min(Math.max(c0, c1) * size, size) - 0.5 - INSET;
      if (lo > hi) lo = hi = (lo + hi) / 2;
      return [lo, hi];
    };
    const [xlo, xhi] = range(u0, u1, W), [ylo, yhi] = range(v0, v1, H);
    const [bx0, by0, bx1, by1] = bounds(m, dw, dh);
    for (let y = by0; y < by1; y++) {
      for (let x = bx0; x < bx1; x++) {
        const px = x + 0.5 - m[4]!, py = y + 0.5 - m[5]!;
        const s = inv.ia * px + inv.ic * py, t = inv.ib * px + inv.id * py;
        if (!(s >= 0 && s < 1 && t >= 0 && t < 1)) continue;
        // Texel coordinates of the pixel centre (texel i spans [i, i + 1)).
        const cx = (u0 + s * (u1 - u0)) * W, cy = (v0 + t * (v1 - v0)) * H;
        sum.fill(0);
        for (let j = 0; j < ny; j++) {
          const oy = (j + 0.5) / ny - 0.5;
          for (let i = 0; i < nx; i++) {
            const ox = (i + 0.5) / nx - 0.5;
            const tx = Math.min(xhi, Math.max(xlo, cx + jxx * ox + jyx * oy));
            const ty = Math.min(yhi, Math.max(ylo, cy + jxy * ox + jyy * oy));
            bilinearPremul(l, tx - 0.5, ty - 0.5, tap);
            for (let c = 0; c < 4; c++) sum[c] += tap[c]!;
          }
        }
        const k = op / (nx * ny), o = (y * dw + x) * 4;
        const a = sum[3]! * k;
        for (let c = 0; c < 4; c++) dst[o + c] = Math.round(Math.min(1, sum[c]! * k + (dst[o + c]! / 255) * (1 - a)) * 255);
      }
    }
  }
}

/** A dw × dh RGBA byte image filled with one colour given as 0..1 channels (a GPUColor). */
export function filled(dw: number, dh: number, rgba: readonly [number, number, number, number]): Uint8Array {
  const out = new Uint8Array(dw * dh * 4);
  const b = rgba.map((v) => Math.round(v * 255));
  for (let i = 0; i < out.length; i += 4) out.set(b, i);
  return out;
}

/** Pixels whose centre is within `eps` px of an edge of any layer (rasteriser coverage may differ there). */
export function edgeMask(dw: number, dh: number, layers: readonly RefLayer[], eps: number): Uint8Array {
  const out = new Uint8Array(dw * dh);
  for (const l of layers) {
    const m = l.matrix, inv = inverse(m);
    if (Math.abs(inv.det) < 1e-9) continue;
    // Distance to the lines s = 0, 1 is |s|·|det| / |column v|, to t = 0, 1 is |t|·|det| / |column u|.
    const ds = Math.abs(inv.det) / Math.hypot(m[2]!, m[3]!), dt = Math.abs(inv.det) / Math.hypot(m[0]!, m[1]!);
    const es = eps / ds, et = eps / dt;
    const [bx0, by0, bx1, by1] = bounds(m, dw, dh);
    for (let y = by0; y < by1; y++) {
      for (let x = bx0; x < bx1; x++) {
        const px = x + 0.5 - m[4]!, py = y + 0.5 - m[5]!;
        const s = inv.ia * px + inv.ic * py, t = inv.ib * px + inv.id * py;
        if (s < -es || s > 1 + es || t < -et || t > 1 + et) continue;
        if (Math.min(Math.abs(s), Math.abs(1 - s)) < es || Math.min(Math.abs(t), Math.abs(1 - t)) < et) out[y * dw + x] = 1;
      }
    }
  }
  return out;
}

/** Pixels at least `margin` px inside a layer (its whole footprint is in the quad). */
export function interiorMask(dw: number, dh: number, l: RefLayer, margin: number): Uint8Array {
  const out = new Uint8Array(dw * dh);
  const m = l.matrix, inv = inverse(m);
  const ds = Math.abs(inv.det) / Math.hypot(m[2]!, m[3]!), dt = Math.abs(inv.det) / Math.hypot(m[0]!, m[1]!);
  const es = margin / ds, et = margin / dt;
  for (let y = 0; y < dh; y++) {
    for (let x = 0; x < dw; x++) {
      const px = x + 0.5 - m[4]!, py = y + 0.5 - m[5]!;
      const s = inv.ia * px + inv.ic * py, t = inv.ib * px + inv.id * py;
      if (s >= es && s <= 1 - es && t >= et && t <= 1 - et) out[y * dw + x] = 1;
    }
  }
  return out;
}

/**
 * Exact box filter of an uncropped, unrotated layer filling a dw × dh target: each output pixel
 * is the area-weighted mean of the premultiplied source texels under it. Channels 0..255.
 */
export function areaAverageAxisAligned(l: Pick<RefLayer, 'src' | 'width' | 'height'>, dw: number, dh: number): Float64Array {
  const { src, width: W, height: H } = l;
  const spans = (n: number, size: number): { first: number; weights: number[] }[] => Array.from({ length: n }, (_, i) => {
    const a = (i * size) / n, b = ((i + 1) * size) / n;
    const first = Math.floor(a), weights: number[] = [];
    for (let k = first; k < Math.ceil(b); k++) weights.push((Math.min(b, k + 1) - Math.max(a, k)) / (b - a));
    return { first, weights };
  });
  const xs = spans(dw, W), ys = spans(dh, H);
  const out = new Float64Array(dw * dh * 4);
  for (let y = 0; y < dh; y++) {
    const sy = ys[y]!;
    for (let x = 0; x < dw; x++) {
      const sx = xs[x]!, o = (y * dw + x) * 4;
      for (let j = 0; j < sy.weights.length; j++) {
        for (let i = 0; i < sx.weights.length; i++) {
          const wt = sy.weights[j]! * sx.weights[i]!, p = ((sy.first + j) * W + sx.first + i) * 4;
          const a = src[p + 3]! / 255;
          out[o] += wt * src[p]! * a; out[o + 1] += wt * src[p + 1]! * a; out[o + 2] += wt * src[p + 2]! * a; out[o + 3] += wt * src[p + 3]!;
        }
      }
    }
  }
  return out;
}

/**
 * Box filter of any affine placement by supersampling: sub × sub point samples (nearest texel,
 * premultiplied) per output pixel, over transparent black. Channels 0..255.
 */
export function areaAverageSupersampled(l: RefLayer, dw: number, dh: number, sub: number): Float64Array {
  const m = l.matrix, inv = inverse(m), [u0, v0, u1, v1] = l.uv;
  const out = new Float64Array(dw * dh * 4);
  const n = sub * sub;
  for (let y = 0; y < dh; y++) {
    for (let x = 0; x < dw; x++) {
      const o = (y * dw + x) * 4;
      for (let j = 0; j < sub; j++) {
        for (let i = 0; i < sub; i++) {
          const px = x + (i + 0.5) / sub - m[4]!, py = y + (j + 0.5) / sub - m[5]!;
          const s = inv.ia * px + inv.ic * py, t = inv.ib * px + inv.id * py;
          if (!(s >= 0 && s < 1 && t >= 0 && t < 1)) continue;
          const tx = Math.min(l.width - 1, Math.floor((u0 + s * (u1 - u0)) * l.width));
          const ty = Math.min(l.height - 1, Math.floor((v0 + t * (v1 - v0)) * l.height));
          const p = (ty * l.width + tx) * 4, a = l.src[p + 3]! / 255;
          out[o] += (l.src[p]! * a) / n; out[o + 1] += (l.src[p + 1]! * a) / n;
          out[o + 2] += (l.src[p + 2]! * a) / n; out[o + 3] += l.src[p + 3]! / n;
        }
      }
    }
  }
  return out;
}

/** PSNR (dB) over the RGB channels of the pixels where `mask` is set (all when omitted). */
export function psnrRgb(a: ArrayLike<number>, b: ArrayLike<number>, mask?: Uint8Array): number {
  let se = 0, n = 0;
  for (let p = 0; p * 4 < a.length; p++) {
    if (mask && !mask[p]) continue;
    for (let c = 0; c < 3; c++) { const d = a[p * 4 + c]! - b[p * 4 + c]!; se += d * d; n++; }
  }
  return se === 0 ? Infinity : 10 * Math.log10((255 * 255) / (se / n));
}

/** The affine of a box (x, y, w, h) rotated `degrees` clockwise on screen about its centre. */
export function boxMatrix(x: number, y: number, w: number, h: number, degrees = 0): Float32Array {
  const r = (degrees * Math.PI) / 180;
  // Exact quarter turns keep axis-aligned edges on whole pixels.
  const cos = Math.round(Math.cos(r) * 1e12) / 1e12, sin = Math.round(Math.sin(r) * 1e12) / 1e12;
  const a = w * cos, b = w * sin, c = -h * sin, d = h * cos;
  const cx = x + w / 2, cy = y + h / 2;
  return new Float32Array([a, b, c, d, cx - (a + c) / 2, cy - (b + d) / 2]);
}
