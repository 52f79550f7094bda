/**
 * IngestYuvPass on real webcam frames against the plain TS reference (tests/reference/color.ts):
 * every format × BT.601/BT.709 × limited/full range must match within 2/255 on every pixel.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cropI420, cropRgba, i420ToNv12, i420ToRgba, maxAbsDiff, nv12ToRgba, packedToRgba, splitI420,
  type Matrix, type Planes,
} from '../reference/color.ts';
import { decodeFrame } from '../reference/media.ts';
import { openKernelSession, type KernelSession } from '../reference/session.ts';
import type { IngestCase, IngestSeen, IngestVariant } from './pages/ingest.page.ts';

/** Colour conversions may differ from the reference by float rounding only. */
const TOLERANCE = 2;

const VARIANTS: { matrix: Matrix; fullRange: boolean }[] = [
  { matrix: 'bt601', fullRange: false }, { matrix: 'bt601', fullRange: true },
  { matrix: 'bt709', fullRange: false }, { matrix: 'bt709', fullRange: true },
];
const toColorSpace = (v: { matrix: Matrix; fullRange: boolean }): IngestVariant =>
  ({ matrix: v.matrix === 'bt601' ? 'smpte170m' : 'bt709', fullRange: v.fullRange });

const CLIPS = [
  { clip: 'webcam_woman_640x480_30fps.mp4', width: 640, height: 480 },
  { clip: 'webcam_man_1280x720_30fps.mp4', width: 1280, height: 720 },
];

let session: KernelSession;
beforeAll(async () => { session = await openKernelSession(); });
afterAll(async () => { await session?.close(); });

const concat = (parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
};

async function runIngest(format: VideoPixelFormat, width: number, height: number, data: Uint8Array): Promise<Uint8Array[]> {
  const variants = VARIANTS.map(toColorSpace);
  const c: IngestCase = { format, width, height, input: session.bytes.put(data), out: session.bytes.outPrefix(), variants };
  const seen = await session.call<IngestSeen[]>('/tests/browser/pages/ingest.page.ts', 'ingest', c);
  // The pass reads the matrix and range from the frame: make sure Chromium kept what we set.
  if (format === 'I420' || format === 'NV12') {
    expect(seen).toEqual(variants.map((v) => ({ format, matrix: v.matrix, fullRange: v.fullRange })));
  }
  const out = variants.map((_, i) => session.bytes.take(c.out, String(i)));
  session.bytes.clear();
  return out;
}

function expectClose(label: string, got: Uint8Array, want: Uint8Array, width: number): void {
  const d = maxAbsDiff(got, want);
  console.log(`[ingest] ${label}: max abs diff ${d.max}`);
  if (d.max <= TOLERANCE) return;
  const px = d.at >> 2;
  expect.fail(`${label}: max diff ${d.max} at (${px % width}, ${Math.floor(px / width)}) ch ${d.at & 3}, got ${got[d.at]} want ${want[d.at]}, ${d.over(TOLERANCE)} bytes over ${TOLERANCE}`);
}

async function checkYuv(label: string, img: Planes): Promise<void> {
  const { width, height } = img;
  const nv12 = i420ToNv12(img);
  const i420Out = await runIngest('I420', width, height, concat(img.planes));
  const nv12Out = await runIngest('NV12', width, height, concat(nv12.planes));
  const refs = VARIANTS.map((v) => i420ToRgba(img, v.matrix, v.fullRange));
  VARIANTS.forEach((v, i) => {
    const tag = `${v.matrix} ${v.fullRange ? 'full' : 'limited'}`;
    expectClose(`${label} I420 ${tag}`, i420Out[i], refs[i], width);
    expectClose(`${label} NV12 ${tag}`, nv12Out[i], nv12ToRgba(nv12, v.matrix, v.fullRange), width);
  });
  // Guard against a test that passes whatever the colour space: each variant's output must be
  // beyond tolerance from every other variant's reference.
  VARIANTS.forEach((v, i) => VARIANTS.forEach((w, j) => {
    if (i === j) return;
    const d = maxAbsDiff(i420Out[i], refs[j]).max;
    expect(d, `${label}: ${v.matrix}/${v.fullRange} output vs ${w.matrix}/${w.fullRange} reference`).toBeGreaterThan(TOLERANCE);
  }));
}

async function checkPacked(label: string, width: number, height: number, rgba: Uint8Array, bgra: Uint8Array, withX: boolean): Promise<void> {
  const cases: [VideoPixelFormat, Uint8Array, Uint8Array][] = [
    ['RGBA', rgba, packedToRgba(rgba, 'RGBA')],
    ['BGRA', bgra, packedToRgba(bgra, 'BGRA')],
  ];
  if (withX) cases.push(['RGBX', rgba, packedToRgba(rgba, 'RGBA', true)], ['BGRX', bgra, packedToRgba(bgra, 'BGRA', true)]);
  for (const [format, data, want] of cases) {
    const outs = await runIngest(format, width, height, data);
    outs.forEach((o, i) => expectClose(`${label} ${format} ${VARIANTS[i].matrix} ${VARIANTS[i].fullRange ? 'full' : 'limited'}`, o, want, width));
  }
}

/** ffmpeg writes opaque alpha; give the passthrough test some real alpha values to carry. */
function withAlphaRamp(data: Uint8Array, width: number): Uint8Array {
  const out = data.slice();
  for (let i = 0; i < out.length; i += 4) out[i + 3] = ((i >> 2) % width) & 0xff;
  return out;
}

describe('IngestYuvPass vs TS reference (max abs diff ≤ 2/255)', () => {
  for (const { clip, width, height } of CLIPS) {
    it(`I420 and NV12, ${width}x${height}, all matrices and ranges`, async () => {
      await checkYuv(`${width}x${height}`, splitI420(decodeFrame(clip, 'yuv420p'), width, height));
    });

    it(`RGBA/BGRA${width === 640 ? '/RGBX/BGRX' : ''}, ${width}x${height}`, async () => {
      const rgba = withAlphaRamp(decodeFrame(clip, 'rgba'), width);
      const bgra = withAlphaRamp(decodeFrame(clip, 'bgra'), width);
      await checkPacked(`${width}x${height}`, width, height, rgba, bgra, width === 640);
    });
  }

  // Widths that are not a multiple of 4 (and an odd size) catch stride and chroma rounding bugs.
  for (const [w, h] of [[638, 358], [641, 361]] as const) {
    const packed = w % 2 === 1;
    it(`odd-size ${w}x${h}: I420, NV12${packed ? ', RGBA, BGRA' : ''}`, async () => {
      const { clip, width, height } = CLIPS[0];
      const full = splitI420(decodeFrame(clip, 'yuv420p'), width, height);
      await checkYuv(`${w}x${h}`, cropI420(full, 2, 4, w, h));
      if (!packed) return;
      const rgba = cropRgba(decodeFrame(clip, 'rgba'), width, 1, 3, w, h);
      const bgra = cropRgba(decodeFrame(clip, 'bgra'), width, 1, 3, w, h);
      await checkPacked(`${w}x${h}`, w, h, rgba, bgra, false);
    });
  }

  it('left no console errors', () => {
    expect(session.errors).toEqual([]);
  });
});
