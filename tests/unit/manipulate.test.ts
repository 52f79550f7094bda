import { describe, expect, it } from 'vitest';
import {
  boxBounds, boxCorners, cropBox, handleAt, handlePoint, itemsAt, moveBox, normalizeDegrees, pickItem, resizeBox, rotateBox,
  rotateHandlePoint, toCanvas, type Box, type CropInput,
} from '../../src/scene/manipulate.ts';
import { centreOnCanvas, copyTransform, fitToCanvas, flipPatch, orderIndex, resetTransform, stretchToCanvas } from '../../src/scene/arrange.ts';
import { guidesOn, snapAxis, snapTargets, type SnapContext } from '../../src/scene/snap.ts';
import { computeQuad, SceneLayout, type Point, type Size } from '../../src/scene/layout.ts';
import { parseSceneCollection, validateItemPatch } from '../../src/scene/schema.ts';
import type { SceneItem } from '../../src/scene/types.ts';

const CANVAS = { width: 1280, height: 720 };
const item = (over: Partial<SceneItem> = {}): SceneItem => ({
  id: 'itm-1', sourceId: 'src-1', x: 100, y: 100, width: 400, height: 200, rotation: 0,
  crop: { left: 0, top: 0, right: 0, bottom: 0 }, opacity: 1, visible: true, locked: false, fit: 'stretch', ...over,
});
const box = (over: Partial<Box> = {}): Box => ({ x: 100, y: 100, width: 400, height: 200, rotation: 0, ...over });
const snapTo = (others: Box[] = [], distance = 8): SnapContext => ({ targets: snapTargets(CANVAS, others.map(boxBounds)), distance });
const close = (a: Point, b: Point, digits = 9) => { expect(a[0]).toBeCloseTo(b[0], digits); expect(a[1]).toBeCloseTo(b[1], digits); };

/** Where source pixel `p` of a `src`-sized source is drawn on the canvas (layout.ts is the truth). */
function drawnAt(t: CropInput, src: Size, p: Point): Point {
  const m = new Float32Array(6);
  const uv: [number, number, number, number] = [0, 0, 1, 1];
  expect(computeQuad(t, src.width, src.height, m, uv)).toBe(true);
  const u = (p[0] / src.width - uv[0]) / (uv[2] - uv[0]), v = (p[1] / src.height - uv[1]) / (uv[3] - uv[1]);
  return [m[0]! * u + m[2]! * v + m[4]!, m[1]! * u + m[3]! * v + m[5]!];
}

describe('hit-testing', () => {
  it('finds rotated items by their turned box, topmost first, skipping hidden ones', () => {
    // A 400×40 bar turned 90° about (300, 200) stands from y = 0 to 400 at x 280..320.
    const bar = item({ id: 'bar', x: 100, y: 180, width: 400, height: 40, rotation: 90 });
    const under = item({ id: 'under', x: 0, y: 0, width: 1280, height: 720 });
    const hidden = item({ id: 'hidden', x: 0, y: 0, width: 1280, height: 720, visible: false });
    const items = [under, bar, hidden];
    expect(itemsAt(items, [300, 20]).map((i) => i.id)).toEqual(['bar', 'under']);
    // Inside the unrotated box but outside the turned one.
    expect(itemsAt(items, [120, 200]).map((i) => i.id)).toEqual(['under']);
    expect(itemsAt(items, [2000, 20])).toEqual([]);
  });

  it('a click selects the topmost; Alt-click cycles through the items beneath and wraps', () => {
    const items = [item({ id: 'a' }), item({ id: 'b' }), item({ id: 'c' })];
    const p: Point = [200, 150];
    expect(pickItem(items, p, null, false)).toBe('c');
    expect(pickItem(items, p, 'a', false)).toBe('c');
    expect(pickItem(items, p, 'c', true)).toBe('b');
    expect(pickItem(items, p, 'b', true)).toBe('a');
    expect(pickItem(items, p, 'a', true)).toBe('c');
    // Nothing under the pointer selected: Alt goes to the one beneath the topmost.
    expect(pickItem(items, p, null, true)).toBe('b');
    expect(pickItem(items, [5, 5], 'a', false)).toBeNull();
  });

  it('finds handles on a rotated box, the rotate handle above the top edge', () => {
    const b = box({ rotation: 30 });
    for (const h of ['nw', 'n', 'ne', 'e', 'se', 's', 'sw', 'w'] as const) expect(handleAt(b, handlePoint(b, h), 6, 24)).toBe(h);
    const r = rotateHandlePoint(b, 24);
    // 24 px out along the box's turned up direction (sin 30°, −cos 30°) from the top edge's middle.
    close(r, [300 + (100 + 24) * Math.sin(Math.PI / 6), 200 - (100 + 24) * Math.cos(Math.PI / 6)]);
    expect(handleAt(b, r, 6, 24)).toBe('rotate');
    expect(handleAt(b, [300, 200], 6, 24)).toBeNull();
  });
});

