/**
 * TransitionPass (shaders/transition.wgsl) on two real webcam frames against the TS reference
 * (tests/reference/transition.ts): every kind and direction at a quarter, half and three
 * quarters of the way, plus the ends. Tolerance: ≤ 1/255 per channel, since the shader's
 * mix is rounded to 8 bits by the storage write and the reference rounds the exact value; the
 * slide and swipe shifts are whole pixels, so those frames must match exactly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeFrame } from '../reference/media.ts';
import { openKernelSession, type KernelSession } from '../reference/session.ts';
import { transitionReference } from '../reference/transition.ts';
import type { TransitionSpec } from '../../src/scene/types.ts';

const PAGE = '/tests/browser/pages/transition.page.ts';
const W = 640, H = 480;
const PROGRESS = [0, 0.25, 0.5, 0.75, 1];

let session: KernelSession;
let from: Uint8Array, to: Uint8Array;
beforeAll(async () => {
  session = await openKernelSession();
  from = decodeFrame('webcam_woman_640x480_30fps.mp4', 'rgba', 1);
  to = decodeFrame('webcam_man_640x480_30fps.mp4', 'rgba', 2);
});
afterAll(async () => { await session?.close(); });

/** Largest channel difference and how many bytes differ at all (alpha included). */
function compare(got: Uint8Array, want: Uint8Array): { max: number; differing: number } {
  let max = 0, differing = 0;
  for (let i = 0; i < want.length; i++) {
    const d = Math.abs(got[i]! - want[i]!);
    if (d > 0) differing++;
    if (d > max) max = d;
  }
  return { max, differing };
}

const CASES: { spec: TransitionSpec; tolerance: number }[] = [
  { spec: { kind: 'fade', durationMs: 300 }, tolerance: 1 },
  { spec: { kind: 'fade-to-color', durationMs: 300, color: '#1e90ff' }, tolerance: 1 },
  ...(['left', 'right', 'up', 'down'] as const).flatMap((direction) => [
    { spec: { kind: 'slide', durationMs: 300, direction } as TransitionSpec, tolerance: 0 },
    { spec: { kind: 'swipe', durationMs: 300, direction } as TransitionSpec, tolerance: 0 },
  ]),
];

describe('TransitionPass', () => {
  for (const { spec, tolerance } of CASES) {
    it(`${spec.kind}${spec.direction ? ` ${spec.direction}` : ''} matches the reference within ${tolerance}/255`, async () => {
      const out = session.bytes.outPrefix();
      await session.call(PAGE, 'frames', { from: session.bytes.put(from), to: session.bytes.put(to), width: W, height: H, spec, progress: PROGRESS }, out);
      const report: string[] = [];
      for (let i = 0; i < PROGRESS.length; i++) {
        const got = session.bytes.take(out, `p${i}`);
        const want = transitionReference(from, to, W, H, spec, PROGRESS[i]!);
        const r = compare(got, want);
        report.push(`${PROGRESS[i]}: max ${r.max}, ${r.differing} bytes differ`);
        expect(r.max, `at progress ${PROGRESS[i]}`).toBeLessThanOrEqual(tolerance);
      }
      session.bytes.clear();
      console.log(`[transition] ${spec.kind} ${spec.direction ?? ''}: ${report.join('; ')}`);
      // The ends are the scenes themselves (colour channels; the reference itself is checked here).
      const end = transitionReference(from, to, W, H, spec, 1), start = transitionReference(from, to, W, H, spec, 0);
      for (let i = 0; i < end.length; i += 4) {
        for (let k = 0; k < 3; k++) {
          if (end[i + k] !== to[i + k] || start[i + k] !== from[i + k]) throw new Error(`reference ends differ from the scenes at byte ${i + k}`);
        }
      }
    });
  }
});
