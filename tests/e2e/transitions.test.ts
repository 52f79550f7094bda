/**
 * Scene transitions in the studio: two image scenes, each transition held at its middle
 * (setDebugTransitionProgress(0.5)) and the program captured, against the TS reference
 * (tests/reference/transition.ts) applied to captures of the two scenes alone. The captures
 * are lossless PNGs of the program texture, so the tolerance is the pass's own: 1/255 for the
 * blends, exact for slide and swipe. A swipe while recording shows in the file.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { ViteDevServer } from 'vite';
import { join } from 'node:path';
import { launchChromium, startServer } from '../helpers/browser.ts';
import { scratchDir } from '../helpers/media.ts';
import { captureRgba, twoImageScenes } from '../helpers/scene-setup.ts';
import { ev, saveFileFromPage, TestPages } from '../helpers/studio.ts';
import { psnrWhere, rgbFrames } from '../helpers/frames.ts';
import { transitionReference } from '../reference/transition.ts';
import type { TransitionSpec } from '../../src/scene/types.ts';

const W = 640, H = 360;
let server: ViteDevServer, url: string, browser: Browser;
const out = scratchDir('transitions');

beforeAll(async () => {
  ({ server, url } = await startServer());
  browser = await launchChromium();
});
afterAll(async () => { await browser?.close(); await server?.close(); });
const pages = new TestPages(() => ({ browser, url }));
afterEach(() => pages.closeAll());

const capture = (page: Page, name: string) => captureRgba(page, out, name);
const twoScenes = (page: Page) => twoImageScenes(page, W, H, out);

function maxDiff(got: Uint8Array, want: Uint8Array): { max: number; over: number } {
  let max = 0, over = 0;
  for (let i = 0; i < want.length; i++) {
    const d = Math.abs(got[i]! - want[i]!);
    if (d > max) max = d;
    if (d > 1) over++;
  }
  return { max, over };
}

const KINDS: { spec: TransitionSpec; tolerance: number }[] = [
  { spec: { kind: 'fade', durationMs: 1000 }, tolerance: 1 },
  { spec: { kind: 'fade-to-color', durationMs: 1000, color: '#ff8800' }, tolerance: 1 },
  { spec: { kind: 'slide', durationMs: 1000, direction: 'left' }, tolerance: 0 },
  { spec: { kind: 'swipe', durationMs: 1000, direction: 'up' }, tolerance: 0 },
];

describe('transitions in the studio', () => {
  it('each transition\'s middle frame matches the reference blend of the two scenes', async () => {
    const page = await pages.fresh();
    const { a, b } = await twoScenes(page);
    const A = await capture(page, 'scene-a.png');
    await ev(page, `window.studio.switchScene(${JSON.stringify(b)}, { transition: 'cut' })`);
    const B = await capture(page, 'scene-b.png');
    const report: string[] = [];
    for (const { spec, tolerance } of KINDS) {
      await ev(page, `window.studio.switchScene(${JSON.stringify(a)}, { transition: 'cut' })`);
      await ev(page, 'window.studio.setDebugTransitionProgress(0.5)');
      await ev(page, `window.studio.switchScene(${JSON.stringify(b)}, ${JSON.stringify({ transition: spec.kind, durationMs: spec.durationMs, direction: spec.direction, color: spec.color })})`);
      const mid = await capture(page, `mid-${spec.kind}.png`);
      await ev(page, 'window.studio.setDebugTransitionProgress(null)');
      const d = maxDiff(mid, transitionReference(A, B, W, H, spec, 0.5));
      // Neither scene alone: the frame really is half way.
      const toA = psnrWhere(mid, A, W, () => true), toB = psnrWhere(mid, B, W, () => true);
      report.push(`${spec.kind}${spec.direction ? ' ' + spec.direction : ''}: max ${d.max}/255 (${d.over} values over 1), ${toA.toFixed(1)} dB to A, ${toB.toFixed(1)} dB to B`);
      expect(d.max, spec.kind).toBeLessThanOrEqual(tolerance);
      expect(toA).toBeLessThan(30);
      expect(toB).toBeLessThan(30);
    }
    console.log(`[transitions] middle frames vs the reference: ${report.join('; ')}`);
  });

  it('a scene\'s own transition overrides the default, and a swipe while recording shows in the file', async () => {
    const page = await pages.fresh();
    const { a, b } = await twoScenes(page);
    await ev(page, `window.studio.setTransition({ kind: 'fade', durationMs: 200 })`);
    await ev(page, `window.studio.setSceneTransition(${JSON.stringify(b)}, { kind: 'swipe', durationMs: 2500, direction: 'left' })`);
    expect(await ev(page, `window.studio.transitionTo(${JSON.stringify(b)})`)).toEqual({ kind: 'swipe', durationMs: 2500, direction: 'left' });
    expect(await ev(page, `window.studio.transitionTo(${JSON.stringify(a)})`)).toEqual({ kind: 'fade', durationMs: 200 });
    await page.waitForTimeout(300);
    await ev(page, 'window.studio.startRecording()');
    await page.waitForTimeout(1000);
    await ev(page, `window.studio.switchScene(${JSON.stringify(b)})`);
    await page.waitForTimeout(3500);
    const file = await saveFileFromPage(page, 'window.studio.stopRecording()', out);
    const A = rgbFrames(join(out, 'a.png'), W, H)[0]!, B = rgbFrames(join(out, 'b.png'), W, H)[0]!;
    const frames = rgbFrames(file.path, W, H);
    // A swipe to the left: B moves in from the right over A, which stays: left of the edge the
    // frame is A, right of it B shifted to start at the edge.
    const psnrSplit = (f: Uint8Array, edge: number): { left: number; right: number } => {
      let el = 0, nl = 0, er = 0, nr = 0;
      for (let y = 0; y < H; y += 2) {
        for (let x = 0; x < W; x += 2) {
          if (Math.abs(x - edge) < 6) continue;
          const o = (y * W + x) * 3, right = x >= edge, ref = right ? B : A, ro = right ? (y * W + x - edge) * 3 : o;
          let e = 0;
          for (let k = 0; k < 3; k++) e += (f[o + k]! - ref[ro + k]!) ** 2;
          if (right) { er += e; nr += 3; } else { el += e; nl += 3; }
        }
      }
      const db = (e: number, n: number) => n ? 10 * Math.log10(255 * 255 / Math.max(1e-9, e / n)) : 0;
      return { left: db(el, nl), right: db(er, nr) };
    };
    const split = frames.map((f) => {
      if (psnrWhere(f, A, W, () => true) > 20 || psnrWhere(f, B, W, () => true) > 20) return null;
      let best: { edge: number; score: number } | null = null;
      for (let edge = 24; edge < W - 24; edge += 2) {
        const p = psnrSplit(f, edge);
        if (p.left > 20 && p.right > 20 && (!best || p.left + p.right > best.score)) best = { edge, score: p.left + p.right };
      }
      return best?.edge ?? null;
    });
    const edges = split.filter((e): e is number => e !== null);
    // Frames well away from both scenes (the encoder's first frames after a change score 24–28 dB).
    const between = frames.filter((f) => psnrWhere(f, A, W, () => true) <= 20 && psnrWhere(f, B, W, () => true) <= 20).length;
    console.log(`[transitions] recorded swipe: ${frames.length} frames, ${between} neither scene alone, ${edges.length} of them with A on the left and B on the right, edges at ${edges.join(' ')} px`);
    expect(psnrWhere(frames[0]!, A, W, () => true)).toBeGreaterThan(28);
    // Both halves above 20 dB (an unrelated picture scores 11–16 dB against either scene).
    expect(edges.length).toBeGreaterThanOrEqual(Math.max(5, 0.8 * between));
    expect(psnrWhere(frames.at(-1)!, B, W, () => true)).toBeGreaterThan(26);
    // The edge moves from right to left.
    for (let i = 1; i < edges.length; i++) expect(edges[i]!).toBeLessThanOrEqual(edges[i - 1]!);
  });
});
