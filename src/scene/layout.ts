/**
 * Scene items → compositor quads. The render worker calls `SceneLayout.update` every frame with
 * the current scene's items (fresh objects each time: they arrive by postMessage), so the layout
 * compares values, keeps one quad per item, and rebuilds a matrix only for an item whose box,
 * rotation, crop, flip, fit or source size changed. A static scene costs a few comparisons per item and
 * allocates nothing.
 */
import { mat2d, type vec2 } from 'gl-matrix';
import type { DrawQuad, Fit, ItemTransform, SceneItem } from './types.ts';

/** Width and height in pixels. */
export interface Size { width: number; height: number }

/** One visible item ready to draw. `version` grows whenever `quad` changes (the GPU side rewrites its uniform then). */
export interface LaidOutItem {
  readonly itemId: string;
  sourceId: string;
  readonly quad: DrawQuad;
  /** Starts at 1 when the item is first laid out, so 0 can mean "never uploaded". */
  version: number;
}

/** Where a fitted source lands: a rectangle in canvas pixels and the part of the cropped source it shows (0..1). */
export interface FitResult { x: number; y: number; width: number; height: number; u0: number; v0: number; u1: number; v1: number }

/**
 * Fits a source of `src` pixels (already cropped) into `box`: stretch fills it, contain keeps the
 * aspect and centres the picture inside, cover fills it and trims the source evenly on the long side.
 */
export function fitBox(box: Readonly<Size & { x: number; y: number }>, src: Readonly<Size>, fit: Fit, out: FitResult = {} as FitResult): FitResult {
  out.x = box.x; out.y = box.y; out.width = box.width; out.height = box.height;
  out.u0 = 0; out.v0 = 0; out.u1 = 1; out.v1 = 1;
  if (fit === 'contain') {
    const k = Math.min(box.width / src.width, box.height / src.height);
    out.width = src.width * k; out.height = src.height * k;
    out.x = box.x + (box.width - out.width) / 2; out.y = box.y + (box.height - out.height) / 2;
  } else if (fit === 'cover') {
    const k = Math.max(box.width / src.width, box.height / src.height);
    const du = (1 - box.width / (src.width * k)) / 2, dv = (1 - box.height / (src.height * k)) / 2;
    out.u0 = du; out.u1 = 1 - du; out.v0 = dv; out.v1 = 1 - dv;
  }
  return out;
}

const scratchFit = {} as FitResult;
const scratchBox = { x: 0, y: 0, width: 0, height: 0 };
const scratchSrc = { width: 0, height: 0 };
const m64 = new Float64Array(6);
const rot = new Float64Array(6);
const v2 = new Float64Array(2);
const setV2 = (x: number, y: number): vec2 => { v2[0] = x; v2[1] = y; return v2; };

/** cos and sin of a clockwise angle in degrees, exact at quarter turns so axis-aligned items stay on whole pixels. */
function setRotation(degrees: number): void {
  const d = ((degrees % 360) + 360) % 360;
  let c: number, s: number;
  if (d === 0) { c = 1; s = 0; } else if (d === 90) { c = 0; s = 1; } else if (d === 180) { c = -1; s = 0; } else if (d === 270) { c = 0; s = -1; } else {
    const r = (d * Math.PI) / 180;
    c = Math.cos(r); s = Math.sin(r);
  }
  // With y down, this matrix turns +x towards +y: clockwise on screen.
  mat2d.set(rot, c, s, -s, c, 0, 0);
}

/**
 * Computes an item's quad for a source of `srcWidth`×`srcHeight` pixels into `matrix` and `uv`.
 * Returns false (and leaves them alone) when nothing would be drawn: an empty box, a zero-size
 * source or a crop that removes all of it.
 */
export function computeQuad(t: Readonly<ItemTransform>, srcWidth: number, srcHeight: number, matrix: Float32Array, uv: [number, number, number, number]): boolean {
  const { crop } = t;
  const cw = srcWidth - crop.left - crop.right, ch = srcHeight - crop.top - crop.bottom;
  if (!(cw > 0 && ch > 0 && t.width > 0 && t.height > 0)) return false;
  scratchBox.x = t.x; scratchBox.y = t.y; scratchBox.width = t.width; scratchBox.height = t.height;
  scratchSrc.width = cw; scratchSrc.height = ch;
  const f = fitBox(scratchBox, scratchSrc, t.fit, scratchFit);
  // M = T(centre) · R · T(drawn corner − centre) · S(drawn size), in float64 and stored once as float32.
  const cx = t.x + t.width / 2, cy = t.y + t.height / 2;
  setRotation(t.rotation);
  mat2d.fromTranslation(m64, setV2(cx, cy));
  mat2d.multiply(m64, m64, rot);
  mat2d.translate(m64, m64, setV2(f.x - cx, f.y - cy));
  mat2d.scale(m64, m64, setV2(f.width, f.height));
  matrix.set(m64);
  uv[0] = (crop.left + f.u0 * cw) / srcWidth;
  uv[1] = (crop.top + f.v0 * ch) / srcHeight;
  uv[2] = (crop.left + f.u1 * cw) / srcWidth;
  uv[3] = (crop.top + f.v1 * ch) / srcHeight;
  // A flip swaps the ends of the shown range; the compositor reads uv as a signed range.
  if (t.flipH) { const u = uv[0]; uv[0] = uv[2]; uv[2] = u; }
  if (t.flipV) { const v = uv[1]; uv[1] = uv[3]; uv[3] = v; }
  return true;
}

