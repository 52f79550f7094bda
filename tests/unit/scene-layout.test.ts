import { describe, expect, it } from 'vitest';
import { computeQuad, itemCorners, SceneLayout, type Size } from '../../src/scene/layout.ts';
import type { SceneItem } from '../../src/scene/types.ts';

const item = (over: Partial<SceneItem> = {}): SceneItem => ({
  id: 'itm-1', sourceId: 'src-1', x: 0, y: 0, width: 1280, height: 720, rotation: 0,
  crop: { left: 0, top: 0, right: 0, bottom: 0 }, opacity: 1, visible: true, locked: false, fit: 'contain', ...over,
});

/** The quad's corners: unit square (0,0), (1,0), (1,1), (0,1) through the matrix. */
function corners(m: Float32Array): number[][] {
  return [[0, 0], [1, 0], [1, 1], [0, 1]].map(([u, v]) => [m[0]! * u! + m[2]! * v! + m[4]!, m[1]! * u! + m[3]! * v! + m[5]!]);
}

function quadOf(it: SceneItem, src: Size) {
  const m = new Float32Array(6);
  const uv: [number, number, number, number] = [0, 0, 0, 0];
  const ok = computeQuad(it, src.width, src.height, m, uv);
  return { ok, m, uv, corners: corners(m) };
}

function expectPoints(actual: number[][], expected: number[][], digits = 3) {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((p, i) => { expect(p[0]).toBeCloseTo(expected[i]![0]!, digits); expect(p[1]).toBeCloseTo(expected[i]![1]!, digits); });
}

