// Scene compositor benchmarks: CompositorPass drawing N items, each its own 1280×720 texture
// holding a real webcam frame, into a 1920×1080 program texture. Item 0 fills the canvas (1.5×
// upscale); the rest sit at fixed pseudo-random positions at 1/4, 1/2, 1 and 0.35 of their size,
// some rotated and some translucent, so the downscale prefilter (up to 4×4 taps here) is in
// the measured mix. The items are static, as in a scene nobody is editing: after the first
// frame no item data is written (`item_writes_per_frame` reports it). Camera frames are opaque,
// so the items say so (`opaque: true`, the pipeline without the premultiplied-texel path); the
// same items through the straight-alpha pipeline are the baseline, timed in the same run,
// alternating sample by sample (`straight_alpha_median_ms` repeats `baseline_median_ms`).
import { withGpu, type GpuTest } from '../tests/browser/pages/gpu-harness.ts';
import { IngestYuvPass } from '../src/gpu/passes/ingest-yuv.ts';
import { CompositorPass, type CompositorItem } from '../src/gpu/passes/compositor.ts';
import { PassTimer } from '../src/gpu/timing.ts';
import { loadI420Frames, toVideoFrame, type I420Frame } from './media.ts';
import { matchesFilter, median, type BenchResult } from './types.ts';
import { gpuSample, type Sample } from './gpu-sample.ts';

export const names = ['composite-1080p-1-items', 'composite-1080p-8-items', 'composite-1080p-32-items'] as const;
export const filterable = true;

const COUNTS: Record<(typeof names)[number], number> = {
  'composite-1080p-1-items': 1, 'composite-1080p-8-items': 8, 'composite-1080p-32-items': 32,
};
const CLIPS = ['webcam_man_1280x720_30fps.mp4', 'webcam_woman_1280x720_30fps.mp4'];
/** Mid-clip stills, as in the other video benches; two per clip give four distinct pictures. */
const STILLS = [45, 60];
const WARMUP = 2;
const SAMPLES = 7;
const TEXTURE_USAGE = GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.STORAGE_BINDING |
  GPUTextureUsage.RENDER_ATTACHMENT | GPUTextureUsage.COPY_SRC | GPUTextureUsage.COPY_DST;

type Timing = 'gpu' | 'wall';


/** Real frames as rgba8unorm textures (ingest pass), then copied so that every item has its own. */
async function frameTextures(t: GpuTest, frames: I420Frame[], count: number): Promise<GPUTexture[]> {
  const ingest = new IngestYuvPass(t.device);
  const pictures: GPUTexture[] = [];
  try {
    for (const f of frames) {
      const frame = toVideoFrame(f);
      try {
        const tex = t.texture({ size: [1280, 720], format: 'rgba8unorm', usage: TEXTURE_USAGE, label: `bench-frame-${pictures.length}` });
        await ingest.upload(frame);
        const enc = t.device.createCommandEncoder({ label: 'bench-ingest' });
        ingest.encode(enc, tex);
        t.device.queue.submit([enc.finish()]);
        pictures.push(tex);
      } finally {
        frame.close();
      }
    }
  } finally {
    ingest.destroy();
  }
  const out: GPUTexture[] = [];
  const enc = t.device.createCommandEncoder({ label: 'bench-copies' });
  for (let i = 0; i < count; i++) {
    const tex = t.texture({ size: [1280, 720], format: 'rgba8unorm', usage: TEXTURE_USAGE, label: `bench-item-${i}` });
    enc.copyTextureToTexture({ texture: pictures[i % pictures.length]! }, { texture: tex }, [1280, 720]);
    out.push(tex);
  }
  t.device.queue.submit([enc.finish()]);
  await t.device.queue.onSubmittedWorkDone();
  return out;
}

/** The affine of a w × h box at (x, y) rotated `deg` clockwise about its centre. */
function box(x: number, y: number, w: number, h: number, deg: number): Float32Array {
  const r = (deg * Math.PI) / 180, cos = Math.cos(r), sin = Math.sin(r);
  const a = w * cos, b = w * sin, c = -h * sin, d = h * cos;
  return new Float32Array([a, b, c, d, x + w / 2 - (a + c) / 2, y + h / 2 - (b + d) / 2]);
}

