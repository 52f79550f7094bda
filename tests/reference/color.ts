/**
 * Plain per-pixel TypeScript references for the colour-conversion kernels. Written from the
 * textbook definitions (ITU-R BT.601 / BT.709 with Kr, Kb) and deliberately not from
 * src/gpu/color.ts, so a wrong coefficient there cannot hide in both sides of a test.
 */

export type Matrix = 'bt601' | 'bt709';

/** Kr, Kb of the two matrices the studio handles. */
export const LUMA: Record<Matrix, { kr: number; kb: number }> = {
  bt601: { kr: 0.299, kb: 0.114 },
  bt709: { kr: 0.2126, kb: 0.0722 },
};

/** A tightly packed 8-bit planar or interleaved image. */
export interface Planes {
  width: number;
  height: number;
  /** I420: Y, U, V planes; NV12: Y, UV; RGBA/BGRA: one plane. Rows are tightly packed. */
  planes: Uint8Array[];
}

const clampByte = (v: number): number => (v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v));

/** Chroma plane size of 4:2:0 for any (also odd) luma size. */
export function chromaSize(width: number, height: number): { cw: number; ch: number } {
  return { cw: Math.ceil(width / 2), ch: Math.ceil(height / 2) };
}

/** One YUV sample triple (bytes) → RGB bytes. */
export function yuvPixelToRgb(y: number, cb: number, cr: number, matrix: Matrix, fullRange: boolean): [number, number, number] {
  const { kr, kb } = LUMA[matrix];
  const kg = 1 - kr - kb;
  // E'Y in [0,1], E'Pb / E'Pr in [-0.5, 0.5].
  const ey = fullRange ? y / 255 : (y - 16) / 219;
  const pb = fullRange ? (cb - 128) / 255 : (cb - 128) / 224;
  const pr = fullRange ? (cr - 128) / 255 : (cr - 128) / 224;
  const r = ey + 2 * (1 - kr) * pr;
  const b = ey + 2 * (1 - kb) * pb;
  const g = (ey - kr * r - kb * b) / kg;
  return [clampByte(r * 255), clampByte(g * 255), clampByte(b * 255)];
}

/** I420 (Y, U, V planes, tight rows) → RGBA bytes, alpha 255. */
export function i420ToRgba(img: Planes, matrix: Matrix, fullRange: boolean): Uint8Array {
  const { width: w, height: h } = img;
  const { cw } = chromaSize(w, h);
  const [yp, up, vp] = img.planes;
  const out = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const c = (y >> 1) * cw + (x >> 1);
      const [r, g, b] = yuvPixelToRgb(yp[y * w + x], up[c], vp[c], matrix, fullRange);
      const o = (y * w + x) * 4;
      out[o] = r; out[o + 1] = g; out[o + 2] = b; out[o + 3] = 255;
    }
  }
  return out;
}

/** NV12 (Y plane, interleaved UV plane, tight rows) → RGBA bytes, alpha 255. */
export function nv12ToRgba(img: Planes, matrix: Matrix, fullRange: boolean): Uint8Array {
  const { width: w, height: h } = img;
  const { cw } = chromaSize(w, h);
  const [yp, uv] = img.planes;
  const out = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const c = ((y >> 1) * cw + (x >> 1)) * 2;
      const [r, g, b] = yuvPixelToRgb(yp[y * w + x], uv[c], uv[c + 1], matrix, fullRange);
      const o = (y * w + x) * 4;
      out[o] = r; out[o + 1] = g; out[o + 2] = b; out[o + 3] = 255;
    }
  }
  return out;
}

/** I420 planes → NV12 planes (same samples, U and V interleaved). */
export function i420ToNv12(img: Planes): Planes {
  const [yp, up, vp] = img.planes;
  const uv = new Uint8Array(up.length * 2);
  for (let i = 0; i < up.length; i++) { uv[2 * i] = up[i]; uv[2 * i + 1] = vp[i]; }
  return { width: img.width, height: img.height, planes: [yp, uv] };
}

/** Splits a tightly packed I420 buffer (as ffmpeg's rawvideo yuv420p writes it) into planes. */
export function splitI420(bytes: Uint8Array, width: number, height: number): Planes {
  const { cw, ch } = chromaSize(width, height);
  const ys = width * height, cs = cw * ch;
  if (bytes.length !== ys + 2 * cs) throw new Error(`I420 ${width}x${height} needs ${ys + 2 * cs} bytes, got ${bytes.length}`);
  return { width, height, planes: [bytes.subarray(0, ys), bytes.subarray(ys, ys + cs), bytes.subarray(ys + cs)] };
}

