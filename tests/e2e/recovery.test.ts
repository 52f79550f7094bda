/**
 * Finishing recordings, with the flash-and-counter fake camera (every frame shows its source
 * frame number, so a picture tells where it is in the file):
 * - a clean stop gives a regular MP4 (moov before mdat, no moof) that decodes whole, with the
 *   chapters added (one of them while paused) at the file time of what was on screen, ±0.3 s;
 * - killing the browser mid-recording (SIGKILL, same profile restarted): the next start finishes
 *   the file as a regular MP4, listed as recovered, lasting the recorded time (±2 s), with every
 *   frame of the whole fragments the killed browser left on disk and the chapter added before.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { ViteDevServer } from 'vite';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { browserPid, launchChromium, launchPersistentChromium, openPage, startServer, tempProfile } from '../helpers/browser.ts';
import { scratchDir } from '../helpers/media.ts';
import { probe } from '../helpers/av.ts';
import { ev, saveFileFromPage, studioReady } from '../helpers/studio.ts';
import { makeSyncMedia, syncFrames, SYNC_FPS } from '../helpers/avsync.ts';
import { readImage } from '../reference/image-io.ts';
import type { Chapter, RecordingInfo } from '../../src/util/types.ts';

let server: ViteDevServer, url: string;
let media: { y4m: string; wav: string };
const out = scratchDir('recovery');

beforeAll(async () => {
  ({ server, url } = await startServer());
  // 17 s: the 9-bit frame counter (512 frames) does not wrap within one pass of the file.
  media = makeSyncMedia(out, 17);
});
afterAll(async () => { await server?.close(); });

/** Top-level boxes of an MP4 on disk, read independently of the studio's own box reader. */
function boxes(path: string): { type: string; start: number; size: number }[] {
  const b = readFileSync(path);
  const list: { type: string; start: number; size: number }[] = [];
  for (let pos = 0; pos + 8 <= b.length;) {
    let size = b.readUInt32BE(pos);
    if (size === 1) size = Number(b.readBigUInt64BE(pos + 8));
    if (size === 0) size = b.length - pos;
    list.push({ type: b.toString('latin1', pos + 4, pos + 8), start: pos, size });
    if (size < 8) break;
    pos += size;
  }
  return list;
}

/** The part of a fragmented MP4 that ends with its last whole fragment (what survived a crash intact). */
function wholeFragments(path: string): { path: string; cut: boolean } {
  const b = readFileSync(path);
  const mdats = boxes(path).filter((x) => x.type === 'mdat' && x.start + x.size <= b.length);
  const end = mdats.length ? mdats[mdats.length - 1]!.start + mdats[mdats.length - 1]!.size : b.length;
  const whole = path.replace(/\.mp4$/, '.whole.mp4');
  writeFileSync(whole, b.subarray(0, end));
  return { path: whole, cut: end !== b.length };
}

/** Video packets (encoded frames) in a file, and how many of them ffmpeg decodes into pictures. */
function videoFrames(path: string): { packets: number; decoded: number } {
  const j = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-count_packets', '-count_frames',
    '-show_entries', 'stream=nb_read_packets,nb_read_frames', '-of', 'json', path], { encoding: 'utf8' }));
  return { packets: Number(j.streams[0].nb_read_packets), decoded: Number(j.streams[0].nb_read_frames) };
}

function chaptersOf(path: string): { title: string; t: number }[] {
  const j = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_chapters', '-of', 'json', path], { encoding: 'utf8' }));
  return (j.chapters as { start_time: string; tags?: { title?: string } }[]).map((c) => ({ title: c.tags?.title ?? '', t: Number(c.start_time) }));
}

/** The source frame number drawn along the bottom of a 640×480 picture of the fake camera. */
function counterOf(png: string): number {
  const img = readImage(png, 640, 480, 1);
  let v = 0;
  for (let i = 0; i < 9; i++) if (img.data[(424 + 28) * 640 + 32 + i * 64 + 32]! > 128) v |= 1 << i;
  return v;
}

/** Adds a chapter and captures the program at that moment (what the viewer saw at the marker). */
/**
 * Marks a chapter and captures the program right after; `capturedMs` is the recording time when
 * the capture came back (under load it can return a later frame than the one on air at the mark).
 */
async function markChapter(page: Page, title?: string): Promise<{ chapter: Chapter; shown: number; capturedMs: number }> {
  const chapter = await ev<Chapter>(page, `window.studio.addChapter(${title === undefined ? '' : JSON.stringify(title)})`);
  const shot = await saveFileFromPage(page, `window.studio.captureProgram().then((b) => new File([b], 'chapter-${chapter.timeMs}.png'))`, out);
  const capturedMs = await ev<number>(page, 'window.studio.recordingElapsedMs');
  return { chapter, shown: counterOf(shot.path), capturedMs };
}

/** Where source frame `index` is in the recorded file (s), from the nearest recorded frame. */
function fileTimeOf(file: string, index: number): number {
  const fs = syncFrames(file);
  const near = fs.reduce((a, b) => (Math.abs(b.index - index) < Math.abs(a.index - index) ? b : a));
  return near.t + (index - near.index) / SYNC_FPS;
}

