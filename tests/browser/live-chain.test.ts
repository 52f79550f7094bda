/**
 * The live background chain frame by frame on the two shared DAVIS clips with ground truth
 * (60 frames each, fed in order as a camera would): person-centred tracking on vs the model
 * over the whole frame. Bounds from issue 9: mean IoU ≥ 0.86 (lucia), ≥ 0.69 (dance-twirl).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { openKernelSession, type KernelSession } from '../reference/session.ts';
import { readImage, readMaskPng, rgbToRgba } from '../reference/image-io.ts';
import { shared } from '../helpers/media.ts';
import type { ClipResult } from './pages/live-chain.page.ts';

let s: KernelSession;
beforeAll(async () => { s = await openKernelSession(); });
afterAll(async () => { await s?.close(); });

const W = 640, H = 360, FPS = 24;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('live chain with person-centred tracking', () => {
  for (const [clip, bound] of [['lucia', 0.86], ['dance-twirl', 0.69]] as const) {
    it(`${clip}: mean IoU ≥ ${bound} with tracking, frame by frame`, async () => {
      const dir = shared(`media/segmentation_video/davis2016_${clip}_f000-059`);
      const names = readdirSync(join(dir, 'frames')).filter((f) => f.endsWith('.jpg')).sort();
      const frames = names.map((f) => s.bytes.put(rgbToRgba(readImage(join(dir, 'frames', f), W, H, 3))));
      const truths = names.map((f) => s.bytes.put(readMaskPng(join(dir, 'masks', f.replace('.jpg', '.png')), W, H).data));
      const run = (crop: boolean) => s.call<ClipResult>('/tests/browser/pages/live-chain.page.ts', 'clipIoU', frames, truths, W, H, FPS, crop);
      const tracked = await run(true);
      const whole = await run(false);
      s.bytes.clear();
      const t = mean(tracked.ious), f = mean(whole.ious);
      console.log(`[live] ${clip}: mean IoU ${t.toFixed(4)} tracked (${tracked.fullFramePasses} full-frame + ${tracked.cropPasses} crop passes), ` +
        `${f.toFixed(4)} whole frame; worst tracked frame ${Math.min(...tracked.ious).toFixed(3)}`);
      expect(tracked.ious).toHaveLength(60);
      expect(t).toBeGreaterThanOrEqual(bound);
      expect(t).toBeGreaterThan(f);
    });
  }
});