/** Crops an I420 image at an even (x, y) offset to any size. */
export function cropI420(img: Planes, x0: number, y0: number, width: number, height: number): Planes {
  if (x0 % 2 || y0 % 2) throw new RangeError('I420 crop offset must be even');
  const { cw: scw } = chromaSize(img.width, img.height);
  const { cw, ch } = chromaSize(width, height);
  const y = new Uint8Array(width * height), u = new Uint8Array(cw * ch), v = new Uint8Array(cw * ch);
  for (let r = 0; r < height; r++) y.set(img.planes[0].subarray((y0 + r) * img.width + x0, (y0 + r) * img.width + x0 + width), r * width);
  for (let r = 0; r < ch; r++) {
    const s = (y0 / 2 + r) * scw + x0 / 2;
    u.set(img.planes[1].subarray(s, s + cw), r * cw);
    v.set(img.planes[2].subarray(s, s + cw), r * cw);
  }
  return { width, height, planes: [y, u, v] };
}

/** Crops a tightly packed 4-byte-per-pixel image. */
export function cropRgba(data: Uint8Array, srcWidth: number, x0: number, y0: number, width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height * 4);
  for (let r = 0; r < height; r++) {
    const s = ((y0 + r) * srcWidth + x0) * 4;
    out.set(data.subarray(s, s + width * 4), r * width * 4);
  }
  return out;
}

/** RGBA or BGRA bytes → RGBA bytes; `opaque` forces alpha to 255 (RGBX/BGRX). */
export function packedToRgba(data: Uint8Array, order: 'RGBA' | 'BGRA', opaque = false): Uint8Array {
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i += 4) {
    const r = order === 'RGBA' ? data[i] : data[i + 2];
    const b = order === 'RGBA' ? data[i + 2] : data[i];
    out[i] = r; out[i + 1] = data[i + 1]; out[i + 2] = b; out[i + 3] = opaque ? 255 : data[i + 3];
  }
  return out;
}

/**
 * RGBA bytes → NV12 (BT.709, limited range) with tight planes: Y per pixel, Cb/Cr from the
 * mean of each 2x2 block's RGB. Colour with alpha is taken as composited over black.
 * Needs an even size, as NV12 output does.
 */
export function rgbaToNv12Bt709Limited(rgba: Uint8Array, width: number, height: number): { y: Uint8Array; uv: Uint8Array } {
  if (width % 2 || height % 2) throw new RangeError('NV12 reference needs an even size');
  const { kr, kb } = LUMA.bt709;
  const kg = 1 - kr - kb;
  const px = (i: number): [number, number, number] => {
    const a = rgba[i + 3] / 255;
    return [(rgba[i] / 255) * a, (rgba[i + 1] / 255) * a, (rgba[i + 2] / 255) * a];
  };
  const y = new Uint8Array(width * height);
  for (let i = 0; i < width * height; i++) {
    const [r, g, b] = px(i * 4);
    y[i] = clampByte(16 + 219 * (kr * r + kg * g + kb * b));
  }
  const uv = new Uint8Array(width * (height / 2));
  for (let cy = 0; cy < height / 2; cy++) {
    for (let cx = 0; cx < width / 2; cx++) {
      let r = 0, g = 0, b = 0;
      for (const [dx, dy] of [[0, 0], [1, 0], [0, 1], [1, 1]]) {
        const [pr, pg, pb] = px(((cy * 2 + dy) * width + cx * 2 + dx) * 4);
        r += pr / 4; g += pg / 4; b += pb / 4;
      }
      const ey = kr * r + kg * g + kb * b;
      uv[cy * width + cx * 2] = clampByte(128 + 224 * (b - ey) / (2 * (1 - kb)));
      uv[cy * width + cx * 2 + 1] = clampByte(128 + 224 * (r - ey) / (2 * (1 - kr)));
    }
  }
  return { y, uv };
}

/** Largest absolute per-byte difference, and where it happened (byte index). */
export function maxAbsDiff(a: Uint8Array, b: Uint8Array): { max: number; at: number; over: (limit: number) => number } {
  if (a.length !== b.length) throw new Error(`length mismatch: ${a.length} vs ${b.length}`);
  let max = 0, at = -1;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (d > max) { max = d; at = i; }
  }
  return {
    max, at,
    over(limit) { let n = 0; for (let i = 0; i < a.length; i++) if (Math.abs(a[i] - b[i]) > limit) n++; return n; },
  };
}
