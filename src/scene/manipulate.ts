/**
 * Direct manipulation of scene items as pure geometry: which item is under the pointer, and what
 * a drag (move, resize, rotate, crop) makes of its transform. The preview editor turns pointer
 * events into calls here. Everything is in canvas pixels and degrees and follows layout.ts: a
 * box rotates clockwise about its centre, and crop is in source pixels.
 */
import { fitBox, type Point, type Size } from './layout.ts';
import type { Crop, ItemTransform, SceneItem } from './types.ts';
import { edgesOf, guidesOn, snapAxis, type AxisSnap, type Guide, type Rect, type SnapContext } from './snap.ts';

/** The part of a transform a drag changes. */
export type Box = Pick<ItemTransform, 'x' | 'y' | 'width' | 'height' | 'rotation'>;

/** The eight resize handles, by compass direction (n = the top edge before rotation). */
export type Handle = 'nw' | 'n' | 'ne' | 'e' | 'se' | 's' | 'sw' | 'w';
export const HANDLES: readonly Handle[] = ['nw', 'n', 'ne', 'e', 'se', 's', 'sw', 'w'];
const DIR: Record<Handle, readonly [number, number]> = {
  nw: [-1, -1], n: [0, -1], ne: [1, -1], e: [1, 0], se: [1, 1], s: [0, 1], sw: [-1, 1], w: [-1, 0],
};

/** A handle's direction from the box centre in the unrotated box: x and y each −1, 0 or 1. */
export function handleDirection(h: Handle): readonly [number, number] { return DIR[h]; }

/** The smallest side a resize or crop leaves, in canvas pixels. */
export const MIN_SIZE = 1;

/** A changed box and the snap guides to draw for it. */
export interface BoxEdit { box: Box; guides: Guide[] }

/** cos and sin of a clockwise angle, exact at quarter turns (as layout.ts does, so both agree on upright boxes). */
function cosSin(degrees: number): [number, number] {
  const d = ((degrees % 360) + 360) % 360;
  if (d === 0) return [1, 0];
  if (d === 90) return [0, 1];
  if (d === 180) return [-1, 0];
  if (d === 270) return [0, -1];
  const r = (d * Math.PI) / 180;
  return [Math.cos(r), Math.sin(r)];
}

/** Whether a rotation leaves the box upright (a whole number of turns). */
export function isUpright(rotation: number): boolean { return ((rotation % 360) + 360) % 360 === 0; }

/** An angle in (−180, 180]. */
export function normalizeDegrees(d: number): number {
  let r = d % 360;
  if (r <= -180) r += 360; else if (r > 180) r -= 360;
  return r === 0 ? 0 : r; // no −0 in the collection
}

/** The box's centre on the canvas. */
export function centreOf(b: Box): Point { return [b.x + b.width / 2, b.y + b.height / 2]; }

/** A canvas vector turned into the box's frame (undoing its rotation). */
function unrotate(rotation: number, v: Point): Point {
  const [c, s] = cosSin(rotation);
  return [c * v[0] + s * v[1], -s * v[0] + c * v[1]];
}

/** A canvas point in the box's frame: origin at its centre, axes along its unrotated sides. */
export function toLocal(b: Box, p: Point): Point {
  const [cx, cy] = centreOf(b);
  return unrotate(b.rotation, [p[0] - cx, p[1] - cy]);
}

/** A point of the box's frame on the canvas. */
export function toCanvas(b: Box, l: Point): Point {
  const [c, s] = cosSin(b.rotation);
  const [cx, cy] = centreOf(b);
  return [cx + c * l[0] - s * l[1], cy + s * l[0] + c * l[1]];
}

/** The box's corners on the canvas, clockwise from its unrotated top-left. */
export function boxCorners(b: Box): [Point, Point, Point, Point] {
  const w = b.width / 2, h = b.height / 2;
  return [toCanvas(b, [-w, -h]), toCanvas(b, [w, -h]), toCanvas(b, [w, h]), toCanvas(b, [-w, h])];
}

/** The axis-aligned bounds of the (rotated) box: what snapping and "fit" see. */
export function boxBounds(b: Box): Rect {
  if (isUpright(b.rotation)) return { left: b.x, top: b.y, right: b.x + b.width, bottom: b.y + b.height };
  const [c, s] = cosSin(b.rotation);
  const ex = (Math.abs(c) * b.width + Math.abs(s) * b.height) / 2, ey = (Math.abs(s) * b.width + Math.abs(c) * b.height) / 2;
  const [cx, cy] = centreOf(b);
  return { left: cx - ex, top: cy - ey, right: cx + ex, bottom: cy + ey };
}