/** Item 0 fills the canvas; the others get a fixed mix of scales, rotations and opacities. */
function layout(textures: GPUTexture[], count: number): CompositorItem[] {
  const scales = [0.25, 0.5, 1, 0.35], rotations = [0, 0, 15, -30], opacities = [1, 0.8, 1, 1];
  let seed = 12345;
  const rand = () => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed / 2 ** 31; };
  const items: CompositorItem[] = [{ texture: textures[0]!, quad: { matrix: box(0, 0, 1920, 1080, 0), uv: [0, 0, 1, 1], opacity: 1 }, version: 0, opaque: true }];
  for (let i = 1; i < count; i++) {
    const s = scales[i % 4]!, w = 1280 * s, h = 720 * s;
    const x = rand() * (1920 - w), y = rand() * (1080 - h);
    items.push({ texture: textures[i]!, quad: { matrix: box(x, y, w, h, rotations[(i >> 2) % 4]!), uv: [0, 0, 1, 1], opacity: opacities[i % 4]! }, version: 0, opaque: true });
  }
  return items;
}

/** One frame of the compositor: encode, submit, wait. */
const sample = (device: GPUDevice, timer: PassTimer, pass: string, encode: (enc: GPUCommandEncoder) => void): Promise<Sample> =>
  gpuSample(device, timer, 'bench-compositor', encode, pass);

/**
 * Times the compositor on `count` opaque items, alternating sample by sample with the same items
 * through the straight-alpha pipeline (the baseline).
 */
async function benchCount(t: GpuTest, timer: PassTimer, textures: GPUTexture[], name: string, count: number): Promise<BenchResult> {
  const { device } = t;
  const target = t.texture({ size: [1920, 1080], format: 'rgba8unorm', usage: TEXTURE_USAGE, label: 'bench-program' });
  const pass = new CompositorPass(device);
  const straightPass = new CompositorPass(device);
  const items = layout(textures, count);
  const straight = items.map((it) => ({ ...it, opaque: false }));
  const sides: { name: string; run: () => Promise<Sample>; xs: Sample[] }[] = [
    { name: 'opaque', run: () => sample(device, timer, 'compositor', (enc) => pass.encode(enc, target, items, items.length, [0, 0, 0, 1], timer)), xs: [] },
    { name: 'straight', run: () => sample(device, timer, 'compositor', (enc) => straightPass.encode(enc, target, straight, straight.length, [0, 0, 0, 1], timer)), xs: [] },
  ];
  try {
    for (let i = 0; i < WARMUP; i++) for (const side of sides) await side.run();
    const writesBefore = pass.itemWrites;
    for (let i = 0; i < SAMPLES; i++) for (const side of sides) side.xs.push(await side.run());
    const med = (k: number) => median(sides[k]!.xs.map((x) => x.ms));
    const m = med(0), mb = med(1);
    const timing: Timing = timer.gpu ? 'gpu' : 'wall';
    console.info(`${name}: ${m.toFixed(1)} ms (${timing}), straight-alpha pipeline ${mb.toFixed(1)} ms`);
    return {
      name, median_ms: m, n: SAMPLES, baseline: 'straight-alpha', baseline_median_ms: mb, speedup: mb / m,
      timing, wall_median_ms: median(sides[0]!.xs.map((x) => x.wall)),
      straight_alpha_median_ms: mb, items: count, item_writes_per_frame: (pass.itemWrites - writesBefore) / SAMPLES,
    };
  } finally {
    pass.destroy();
    straightPass.destroy();
  }
}

export default async function run(filter?: string): Promise<BenchResult[]> {
  const wanted = names.filter((n) => matchesFilter(n, filter));
  if (wanted.length === 0) return [];
  const frames: I420Frame[] = [];
  for (const clip of CLIPS) {
    const decoded = await loadI420Frames(clip, Math.max(...STILLS) + 1);
    for (const i of STILLS) frames.push(decoded[i]!);
  }
  const most = Math.max(...wanted.map((n) => COUNTS[n]));
  return withGpu(async (t) => {
    const timer = new PassTimer(t.device);
    try {
      const textures = await frameTextures(t, frames, most);
      const out: BenchResult[] = [];
      for (const n of wanted) out.push(await benchCount(t, timer, textures, n, COUNTS[n]));
      return out;
    } finally {
      timer.destroy();
    }
  }, ['timestamp-query']);
}