describe('scene layout: fit, crop and rotation', () => {
  it('the default item contains a 4:3 camera in the 16:9 canvas: 960×720 pillarboxed at x = 160', () => {
    const q = quadOf(item(), { width: 640, height: 480 });
    expect(q.ok).toBe(true);
    expect(Array.from(q.m)).toEqual([960, 0, 0, 720, 160, 0]);
    expect(q.uv).toEqual([0, 0, 1, 1]);
    expect(q.corners).toEqual([[160, 0], [1120, 0], [1120, 720], [160, 720]]);
  });

  it('contain letterboxes a portrait source and a wide one', () => {
    // 720×1280 portrait: k = 720/1280 = 0.5625 → 405×720 at x = (1280 − 405)/2 = 437.5.
    expect(Array.from(quadOf(item(), { width: 720, height: 1280 }).m)).toEqual([405, 0, 0, 720, 437.5, 0]);
    // 2560×720 (32:9): k = 0.5 → 1280×360 at y = 180.
    expect(Array.from(quadOf(item(), { width: 2560, height: 720 }).m)).toEqual([1280, 0, 0, 360, 0, 180]);
  });

  it('stretch fills the box whatever the source aspect', () => {
    const q = quadOf(item({ fit: 'stretch', x: 10, y: 20, width: 300, height: 100 }), { width: 640, height: 480 });
    expect(Array.from(q.m)).toEqual([300, 0, 0, 100, 10, 20]);
    expect(q.uv).toEqual([0, 0, 1, 1]);
  });

  it('cover fills the box and trims the source evenly on the long side', () => {
    // 640×480 into 1280×720: k = 2 → 1280×960, 720/960 = 0.75 of the height shows: v 0.125..0.875.
    const q = quadOf(item({ fit: 'cover' }), { width: 640, height: 480 });
    expect(Array.from(q.m)).toEqual([1280, 0, 0, 720, 0, 0]);
    expect(q.uv).toEqual([0, 0.125, 1, 0.875]);
  });

  it('crop cuts source pixels before fitting; uv follows the crop', () => {
    // 1000×500 cropped by 100 left/right and 50 top → 800×450 (16:9), contained in 1600×900 → exactly the box.
    const crop = { left: 100, top: 50, right: 100, bottom: 0 };
    const q = quadOf(item({ width: 1600, height: 900, crop }), { width: 1000, height: 500 });
    expect(Array.from(q.m)).toEqual([1600, 0, 0, 900, 0, 0]);
    expect(q.uv).toEqual([0.1, 0.1, 0.9, 1]);
    // The same crop, covered into a 450×450 square: k = 1 → 450 of the 800 cropped columns, centred:
    // u from (100 + 175)/1000 to (100 + 625)/1000.
    const c = quadOf(item({ width: 450, height: 450, crop, fit: 'cover' }), { width: 1000, height: 500 });
    expect(Array.from(c.m)).toEqual([450, 0, 0, 450, 0, 0]);
    expect(c.uv[0]).toBeCloseTo(0.275, 12); expect(c.uv[1]).toBeCloseTo(0.1, 12);
    expect(c.uv[2]).toBeCloseTo(0.725, 12); expect(c.uv[3]).toBeCloseTo(1, 12);
  });

  it('rotation turns clockwise about the box centre', () => {
    // 400×100 box at (100, 200), centre (300, 250), turned 90° clockwise → 100×400 standing at x 250..350, y 50..450.
    const q = quadOf(item({ fit: 'stretch', x: 100, y: 200, width: 400, height: 100, rotation: 90 }), { width: 4, height: 1 });
    expect(q.corners).toEqual([[350, 50], [350, 450], [250, 450], [250, 50]]);
    expect(quadOf(item({ fit: 'stretch', x: 100, y: 200, width: 400, height: 100, rotation: -270 }), { width: 4, height: 1 }).corners)
      .toEqual(q.corners);
    // A 100×100 square at the origin turned 45°: its top-left corner goes to the top middle.
    const h = 50 * Math.SQRT2;
    expectPoints(quadOf(item({ fit: 'stretch', width: 100, height: 100, rotation: 45 }), { width: 1, height: 1 }).corners,
      [[50, 50 - h], [50 + h, 50], [50, 50 + h], [50 - h, 50]]);
    // 180° of a contained 4:3 source: the picture's top-left lands at the pillarbox's bottom-right.
    expect(quadOf(item({ rotation: 180 }), { width: 640, height: 480 }).corners).toEqual([[1120, 720], [160, 720], [160, 0], [1120, 0]]);
  });

  it('a source cropped away, of zero size or in an empty box draws nothing', () => {
    const src = { width: 640, height: 480 };
    expect(quadOf(item({ crop: { left: 320, top: 0, right: 320, bottom: 0 } }), src).ok).toBe(false);
    expect(quadOf(item({ crop: { left: 0, top: 500, right: 0, bottom: 0 } }), src).ok).toBe(false);
    expect(quadOf(item(), { width: 0, height: 480 }).ok).toBe(false);
    expect(quadOf(item({ width: 0 }), src).ok).toBe(false);
  });

  it('itemCorners gives the drawn picture or the whole box', () => {
    const it0 = item({ rotation: 90 });
    const src = { width: 640, height: 480 };
    // Box 1280×720 about (640, 360) turned 90°: 720 wide, 1280 tall.
    expect(itemCorners(it0, src, 'box')).toEqual([[1000, -280], [1000, 1000], [280, 1000], [280, -280]]);
    // Picture 960×720 about the same centre turned 90°.
    expect(itemCorners(it0, src)).toEqual([[1000, -120], [1000, 840], [280, 840], [280, -120]]);
    expect(itemCorners(item({ crop: { left: 640, top: 0, right: 0, bottom: 0 } }), src)).toBeNull();
  });
});