describe('move and snapping', () => {
  it('moves by the pointer delta when nothing is near', () => {
    expect(moveBox(box(), [37.5, -12], snapTo()).box).toEqual(box({ x: 137.5, y: 88 }));
    expect(moveBox(box(), [37.5, -12], snapTo()).guides).toEqual([]);
  });

  it('snaps edges to the canvas edges within the distance, exactly on the guide', () => {
    // Left edge 100 − 94.3 = 5.7 from x = 0; top 100 − 95 = 5 from y = 0.
    const e = moveBox(box(), [-94.3, -95], snapTo());
    expect(e.box.x).toBe(0);
    expect(e.box.y).toBe(0);
    expect(e.guides).toEqual([{ axis: 'x', at: 0, from: 0, to: 720 }, { axis: 'y', at: 0, from: 0, to: 1280 }]);
    // Right edge to 1280: x + width lands on the guide.
    const r = moveBox(box({ width: 400.3 }), [773.1, 0], snapTo()).box;
    expect(r.x + r.width).toBe(1280);
    // 8.5 px away with a distance of 8: no snap.
    expect(moveBox(box(), [-91.5, 0], snapTo()).box.x).toBe(8.5);
  });

  it('snaps the centre to the canvas centre lines', () => {
    // Centre x = 300 + 337 = 637, 3 px from 640.
    const e = moveBox(box(), [337, 0], snapTo());
    expect(e.box.x + e.box.width / 2).toBe(640);
    expect(e.guides).toEqual([{ axis: 'x', at: 640, from: 0, to: 720 }]);
  });

  it('snaps to another item edge and centre; the guide spans both items', () => {
    const other = box({ x: 700, y: 400, width: 300, height: 100 });
    // Moving box's left edge 100 + 596 = 696 → 700 (other's left edge).
    const e = moveBox(box(), [596, 0], snapTo([other]));
    expect(e.box.x).toBe(700);
    expect(e.guides).toEqual([{ axis: 'x', at: 700, from: 100, to: 500 }]);
    // Top 100 + 296 = 396 → 400 (other's top), with distance 8; with distance 2 nothing.
    expect(moveBox(box(), [0, 296], snapTo([other])).box.y).toBe(400);
    expect(moveBox(box(), [0, 296], snapTo([other], 2)).box.y).toBe(396);
  });

  it('a rotated item snaps by its bounds', () => {
    const b = box({ rotation: 90 }); // bounds 200 wide: x 200..400
    const e = moveBox(b, [-197, 0], snapTo());
    expect(boxBounds(e.box).left).toBeCloseTo(0, 9);
    expect(e.guides[0]).toEqual({ axis: 'x', at: 0, from: 0, to: 720 });
  });

  it('snapAxis picks the nearest target; guidesOn merges equal lines', () => {
    const t = [{ at: 0, from: 0, to: 10 }, { at: 100, from: 5, to: 20 }, { at: 100, from: 30, to: 40 }];
    expect(snapAxis([97, 3.5], t, 5)).toEqual({ offset: 3, target: t[1], index: 0 });
    expect(snapAxis([50], t, 5)).toBeNull();
    expect(guidesOn('x', [100], t, [0, 1])).toEqual([{ axis: 'x', at: 100, from: 0, to: 40 }]);
  });
});

