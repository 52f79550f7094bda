/**
 * Plain TypeScript reference of a scene transition frame (shaders/transition.wgsl): straight
 * RGBA8 in, RGBA8 out with alpha 255, the same eased shift (transitionFrame) and the same rules.
 */
import { transitionFrame } from '../../src/program/transition-params.ts';
import { parseHexColor } from '../../src/segment/background-effect.ts';
import type { TransitionSpec } from '../../src/scene/types.ts';

/** The frame at `progress` of `spec` from picture `a` to picture `b` (both width × height RGBA8). */
export function transitionReference(a: Uint8Array, b: Uint8Array, width: number, height: number, spec: TransitionSpec, progress: number): Uint8Array {
  const f = transitionFrame(spec, progress, width, height);
  const color = parseHexColor(spec.color ?? '#000000').map((v) => v * 255);
  const out = new Uint8Array(width * height * 4);
  const horizontal = f.direction < 2, flipped = f.direction === 1 || f.direction === 3;
  const len = horizontal ? width : height;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      for (let k = 0; k < 3; k++) {
        const pa = a[o + k]!, pb = b[o + k]!;
        let v: number;
        if (f.kind === 0) v = pa + (pb - pa) * f.t;
        else if (f.kind === 3) v = f.t < 0.5 ? pa + (color[k]! - pa) * f.t * 2 : color[k]! + (pb - color[k]!) * (f.t * 2 - 1);
        else {
          const c0 = horizontal ? x : y;
          const c = flipped ? len - 1 - c0 : c0;
          let src: number, fromNew: boolean;
          if (f.kind === 1) { fromNew = c + f.shift >= len; src = fromNew ? c + f.shift - len : c + f.shift; }
          else { fromNew = c >= len - f.shift; src = fromNew ? c - (len - f.shift) : c; }
          const sc = flipped ? len - 1 - src : src;
          const so = horizontal ? (y * width + sc) * 4 : (sc * width + x) * 4;
          v = (fromNew ? b : a)[so + k]!;
        }
        out[o + k] = Math.round(v);
      }
      out[o + 3] = 255;
    }
  }
  return out;
}
