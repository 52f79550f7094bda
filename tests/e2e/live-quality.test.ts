/**
 * The live picture under load, through window.studio with the fake camera (480p) and blur on:
 * - every program tick is either rendered or counted as missed, and ticks match the frames the
 *   camera delivered (its track's own count) within 5 %;
 * - extra GPU work with every new mask (the diagnostics load pass: a GPU slow at the effect
 *   work) makes frames late: automatic quality steps down (fewer masks, cheaper refinement)
 *   and the frame rate recovers; when the load goes, quality steps back up.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { ViteDevServer } from 'vite';
import { launchChromium, openPage, startServer } from '../helpers/browser.ts';
import { makeY4m } from '../helpers/media.ts';
import { ev, studioReady, waitInPage } from '../helpers/studio.ts';
import type { StudioStats } from '../../src/util/types.ts';

let server: ViteDevServer, url: string, browser: Browser, page: Page;

beforeAll(async () => {
  ({ server, url } = await startServer());
  browser = await launchChromium({ camera: makeY4m('webcam_woman_640x480_30fps.mp4', 4) });
  ({ page } = await openPage(browser, url));
  await studioReady(page);
});
afterAll(async () => { await browser?.close(); await server?.close(); });

const stats = () => ev<StudioStats>(page, 'window.studio.getStats()');

/** Rendered frames per second over `ms`, the quality level at the end, and each second's frames, level and mask pace (for the log). */
async function measure(ms: number): Promise<{ fps: number; level: string; rendered: number; missed: number; cameraIn: number; delivered: number; seconds: number; trace: string }> {
  const a = await stats();
  const t0 = Date.now();
  const trace: string[] = [];
  let prev = a;
  for (let left = ms; left > 0; left -= 1000) {
    await page.waitForTimeout(Math.min(1000, left));
    const s = await stats();
    const q = s.render!.quality;
    trace.push(`${s.render!.framesRendered - prev.render!.framesRendered}/${q.level[0]}${q.maskIntervalMs ? Math.round(q.maskIntervalMs) : ''}`);
    prev = s;
  }
  const b = prev;
  const seconds = (Date.now() - t0) / 1000;
  const rendered = b.render!.framesRendered - a.render!.framesRendered;
  return {
    fps: rendered / seconds, level: b.render!.quality.level, rendered, seconds, trace: trace.join(' '),
    missed: b.render!.framesMissed - a.render!.framesMissed,
    cameraIn: b.render!.sources[0].framesIn - a.render!.sources[0].framesIn,
    delivered: (b.camera.framesDelivered ?? NaN) - (a.camera.framesDelivered ?? NaN),
  };
}

describe('live picture under load', () => {
  it('with blur on, rendered + missed frames match the camera’s frames within 5 %', async () => {
    await ev(page, 'window.studio.setOutput({ width: 640, height: 480, frameRate: 30 })');
    await ev(page, 'window.studio.startCamera({ audio: false })');
    await ev(page, `window.studio.setBackground({ type: 'blur' })`);
    await waitInPage(page, 'window.studio.getStats().then((s) => s.render.effects.masksProduced >= 2)', 30_000);
    const w = await measure(5000);
    const ticks = w.rendered + w.missed;
    console.log(`[quality] 480p blur, 5 s: ${w.rendered} rendered + ${w.missed} missed = ${ticks}; the camera delivered ${w.delivered} ` +
      `(${w.cameraIn} read by the render worker), 30 fps × ${w.seconds.toFixed(2)} s = ${(30 * w.seconds).toFixed(0)}; level ${w.level}`);
    expect(Math.abs(ticks - 30 * w.seconds) / (30 * w.seconds)).toBeLessThanOrEqual(0.05);
    expect(Math.abs(ticks - w.delivered) / w.delivered).toBeLessThanOrEqual(0.05);
  });

  it('steps quality down under GPU load, recovers the frame rate, and steps back up when the load goes', async () => {
    // A 10 fps program leaves this CPU rasteriser headroom at full quality; the load takes it away.
    await ev(page, 'window.studio.setOutput({ width: 640, height: 480, frameRate: 10 })');
    if (await ev(page, 'window.studio.cameraState') !== 'on') await ev(page, 'window.studio.startCamera({ audio: false })');
    await ev(page, `window.studio.setBackground({ type: 'blur' })`);
    await ev(page, `window.studio.setQuality('high')`);
    await page.waitForTimeout(2000);
    const calm = await measure(3000);
    // The load comes with every new mask, like a GPU slow at the effect work; ~200 ms each here
    // (at 250 ms, low quality's two masks a second left the program at 8.0–8.2 fps, on the edge
    // of the check below, since one frame in flight makes each load hold the loop).
    // Calibrated twice from the median of several readings of the load pass: one reading taken
    // while the machine was busy once made the load half as heavy and the test meaningless.
    const loadMs = async (): Promise<number> => {
      const xs: number[] = [];
      for (let k = 0; k < 5; k++) {
        xs.push((await stats()).render!.passes.find((p) => p.name === 'debug-load')?.ms ?? 10);
        await page.waitForTimeout(300);
      }
      return xs.sort((a, b) => a - b)[2]!;
    };
    await ev(page, 'window.studio.setDebugGpuLoad(200)');
    await page.waitForTimeout(1500);
    const probe = await loadMs();
    let iterations = Math.max(50, Math.round((200 * 200) / Math.max(probe, 1)));
    await ev(page, `window.studio.setDebugGpuLoad(${iterations})`);
    await page.waitForTimeout(1500);
    iterations = Math.max(50, Math.round((iterations * 200) / Math.max(await loadMs(), 1)));
    await ev(page, `window.studio.setDebugGpuLoad(${iterations})`);
    await page.waitForTimeout(1500);
    const loadedHigh = await measure(4000);
    await ev(page, `window.studio.setQuality('auto')`);
    // Down from high; medium may already carry the load by pacing the model, or it goes on to low.
    await waitInPage(page, `window.studio.getStats().then((s) => s.render.quality.level !== 'high')`, 15_000);
    // It settles within a few seconds; each pace it held off is then held off longer, so probes of a faster pace grow rarer.
    const settling = await measure(8000);
    const loadedAuto = await measure(8000);
    await ev(page, 'window.studio.setDebugGpuLoad(0)');
    await waitInPage(page, `window.studio.getStats().then((s) => s.render.quality.level === 'high')`, 30_000);
    const back = (await stats()).render!.quality;
    console.log(`[quality] 10 fps program: calm ${calm.fps.toFixed(1)} fps (${calm.level}); load ${iterations} iterations (${probe.toFixed(1)} ms at 200): ` +
      `pinned high ${loadedHigh.fps.toFixed(1)} fps, auto ${loadedAuto.fps.toFixed(1)} fps at ${loadedAuto.level}; without the load back to ${back.level} after ${back.steps} automatic changes; ` +
      `frames/level+pace each second: pinned high ${loadedHigh.trace}; auto ${settling.trace} | ${loadedAuto.trace}`);
    expect(loadedAuto.level).not.toBe('high');
    // Recovered: a fifth more frames than at pinned high quality, and most of the program's 10 per
    // second. Automatic quality paces the model to miss 10–15 % of the ticks and holds off a pace
    // that saturated the GPU, so a sample sits at 8.5–10 (8 s of it here, to even out the pace
    // steps) where pinned high renders 6–7.
    expect(loadedAuto.fps).toBeGreaterThan(1.2 * loadedHigh.fps);
    expect(loadedAuto.fps).toBeGreaterThanOrEqual(7.5);
    expect(back.level).toBe('high');
  });
});
