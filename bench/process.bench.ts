// @bench-environment node
// Removing the background of the shared 10 s webcam clips as files (Studio.processFile, issue 12):
// the real-time factor (media duration ÷ processing time) at 640×480 and 1280×720 with the split
// over the pipeline's stages, and in the same run the baseline a local tool would use (ffmpeg
// decode → onnxruntime-node → the OBS-style TS compositing of bench/cpu-effects.ts → ffmpeg
// encode, bench/process-baseline.ts) on the same file. BENCH_PROCESS_SECONDS=n cuts the clips to
// their first n seconds (quick runs); by default they are processed whole.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { tmpdir } from 'node:os';
import { launchChromium, openPage } from '../tests/helpers/browser.ts';
import { shared } from '../tests/helpers/media.ts';
import { studioReady } from '../tests/helpers/studio.ts';
import { runBaseline } from './process-baseline.ts';
import { matchesFilter, type BenchResult, type NodeBenchContext } from './types.ts';
import type { ProcessResult } from '../src/process/types.ts';

export const names = ['process-480p-blur', 'process-720p-blur'] as const;

const CLIPS = [
  { name: 'process-480p-blur', clip: 'webcam_woman_640x480_30fps.mp4', width: 640, height: 480 },
  { name: 'process-720p-blur', clip: 'webcam_woman_1280x720_30fps.mp4', width: 1280, height: 720 },
] as const;
const STRENGTH = 0.5;
const dir = join(tmpdir(), 'backdrop-process-bench');
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

/** The clip (or its first BENCH_PROCESS_SECONDS), and a 5-frame cut for warming up. */
function inputs(clip: string): { full: string; warm: string } {
  mkdirSync(dir, { recursive: true });
  const secs = Number(process.env.BENCH_PROCESS_SECONDS) || 0;
  const src = shared(`media/${clip}`);
  const cut = (name: string, args: string[]) => {
    const p = join(dir, name);
    if (!existsSync(p)) execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', src, ...args, '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '18', p]);
    return p;
  };
  return { full: secs > 0 ? cut(`${secs}s-${clip}`, ['-t', String(secs)]) : src, warm: cut(`warm-${clip}`, ['-frames:v', '5']) };
}

const perFrame = (stages: Record<string, number>, frames: number) => Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, round(v / frames)]));

export default async function run({ url, filter, log }: NodeBenchContext): Promise<BenchResult[]> {
  const out: BenchResult[] = [];
  for (const c of CLIPS.filter((x) => matchesFilter(x.name, filter))) {
    const { full, warm } = inputs(c.clip);
    const durationS = Number(execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', full], { encoding: 'utf8' }));
    const browser = await launchChromium();
    let ours: ProcessResult;
    try {
      const { page, context } = await openPage(browser, url);
      // The dev server only serves the repository: the inputs come through a route.
      const files = [warm, full];
      await context.route('**/__process-bench/*', (route) => route.fulfill({ path: files[Number(new URL(route.request().url()).pathname.split('/').pop())]!, contentType: 'video/mp4' }));
      await studioReady(page);
      const job = (path: string) => page.evaluate(`fetch('/__process-bench/${files.indexOf(path)}').then((r) => r.blob())
          .then((b) => window.studio.processFile(new File([b], ${JSON.stringify(basename(path))}), { background: { type: 'blur', strength: ${STRENGTH} } }))
          .then(() => window.studio.lastProcessResult)`) as Promise<ProcessResult>;
      log(`${c.name}: warming up (worker, model, shaders)`);
      await job(warm);
      log(`${c.name}: processing ${basename(full)} (${durationS.toFixed(2)} s)`);
      ours = await job(full);
      await context.close();
    } finally {
      await browser.close();
    }
    if (ours.frames !== ours.inputFrames) throw new Error(`${c.name}: ${ours.frames} frames out of ${ours.inputFrames}`);
    log(`${c.name}: ours ${(ours.wallMs / 1000).toFixed(1)} s; now the CPU baseline`);
    const base = await runBaseline(full, join(dir, `baseline-${c.clip}`), c.width, c.height, 30, STRENGTH);
    const oursMs = ours.wallMs / ours.frames, baseMs = base.wallMs / base.frames;
    out.push({
      name: c.name, median_ms: round(oursMs), n: 1, frames: ours.frames, input_frames: ours.inputFrames, media_s: round(durationS, 3),
      wall_s: round(ours.wallMs / 1000), real_time_factor: round(ours.realTimeFactor, 3), stages_ms_per_frame: perFrame({ ...ours.stages }, ours.frames),
      segmentation: ours.segmentation, adapter: ours.adapter, codec: ours.videoCodec,
      baseline: 'node-cpu (ffmpeg → onnxruntime-node → cpu-effects.ts → ffmpeg libx264)', baseline_median_ms: round(baseMs), speedup: round(baseMs / oursMs, 3),
      baseline_frames: base.frames, baseline_wall_s: round(base.wallMs / 1000), baseline_real_time_factor: round((durationS * 1000) / base.wallMs, 3),
      baseline_stages_ms_per_frame: perFrame(base.stages, base.frames),
    });
  }
  return out;
}
