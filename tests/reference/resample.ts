/**
 * Plain TS reference of the composite pass: a layer rectangle sampled bilinearly
 * (texel centres at +0.5, clamp to edge, as a WebGPU 'linear' sampler does) and blended
 * premultiplied-over a cleared background.
 */

export interface Placement {
  x: number; y: number; width: number; height: number;
  uv?: [number, number, number, number];
  opacity?: number;
}

/** Bilinear sample of a tight RGBA8 image at texel-space (tx, ty), channel values 0..255. */
export function bilinear(src: Uint8Array, sw: number, sh: number, tx: number, ty: number): [number, number, number, number] {
  const x0f = Math.floor(tx), y0f = Math.floor(ty);
  const fx = tx - x0f, fy = ty - y0f;
  const cx = (x: number): number => Math.min(sw - 1, Math.max(0, x));
  const cy = (y: number): number => Math.min(sh - 1, Math.max(0, y));
  const x0 = cx(x0f), x1 = cx(x0f + 1), y0 = cy(y0f), y1 = cy(y0f + 1);
  const out: [number, number, number, number] = [0, 0, 0, 0];
  for (let c = 0; c < 4; c++) {
    const a = src[(y0 * sw + x0) * 4 + c], b = src[(y0 * sw + x1) * 4 + c];
    const d = src[(y1 * sw + x0) * 4 + c], e = src[(y1 * sw + x1) * 4 + c];
    out[c] = (a * (1 - fx) + b * fx) * (1 - fy) + (d * (1 - fx) + e * fx) * fy;
  }
  return out;
}

/** One layer composited over `clear` (RGBA bytes) into a dw x dh RGBA8 image. */
export function compositeReference(src: Uint8Array, sw: number, sh: number, dw: number, dh: number, p: Placement,
  clear: [number, number, number, number] = [0, 0, 0, 255]): Uint8Array {
  const [u0, v0, u1, v1] = p.uv ?? [0, 0, 1, 1];
  const op = p.opacity ?? 1;
  const out = new Uint8Array(dw * dh * 4);
  for (let y = 0; y < dh; y++) {
    for (let x = 0; x < dw; x++) {
      const o = (y * dw + x) * 4;
      const px = x + 0.5, py = y + 0.5;
      // Pixel centres never sit on the integer rectangle edges, so coverage is unambiguous.
      if (px < p.x || px >= p.x + p.width || py < p.y || py >= p.y + p.height) {
        out.set(clear, o);
        continue;
      }
      const u = u0 + ((px - p.x) / p.width) * (u1 - u0);
      const v = v0 + ((py - p.y) / p.height) * (v1 - v0);
      const s = bilinear(src, sw, sh, u * sw - 0.5, v * sh - 0.5);
      const a = (s[3] / 255) * op;
      for (let c = 0; c < 3; c++) out[o + c] = Math.round((s[c] / 255) * a * 255 + clear[c] * (1 - a));
      out[o + 3] = Math.round(a * 255 + clear[3] * (1 - a));
    }
  }
  return out;
}