/** Whether a canvas point lies in the (rotated) box, edges included. */
export function containsPoint(b: Box, p: Point): boolean {
  const [lx, ly] = toLocal(b, p);
  return Math.abs(lx) <= b.width / 2 && Math.abs(ly) <= b.height / 2;
}

/** The visible items whose box holds `p`, topmost first (items are listed bottom first). */
export function itemsAt(items: readonly SceneItem[], p: Point): SceneItem[] {
  const out: SceneItem[] = [];
  for (let i = items.length - 1; i >= 0; i--) if (items[i]!.visible && containsPoint(items[i]!, p)) out.push(items[i]!);
  return out;
}

/**
 * The item a click at `p` selects: the topmost, or with `cycle` (Alt) the one beneath the
 * selected item, wrapping round to the top (the one beneath the topmost when the selection is
 * not under the pointer). Null when no item is there.
 */
export function pickItem(items: readonly SceneItem[], p: Point, selectedId: string | null, cycle: boolean): string | null {
  const hits = itemsAt(items, p);
  if (!hits.length) return null;
  if (!cycle) return hits[0]!.id;
  const at = Math.max(0, hits.findIndex((h) => h.id === selectedId));
  return hits[(at + 1) % hits.length]!.id;
}

/** Where a resize handle sits on the canvas. */
export function handlePoint(b: Box, h: Handle): Point {
  const [hx, hy] = DIR[h];
  return toCanvas(b, [(hx * b.width) / 2, (hy * b.height) / 2]);
}

/** Where the rotate handle sits: `offset` canvas pixels above the middle of the unrotated top edge. */
export function rotateHandlePoint(b: Box, offset: number): Point { return toCanvas(b, [0, -b.height / 2 - offset]); }

/** The handle within `radius` canvas pixels of `p` (rotate first, then the nearest resize handle), or null. */
export function handleAt(b: Box, p: Point, radius: number, rotateOffset: number): Handle | 'rotate' | null {
  const dist = (q: Point) => Math.hypot(q[0] - p[0], q[1] - p[1]);
  if (dist(rotateHandlePoint(b, rotateOffset)) <= radius) return 'rotate';
  let best: Handle | null = null, bestD = radius;
  for (const h of HANDLES) {
    const d = dist(handlePoint(b, h));
    if (d <= bestD) { best = h; bestD = d; }
  }
  return best;
}

/** Guides of the axes that snapped, for the final box. */
function guidesFor(b: Box, snap: SnapContext, sx: unknown, sy: unknown): Guide[] {
  const r = boxBounds(b);
  return [
    ...(sx ? guidesOn('x', edgesOf(r, 'x'), snap.targets.x, [r.top, r.bottom]) : []),
    ...(sy ? guidesOn('y', edgesOf(r, 'y'), snap.targets.y, [r.left, r.right]) : []),
  ];
}

/** Moves a box by `delta`; its bounds' edges and centre snap to the targets. */
export function moveBox(start: Box, delta: Point, snap?: SnapContext | null): BoxEdit {
  let x = start.x + delta[0], y = start.y + delta[1];
  if (!snap) return { box: { ...start, x, y }, guides: [] };
  const r = boxBounds({ ...start, x, y });
  const sx = snapAxis(edgesOf(r, 'x'), snap.targets.x, snap.distance);
  const sy = snapAxis(edgesOf(r, 'y'), snap.targets.y, snap.distance);
  // An upright box is placed from the target itself, so the snapped edge is the guide's coordinate.
  const upright = isUpright(start.rotation);
  const place = (s: AxisSnap, pos: number, size: number) => upright ? s.target.at - (size * s.index) / 2 : pos + s.offset;
  if (sx) x = place(sx, x, start.width);
  if (sy) y = place(sy, y, start.height);
  const box = { ...start, x, y };
  return { box, guides: guidesFor(box, snap, sx, sy) };
}

/** How a resize behaves. */
export interface ResizeOptions {
  /** Keep the box's aspect ratio (the default on the preview; Shift frees it). */
  keepAspect: boolean;
  /** Snaps the moving edges of an upright box. */
  snap?: SnapContext | null;
}

/**
 * The box spanning [l, r] × [t, b] in `start`'s frame (origin at its centre), with its rotation.
 * An upright box is built from its edges, so an edge that did not move stays where it was.
 */
function boxFromLocal(start: Box, l: number, r: number, t: number, b: number): Box {
  if (isUpright(start.rotation)) {
    const [cx, cy] = centreOf(start);
    return { x: cx + l, y: cy + t, width: r - l, height: b - t, rotation: start.rotation };
  }
  const w = r - l, h = b - t;
  const [ccx, ccy] = toCanvas(start, [(l + r) / 2, (t + b) / 2]);
  return { x: ccx - w / 2, y: ccy - h / 2, width: w, height: h, rotation: start.rotation };
}