describe('scene layout: recompute only what changed', () => {
  const N = 32;
  const makeItems = (): SceneItem[] => Array.from({ length: N }, (_, i) =>
    item({ id: `itm-${i}`, sourceId: `src-${i % 8}`, x: i * 10, y: i * 5, width: 320, height: 180, rotation: i, fit: (['contain', 'cover', 'stretch'] as const)[i % 3] }));
  const sizes = new Map<string, Size>(Array.from({ length: 8 }, (_, i) => [`src-${i}`, { width: 640 + 16 * i, height: 480 }]));
  const sizeOf = (id: string) => sizes.get(id) ?? null;

  it('a static scene of 32 items recomputes no transform over 100 frames; moving one item recomputes one', () => {
    const layout = new SceneLayout();
    const items = makeItems();
    const first = layout.update(structuredClone(items), sizeOf);
    expect(first).toHaveLength(N);
    expect(layout.lastRecomputed).toBe(N);
    const quads = first.map((l) => l.quad);
    const versions = first.map((l) => l.version);
    expect(versions.every((v) => v === 1)).toBe(true);
    for (let f = 0; f < 100; f++) {
      // Items arrive by postMessage: fresh objects with the same values every frame.
      const out = layout.update(structuredClone(items), sizeOf);
      expect(layout.lastRecomputed).toBe(0);
      expect(out).toBe(first); // the same array, reused
      expect(out.map((l) => l.quad)).toEqual(quads);
      out.forEach((l, i) => expect(l.quad).toBe(quads[i]));
    }
    expect(layout.recomputed).toBe(N);
    expect(first.map((l) => l.version)).toEqual(versions);

    const moved = structuredClone(items);
    moved[7]!.x += 1;
    layout.update(moved, sizeOf);
    expect(layout.lastRecomputed).toBe(1);
    expect(first[7]!.quad.matrix[4]).toBeCloseTo(quadOf(moved[7]!, sizeOf('src-7')!).m[4]!, 4);
    expect(first.map((l) => l.version)).toEqual(versions.map((v, i) => (i === 7 ? v + 1 : v)));
    layout.update(structuredClone(moved), sizeOf);
    expect(layout.lastRecomputed).toBe(0);
    expect(layout.recomputed).toBe(N + 1);
  });

  it('a source resize recomputes only the items of that source', () => {
    const layout = new SceneLayout();
    const items = makeItems();
    layout.update(items, sizeOf);
    const resized = new Map(sizes).set('src-3', { width: 1920, height: 1080 });
    const out = layout.update(structuredClone(items), (id) => resized.get(id) ?? null);
    expect(layout.lastRecomputed).toBe(N / 8);
    const expected = items.filter((it) => it.sourceId === 'src-3').map((it) => it.id);
    expect(out.filter((l) => l.version === 2).map((l) => l.itemId)).toEqual(expected);
  });

  it('opacity changes bump the version without recomputing the matrix', () => {
    const layout = new SceneLayout();
    const items = makeItems();
    const out = layout.update(items, sizeOf);
    const changed = structuredClone(items);
    changed[2]!.opacity = 0.25;
    layout.update(changed, sizeOf);
    expect(layout.lastRecomputed).toBe(0);
    expect(out[2]!.quad.opacity).toBe(0.25);
    expect(out[2]!.version).toBe(2);
    expect(out[3]!.version).toBe(1);
  });

  it('lists visible, drawable items in z order and forgets removed ones', () => {
    const layout = new SceneLayout();
    const items = makeItems().slice(0, 5);
    items[1]!.visible = false;
    items[3]!.sourceId = 'src-missing';
    expect(layout.update(items, sizeOf).map((l) => l.itemId)).toEqual(['itm-0', 'itm-2', 'itm-4']);
    expect(layout.lastRecomputed).toBe(4); // the hidden item is not laid out at all
    const reordered = [items[4]!, items[0]!, items[2]!];
    expect(layout.update(reordered, sizeOf).map((l) => l.itemId)).toEqual(['itm-4', 'itm-0', 'itm-2']);
    expect(layout.lastRecomputed).toBe(0);
    const shown = structuredClone(items);
    shown[1]!.visible = true;
    expect(layout.update(shown, sizeOf).map((l) => l.itemId)).toEqual(['itm-0', 'itm-1', 'itm-2', 'itm-4']);
    // itm-1 and itm-3 were left out of the previous update, so they were forgotten and are laid out afresh
    // (itm-3 still has no source size, so it stays undrawn).
    expect(layout.lastRecomputed).toBe(2);
  });

  it('an item whose source has no size yet appears once the size arrives', () => {
    const layout = new SceneLayout();
    const one = [item()];
    expect(layout.update(one, () => null)).toHaveLength(0);
    const out = layout.update(one, () => ({ width: 640, height: 480 }));
    expect(out).toHaveLength(1);
    expect(out[0]!.version).toBe(1);
    expect(Array.from(out[0]!.quad.matrix)).toEqual([960, 0, 0, 720, 160, 0]);
  });
});
