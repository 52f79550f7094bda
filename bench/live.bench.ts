// @bench-environment node
// The whole studio, live: Chromium with a fake camera playing a shared webcam clip, the studio
// page on the dev server, the program canvas at the camera's size, the camera on (no audio) and
// a background effect. After a warm-up, window.studio.getStats() is sampled every 100 ms for
// 10 s in the page; the lines report what a person would feel: program fps, masks per second,
// how old the drawn mask is, and how many camera frames the program kept up with. Runs under
// Node (see NODE_BENCH_PRAGMA) because each camera clip needs its own browser launch.
import { loadavg } from 'node:os';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, openPage } from '../tests/helpers/browser.ts';
import { makeY4m } from '../tests/helpers/media.ts';
import { studioReady, waitInPage } from '../tests/helpers/studio.ts';
import { matchesFilter, median, percentile, type BenchResult, type NodeBenchContext } from './types.ts';

export const names = ['live-480p-none', 'live-480p-blur', 'live-720p-blur'] as const;
type Name = (typeof names)[number];

/** Seconds of clip in the fake camera's .y4m (Chromium loops it). */
const CLIP_SECONDS = 10;
/** Seconds measured (`LIVE_MEASURE_S`, default 10): longer shows where automatic quality settles. */
const MEASURE_MS = Math.max(1, Number(process.env.LIVE_MEASURE_S) || 10) * 1000;
const SAMPLE_EVERY_MS = 100;
/** After the first frames (and, with an effect, the first masks) arrive. */
const WARMUP_MS = 3000;
/** Rendered fps is also reported as ms per frame over windows of this length, for a median. */
const WINDOW_MS = 1000;
/** Model load and the first inference can take a while on SwiftShader. */
const START_TIMEOUT_MS = 90_000;

interface Config {
  name: Name;
  clip: string;
  width: number;
  height: number;
  background: 'none' | 'blur';
  /** The same-run line this one is compared with (same clip, same size). */
  baseline?: Name;
}

const CONFIGS: readonly Config[] = [
  { name: 'live-480p-none', clip: 'webcam_woman_640x480_30fps.mp4', width: 640, height: 480, background: 'none' },
  { name: 'live-480p-blur', clip: 'webcam_woman_640x480_30fps.mp4', width: 640, height: 480, background: 'blur', baseline: 'live-480p-none' },
  { name: 'live-720p-blur', clip: 'webcam_woman_1280x720_30fps.mp4', width: 1280, height: 720, background: 'blur' },
];

/** One getStats() reading, reduced in the page to what the lines need. */
interface Sample {
  /** ms since the first sample. */
  t: number;
  rendered: number;
  missed: number;
  composed: number;
  framesIn: number;
  masks: number;
  reused: number;
  active: boolean;
  maskAgeMs: number;
  inferenceMs: number;
  stages: { readback: number; model: number; toRefine: number };
  quality: 'high' | 'medium' | 'low';
  pace: number;
  frameBound: number;
  frameMs: number;
  passes: { name: string; ms: number }[];
  timing: 'gpu' | 'wall';
  backend: string | null;
  crop: boolean;
  outputWidth: number;
  outputHeight: number;
  cameraWidth: number;
  cameraHeight: number;
}

// A string, not a function: tsx's compiled functions can reference helpers the page lacks.
const SAMPLER = `(async (durationMs, everyMs) => {
  const out = [];
  const t0 = performance.now();
  for (;;) {
    const st = await window.studio.getStats();
    const t = performance.now() - t0;
    const r = st.render, fx = r.effects;
    const cam = r.sources.find((s) => s.kind === 'camera') ?? r.sources[0];
    out.push({
      t, rendered: r.framesRendered, missed: r.framesMissed, composed: r.program ? r.program.composed : 0,
      framesIn: cam ? cam.framesIn : 0, masks: fx.masksProduced, reused: fx.masksReused, active: fx.active,
      maskAgeMs: fx.maskAgeMs, inferenceMs: fx.inferenceMs, stages: fx.maskStagesMs, quality: r.quality.level, pace: r.quality.maskIntervalMs, frameBound: r.quality.frameBound, frameMs: r.frameMs, passes: r.passes,
      timing: r.timingSource, backend: fx.backend, crop: fx.crop !== null,
      outputWidth: r.outputWidth, outputHeight: r.outputHeight, cameraWidth: st.camera.width, cameraHeight: st.camera.height,
    });
    if (t >= durationMs) return out;
    await new Promise((res) => setTimeout(res, Math.max(0, everyMs - (performance.now() - t0 - t))));
  }
})(${MEASURE_MS}, ${SAMPLE_EVERY_MS})`;