describe('resize', () => {
  it('a corner keeps the aspect and the opposite corner; Shift (free) follows the pointer', () => {
    // se by (+100, +10): projection on the diagonal (400, 200): s = (500·400 + 210·200)/(400² + 200²) = 1.21.
    const locked = resizeBox(box(), 'se', [100, 10], { keepAspect: true }).box;
    expect(locked).toEqual({ x: 100, y: 100, width: 484, height: 242, rotation: 0 });
    const free = resizeBox(box(), 'se', [100, 10], { keepAspect: false }).box;
    expect(free).toEqual({ x: 100, y: 100, width: 500, height: 210, rotation: 0 });
    // nw: the se corner (500, 300) stays.
    const nw = resizeBox(box(), 'nw', [-40, -20], { keepAspect: true }).box;
    expect(nw.x + nw.width).toBeCloseTo(500, 9);
    expect(nw.y + nw.height).toBeCloseTo(300, 9);
    expect(nw.width / nw.height).toBeCloseTo(2, 9);
    expect(nw.width).toBeCloseTo(440, 9);
  });

  it('an edge handle keeps the opposite edge; with the aspect kept the other side grows about its middle', () => {
    const free = resizeBox(box(), 'e', [50, 999], { keepAspect: false }).box;
    expect(free).toEqual({ x: 100, y: 100, width: 450, height: 200, rotation: 0 });
    const locked = resizeBox(box(), 'e', [100, 0], { keepAspect: true }).box;
    expect(locked).toEqual({ x: 100, y: 75, width: 500, height: 250, rotation: 0 });
    const n = resizeBox(box(), 'n', [0, -50], { keepAspect: false }).box;
    expect(n).toEqual({ x: 100, y: 50, width: 400, height: 250, rotation: 0 });
  });

  it('on a rotated box the opposite corner stays fixed and sides change in the box frame', () => {
    const b = box({ rotation: 30 });
    const before = boxCorners(b);
    // Drag the se corner 50 px along the box's own x axis (cos 30°, sin 30°) → width + 50.
    const along: Point = [50 * Math.cos(Math.PI / 6), 50 * Math.sin(Math.PI / 6)];
    const free = resizeBox(b, 'se', along, { keepAspect: false }).box;
    expect(free.width).toBeCloseTo(450, 9);
    expect(free.height).toBeCloseTo(200, 9);
    close(boxCorners(free)[0], before[0]);
    const locked = resizeBox(b, 'nw', [-30, 10], { keepAspect: true }).box;
    close(boxCorners(locked)[2], before[2]);
    expect(locked.width / locked.height).toBeCloseTo(2, 9);
    // An edge handle: the opposite edge's middle stays.
    const w = resizeBox(b, 'w', [-20, 5], { keepAspect: true }).box;
    close(toCanvas(w, [w.width / 2, 0]), toCanvas(b, [200, 0]));
  });

  it('never makes a side smaller than 1 px and never turns the box inside out', () => {
    expect(resizeBox(box(), 'e', [-1000, 0], { keepAspect: false }).box.width).toBe(1);
    const l = resizeBox(box(), 'se', [-1000, -1000], { keepAspect: true }).box;
    expect(Math.min(l.width, l.height)).toBeCloseTo(1, 9);
    expect(l.x).toBe(100);
  });

  it('snaps the moving edge exactly onto the guide, with and without the aspect kept', () => {
    // Right edge 500 + 775 = 1275 → 1280.
    const free = resizeBox(box(), 'e', [775, 0], { keepAspect: false, snap: snapTo() });
    expect(free.box.x + free.box.width).toBe(1280);
    expect(free.guides).toEqual([{ axis: 'x', at: 1280, from: 0, to: 720 }]);
    // se locked: the bottom edge reaches 718 → snaps to 720; the width follows the aspect.
    const locked = resizeBox(box(), 'se', [836, 418], { keepAspect: true, snap: snapTo() });
    expect(locked.box.y + locked.box.height).toBe(720);
    expect(locked.box.width).toBeCloseTo(1240, 9);
    // The box now reaches x = 100 + 1240 = 1340: the guide spans it past the canvas.
    expect(locked.guides).toEqual([{ axis: 'y', at: 720, from: 0, to: 1340 }]);
    // nw free onto another item's right edge (x = 90): the left edge is exactly 90.
    const other = box({ x: 0, y: 400, width: 90, height: 50 });
    const left = resizeBox(box(), 'w', [-6, 0], { keepAspect: false, snap: snapTo([other]) }).box;
    expect(left.x).toBe(90);
    expect(left.x + left.width).toBe(500);
  });
});

