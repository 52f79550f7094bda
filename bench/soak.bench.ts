// @bench-environment node
// Soak: one long recording as a person would make it — the program at 1280×720, 30 fps, the
// camera blurred, the microphone on — with the flash-and-beep fake devices (tests/helpers/
// avsync.ts), so lip sync can be read off the file at its start and at its end. Every 10 s the
// memory of every process of the browser (proportional set size, so shared pages are not
// counted twice) and the studio's counters are sampled. Runs only when asked for by name
// (`npm run bench soak`); SOAK_MINUTES sets the length (default 10).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import type { Page } from 'playwright-core';
import { launchChromium, openPage } from '../tests/helpers/browser.ts';
import { scratchDir } from '../tests/helpers/media.ts';
import { audioSamples, probe } from '../tests/helpers/av.ts';
import { ev, saveFileFromPage, studioReady, waitInPage } from '../tests/helpers/studio.ts';
import { audioStart, beepOnsets, makeSyncMedia, pairBeepsWithVideo, syncFrames, SYNC_PROBE_SOURCE, type DeviceSyncLog } from '../tests/helpers/avsync.ts';
import { median, type BenchResult, type NodeBenchContext } from './types.ts';

export const names = ['soak-720p-blur'] as const;

const SAMPLE_EVERY_MS = 10_000;
/** Seconds of file judged for lip sync at the start and at the end. */
const SYNC_WINDOW_S = 20;
/** The fake devices loop their files; ten seconds keep the y4m small (the counter wraps, which the pairing allows). */
const MEDIA_SECONDS = 10;

/** Proportional set size (kB) of `pid` and every process below it. */
function treePssKb(root: number): { kb: number; processes: number } {
  const children = new Map<number, number[]>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid)!.push(Number(d));
    } catch { /* the process ended meanwhile */ }
  }
  let kb = 0, processes = 0;
  const todo = [root];
  while (todo.length) {
    const pid = todo.pop()!;
    try {
      const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
      if (m) { kb += Number(m[1]); processes++; }
    } catch { /* gone */ }
    todo.push(...(children.get(pid) ?? []));
  }
  return { kb, processes };
}

/** The browser's main process: the one whose command line names this run's fake camera file (its children do not). */
function browserPid(marker: string): number {
  const found: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8');
      if (cmd.includes(marker) && !cmd.includes('--type=')) found.push(Number(d));
    } catch { /* gone */ }
  }
  if (found.length !== 1) throw new Error(`soak: expected one browser process for ${marker}, found ${found.length}`);
  return found[0]!;
}

interface Counters { rendered: number; missed: number; outputDropped: number; encoded: number; skipped: number; stalls: number; masks: number; heapMb: number | null; micDelayMs: number }

const COUNTERS = `window.studio.getStats().then((s) => ({
  rendered: s.render.framesRendered, missed: s.render.framesMissed, outputDropped: s.render.outputDropped,
  encoded: s.encode.framesEncoded, skipped: s.encode.framesSkipped, stalls: s.encode.videoStalls,
  masks: s.render.effects.masksProduced, micDelayMs: s.encode.audioDelayMs,
  heapMb: performance.memory ? performance.memory.usedJSHeapSize / 1e6 : null,
}))`;

/** Lip sync (ms, positive: sound late) over [from, to] s of the file, from a cut copied out of it. */
function syncOver(file: string, dir: string, from: number, to: number): number[] {
  const cut = join(dir, `cut-${Math.round(from)}.mp4`);
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-ss', String(from), '-to', String(to), '-i', file, '-c', 'copy', cut]);
  const frames = syncFrames(cut);
  const beeps = beepOnsets(audioSamples(cut)).map((b) => b + audioStart(cut));
  return pairBeepsWithVideo(beeps, frames).map((p) => p.offsetMs);
}

const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

