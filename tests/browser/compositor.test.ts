/**
 * CompositorPass on real webcam frames against the TS reference (tests/reference/compositor.ts).
 *
 * Tolerances:
 * - ≤ 2/255 max abs diff per channel (TOLERANCE). The reference mixes texels with exact weights;
 *   the shader's opaque path uses the hardware sampler, whose bilinear weights are quantised
 *   (8 fractional bits on common GPUs), and every item's blend is rounded to 8 bits in the target,
 *   which the reference mirrors but may round the other way at a .5 boundary.
 * - Rotated edges: a pixel whose centre lies within EDGE_EPS (1/8 px) of an item's edge may be
 *   covered by the rasteriser and not by the reference's exact inside test, or the other way
 *   round: vertices are snapped to a sub-pixel grid (Vulkan guarantees ≥ 4 bits, i.e. 1/16 px,
 *   and an edge moves by at most that much). Such pixels are allowed any difference; every
 *   pixel over the tolerance must be one of them, and the test prints how many there were.
 * - Downscales are also checked against an area average (box filter) of the source: the exact
 *   box for axis-aligned scales, a 16×16 supersampled one for rotation. The prefilter has to
 *   beat plain bilinear sampling (the reference with one tap) by MIN_GAIN_DB.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeFrame } from '../reference/media.ts';
import { openKernelSession, type KernelSession } from '../reference/session.ts';
import {
  areaAverageAxisAligned, areaAverageSupersampled, boxMatrix, compositeLayers, edgeMask, filled, interiorMask, psnrRgb,
  type RefLayer,
} from '../reference/compositor.ts';
import type { BookkeepingReport, CallSpec, ComposeStats, ItemSpec } from './pages/compositor.page.ts';

const TOLERANCE = 2;
const EDGE_EPS = 1 / 8;
const MIN_GAIN_DB = 6;
const PAGE = '/tests/browser/pages/compositor.page.ts';

interface Image { src: Uint8Array; width: number; height: number }
const frame = (clip: string, width: number, height: number): Image => ({ src: decodeFrame(clip, 'rgba'), width, height });
const MAN = (): Image => frame('webcam_man_1280x720_30fps.mp4', 1280, 720);
const WOMAN = (): Image => frame('webcam_woman_640x480_30fps.mp4', 640, 480);
const WOMAN_HD = (): Image => frame('webcam_woman_1280x720_30fps.mp4', 1280, 720);

/**
 * A real frame given straight alpha: a soft radial falloff, and a hard-edged fully transparent
 * hole whose texels are pure green, so colour bleeding from transparent texels would show.
 */
function withAlpha(img: Image): Image {
  const { width: w, height: h } = img;
  const src = img.src.slice();
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = (y * w + x) * 4;
      const r = Math.hypot((x - w / 2) / (w / 2), (y - h / 2) / (h / 2));
      src[o + 3] = Math.round(255 * Math.min(1, Math.max(0, 1.6 * (1 - r))));
      if (x >= w * 0.55 && x < w * 0.7 && y >= h * 0.3 && y < h * 0.5) src.set([0, 255, 0, 0], o);
    }
  }
  return { src, width: w, height: h };
}

/** A 1920×1080 "screen": the webcam frame stretched, with 1-px stripes and a checkerboard (text-like detail). */
function screen(): Image {
  const man = MAN(), w = 1920, h = 1080;
  const src = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = (y * w + x) * 4, s = ((Math.floor((y * 2) / 3) * 1280) + Math.floor((x * 2) / 3)) * 4;
      src.set(man.src.subarray(s, s + 4), o);
      let v = -1;
      if (y >= 700 && y < 820) v = x % 2 ? 255 : 0;
      else if (y >= 840 && y < 960) v = y % 2 ? 255 : 0;
      else if (y >= 980 && x < 960) v = (x + y) % 2 ? 255 : 0;
      if (v >= 0) src.set([v, v, v, 255], o);
    }
  }
  return { src, width: w, height: h };
}