/** Lands the snapped edges of an upright box exactly on their targets. */
function pinEdges(box: Box, hx: number, hy: number, sx: AxisSnap | null, sy: AxisSnap | null): Box {
  const out = { ...box };
  if (sx && hx < 0) { out.width = box.x + box.width - sx.target.at; out.x = sx.target.at; }
  if (sx && hx > 0) out.width = sx.target.at - box.x;
  if (sy && hy < 0) { out.height = box.y + box.height - sy.target.at; out.y = sy.target.at; }
  if (sy && hy > 0) out.height = sy.target.at - box.y;
  return out;
}

/**
 * Drags a resize handle by `delta` (canvas pixels): the opposite corner or edge stays where it
 * is, also for a rotated box. With the aspect kept, a corner scales along the box's diagonal and
 * an edge handle scales the other side about the edge's middle. Sides never go below MIN_SIZE.
 */
export function resizeBox(start: Box, handle: Handle, delta: Point, opts: ResizeOptions): BoxEdit {
  const [hx, hy] = DIR[handle];
  const w = start.width, h = start.height;
  const keep = opts.keepAspect && w > 0 && h > 0;
  const [dx, dy] = unrotate(start.rotation, delta);
  let nw = hx ? Math.max(MIN_SIZE, w + hx * dx) : w;
  let nh = hy ? Math.max(MIN_SIZE, h + hy * dy) : h;
  if (keep) {
    // A corner follows the pointer's projection on the diagonal through the fixed corner.
    const s0 = hx && hy ? ((w + hx * dx) * w + (h + hy * dy) * h) / (w * w + h * h) : hx ? (w + hx * dx) / w : (h + hy * dy) / h;
    const s = Math.max(s0, MIN_SIZE / Math.min(w, h));
    nw = w * s; nh = h * s;
  }
  let sx: AxisSnap | null = null, sy: AxisSnap | null = null;
  const snap = opts.snap;
  if (snap && isUpright(start.rotation)) {
    const anchorX = hx > 0 ? start.x : start.x + w, anchorY = hy > 0 ? start.y : start.y + h;
    sx = hx ? snapAxis([anchorX + hx * nw], snap.targets.x, snap.distance) : null;
    sy = hy ? snapAxis([anchorY + hy * nh], snap.targets.y, snap.distance) : null;
    const sizeX = sx ? hx * (sx.target.at - anchorX) : 0, sizeY = sy ? hy * (sy.target.at - anchorY) : 0;
    if (sx && sizeX < MIN_SIZE) sx = null;
    if (sy && sizeY < MIN_SIZE) sy = null;
    if (keep) {
      // One edge decides the scale: the one nearer its target.
      if (sx && sy) { if (Math.abs(sx.offset) <= Math.abs(sy.offset)) sy = null; else sx = null; }
      if (sx) { nh = (h * sizeX) / w; nw = sizeX; }
      if (sy) { nw = (w * sizeY) / h; nh = sizeY; }
    } else {
      if (sx) nw = sizeX;
      if (sy) nh = sizeY;
    }
  }
  // The fixed side's coordinate in the box frame; a centred axis (edge handle) grows both ways.
  const l = hx > 0 ? -w / 2 : hx < 0 ? w / 2 - nw : -nw / 2;
  const t = hy > 0 ? -h / 2 : hy < 0 ? h / 2 - nh : -nh / 2;
  let box = boxFromLocal(start, l, l + nw, t, t + nh);
  if (isUpright(start.rotation)) box = pinEdges(box, hx, hy, sx, sy);
  return { box, guides: snap ? guidesFor(box, snap, sx, sy) : [] };
}

/**
 * Rotation after dragging the rotate handle from `from` to `to` (canvas points) about the box
 * centre; `step` > 0 rounds to its multiples (Shift: 15°). In (−180, 180].
 */
export function rotateBox(start: Box, from: Point, to: Point, step = 0): number {
  const [cx, cy] = centreOf(start);
  const turn = Math.atan2(to[1] - cy, to[0] - cx) - Math.atan2(from[1] - cy, from[0] - cx);
  let r = start.rotation + (turn * 180) / Math.PI;
  if (step > 0) r = Math.round(r / step) * step;
  return normalizeDegrees(r);
}

/** A transform as cropping reads it (flips mirror which source side a handle crops). */
export type CropInput = Readonly<ItemTransform>;

/** What a crop drag changes: the box shrinks or grows with the picture, and the crop. */
export interface CropEdit { patch: { x: number; y: number; width: number; height: number; crop: Crop }; guides: Guide[] }