/** A canvas point. */
export type Point = [number, number];

/**
 * The four canvas corners of an item, clockwise from the top-left of the unrotated picture:
 * of what is drawn (`'content'`, null when nothing is) or of its whole box (`'box'`), for hit-testing.
 */
export function itemCorners(t: Readonly<ItemTransform>, srcSize: Readonly<Size>, which: 'content' | 'box' = 'content'): [Point, Point, Point, Point] | null {
  const m = new Float32Array(6);
  const uv: [number, number, number, number] = [0, 0, 1, 1];
  const zeroCrop = { left: 0, top: 0, right: 0, bottom: 0 };
  const ok = which === 'box'
    ? computeQuad({ ...t, fit: 'stretch', crop: zeroCrop }, 1, 1, m, uv)
    : computeQuad(t, srcSize.width, srcSize.height, m, uv);
  if (!ok) return null;
  const at = (u: number, v: number): Point => [m[0]! * u + m[2]! * v + m[4]!, m[1]! * u + m[3]! * v + m[5]!];
  return [at(0, 0), at(1, 0), at(1, 1), at(0, 1)];
}

/** Per-item memory: the inputs of the last computation and the quad it produced. */
interface Entry {
  out: LaidOutItem;
  drawn: boolean;
  /** `frame` of the last update that listed the item. */
  seen: number;
  x: number; y: number; w: number; h: number; rotation: number;
  cl: number; ct: number; cr: number; cb: number; fit: Fit | ''; fh: boolean; fv: boolean;
  sw: number; sh: number;
}

/** Turns a scene's items into quads every frame, recomputing only what changed. */
export class SceneLayout {
  /** Matrices computed since this layout was made. */
  recomputed = 0;
  /** Matrices computed by the last `update`. */
  lastRecomputed = 0;
  readonly #entries = new Map<string, Entry>();
  readonly #out: LaidOutItem[] = [];
  #frame = 0;

  /**
   * The visible items' quads in z order (first = bottom). `sizeOf` gives a source's current
   * size, or null while it has none (then its items are skipped). The returned array and quads
   * are reused by the next call: read them now, don't keep them.
   */
  update(items: readonly SceneItem[], sizeOf: (sourceId: string) => Readonly<Size> | null): readonly LaidOutItem[] {
    const frame = ++this.#frame;
    const out = this.#out;
    let n = 0, seen = 0, recomputed = 0;
    for (let i = 0; i < items.length; i++) {
      const it = items[i]!;
      let e = this.#entries.get(it.id);
      if (!e) {
        e = newEntry(it);
        this.#entries.set(it.id, e);
      } else if (e.seen === frame) {
        continue; // a repeated id: the first one wins
      }
      e.seen = frame;
      seen++;
      if (!it.visible) continue;
      const size = sizeOf(it.sourceId);
      const sw = size ? size.width : 0, sh = size ? size.height : 0;
      const c = it.crop;
      if (e.out.sourceId !== it.sourceId || e.x !== it.x || e.y !== it.y || e.w !== it.width || e.h !== it.height ||
          e.rotation !== it.rotation || e.fit !== it.fit || e.cl !== c.left || e.ct !== c.top || e.cr !== c.right ||
          e.cb !== c.bottom || e.sw !== sw || e.sh !== sh || e.fh !== !!it.flipH || e.fv !== !!it.flipV) {
        e.out.sourceId = it.sourceId;
        e.x = it.x; e.y = it.y; e.w = it.width; e.h = it.height; e.rotation = it.rotation; e.fit = it.fit;
        e.cl = c.left; e.ct = c.top; e.cr = c.right; e.cb = c.bottom; e.sw = sw; e.sh = sh; e.fh = !!it.flipH; e.fv = !!it.flipV;
        e.drawn = computeQuad(it, sw, sh, e.out.quad.matrix, e.out.quad.uv);
        recomputed++;
        if (e.drawn) e.out.version++;
      }
      if (!e.drawn) continue;
      if (e.out.quad.opacity !== it.opacity) {
        e.out.quad.opacity = it.opacity;
        e.out.version++;
      }
      out[n++] = e.out;
    }
    out.length = n;
    // Forget removed items; only walk the map when something is actually missing.
    if (this.#entries.size > seen) for (const [id, e] of this.#entries) if (e.seen !== frame) this.#entries.delete(id);
    this.lastRecomputed = recomputed;
    this.recomputed += recomputed;
    return out;
  }

  /** Forgets every item, so the next update recomputes all of them (e.g. after the GPU device was replaced). */
  reset(): void {
    this.#entries.clear();
    this.#out.length = 0;
  }
}

function newEntry(it: SceneItem): Entry {
  const quad: DrawQuad = { matrix: new Float32Array(6), uv: [0, 0, 1, 1], opacity: it.opacity };
  // NaN never equals anything, so the first update always computes the quad.
  return {
    out: { itemId: it.id, sourceId: it.sourceId, quad, version: 0 }, drawn: false, seen: 0,
    x: NaN, y: NaN, w: NaN, h: NaN, rotation: NaN, cl: NaN, ct: NaN, cr: NaN, cb: NaN, fit: '', sw: NaN, sh: NaN, fh: false, fv: false,
  };
}