/** `opaque` picks the pass's opaque-source pipeline; only for frames whose alpha is 255 everywhere. */
interface Layer { img: Image; matrix: Float32Array; uv?: [number, number, number, number]; opacity?: number; opaque?: boolean }
interface Call { layers: Layer[]; clear: [number, number, number, number] | null; opacityScale?: number }

let session: KernelSession;
beforeAll(async () => { session = await openKernelSession(); });
afterAll(async () => { await session?.close(); });

const refLayer = (l: Layer): RefLayer => ({ ...l.img, matrix: l.matrix, uv: l.uv ?? [0, 0, 1, 1], opacity: l.opacity ?? 1 });

/** Runs the calls on the GPU (one command encoder) and in the reference. */
async function render(dw: number, dh: number, calls: Call[], init?: Uint8Array): Promise<{ got: Uint8Array; want: Uint8Array; edges: Uint8Array; stats: ComposeStats }> {
  const images: Image[] = [];
  const specs: CallSpec[] = calls.map((c) => ({
    clear: c.clear, opacityScale: c.opacityScale,
    items: c.layers.map((l): ItemSpec => {
      if (!images.includes(l.img)) images.push(l.img);
      return { source: images.indexOf(l.img), matrix: [...l.matrix], uv: l.uv ?? [0, 0, 1, 1], opacity: l.opacity ?? 1, opaque: l.opaque ?? false };
    }),
  }));
  const out = session.bytes.outPrefix();
  const stats = await session.call<ComposeStats>(PAGE, 'compose', {
    sources: images.map((i) => ({ url: session.bytes.put(i.src), width: i.width, height: i.height })),
    width: dw, height: dh, init: init ? session.bytes.put(init) : undefined, calls: specs,
  }, out);
  const got = session.bytes.take(out, 'rgba');
  session.bytes.clear();
  let want: Uint8Array = init ? init.slice() : new Uint8Array(dw * dh * 4);
  for (const c of calls) {
    if (c.clear) want = filled(dw, dh, c.clear);
    compositeLayers(want, dw, dh, c.layers.map(refLayer), { opacityScale: c.opacityScale });
  }
  const edges = edgeMask(dw, dh, calls.flatMap((c) => c.layers.map(refLayer)), EDGE_EPS);
  return { got, want, edges, stats };
}

/** Every channel within TOLERANCE, except (when `edges` is given) at pixels on an item's edge. */
function expectClose(label: string, got: Uint8Array, want: Uint8Array, width: number, edges?: Uint8Array): void {
  let max = 0, worst = -1, bad = 0, edgeBad = 0;
  for (let p = 0; p * 4 < got.length; p++) {
    let d = 0;
    for (let c = 0; c < 4; c++) d = Math.max(d, Math.abs(got[p * 4 + c]! - want[p * 4 + c]!));
    if (d <= TOLERANCE) { if (d > max) max = d; continue; }
    if (edges?.[p]) { edgeBad++; continue; }
    bad++;
    if (d > max) { max = d; worst = p; }
  }
  const edgeCount = edges ? edges.reduce((s, v) => s + v, 0) : 0;
  console.log(`[compositor] ${label}: max abs diff ${max} off edges` + (edges ? `; ${edgeBad} of ${edgeCount} edge pixels over ${TOLERANCE}` : ''));
  if (bad === 0) return;
  const o = worst * 4;
  expect.fail(`${label}: ${bad} pixels over ${TOLERANCE}/255, worst ${max} at (${worst % width}, ${Math.floor(worst / width)}): got [${got.subarray(o, o + 4).join()}] want [${want.subarray(o, o + 4).join()}]`);
}

/** Plain bilinear sampling (one tap) of the same layer over transparent black, for PSNR comparisons. */
function bilinearOnly(l: Layer, dw: number, dh: number): Uint8Array {
  const out = new Uint8Array(dw * dh * 4);
  compositeLayers(out, dw, dh, [refLayer(l)], { maxTaps: 1 });
  return out;
}

function expectAntiAliased(label: string, got: Uint8Array, bilinear: Uint8Array, area: Float64Array, mask?: Uint8Array): void {
  const g = psnrRgb(got, area, mask), b = psnrRgb(bilinear, area, mask);
  console.log(`[compositor] ${label}: PSNR vs area average: prefiltered ${g.toFixed(1)} dB, plain bilinear ${b.toFixed(1)} dB`);
  expect(g - b, `${label}: prefilter gain over bilinear (dB)`).toBeGreaterThanOrEqual(MIN_GAIN_DB);
}

