/** Luma coefficients (Kr, Kb) of the YUV matrices the ingest pass understands. */
export function lumaCoefficients(matrix: string | null | undefined, height: number): { kr: number; kb: number; name: 'bt601' | 'bt709' } {
  switch (matrix) {
    case 'bt709': return { kr: 0.2126, kb: 0.0722, name: 'bt709' };
    case 'bt470bg': case 'smpte170m': return { kr: 0.299, kb: 0.114, name: 'bt601' };
    // Unknown: follow the usual convention, HD → BT.709, SD → BT.601.
    default: return height >= 720 ? { kr: 0.2126, kb: 0.0722, name: 'bt709' } : { kr: 0.299, kb: 0.114, name: 'bt601' };
  }
}

/**
 * Rows of the affine map from byte-normalised (y, u, v) in [0,1] to RGB in [0,1]:
 * rgb[i] = row[i].x*y + row[i].y*u + row[i].z*v + row[i].w. Range scaling is folded in so the
 * shader does one multiply-add per channel. Written into `out` when given (12 floats), so a
 * caller that re-derives them per frame allocates nothing.
 */
export function yuvToRgbRows(kr: number, kb: number, fullRange: boolean, out = new Float32Array(12)): Float32Array {
  const kg = 1 - kr - kb;
  const ys = fullRange ? 1 : 255 / 219;
  const yo = fullRange ? 0 : -16 / 219;
  const cs = fullRange ? 255 / 255 : 255 / 224;
  const co = 128 / 255;
  // R = Y' + a*Pr ; G = Y' - b*Pb - c*Pr ; B = Y' + d*Pb, with Pb = cs*(u - co), Pr = cs*(v - co).
  const a = 2 * (1 - kr), d = 2 * (1 - kb);
  const b = (2 * kb * (1 - kb)) / kg, c = (2 * kr * (1 - kr)) / kg;
  out[0] = ys; out[1] = 0; out[2] = a * cs; out[3] = yo - a * cs * co;
  out[4] = ys; out[5] = -b * cs; out[6] = -c * cs; out[7] = yo + (b + c) * cs * co;
  out[8] = ys; out[9] = d * cs; out[10] = 0; out[11] = yo - d * cs * co;
  return out;
}

/** RGB → limited-range BT.709 YUV rows used by the NV12 output pass (bytes out). */
export function rgbToYuv709Limited(): Float32Array {
  const kr = 0.2126, kb = 0.0722, kg = 1 - kr - kb;
  // Y = 16 + 219*(kr R + kg G + kb B); Cb = 128 + 224*(B - Y')/(2(1-kb)); Cr = 128 + 224*(R - Y')/(2(1-kr)).
  const cb = 224 / (2 * (1 - kb)), cr = 224 / (2 * (1 - kr));
  return new Float32Array([
    219 * kr, 219 * kg, 219 * kb, 16,
    -cb * kr, -cb * kg, cb * (1 - kb), 128,
    cr * (1 - kr), -cr * kg, -cr * kb, 128,
  ]);
}