const round = (x: number, digits = 2): number => Number(x.toFixed(digits));

/** Median ms per rendered frame over fixed windows; a window with no frame counts as its whole length. */
function windowedFrameMs(samples: readonly Sample[]): number[] {
  const out: number[] = [];
  let start = samples[0]!;
  for (const s of samples) {
    if (s.t - start.t < WINDOW_MS) continue;
    const frames = s.rendered - start.rendered;
    out.push((s.t - start.t) / Math.max(frames, 1));
    start = s;
  }
  return out;
}

/** Median GPU (or wall) ms of each pass over the samples that report it. */
function passMedians(samples: readonly Sample[]): Record<string, number> {
  const byName = new Map<string, number[]>();
  for (const s of samples) for (const p of s.passes) {
    if (!byName.has(p.name)) byName.set(p.name, []);
    byName.get(p.name)!.push(p.ms);
  }
  return Object.fromEntries([...byName].map(([n, ms]) => [n, round(median(ms), 3)]));
}

/** Turns the samples of one line into its JSON result. */
function summarise(cfg: Config, samples: readonly Sample[]): BenchResult {
  const a = samples[0]!, b = samples[samples.length - 1]!;
  const secs = (b.t - a.t) / 1000;
  const rendered = b.rendered - a.rendered, missed = b.missed - a.missed, delivered = b.framesIn - a.framesIn;
  const masks = b.masks - a.masks;
  const ages = samples.filter((s) => s.active && s.masks > 0).map((s) => s.maskAgeMs);
  const windows = windowedFrameMs(samples);
  return {
    name: cfg.name,
    median_ms: round(median(windows)),
    n: windows.length,
    unit: 'ms per rendered program frame, per 1 s window',
    measured_s: round(secs),
    render_fps: round(rendered / secs),
    masks_per_s: round(masks / secs),
    mask_age_p50_ms: ages.length ? round(percentile(ages, 50)) : null,
    mask_age_p95_ms: ages.length ? round(percentile(ages, 95)) : null,
    mask_age_samples: ages.length,
    frames_rendered: rendered,
    frames_missed: missed,
    frames_delivered: delivered,
    camera_fps: round(delivered / secs),
    // Program ticks taken or missed per camera frame: 1 when the clock kept pace with the camera.
    rendered_plus_missed_per_delivered: delivered > 0 ? round((rendered + missed) / delivered, 3) : null,
    rendered_per_delivered: delivered > 0 ? round(rendered / delivered, 3) : null,
    composed_per_s: round((b.composed - a.composed) / secs),
    masks_reused_per_s: round((b.reused - a.reused) / secs),
    inference_median_ms: cfg.background === 'none' ? null : round(median(samples.map((s) => s.inferenceMs))),
    // The model's pace (ms between runs; 0 = as fast as it goes) once a second: how quality moved.
    mask_pace_ms: cfg.background === 'none' ? null : samples.filter((_, i) => i % 10 === 0).map((s) => round(s.pace, 0)),
    // Share of ticks the frames alone miss, as the governor measured it at low (0: none known).
    frame_bound_share: round(samples[samples.length - 1]?.frameBound ?? 0, 3),
    quality_share: cfg.background === 'none' ? null : Object.fromEntries((['high', 'medium', 'low'] as const).map((q) => [q, round(samples.filter((s) => s.quality === q).length / samples.length)])),
    mask_stages_median_ms: cfg.background === 'none' ? null : {
      readback: round(median(samples.map((s) => s.stages.readback))),
      model: round(median(samples.map((s) => s.stages.model))),
      to_refine: round(median(samples.map((s) => s.stages.toRefine))),
    },
    frame_cpu_median_ms: round(median(samples.map((s) => s.frameMs)), 3),
    timing: b.timing,
    passes_median_ms: passMedians(samples),
    effects_backend: cfg.background === 'none' ? null : b.backend,
    crop_active_share: cfg.background === 'none' ? null : round(samples.filter((s) => s.crop).length / samples.length, 2),
    output: `${b.outputWidth}x${b.outputHeight}`,
    camera: `${b.cameraWidth}x${b.cameraHeight}`,
    background: cfg.background,
    clip: cfg.clip,
    loadavg_1m: round(loadavg()[0]!),
  };
}