const BLACK: [number, number, number, number] = [0, 0, 0, 1];
const CLEAR: [number, number, number, number] = [0, 0, 0, 0];

describe('CompositorPass vs TS reference', () => {
  it('upscales a cropped 160x90 region 4x (crop + bilinear magnification)', async () => {
    const img = MAN();
    const layer = { img, opaque: true, matrix: boxMatrix(0, 0, 640, 360), uv: [400 / 1280, 200 / 720, 560 / 1280, 290 / 720] as [number, number, number, number] };
    const { got, want } = await render(640, 360, [{ layers: [layer], clear: BLACK }]);
    expectClose('4x upscale of a crop', got, want, 640);
  });

  it('downscales a 1280x720 frame 4x without aliasing', async () => {
    const img = MAN();
    const layer = { img, opaque: true, matrix: boxMatrix(0, 0, 320, 180) };
    const { got, want } = await render(320, 180, [{ layers: [layer], clear: CLEAR }]);
    expectClose('4x downscale', got, want, 320);
    expectAntiAliased('4x downscale', got, bilinearOnly(layer, 320, 180), areaAverageAxisAligned(img, 320, 180));
  });

  it('shows a 1920x1080 screen with 1-px detail at 448x252 (4.29x) without aliasing', async () => {
    const img = screen();
    const layer = { img, matrix: boxMatrix(0, 0, 448, 252) };
    const { got, want } = await render(448, 252, [{ layers: [layer], clear: CLEAR }]);
    expectClose('screen 4.29x downscale', got, want, 448);
    expectAntiAliased('screen 4.29x downscale', got, bilinearOnly(layer, 448, 252), areaAverageAxisAligned(img, 448, 252));
  });

  for (const degrees of [30, 90]) {
    it(`rotates a 640x480 frame ${degrees}° at 0.75x`, async () => {
      const layer = { img: WOMAN(), opaque: degrees === 30, matrix: boxMatrix(80, 60, 480, 360, degrees) };
      const { got, want, edges } = await render(640, 480, [{ layers: [layer], clear: BLACK }]);
      expectClose(`rotated ${degrees}°`, got, want, 640, edges);
    });
  }

  it('prefilters a 30° rotated 4x downscale over the rotated footprint', async () => {
    const img = MAN();
    const layer = { img, opaque: true, matrix: boxMatrix(40, 60, 320, 180, 30) };
    const { got, want, edges } = await render(400, 300, [{ layers: [layer], clear: CLEAR }]);
    expectClose('rotated 30° 4x downscale', got, want, 400, edges);
    const inside = interiorMask(400, 300, refLayer(layer), 1);
    expectAntiAliased('rotated 30° 4x downscale', got, bilinearOnly(layer, 400, 300), areaAverageSupersampled(refLayer(layer), 400, 300, 16), inside);
  });

  it('crops without bleeding: texels outside the crop never reach the output', async () => {
    const clean = MAN();
    // Every texel outside the crop turned magenta: any tap that reached past the crop would show it.
    const [x0, y0, x1, y1] = [320, 144, 768, 504];
    const poisoned = { ...clean, src: clean.src.slice() };
    for (let y = 0; y < 720; y++) for (let x = 0; x < 1280; x++) if (x < x0 || x >= x1 || y < y0 || y >= y1) poisoned.src.set([255, 0, 255, 255], (y * 1280 + x) * 4);
    const uv: [number, number, number, number] = [x0 / 1280, y0 / 720, x1 / 1280, y1 / 720];
    const small: [number, number, number, number] = [600 / 1280, 300 / 720, 680 / 1280, 360 / 720];
    const calls = (img: Image): Call[] => [{ clear: BLACK, layers: [
      { img, matrix: boxMatrix(8, 8, 112, 90), uv }, // the crop at 4x downscale: taps spread to its border
      { img, matrix: boxMatrix(140, 10, 320, 240), uv: small },
    ] }];
    const a = await render(480, 270, calls(clean));
    expectClose('crop, clean source', a.got, a.want, 480);
    const b = await render(480, 270, [{ clear: BLACK, layers: [{ img: poisoned, matrix: boxMatrix(8, 8, 112, 90), uv }] }]);
    const c = await render(480, 270, [{ clear: BLACK, layers: [{ img: clean, matrix: boxMatrix(8, 8, 112, 90), uv }] }]);
    let diff = 0;
    for (let i = 0; i < b.got.length; i++) diff = Math.max(diff, Math.abs(b.got[i]! - c.got[i]!));
    console.log(`[compositor] crop with magenta outside vs clean: max abs diff ${diff}`);
    expect(diff, 'output changed when only texels outside the crop changed').toBe(0);
  });

  it('draws an item at opacity 0.5 over another', async () => {
    const { got, want } = await render(640, 360, [{ clear: BLACK, layers: [
      { img: MAN(), opaque: true, matrix: boxMatrix(0, 0, 640, 360) },
      { img: WOMAN(), matrix: boxMatrix(80, 0, 480, 360), opacity: 0.5 },
    ] }]);
    expectClose('opacity 0.5', got, want, 640);
  });

  it('overlaps four items, two with straight alpha, rotated and downscaled', async () => {
    const alpha = withAlpha(WOMAN()), alphaHd = withAlpha(WOMAN_HD());
    const { got, want, edges } = await render(640, 360, [{ clear: [0.2, 0.3, 0.4, 1], layers: [
      { img: MAN(), opaque: true, matrix: boxMatrix(0, 0, 640, 360) },
      { img: alpha, matrix: boxMatrix(200, 40, 384, 288, 15) },
      { img: MAN(), matrix: boxMatrix(20, 150, 240, 180, -10), uv: [0.2, 0.1, 0.8, 0.9], opacity: 0.7 },
      { img: alphaHd, matrix: boxMatrix(380, 220, 256, 144), opacity: 0.9 },
    ] }]);
    expectClose('four overlapping items', got, want, 640, edges);
  });

  it('fades: a second call in the same encoder draws over the first (clear = null) with opacityScale', async () => {
    const { got, want, stats } = await render(640, 360, [
      { clear: BLACK, layers: [{ img: MAN(), matrix: boxMatrix(0, 0, 640, 360) }] },
      { clear: null, opacityScale: 0.3, layers: [
        { img: WOMAN_HD(), opaque: true, matrix: boxMatrix(0, 0, 640, 360) },
        { img: withAlpha(WOMAN()), matrix: boxMatrix(320, 0, 320, 240), opacity: 0.8 },
      ] },
    ]);
    expectClose('fade, two calls', got, want, 640);
    expect(stats.itemWrites).toBe(3);
  });

  it('draws over existing target content when clear is null', async () => {
    const init = WOMAN().src;
    const { got, want } = await render(640, 480, [{ clear: null, layers: [
      { img: withAlpha(MAN()), matrix: boxMatrix(40, 40, 560, 315), opacity: 0.8 },
    ] }], init);
    expectClose('clear = null over a frame', got, want, 640);
  });

  it('writes item data only when an item changes; caches and prunes bind groups per texture', async () => {
    const r = await session.call<BookkeepingReport>(PAGE, 'bookkeeping');
    console.log('[compositor] bookkeeping', JSON.stringify(r));
    expect(r.firstWrites).toBe(3);
    expect(r.secondWrites, 'writes on the second encode of a static scene').toBe(0);
    expect(r.sameNumbersNewVersion).toBe(0);
    expect(r.movedOne).toBe(1);
    expect(r.resizedTarget).toBe(3);
    expect(r.replacedTextureWrites).toBe(0);
    expect(r.bindGroupsAfterReplace).toBe(4);
    expect(r.bindGroupsAfterIdle, 'the replaced texture\'s bind group is pruned').toBe(3);
    expect(r.replacedPixel).toEqual([255, 255, 0, 255]);
    expect(r.dropped).toBe(1);
  });

  it('left no console errors', () => {
    expect(session.errors).toEqual([]);
  });
});