describe('rotate', () => {
  it('follows the pointer about the centre; Shift snaps to 15°', () => {
    const b = box(); // centre (300, 200)
    expect(rotateBox(b, [300, 50], [450, 200])).toBeCloseTo(90, 9);
    expect(rotateBox(b, [300, 50], [150, 200])).toBeCloseTo(-90, 9);
    // 37° from straight up.
    const a = (37 * Math.PI) / 180;
    const to: Point = [300 + 100 * Math.sin(a), 200 - 100 * Math.cos(a)];
    expect(rotateBox(b, [300, 50], to)).toBeCloseTo(37, 9);
    expect(rotateBox(b, [300, 50], to, 15)).toBe(30);
    expect(rotateBox(box({ rotation: 170 }), [300, 50], [450, 200], 15)).toBe(-105);
    expect(normalizeDegrees(540)).toBe(180);
    expect(normalizeDegrees(-180)).toBe(180);
    expect(Object.is(normalizeDegrees(-360), 0)).toBe(true);
  });
});

describe('crop (Alt-drag on a handle)', () => {
  const src = { width: 800, height: 400 };

  it('the picture stays where it is while the crop grows (stretch, scale 0.5)', () => {
    const t = item(); // 800×400 source in a 400×200 box: 0.5 canvas px per source px
    const e = cropBox(t, src, 'w', [50, 0])!;
    expect(e.patch).toEqual({ x: 150, y: 100, width: 350, height: 200, crop: { left: 100, top: 0, right: 0, bottom: 0 } });
    const after = { ...t, ...e.patch };
    for (const p of [[400, 100], [799, 399], [101, 0]] as Point[]) close(drawnAt(after, src, p), drawnAt(t, src, p), 6);
    // Dragging back past the source edge stops at no crop.
    expect(cropBox(after, src, 'w', [-500, 0])!.patch).toEqual({ x: 100, y: 100, width: 400, height: 200, crop: { left: 0, top: 0, right: 0, bottom: 0 } });
  });

  it('on a rotated, contained and already cropped item the picture stays put', () => {
    const t = item({ rotation: 30, fit: 'contain', width: 500, height: 200, crop: { left: 40, top: 20, right: 0, bottom: 10 } });
    for (const [h, d] of [['se', [-30, -20]], ['n', [5, 25]], ['e', [-60, 10]]] as const) {
      const e = cropBox(t, src, h, [d[0], d[1]])!;
      const after = { ...t, ...e.patch };
      for (const p of [[400, 200], [600, 300], [300, 150]] as Point[]) close(drawnAt(after, src, p), drawnAt(t, src, p), 4);
      expect(after.crop.left + after.crop.right).toBeLessThan(800);
    }
  });

  it('a flipped item crops the mirrored side, and its picture stays put too', () => {
    const t: CropInput = { ...item(), flipH: true };
    const e = cropBox(t, src, 'w', [50, 0])!;
    // The canvas's left side shows the source's right side.
    expect(e.patch.crop).toEqual({ left: 0, top: 0, right: 100, bottom: 0 });
    expect(e.patch.x).toBe(150);
    const both: CropInput = { ...item({ rotation: -40, fit: 'contain', height: 260 }), flipH: true, flipV: true };
    for (const h of ['nw', 's', 'e'] as const) {
      const after = { ...both, ...cropBox(both, src, h, [12, -17])!.patch };
      for (const p of [[400, 200], [500, 100]] as Point[]) close(drawnAt(after, src, p), drawnAt(both, src, p), 4);
    }
  });

  it('snaps the cropped edge exactly onto a guide; null for a zero-size source', () => {
    // The right edge 500 − 96 = 404 snaps to the left edge of an item at x = 400.
    const e = cropBox(item(), src, 'e', [-96, 0], snapTo([box({ x: 400, y: 500, width: 50, height: 50 })]))!;
    expect(e.patch.x + e.patch.width).toBe(400);
    expect(e.patch.crop.right).toBeCloseTo(200, 9);
    expect(e.guides).toEqual([{ axis: 'x', at: 400, from: 100, to: 550 }]);
    expect(cropBox(item(), { width: 0, height: 0 }, 'e', [1, 0])).toBeNull();
  });
});

