/**
 * Removing the background of video files (Studio.processFile, issue 12) on short cuts of the
 * shared clips, so that the file stays within CI's time on SwiftShader; the full 10 s clips are
 * measured in bench/process.bench.ts. Every output must hold exactly the input's frames, last
 * as long (within one frame), have its background changed, and carry the input's audio packets
 * bit for bit where they were copied.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { ViteDevServer } from 'vite';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { basename, join } from 'node:path';
import { launchChromium, openPage, startServer, type WatchedPage } from '../helpers/browser.ts';
import { repoRoot, scratchDir } from '../helpers/media.ts';
import { saveFileFromPage, studioReady } from '../helpers/studio.ts';
import { putBlob } from '../helpers/frames.ts';
import { probe } from '../helpers/av.ts';
import { audioPacketHashes, clip, detail, frames, maskOverColour, media, videoPts } from '../helpers/process-media.ts';
import { iou, mean } from '../reference/iou.ts';
import { readMaskPng } from '../reference/image-io.ts';
import type { ProcessResult } from '../../src/process/types.ts';

let server: ViteDevServer, url: string, browser: Browser, wp: WatchedPage;
const out = scratchDir('process-file');

beforeAll(async () => {
  ({ server, url } = await startServer());
  browser = await launchChromium();
  wp = await openPage(browser, url);
  await studioReady(wp.page);
});
afterAll(async () => { await browser?.close(); await server?.close(); });

/** 1 s of the 640×480 clip with 48 kHz AAC speech, index in front (faststart). */
const woman480WithAudio = () => clip('woman480-audio-1s.mp4', ['-i', media('webcam_woman_640x480_30fps.mp4'), '-i', media('speech_jfk_48k_stereo.wav'), '-t', '1',
  '-map', '0:v', '-map', '1:a', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-c:a', 'aac', '-b:a', '128k', '-movflags', '+faststart']);

const GREEN = "{ type: 'color', color: '#00ff00' }";

/** Processes a file in the page; returns the saved output and the job's figures. */
async function processIn(path: string, background: string, extra = ''): Promise<{ path: string; r: ProcessResult }> {
  await putBlob(wp.page, 'input', readFileSync(path), 'video/mp4', basename(path));
  const f = await saveFileFromPage(wp.page, `window.studio.processFile(window.input, { background: ${background}${extra} })`, out);
  const r = await wp.page.evaluate('window.studio.lastProcessResult') as ProcessResult;
  console.log(`[process] ${basename(path)} → ${f.name}: ${r.frames}/${r.inputFrames} frames, ${r.width}×${r.height}, ${r.durationS.toFixed(3)} s, ` +
    `${(r.wallMs / 1000).toFixed(1)} s wall (×${r.realTimeFactor.toFixed(3)} real time), audio ${r.audio}, stages ms ${JSON.stringify(Object.fromEntries(Object.entries(r.stages).map(([k, v]) => [k, Math.round(v)])))}`);
  return { path: f.path, r };
}

/** The error a job rejects with. */
async function failureOf(path: string, background = GREEN): Promise<{ name: string; message: string }> {
  await putBlob(wp.page, 'input', readFileSync(path), 'video/mp4', basename(path));
  return wp.page.evaluate(`window.studio.processFile(window.input, { background: ${background} }).then(() => null, (e) => ({ name: e.name, message: e.message }))`) as Promise<{ name: string; message: string }>;
}

/** Names in the recordings folder of OPFS (finished files, part files, anything). */
const opfsNames = (): Promise<string[]> => wp.page.evaluate(`navigator.storage.getDirectory()
  .then((r) => r.getDirectoryHandle('recordings', { create: true }))
  .then(async (d) => { const n = []; for await (const k of d.keys()) n.push(k); return n; })`) as Promise<string[]>;

const frameCount = (file: string) => Number(probe(file).streams.find((s) => s.codec_type === 'video')!.nb_read_frames);
const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Frame count, duration within one frame, and the background's detail gone while the face keeps it. */
function expectWholeAndBlurred(input: string, output: string, w: number, h: number, bg: number[], face: number[], fps: number, scale = false): void {
  expect(frameCount(output)).toBe(frameCount(input));
  const inPts = videoPts(input), outPts = videoPts(output);
  const span = (p: number[]) => p[p.length - 1]! - p[0]! + 1 / fps;
  expect(Math.abs(span(outPts) - span(inPts))).toBeLessThanOrEqual(1 / fps);
  const src = frames(input, w, h, 'gray', scale), rec = frames(output, w, h, 'gray', scale);
  const srcBg = avg(src.map((f) => detail(f, w, bg))), recBg = avg(rec.map((f) => detail(f, w, bg)));
  const srcFace = avg(src.map((f) => detail(f, w, face))), recFace = avg(rec.map((f) => detail(f, w, face)));
  console.log(`[process] ${w}×${h}${scale ? ' (scaled)' : ''} detail (mean |Laplacian|): background ${srcBg.toFixed(2)} → ${recBg.toFixed(2)}, face ${srcFace.toFixed(2)} → ${recFace.toFixed(2)}; ` +
    `span ${span(inPts).toFixed(4)} → ${span(outPts).toFixed(4)} s`);
  expect(recBg).toBeLessThan(0.4 * srcBg);
  expect(recFace).toBeGreaterThan(0.6 * srcFace);
}

describe('processFile: the shared webcam clips', () => {
  it('640×480 with AAC audio, blurred: every frame, same duration, background changed, audio packets bit-identical', async () => {
    const input = woman480WithAudio();
    const { path, r } = await processIn(input, "{ type: 'blur', strength: 1 }");
    expect(r).toMatchObject({ frames: 30, inputFrames: 30, audio: 'copied', container: 'mp4', width: 640, height: 480 });
    expectWholeAndBlurred(input, path, 640, 480, [0, 64, 96, 448], [264, 96, 336, 160], 30);
    const a = audioPacketHashes(input), b = audioPacketHashes(path);
    console.log(`[process] audio: ${a.length} packets in, ${b.length} out, identical: ${JSON.stringify(a) === JSON.stringify(b)}`);
    expect(b.length).toBeGreaterThan(40);
    expect(b).toEqual(a);
  });

  it('1280×720, blurred: every frame, same duration, background changed', async () => {
    const input = clip('woman720-10f.mp4', ['-i', media('webcam_woman_1280x720_30fps.mp4'), '-frames:v', '10', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20']);
    const { path, r } = await processIn(input, "{ type: 'blur', strength: 1 }");
    expect(r).toMatchObject({ frames: 10, audio: 'none', width: 1280, height: 720 });
    // The clip is a 2× upscale of a 640×360 crop: its detail is measured at that size (the
    // monitor's screen at the left edge is background, the face is person).
    expectWholeAndBlurred(input, path, 640, 360, [0, 110, 70, 350], [264, 66, 336, 130], 30, true);
  });
});

describe('processFile: DAVIS clips over a colour (person mask read back from the output)', () => {
  // The live chain's figures from the effects issue (tests/browser/live-chain.test.ts, frame by frame).
  for (const [name, live] of [['lucia', 0.8715], ['dance-twirl', 0.7121]] as const) {
    it(`${name}: mean IoU of (output ≠ colour) ≥ the live chain's ${live}`, async () => {
      const dir = media(`segmentation_video/davis2016_${name}_f000-059`);
      const input = media(`segmentation_video/davis2016_${name}_f000-059_640x360_24fps.mp4`);
      const { path, r } = await processIn(input, GREEN);
      expect(r.frames).toBe(60);
      const src = frames(input, 640, 360, 'rgb24'), res = frames(path, 640, 360, 'rgb24');
      expect(res).toHaveLength(60);
      const truths = readdirSync(join(dir, 'masks')).filter((f) => f.endsWith('.png')).sort();
      const ious = truths.map((f, i) => iou(maskOverColour(res[i]!, src[i]!, [0, 255, 0]), readMaskPng(join(dir, 'masks', f), 640, 360).data, 255));
      console.log(`[process] ${name}: mean IoU ${mean(ious).toFixed(4)} (live chain ${live}), worst frame ${Math.min(...ious).toFixed(3)}`);
      expect(mean(ious)).toBeGreaterThanOrEqual(live);
    });
  }
});

describe('processFile: timing, rotation and sizes', () => {
  it('keeps variable-frame-rate timestamps (30 fps, then 10 fps)', async () => {
    const input = clip('vfr.mp4', ['-i', media('webcam_man_640x480_30fps.mp4'), '-frames:v', '20', '-vf', "scale=320:240,setpts='if(lt(N,10),N/30,10/30+(N-10)/10)/TB'",
      '-fps_mode', 'passthrough', '-video_track_timescale', '1000', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20']);
    const { path } = await processIn(input, GREEN);
    const a = videoPts(input), b = videoPts(path);
    const worst = Math.max(...a.map((t, i) => Math.abs(t - b[i]!)));
    console.log(`[process] VFR pts in ${a.map((t) => t.toFixed(3)).join(' ')}; worst |Δ| ${(worst * 1000).toFixed(3)} ms`);
    expect(b).toHaveLength(a.length);
    expect(worst).toBeLessThan(0.001);
  });

  it('turns a rotated phone video upright (rotation metadata applied, none left in the output)', async () => {
    // Stored sideways (coded 240×320) with rotation metadata that shows it upright at 320×240.
    const side = clip('side.mp4', ['-i', media('webcam_man_640x480_30fps.mp4'), '-frames:v', '8', '-vf', 'scale=320:240,transpose=1', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20']);
    const input = clip('phone.mp4', ['-i', side, '-c', 'copy', '-metadata:s:v', 'rotate=90']);
    const { path, r } = await processIn(input, GREEN);
    expect(r).toMatchObject({ rotation: 270, width: 320, height: 240, frames: 8 });
    const info = probe(path).streams.find((s) => s.codec_type === 'video')!;
    expect([info.width, info.height]).toEqual([320, 240]);
    expect(JSON.stringify(info)).not.toMatch(/rotation/);
    // ffmpeg shows the input upright too: the person's pixels must match it, not a turned picture.
    const want = frames(input, 320, 240, 'rgb24'), got = frames(path, 320, 240, 'rgb24');
    const mad = (a: Uint8Array, b: Uint8Array, m: Uint8Array, flip: boolean) => {
      let s = 0, n = 0;
      for (let i = 0; i < m.length; i++) {
        if (!m[i]) continue;
        const j = flip ? m.length - 1 - i : i;
        for (let c = 0; c < 3; c++) s += Math.abs(a[i * 3 + c]! - b[j * 3 + c]!);
        n += 3;
      }
      return s / n;
    };
    const m = maskOverColour(got[4]!, want[4]!, [0, 255, 0]);
    const upright = mad(got[4]!, want[4]!, m, false), turned = mad(got[4]!, want[4]!, m, true);
    console.log(`[process] rotated: person pixels differ by ${upright.toFixed(1)} from the upright input, ${turned.toFixed(1)} from it turned 180°`);
    expect(upright).toBeLessThan(12);
    expect(turned).toBeGreaterThan(3 * upright);
  });

  it('processes 1278×718 as it is, and cuts an odd 321×241 to 320×240 for the encoder', async () => {
    const even = clip('odd-1278x718.mp4', ['-i', media('webcam_woman_1280x720_30fps.mp4'), '-frames:v', '4', '-vf', 'scale=1278:718', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20']);
    const a = await processIn(even, GREEN);
    expect(a.r).toMatchObject({ width: 1278, height: 718, frames: 4 });
    expect(frameCount(a.path)).toBe(4);
    const odd = clip('odd-321x241.mp4', ['-i', media('webcam_woman_640x480_30fps.mp4'), '-frames:v', '4', '-vf', 'scale=321:241', '-c:v', 'libx264rgb', '-preset', 'veryfast', '-crf', '20']);
    const b = await processIn(odd, GREEN);
    expect(b.r).toMatchObject({ width: 320, height: 240, frames: 4 });
    const s = probe(b.path).streams.find((x) => x.codec_type === 'video')!;
    expect([s.width, s.height, Number(s.nb_read_frames)]).toEqual([320, 240, 4]);
  });

  it('writes a transparent background as WebM VP9 with an alpha stream, audio re-encoded to Opus', async () => {
    const input = clip('man-audio-10f.mp4', ['-i', media('webcam_man_640x480_30fps.mp4'), '-i', media('speech_jfk_48k_stereo.wav'), '-t', '0.34',
      '-map', '0:v', '-map', '1:a', '-vf', 'scale=320:240', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-c:a', 'aac']);
    const { path, r } = await processIn(input, "{ type: 'transparent' }");
    const n = frameCount(input);
    expect(r).toMatchObject({ container: 'webm', transparent: true, audio: 're-encoded', frames: n });
    const streams = probe(path).streams;
    expect(streams.map((s) => s.codec_name).sort()).toEqual(['opus', 'vp9']);
    // libvpx decodes the alpha stream (ffmpeg's own VP9 decoder ignores it).
    const alpha = execFileSync('ffmpeg', ['-v', 'error', '-c:v', 'libvpx-vp9', '-i', path, '-fps_mode', 'passthrough', '-vf', 'alphaextract,format=gray', '-f', 'rawvideo', '-'], { maxBuffer: 1 << 28 });
    expect(alpha.length).toBe(n * 320 * 240);
    let opaque = 0, clear = 0;
    for (const v of alpha) { if (v >= 200) opaque++; else if (v <= 20) clear++; }
    console.log(`[process] transparent: ${(100 * opaque / alpha.length).toFixed(1)} % opaque, ${(100 * clear / alpha.length).toFixed(1)} % clear`);
    expect(opaque / alpha.length).toBeGreaterThan(0.1);
    expect(clear / alpha.length).toBeGreaterThan(0.3);
  });
});

describe('Process files panel', () => {
  it('queues chosen files with progress; the video lands in the recordings list, stills become PNG cut-outs', async () => {
    const { page } = wp;
    const video = clip('ui-video.mp4', ['-i', media('webcam_woman_640x480_30fps.mp4'), '-frames:v', '8', '-vf', 'scale=320:240', '-c:v', 'libx264', '-preset', 'veryfast']);
    await page.selectOption('#process-bg', 'color');
    const stills = ['011', '012'].map((id) => media(`segmentation/${id}.jpg`));
    await page.setInputFiles('#process-files', [video, ...stills]);
    const rows = page.locator('#process-list li');
    await expect.poll(() => rows.count()).toBe(3);
    // While the video runs, its row shows frames, rate and time left.
    await page.waitForFunction(`/\\d+\\/8 frames · [\\d.]+ fps · ETA/.test(document.querySelector('#process-list li .meta')?.textContent ?? '')`, undefined, { timeout: 60_000 });
    await page.waitForFunction(`[...document.querySelectorAll('#process-list li')].every((li) => li.dataset.state === 'done')`, undefined, { timeout: 120_000 });
    const texts = await rows.locator('.meta').allTextContents();
    console.log(`[process] panel rows: ${texts.join(' | ')}`);
    expect(texts[0]).toMatch(/^Saved as ui-video \(colour\)\.mp4 · 8 frames/);
    expect(texts.slice(1)).toEqual(['Cut out: 011 (transparent).png', 'Cut out: 012 (transparent).png']);
    await page.waitForFunction(`[...document.querySelectorAll('#recordings-list .name')].some((n) => n.textContent === 'ui-video (colour).mp4')`, undefined, { timeout: 10_000 });
    expect(await rows.nth(1).getByRole('button', { name: 'Save…' }).count()).toBe(1);
  });
});

describe('command line (bin/backdrop-process.mjs = npm run process)', () => {
  const cli = (args: string[], env: Record<string, string> = {}) => spawnSync(process.execPath, [join(repoRoot, 'bin/backdrop-process.mjs'), ...args],
    { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 240_000 });

  it('processes two files into a folder with a progress bar (exit 0); a file that is not a video and a missing browser fail with clear messages', async () => {
    const a = clip('cli-a.mp4', ['-i', media('webcam_woman_640x480_30fps.mp4'), '-frames:v', '6', '-vf', 'scale=320:240', '-c:v', 'libx264', '-preset', 'veryfast']);
    const b = clip('cli-b.mp4', ['-i', media('webcam_man_640x480_30fps.mp4'), '-frames:v', '6', '-vf', 'scale=320:240', '-c:v', 'libx264', '-preset', 'veryfast']);
    const dir = join(out, 'cli');
    const ok = cli([a, b, '-o', dir, '--background', 'color:#ff00ff']);
    console.log(`[process] CLI exit ${ok.status}\n${ok.stderr}`);
    expect(ok.status).toBe(0);
    expect(ok.stderr).toMatch(/\[#{24}\] 100%  6\/6 frames/);
    expect(readdirSync(dir).sort()).toEqual(['cli-a (colour).mp4', 'cli-b (colour).mp4']);
    for (const f of readdirSync(dir)) expect(frameCount(join(dir, f))).toBe(6);

    const junk = join(out, 'not-a-video.mp4');
    writeFileSync(junk, 'hello');
    const bad = cli([junk, '-o', dir, '--background', 'blur']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/✗ .*not-a-video\.mp4: MediaDecodeError: “not-a-video\.mp4” is not a video file/);
    const nobrowser = cli([a, '-o', dir, '--background', 'blur'], { CHROME_PATH: '/nonexistent/chrome' });
    expect(nobrowser.status).toBe(2);
    expect(nobrowser.stderr).toMatch(/CHROME_PATH is \/nonexistent\/chrome, but there is no browser there/);
    expect(readdirSync(dir)).toHaveLength(2);
  });
});

describe('processFile: files that cannot be processed, and cancelling', () => {
  const noLeftovers = async (stem: string) => {
    const names = await opfsNames();
    expect(names.filter((n) => n.startsWith(stem))).toEqual([]);
    const listed = await wp.page.evaluate('window.studio.listRecordings()') as { name: string }[];
    expect(listed.filter((x) => x.name.startsWith(stem))).toEqual([]);
  };

  it('refuses a file that is not a video, a damaged one and one without video, with clear messages and nothing left behind', async () => {
    const good = woman480WithAudio();
    const junk = join(out, 'junk.mp4');
    const damaged = join(out, 'damaged.mp4');
    writeFileSync(junk, Buffer.from(Array.from({ length: 40_000 }, (_, i) => (i * 7919) % 251)));
    const bytes = readFileSync(good);
    writeFileSync(damaged, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    const audioOnly = clip('speech.m4a', ['-i', media('speech_jfk_48k_stereo.wav'), '-t', '2', '-c:a', 'aac']);
    const cases: [string, string, RegExp][] = [
      [junk, 'junk', /“junk\.mp4” is not a video file this browser can read/],
      [damaged, 'damaged', /“damaged\.mp4” is damaged or incomplete: only \d+ of its 30 frames could be read/],
      [audioOnly, 'speech', /“speech\.m4a” has no video track/],
    ];
    for (const [path, stem, message] of cases) {
      const e = await failureOf(path);
      console.log(`[process] ${basename(path)}: ${e.name}: ${e.message}`);
      expect(e.name).toBe('MediaDecodeError');
      expect(e.message).toMatch(message);
      await noLeftovers(stem);
    }
  });

  it('cancels a running job: the half-written file (hidden while running) is removed', async () => {
    const input = clip('man480-2s.mp4', ['-i', media('webcam_man_640x480_30fps.mp4'), '-t', '2', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20']);
    await putBlob(wp.page, 'input', readFileSync(input), 'video/mp4', 'man480-2s.mp4');
    await wp.page.evaluate(`(() => {
      window.ctl = new AbortController(); window.done = 0;
      window.job = window.studio.processFile(window.input, { background: ${GREEN}, signal: window.ctl.signal, onProgress: (p) => { window.done = p.frames; } })
        .then(() => null, (e) => ({ name: e.name, message: e.message }));
    })()`);
    await wp.page.waitForFunction('window.done >= 3', undefined, { timeout: 60_000 });
    const during = await opfsNames();
    expect(during).toContain('man480-2s (colour).mp4.part');
    const listed = await wp.page.evaluate('window.studio.listRecordings()') as { name: string }[];
    expect(listed.map((x) => x.name)).not.toContain('man480-2s (colour).mp4');
    await wp.page.evaluate('window.ctl.abort()');
    const e = await wp.page.evaluate('window.job') as { name: string; message: string };
    console.log(`[process] cancelled after ${await wp.page.evaluate('window.done')} frames: ${e.name}: ${e.message}`);
    expect(e.name).toBe('ProcessCancelledError');
    expect(e.message).toMatch(/cancelled; nothing was saved/);
    await noLeftovers('man480-2s');
  });

  it('left no console errors', () => {
    expect(wp.consoleErrors.filter((e) => !/favicon/.test(e))).toEqual([]);
  });
});