async function startRecordingCamera(page: Page): Promise<void> {
  await studioReady(page);
  await ev(page, 'window.studio.setOutput({ width: 640, height: 480, frameRate: 30 })');
  await ev(page, 'window.studio.startCamera()');
  await page.waitForTimeout(2000);
  await ev(page, 'window.studio.startRecording()');
}

describe('finishing recordings', () => {
  it('a stopped recording is a regular MP4 that plays whole, with its chapters at the file time (±0.3 s)', async () => {
    const browser = await launchChromium({ camera: media.y4m, mic: media.wav });
    try {
      const { page } = await openPage(browser, url);
      await startRecordingCamera(page);
      await page.waitForTimeout(1200);
      const first = await markChapter(page);
      await page.waitForTimeout(1300);
      await ev(page, 'window.studio.pauseRecording()');
      await page.waitForTimeout(800);
      const paused = await ev<Chapter>(page, `window.studio.addChapter('While paused')`);
      await page.waitForTimeout(800);
      await ev(page, 'window.studio.resumeRecording()');
      await page.waitForTimeout(1200);
      const third = await markChapter(page);
      await page.waitForTimeout(600);
      // The M key marks one too (focus on the page, not in a field).
      await page.keyboard.press('m');
      await page.waitForTimeout(700);
      const elapsed = await ev<number>(page, 'window.studio.recordingElapsedMs');
      const file = await saveFileFromPage(page, 'window.studio.stopRecording()', out);
      const fin = await ev<{ remuxMs: number; fragmented: boolean; durationMs: number }>(page,
        '(({ remuxMs, fragmented, durationMs }) => ({ remuxMs, fragmented, durationMs }))(window.studio.lastFinalize)');
      const list = await ev<RecordingInfo[]>(page, 'window.studio.listRecordings()');
      const layout = boxes(file.path);
      const p = probe(file.path);
      const v = p.streams.find((s) => s.codec_type === 'video')!;
      const packets = Number(execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-count_packets', '-show_entries', 'stream=nb_read_packets', '-of', 'csv=p=0', file.path], { encoding: 'utf8' }).trim());
      const decodeErrors = execFileSync('ffmpeg', ['-v', 'error', '-i', file.path, '-f', 'null', '-'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      const listed = chaptersOf(file.path);
      const expected = [
        { title: 'Chapter 1', requested: first.chapter.timeMs / 1000, shown: fileTimeOf(file.path, first.shown), captured: first.capturedMs / 1000 },
        { title: 'While paused', requested: paused.timeMs / 1000, shown: null, captured: null },
        { title: 'Chapter 3', requested: third.chapter.timeMs / 1000, shown: fileTimeOf(file.path, third.shown), captured: third.capturedMs / 1000 },
      ];
      const keyed = listed[3];
      console.log(`[recovery] clean stop: ${file.name}, ${file.size} bytes, boxes ${layout.map((b) => b.type).join(' ')}; ${v.nb_read_frames} frames decoded of ${packets} packets, ` +
        `${Number(v.duration).toFixed(2)} s (timer ${(elapsed / 1000).toFixed(2)} s, listed ${(list[0]!.durationMs / 1000).toFixed(2)} s); remux ${fin.remuxMs.toFixed(0)} ms; chapters ` +
        listed.map((c, i) => `${c.title} @ ${c.t.toFixed(3)} s (asked ${expected[i]?.requested.toFixed(3)}, picture at ${expected[i]?.shown?.toFixed(3) ?? '—'})`).join(', '));
      expect(file.name).toMatch(/^Backdrop .*\.mp4$/);
      expect(file.name).not.toMatch(/\.recording/);
      expect(layout[0]!.type).toBe('ftyp');
      expect(layout.some((b) => b.type === 'moof')).toBe(false);
      expect(layout.findIndex((b) => b.type === 'moov')).toBeLessThan(layout.findIndex((b) => b.type === 'mdat'));
      expect(fin.fragmented).toBe(false);
      expect(decodeErrors).toBe('');
      expect(Number(v.nb_read_frames)).toBe(packets);
      expect(Math.abs(Number(v.duration) - elapsed / 1000)).toBeLessThanOrEqual(0.4);
      expect(list[0]).toMatchObject({ name: file.name, recovered: false, fragmented: false });
      expect(Math.abs(list[0]!.durationMs / 1000 - Number(p.format.duration))).toBeLessThanOrEqual(0.05);
      expect(listed.map((c) => c.title)).toEqual([...expected.map((c) => c.title), 'Chapter 4']);
      expect(keyed!.t - listed[2]!.t).toBeGreaterThan(0.4);
      expect(keyed!.t).toBeLessThan(Number(v.duration));
      expected.forEach((_, i) => {
        const c = listed[i]!;
        expect(Math.abs(c.t - expected[i]!.requested)).toBeLessThanOrEqual(0.01);
        // The captured picture sits in the file from the chapter's time to when the capture came back (±0.3 s).
        const e = expected[i]!;
        if (e.shown !== null) {
          expect(e.shown).toBeGreaterThanOrEqual(c.t - 0.3);
          expect(e.shown).toBeLessThanOrEqual(Math.max(c.t, e.captured!) + 0.3);
        }
      });
      // The chapter marked while paused sits where the recording resumed, between the other two.
      expect(listed[1]!.t).toBeGreaterThan(listed[0]!.t);
      expect(listed[1]!.t).toBeLessThan(listed[2]!.t);
    } finally {
      await browser.close();
    }
  });

  it('after the browser is killed mid-recording, the next start finishes the file and lists it as recovered', async () => {
    const profile = tempProfile();
    const opts = { camera: media.y4m, mic: media.wav };
    let ctx = await launchPersistentChromium(profile, opts);
    let killedAtMs = 0, chapter: Chapter;
    try {
      const page = ctx.pages()[0] ?? await ctx.newPage();
      await page.goto(url);
      await startRecordingCamera(page);
      await page.waitForTimeout(2500);
      chapter = await ev<Chapter>(page, `window.studio.addChapter('Before the crash')`);
      await page.waitForTimeout(3500);
      killedAtMs = await ev<number>(page, 'window.studio.recordingElapsedMs');
      const pid = browserPid(profile);
      expect(pid).not.toBeNull();
      process.kill(pid!, 'SIGKILL');
    } finally {
      await ctx.close().catch(() => {});
    }
    for (let i = 0; i < 50 && browserPid(profile) !== null; i++) await new Promise((r) => setTimeout(r, 100));

    ctx = await launchPersistentChromium(profile, opts);
    try {
      const page = ctx.pages()[0] ?? await ctx.newPage();
      // First a page of the same origin without the studio: the file exactly as the crash left it.
      await page.goto(url + '/tests/browser/blank.html');
      const dirExpr = `navigator.storage.getDirectory().then((r) => r.getDirectoryHandle('recordings'))`;
      const namesExpr = `${dirExpr}.then(async (d) => { const n = []; for await (const k of d.keys()) n.push(k); return n.sort(); })`;
      const left = await ev<string[]>(page, namesExpr);
      const unfinished = left.find((n) => /\.recording\.mp4$/.test(n));
      expect(unfinished, `files left: ${left.join(', ')}`).toBeDefined();
      const frag = await saveFileFromPage(page, `${dirExpr}.then((d) => d.getFileHandle(${JSON.stringify(unfinished)})).then((h) => h.getFile())`, out);
      const whole = wholeFragments(frag.path);
      const before = videoFrames(whole.path);

      await page.goto(url);
      await studioReady(page);
      const t0 = Date.now();
      const list = await ev<RecordingInfo[]>(page, 'window.studio.listRecordings()');
      const listMs = Date.now() - t0;
      const after = await ev<string[]>(page, namesExpr);
      const panel = await page.locator('#recordings-list li').first().textContent();
      const rec = list.find((r) => r.name === unfinished!.replace('.recording', ''));
      expect(rec, `listed: ${JSON.stringify(list)}`).toBeDefined();
      const file = await saveFileFromPage(page, `window.studio.getRecording(${JSON.stringify(rec!.name)})`, out);
      const layout = boxes(file.path);
      const got = videoFrames(file.path);
      const listed = chaptersOf(file.path);
      console.log(`[recovery] killed at ${(killedAtMs / 1000).toFixed(2)} s recorded; left on disk: ${left.join(', ')} (${frag.size} bytes, ` +
        `${whole.cut ? 'last fragment cut off' : 'ends with a whole fragment'}, ${before.packets} video packets in whole fragments, ${before.decoded} decoded); ` +
        `recovered ${rec!.name}: ${(rec!.durationMs / 1000).toFixed(2)} s, ${got.packets} video packets, ${got.decoded} decoded, boxes ${layout.map((b) => b.type).join(' ')}, chapters ${listed.map((c) => `${c.title} @ ${c.t.toFixed(3)} s`).join(', ')}; ` +
        `first listing (with recovery) ${listMs} ms; files now: ${after.join(', ')}; panel: "${panel}"`);
      expect(rec!.recovered).toBe(true);
      expect(rec!.fragmented).toBe(false);
      expect(Math.abs(rec!.durationMs - killedAtMs)).toBeLessThanOrEqual(2000);
      expect(layout.some((b) => b.type === 'moof')).toBe(false);
      expect(layout.findIndex((b) => b.type === 'moov')).toBeLessThan(layout.findIndex((b) => b.type === 'mdat'));
      // Every encoded frame of the whole fragments is in the regular file, and each decodes.
      expect(got.packets).toBe(before.packets);
      expect(got.decoded).toBe(got.packets);
      expect(listed).toHaveLength(1);
      expect(listed[0]!.title).toBe('Before the crash');
      expect(Math.abs(listed[0]!.t - chapter!.timeMs / 1000)).toBeLessThanOrEqual(0.01);
      expect(after.filter((n) => /\.recording|\.part$/.test(n))).toEqual([]);
      expect(panel).toMatch(/recovered/);
      expect(panel).toMatch(/0:0[4-7]/);
    } finally {
      await ctx.close().catch(() => {});
    }
  });
});
