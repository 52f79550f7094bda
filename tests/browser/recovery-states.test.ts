/**
 * Startup recovery in real Chromium, from every state a crash can leave a recording in (files
 * made here with ffmpeg and put into the origin-private file system by hand): only the fragmented
 * file; it beside a half-written copy (.part); beside the finished regular copy; beside a broken
 * file under the final name; cut off mid-fragment; headers only (killed before the first
 * fragment); still held by a running recording; a WebM; beside an older recording of the same
 * name; an orphaned .part and the browser's swap files of its writer (.crswap, visible in the
 * folder). Nothing playable is ever lost, and a second recovery finds nothing left to do.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { ViteDevServer } from 'vite';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium, openPage, startServer } from '../helpers/browser.ts';
import { scratchDir, shared } from '../helpers/media.ts';
import { putBlob } from '../helpers/frames.ts';
import { ev, saveFileFromPage } from '../helpers/studio.ts';

let server: ViteDevServer, url: string, browser: Browser;
const out = scratchDir('recovery-states');

function ffmpeg(...args: string[]): Buffer {
  return execFileSync('ffmpeg', ['-v', 'error', '-nostdin', '-y', ...args], { maxBuffer: 64 << 20 });
}

beforeAll(async () => {
  ({ server, url } = await startServer());
  browser = await launchChromium();
  const src = ['-i', shared('media/webcam_man_640x480_30fps.mp4'), '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', '3',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '30', '-pix_fmt', 'yuv420p', '-c:a', 'aac'];
  ffmpeg(...src, '-movflags', 'frag_keyframe+empty_moov+default_base_moof', join(out, 'frag.mp4'));
  ffmpeg(...src, '-movflags', '+faststart', join(out, 'regular.mp4'));
});
afterAll(async () => { await browser?.close(); await server?.close(); });

const topTypes = (b: Buffer): string[] => {
  const types: string[] = [];
  for (let pos = 0; pos + 8 <= b.length;) {
    const size = b.readUInt32BE(pos);
    types.push(b.toString('latin1', pos + 4, pos + 8));
    if (size < 8) break;
    pos += size;
  }
  return types;
};

/** Page helpers: write a file into recordings/, list the folder. */
const PAGE_LIB = `
  window.__dir = () => navigator.storage.getDirectory().then((r) => r.getDirectoryHandle('recordings', { create: true }));
  window.__put = async (name, blob) => { const w = await (await (await window.__dir()).getFileHandle(name, { create: true })).createWritable(); await w.write(blob); await w.close(); };
  window.__names = async () => { const n = []; for await (const k of (await window.__dir()).keys()) n.push(k); return n.sort(); };
  window.__size = async (name) => (await (await (await window.__dir()).getFileHandle(name)).getFile()).size;
`;

async function setUp(page: Page): Promise<{ fragSize: number; firstMoof: number; cutAt: number }> {
  const frag = readFileSync(join(out, 'frag.mp4'));
  const regular = readFileSync(join(out, 'regular.mp4'));
  await putBlob(page, '__frag', frag, 'video/mp4');
  await putBlob(page, '__regular', regular, 'video/mp4');
  await page.evaluate(PAGE_LIB);
  const firstMoof = frag.indexOf('moof') - 4;
  const cutAt = Math.floor(frag.length * 0.6);
  await ev(page, `(async () => {
    const f = window.__frag, r = window.__regular;
    await window.__put('S1.recording.mp4', f);
    await window.__put('S2.recording.mp4', f);
    await window.__put('S2.mp4.part', new Blob([new Uint8Array(1000)]));
    await window.__put('S3.recording.mp4', f);
    await window.__put('S3.mp4', r);
    await window.__put('S4.recording.mp4', f);
    await window.__put('S4.mp4', r.slice(0, 5000));
    await window.__put('S5.recording.mp4', f.slice(0, ${firstMoof}));
    await window.__put('S6.recording.mp4', f);
    await window.__put('S7.recording.webm', new Blob([new Uint8Array(64)]));
    await window.__put('S8.mp4.part', new Blob([new Uint8Array(1000)]));
    await window.__put('S8.mp4.part.crswap', new Blob([new Uint8Array(1000)]));
    await window.__put('S2.mp4.part.crswap', new Blob([new Uint8Array(1000)]));
    await window.__put('S9.recording.mp4', f.slice(0, ${cutAt}));
    // An older recording of the same name (two started within one second), then the interrupted one.
    await window.__put('S10.mp4', r);
    await new Promise((ok) => setTimeout(ok, 20));
    await window.__put('S10.recording.mp4', f);
    const meta = await import('/src/mux/recording-meta.ts');
    await meta.writeMeta('S1.mp4', { durationMs: null, recovered: false, fragmented: false, chapters: [{ title: 'Kept', timeMs: 1500 }], size: null });
  })()`);
  return { fragSize: frag.length, firstMoof, cutAt };
}