/** Opens the studio in a fresh context, starts camera and effect, warms up and samples one line. */
async function measure(browser: Browser, url: string, cfg: Config, log: NodeBenchContext['log']): Promise<BenchResult> {
  const { page, context, consoleErrors } = await openPage(browser, url);
  try {
    await studioReady(page);
    await page.evaluate(`window.studio.setOutput({ width: ${cfg.width}, height: ${cfg.height}, frameRate: 30 })`);
    await page.evaluate('window.studio.startCamera({ audio: false })');
    await page.evaluate(`window.studio.setBackground({ type: '${cfg.background}' })`);
    if (process.env.LIVE_QUALITY) await page.evaluate(`window.studio.setQuality('${process.env.LIVE_QUALITY}')`);
    await waitFor(page, `window.studio.getStats().then((s) => s.render && s.render.sources.some((c) => c.framesIn > 0))`, 'camera frames');
    if (cfg.background !== 'none') await waitFor(page, 'window.studio.getStats().then((s) => s.render.effects.active && s.render.effects.masksProduced >= 2)', 'the first masks');
    await page.waitForTimeout(WARMUP_MS);
    log(`${cfg.name}: measuring ${MEASURE_MS / 1000} s`);
    const samples = await page.evaluate(SAMPLER) as Sample[];
    const r = summarise(cfg, samples);
    if (r.output !== `${cfg.width}x${cfg.height}` || r.camera !== `${cfg.width}x${cfg.height}`) {
      throw new Error(`${cfg.name}: expected camera and program at ${cfg.width}x${cfg.height}, got camera ${r.camera}, program ${r.output}`);
    }
    if (consoleErrors.length) log(`${cfg.name}: page errors:`, consoleErrors.join(' | '));
    return r;
  } finally {
    await context.close();
  }
}

async function waitFor(page: Page, expression: string, what: string): Promise<void> {
  try {
    await waitInPage(page, expression, START_TIMEOUT_MS);
  } catch (e) {
    const stats = await page.evaluate('window.studio.getStats()').catch(() => null);
    throw new Error(`no ${what} within ${START_TIMEOUT_MS / 1000} s; stats: ${JSON.stringify(stats)}`, { cause: e });
  }
}

/** Runs the lines that match the filter (and the baseline of any that does), one browser per clip. */
export default async function run({ url, filter, log }: NodeBenchContext): Promise<BenchResult[]> {
  const wanted = new Set<Name>();
  for (const c of CONFIGS) if (matchesFilter(c.name, filter)) { wanted.add(c.name); if (c.baseline) wanted.add(c.baseline); }
  const results = new Map<Name, BenchResult>();
  for (const clip of [...new Set(CONFIGS.map((c) => c.clip))]) {
    const configs = CONFIGS.filter((c) => c.clip === clip && wanted.has(c.name));
    if (!configs.length) continue;
    const browser = await launchChromium({ camera: makeY4m(clip, CLIP_SECONDS) });
    try {
      for (const cfg of configs) results.set(cfg.name, await measure(browser, url, cfg, log));
    } finally {
      await browser.close();
    }
  }
  for (const c of CONFIGS) {
    const r = results.get(c.name), base = c.baseline ? results.get(c.baseline) : undefined;
    if (!r || !base) continue;
    r.baseline = base.name;
    r.baseline_median_ms = base.median_ms;
    r.speedup = round(base.median_ms / r.median_ms, 3);
    r.baseline_render_fps = base.render_fps;
  }
  return CONFIGS.flatMap((c) => results.get(c.name) ?? []);
}