/** Records for SOAK_MINUTES, sampling memory and counters, then judges the file. */
export default async function run({ url, filter, log }: NodeBenchContext): Promise<BenchResult[]> {
  if (!filter.includes('soak')) {
    log('soak.bench.ts: skipped (it records for 10 minutes; run it with `npm run bench soak`)');
    return [];
  }
  const minutes = Number(process.env.SOAK_MINUTES ?? 10);
  const dir = scratchDir('soak');
  const media = makeSyncMedia(dir, MEDIA_SECONDS);
  const browser = await launchChromium({ camera: media.y4m, mic: media.wav, extraArgs: ['--enable-precise-memory-info'] });
  const pid = browserPid(media.y4m);
  try {
    const { page } = await openPage(browser, url);
    await studioReady(page);
    await ev(page, 'window.studio.setOutput({ width: 1280, height: 720, frameRate: 30 })');
    await ev(page, 'window.studio.startCamera()');
    // The 4:3 camera stretched over the 16:9 canvas: the file scaled back to 4:3 puts the
    // counter strip and the flash where syncFrames reads them.
    const cam = await ev<string>(page, 'window.studio.scenes.scenes[0].items[0].id');
    await ev(page, `window.studio.updateItem(${JSON.stringify(cam)}, { x: 0, y: 0, width: 1280, height: 720, fit: 'stretch' })`);
    await ev(page, `window.studio.setBackground({ type: 'blur' })`);
    await waitInPage(page, 'window.studio.getStats().then((s) => s.render.effects.masksProduced >= 2)', 90_000);
    await page.waitForTimeout(3000);
    // What the devices themselves deliver over the same windows (a loaded machine delays the fake
    // camera's frames): the studio's own share of the lip-sync error is the file's minus this.
    const deviceSync = async (): Promise<number[]> => {
      await ev(page, SYNC_PROBE_SOURCE);
      await page.waitForTimeout(SYNC_WINDOW_S * 1000);
      const log = await ev<DeviceSyncLog>(page, 'window.__syncProbe.stop()');
      return pairBeepsWithVideo(log.beeps, log.frames).map((x) => x.offsetMs);
    };
    await ev(page, 'window.studio.startRecording()');
    const samples: { t: number; pssMb: number; processes: number; c: Counters }[] = [];
    const t0 = Date.now();
    const take = async (): Promise<void> => {
      const m = treePssKb(pid);
      const c = await ev<Counters>(page, COUNTERS);
      samples.push({ t: (Date.now() - t0) / 1000, pssMb: m.kb / 1024, processes: m.processes, c });
      log(`soak: ${Math.round((Date.now() - t0) / 1000)} s, ${round(m.kb / 1024)} MB in ${m.processes} processes, ${c.encoded} frames encoded, ${c.missed} missed`);
    };
    await take();
    const deviceStart = await deviceSync();
    while (Date.now() - t0 < minutes * 60_000 - SYNC_WINDOW_S * 1000) {
      await page.waitForTimeout(Math.min(SAMPLE_EVERY_MS, minutes * 60_000 - SYNC_WINDOW_S * 1000 - (Date.now() - t0)));
      await take();
    }
    const deviceEnd = await deviceSync();
    await take();
    const file = await saveFileFromPage(page as Page, 'window.studio.stopRecording()', dir);
    const p = probe(file.path);
    const vDur = Number(p.streams.find((s) => s.codec_type === 'video')!.duration);
    const aDur = Number(p.streams.find((s) => s.codec_type === 'audio')!.duration);
    const start = syncOver(file.path, dir, 0, SYNC_WINDOW_S);
    const end = syncOver(file.path, dir, Math.max(0, vDur - SYNC_WINDOW_S), vDur);
    const first = samples[0]!, last = samples.at(-1)!;
    // Growth over the run from a line fitted through every sample (one sample's noise does not decide it).
    const n = samples.length, mt = samples.reduce((a, s) => a + s.t, 0) / n, mp = samples.reduce((a, s) => a + s.pssMb, 0) / n;
    const slope = samples.reduce((a, s) => a + (s.t - mt) * (s.pssMb - mp), 0) / Math.max(1e-9, samples.reduce((a, s) => a + (s.t - mt) ** 2, 0));
    const secs = last.t - first.t;
    return [{
      name: 'soak-720p-blur',
      median_ms: 1000 * secs / Math.max(1, last.c.rendered - first.c.rendered),
      n: samples.length,
      minutes,
      memory_first_mb: round(first.pssMb), memory_last_mb: round(last.pssMb), memory_max_mb: round(Math.max(...samples.map((s) => s.pssMb))),
      memory_growth_mb_per_10min: round(slope * 600),
      memory_samples_mb: samples.map((s) => round(s.pssMb)),
      js_heap_first_mb: first.c.heapMb === null ? null : round(first.c.heapMb), js_heap_last_mb: last.c.heapMb === null ? null : round(last.c.heapMb),
      browser_processes: last.processes,
      file_video_s: round(vDur, 2), file_audio_s: round(aDur, 2), file_mb: round(file.size / 1e6),
      av_offset_start_median_ms: start.length ? round(median(start)) : null,
      av_offset_end_median_ms: end.length ? round(median(end)) : null,
      av_pairs_start: start.length, av_pairs_end: end.length,
      device_av_offset_start_median_ms: deviceStart.length ? round(median(deviceStart)) : null,
      device_av_offset_end_median_ms: deviceEnd.length ? round(median(deviceEnd)) : null,
      studio_av_offset_start_ms: start.length && deviceStart.length ? round(median(start) - median(deviceStart)) : null,
      studio_av_offset_end_ms: end.length && deviceEnd.length ? round(median(end) - median(deviceEnd)) : null,
      frames_rendered: last.c.rendered - first.c.rendered,
      frames_missed: last.c.missed - first.c.missed,
      frames_encoded: last.c.encoded,
      frames_skipped_by_encoder: last.c.skipped,
      frames_dropped_before_encoder: last.c.outputDropped - first.c.outputDropped,
      video_stalls: last.c.stalls,
      masks_per_s: round((last.c.masks - first.c.masks) / secs, 2),
      // The microphone delay the recorder subtracts (MixTap's running estimate): a wrong one moves the sound.
      mic_delay_ms_first: round(first.c.micDelayMs), mic_delay_ms_last: round(last.c.micDelayMs),
      mic_delay_ms_range: [round(Math.min(...samples.map((x) => x.c.micDelayMs))), round(Math.max(...samples.map((x) => x.c.micDelayMs)))],
      loadavg_1m: round(loadavg()[0]!),
    }];
  } finally {
    await browser.close();
  }
}