describe('context-menu arrangements', () => {
  it('fit, stretch and centre to the canvas; reset to the contained source; order moves', () => {
    expect(fitToCanvas(box(), CANVAS)).toEqual({ x: 0, y: 40, width: 1280, height: 640 });
    // Turned 90°: the 400×200 box stands 200 wide and 400 tall; fit scales it by 720/400.
    const f = fitToCanvas(box({ rotation: 90 }), CANVAS);
    expect(f.width).toBeCloseTo(720, 9);
    expect(f.height).toBeCloseTo(360, 9);
    expect(boxBounds({ ...f, rotation: 90 }).top).toBeCloseTo(0, 9);
    expect(stretchToCanvas(box({ rotation: 12 }), CANVAS)).toEqual({ x: 0, y: 0, width: 1280, height: 720, rotation: 0 });
    expect(boxBounds({ ...stretchToCanvas(box({ rotation: 90 }), CANVAS) })).toEqual({ left: 0, top: 0, right: 1280, bottom: 720 });
    expect(centreOnCanvas(box(), CANVAS)).toEqual({ x: 440, y: 260 });
    expect(resetTransform(CANVAS, { width: 640, height: 480 })).toEqual({
      x: 160, y: 0, width: 960, height: 720, rotation: 0, fit: 'contain', crop: { left: 0, top: 0, right: 0, bottom: 0 }, flipH: false, flipV: false,
    });
    expect(resetTransform(CANVAS, null)).toMatchObject({ x: 0, y: 0, width: 1280, height: 720 });
    expect([orderIndex('up', 1, 3), orderIndex('up', 2, 3), orderIndex('down', 0, 3), orderIndex('top', 0, 3), orderIndex('bottom', 2, 3)]).toEqual([2, 2, 0, 2, 0]);
    const c = copyTransform(item({ crop: { left: 1, top: 2, right: 3, bottom: 4 } }));
    expect(c).toEqual({ x: 100, y: 100, width: 400, height: 200, rotation: 0, crop: { left: 1, top: 2, right: 3, bottom: 4 }, flipH: false, flipV: false, fit: 'stretch' });
    expect(flipPatch(item(), 'h')).toEqual({ flipH: true });
    expect(flipPatch(item({ flipV: true }), 'v')).toEqual({ flipV: false });
  });
});

describe('flips, end to end through schema and layout', () => {
  it('a flip swaps the shown uv range, so the picture mirrors inside the same quad', () => {
    const quad = (t: SceneItem) => { const m = new Float32Array(6); const uv: [number, number, number, number] = [0, 0, 0, 0]; computeQuad(t, 800, 400, m, uv); return { m: [...m], uv }; };
    const crop = { left: 100, top: 0, right: 0, bottom: 40 };
    const plain = quad(item({ crop })), h = quad(item({ crop, flipH: true })), v = quad(item({ crop, flipV: true }));
    expect(h.m).toEqual(plain.m);
    expect(plain.uv).toEqual([0.125, 0, 1, 0.9]);
    expect(h.uv).toEqual([1, 0, 0.125, 0.9]);
    expect(v.uv).toEqual([0.125, 0.9, 1, 0]);
    // Source pixel (110, 10) is 10 px into the 700×360 crop: near the left of the plain picture, near the right when flipped.
    const src = { width: 800, height: 400 };
    close(drawnAt(item({ crop }), src, [110, 10]), [100 + (10 * 400) / 700, 100 + (10 * 200) / 360], 4);
    close(drawnAt(item({ crop, flipH: true }), src, [110, 10]), [500 - (10 * 400) / 700, 100 + (10 * 200) / 360], 4);
  });

  it('the layout recomputes a quad when only a flip changes', () => {
    const layout = new SceneLayout();
    const size = () => ({ width: 800, height: 400 });
    layout.update([item()], size);
    expect(layout.update([item({ flipH: true })], size)[0]!.quad.uv).toEqual([1, 0, 0, 1]);
    expect(layout.lastRecomputed).toBe(1);
    layout.update([item({ flipH: true })], size);
    expect(layout.lastRecomputed).toBe(0);
  });

  it('the schema takes flips as optional booleans: old collections load, patches may set them', () => {
    const coll = (over: Partial<SceneItem>) => ({
      version: 1, output: { width: 1280, height: 720, frameRate: 30 }, currentSceneId: 'scn-1',
      sources: [{ id: 'src-1', name: 'Colour', settings: { kind: 'color', color: '#ff0000' }, background: { type: 'none' } }],
      scenes: [{ id: 'scn-1', name: 'Scene 1', items: [item(over)] }],
    });
    expect(parseSceneCollection(coll({})).scenes[0]!.items[0]!.flipH).toBeUndefined();
    expect(parseSceneCollection(coll({ flipH: true, flipV: false })).scenes[0]!.items[0]).toMatchObject({ flipH: true, flipV: false });
    expect(() => parseSceneCollection(coll({ flipH: 'yes' as never }))).toThrow(/flipH/);
    expect(validateItemPatch({ flipV: true })).toEqual({ flipV: true });
  });
});