/**
 * Alt-drag on a handle: crops the source while the picture stays where it is on the canvas; the
 * box shrinks (or grows back, up to the whole source) to the shown part. `source` is the
 * source's size in pixels. For contain and cover, the box first becomes exactly the shown picture
 * (the same thing on screen). Null when nothing is shown (a zero-size source or box).
 */
export function cropBox(start: CropInput, source: Readonly<Size>, handle: Handle, delta: Point, snap?: SnapContext | null): CropEdit | null {
  const [hx, hy] = DIR[handle];
  const { crop } = start;
  const cw = source.width - crop.left - crop.right, ch = source.height - crop.top - crop.bottom;
  if (!(cw > 0 && ch > 0 && start.width > 0 && start.height > 0)) return null;
  const f = fitBox({ x: -start.width / 2, y: -start.height / 2, width: start.width, height: start.height }, { width: cw, height: ch }, start.fit);
  const x = axisCrop(hx, f.x, f.width, crop.left + f.u0 * cw, crop.left + f.u1 * cw, source.width, !!start.flipH);
  const y = axisCrop(hy, f.y, f.height, crop.top + f.v0 * ch, crop.top + f.v1 * ch, source.height, !!start.flipV);
  const [dx, dy] = unrotate(start.rotation, delta);
  let sx: AxisSnap | null = null, sy: AxisSnap | null = null;
  const upright = isUpright(start.rotation);
  const [cx, cy] = centreOf(start);
  let [l, r] = x.drag(dx);
  let [t, b] = y.drag(dy);
  if (snap && upright) {
    if (hx) sx = snapAxis([cx + (hx < 0 ? l : r)], snap.targets.x, snap.distance);
    if (hy) sy = snapAxis([cy + (hy < 0 ? t : b)], snap.targets.y, snap.distance);
    // A target past the source's edge (or across the other side) cannot be reached by cropping.
    if (sx) { const to = x.dragTo(sx.target.at - cx); if (Math.abs(cx + (hx < 0 ? to[0] : to[1]) - sx.target.at) > 1e-6) sx = null; else [l, r] = to; }
    if (sy) { const to = y.dragTo(sy.target.at - cy); if (Math.abs(cy + (hy < 0 ? to[0] : to[1]) - sy.target.at) > 1e-6) sy = null; else [t, b] = to; }
  }
  let box = boxFromLocal(start, l, r, t, b);
  if (upright) box = pinEdges(box, hx, hy, sx, sy);
  const [left, right] = x.crop(l, r), [top, bottom] = y.crop(t, b);
  return {
    patch: { x: box.x, y: box.y, width: box.width, height: box.height, crop: { left, top, right, bottom } },
    guides: snap ? guidesFor(box, snap, sx, sy) : [],
  };
}

/**
 * One axis of a crop: the shown picture spans [p0, p1] in the box frame and shows source pixels
 * [s0, s1] of `full` (mirrored when flipped). `drag`/`dragTo` move the dragged side (dir −1: start,
 * 1: end, 0: neither), stopping at the source's edge and MIN_SIZE; `crop` gives the crop of
 * both source sides for a span, keeping an unmoved side's value exactly.
 */
function axisCrop(dir: number, p0: number, size: number, s0: number, s1: number, full: number, flip: boolean) {
  const p1 = p0 + size;
  const k = size / (s1 - s0); // canvas pixels per source pixel
  const src = (p: number) => flip ? s1 - (p - p0) / k : s0 + (p - p0) / k;
  // How far the picture could reach on each side with no crop at all.
  const lo = flip ? p0 - (full - s1) * k : p0 - s0 * k;
  const hi = flip ? p1 + s0 * k : p1 + (full - s1) * k;
  return {
    /** Puts the dragged side at `e` in the box frame. */
    dragTo(e: number): [number, number] {
      if (dir < 0) return [Math.min(Math.max(e, lo), p1 - MIN_SIZE), p1];
      if (dir > 0) return [p0, Math.max(Math.min(e, hi), p0 + MIN_SIZE)];
      return [p0, p1];
    },
    /** Moves the dragged side by `d`. */
    drag(d: number): [number, number] { return this.dragTo(dir < 0 ? p0 + d : p1 + d); },
    crop(a: number, b: number): [number, number] {
      const ea = a === p0 ? (flip ? s1 : s0) : src(a), eb = b === p1 ? (flip ? s0 : s1) : src(b);
      const first = Math.max(0, Math.min(ea, eb)), last = Math.min(full, Math.max(ea, eb));
      return [first, Math.max(0, full - last)];
    },
  };
}