describe('recovery from every in-between state', () => {
  it('finishes, completes or leaves alone each state, and loses nothing playable', async () => {
    const { page } = await openPage(browser, url, '/tests/browser/blank.html');
    const { fragSize } = await setUp(page);
    const regularSize = readFileSync(join(out, 'regular.mp4')).length;
    // A recording running in another page holds its lock: recovery must not touch its file.
    await ev(page, `import('/src/mux/finalize.ts').then(async (m) => { window.__release = await m.holdRecordingLock('S6'); })`);
    const report = await ev<{ recovered: { name: string; recovered: boolean; fragmented: boolean; truncated: boolean; chapters: { title: string }[]; durationMs: number; remuxMs: number }[]; failed: { name: string; message: string }[]; discarded: string[] }>(page, `
      import('/src/mux/recovery.ts').then((m) => m.recoverRecordings()).then((r) => ({
        recovered: r.recovered.map((x) => ({ name: x.file.name, recovered: x.recovered, fragmented: x.fragmented, truncated: x.truncated, chapters: x.chapters, durationMs: x.durationMs, remuxMs: x.remuxMs })),
        failed: r.failed.map((x) => ({ name: x.name, message: x.error.message })), discarded: r.discarded,
      }))`);
    const names = await ev<string[]>(page, 'window.__names()');
    const byName = Object.fromEntries(report.recovered.map((r) => [r.name, r]));
    console.log(`[recovery-states] recovered ${report.recovered.map((r) => `${r.name} (${r.durationMs.toFixed(0)} ms${r.truncated ? ', cut' : ''}, remux ${r.remuxMs.toFixed(0)} ms)`).join(', ')}; ` +
      `discarded ${report.discarded.join(', ')}; failed ${JSON.stringify(report.failed)}; files now ${names.join(', ')}`);
    expect(report.failed).toEqual([]);
    expect(Object.keys(byName).sort()).toEqual(['S1.mp4', 'S10 (2).mp4', 'S2.mp4', 'S3.mp4', 'S4 (2).mp4', 'S7.webm', 'S9.mp4']);
    expect(report.discarded).toEqual(['S5.recording.mp4']);
    expect(names).toEqual(['.meta', 'S1.mp4', 'S10 (2).mp4', 'S10.mp4', 'S2.mp4', 'S3.mp4', 'S4 (2).mp4', 'S4.mp4', 'S6.recording.mp4', 'S7.webm', 'S9.mp4']);
    expect(Object.values(byName).every((r) => r.recovered && !r.fragmented)).toBe(true);
    expect(byName['S1.mp4']!.chapters.map((c) => c.title)).toEqual(['Kept']);
    expect(byName['S9.mp4']!.truncated).toBe(true);
    // The finished copy that was already there is kept as it was; so is any other file under
    // the final name (an older recording, something broken), and the recovered one takes a free name.
    expect(await ev<number>(page, `window.__size('S3.mp4')`)).toBe(regularSize);
    expect(await ev<number>(page, `window.__size('S4.mp4')`)).toBe(5000);
    expect(await ev<number>(page, `window.__size('S10.mp4')`)).toBe(regularSize);
    expect(await ev<number>(page, `window.__size('S6.recording.mp4')`)).toBe(fragSize);
    for (const name of ['S1.mp4', 'S2.mp4', 'S4 (2).mp4', 'S9.mp4', 'S10 (2).mp4']) {
      const f = await saveFileFromPage(page, `window.__dir().then((d) => d.getFileHandle(${JSON.stringify(name)})).then((h) => h.getFile())`, out);
      const types = topTypes(readFileSync(f.path));
      expect(types.slice(0, 2), name).toEqual(['ftyp', 'moov']);
      expect(types, name).not.toContain('moof');
      expect(ffmpeg('-i', f.path, '-f', 'null', '-').toString(), name).toBe('');
    }
    const s1 = await saveFileFromPage(page, `window.__dir().then((d) => d.getFileHandle('S1.mp4')).then((h) => h.getFile())`, out);
    const chapters = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_chapters', '-of', 'json', s1.path], { encoding: 'utf8' })).chapters;
    expect(chapters.map((c: { tags: { title: string } }) => c.tags.title)).toEqual(['Kept']);

    // Once the other page's recording is over (its lock gone), the next start finishes it too; then nothing is left to do.
    await ev(page, 'window.__release()');
    const second = await ev<string[]>(page, `import('/src/mux/recovery.ts').then((m) => m.recoverRecordings()).then((r) => r.recovered.map((x) => x.file.name))`);
    const third = await ev<number>(page, `import('/src/mux/recovery.ts').then((m) => m.recoverRecordings()).then((r) => r.recovered.length + r.failed.length + r.discarded.length)`);
    expect(second).toEqual(['S6.mp4']);
    expect(third).toBe(0);
    // A new recording never takes the name of one on disk or of one running.
    const stems = await ev<string[]>(page, `import('/src/mux/finalize.ts').then(async (m) => {
      const release = await m.holdRecordingLock('Srun');
      const r = [await m.freshStem('S1'), await m.freshStem('S10'), await m.freshStem('Snew'), await m.freshStem('Srun')];
      release();
      return r;
    })`);
    expect(stems).toEqual(['S1 (2)', 'S10 (3)', 'Snew', 'Srun (2)']);
    await page.context().close();
  });

  it('lists recordings with their duration, recovered flag and chapters, and hides unfinished ones', async () => {
    const { page } = await openPage(browser, url, '/tests/browser/blank.html');
    await setUp(page);
    const list = await ev<{ name: string; durationMs: number; recovered: boolean; chapters: { title: string }[] }[]>(page,
      `import('/src/mux/recordings.ts').then((m) => m.listRecordings())`);
    const s1 = list.find((r) => r.name === 'S1.mp4')!;
    console.log(`[recovery-states] listed ${list.map((r) => `${r.name} ${(r.durationMs / 1000).toFixed(2)} s${r.recovered ? ' recovered' : ''}`).join(', ')}`);
    expect(list.map((r) => r.name).sort()).toEqual(['S1.mp4', 'S10 (2).mp4', 'S10.mp4', 'S2.mp4', 'S3.mp4', 'S4 (2).mp4', 'S4.mp4', 'S6.mp4', 'S7.webm', 'S9.mp4']);
    expect(Math.abs(s1.durationMs - 3000)).toBeLessThanOrEqual(100);
    expect(s1.recovered).toBe(true);
    expect(s1.chapters.map((c) => c.title)).toEqual(['Kept']);
    await page.context().close();
  });
});
