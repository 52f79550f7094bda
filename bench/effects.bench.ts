// Background-removal benchmarks on real webcam frames: each GPU stage (preprocess, mask
// refinement, background blur, compositor draw of the camera) at 480p/720p/1080p, model inference on both
// onnxruntime-web backends, and the whole GPU effect path at 720p against a plain TypeScript
// port of what OBS's background-removal plugin does per frame (bench/cpu-effects.ts).
import { withGpu, type GpuTest } from '../tests/browser/pages/gpu-harness.ts';
import { IngestYuvPass } from '../src/gpu/passes/ingest-yuv.ts';
import { SegmentPreprocessPass } from '../src/gpu/passes/segment-preprocess.ts';
import { MaskRefiner } from '../src/gpu/stages/mask-refine-stage.ts';
import { BackgroundPass } from '../src/gpu/stages/background-stage.ts';
import { CompositorPass, type CompositorItem } from '../src/gpu/passes/compositor.ts';
import { PassTimer } from '../src/gpu/timing.ts';
import { ortRuntime } from '../src/segment/ort-env.ts';
import { Segmenter, SEGMENT_MODELS, type SegmentModel } from '../src/segment/segmenter.ts';
import { CpuBackgroundBlur } from './cpu-effects.ts';
import { loadI420Frames, toVideoFrame, type I420Frame } from './media.ts';
import { matchesFilter, median, type BenchResult } from './types.ts';
import { gpuSample as sampleFrame, type Sample } from './gpu-sample.ts';

export const names = [
  'preprocess-480p', 'preprocess-720p', 'preprocess-1080p',
  'refine-480p', 'refine-720p', 'refine-1080p',
  'blur-480p', 'blur-720p', 'blur-1080p',
  'composite-480p', 'composite-720p', 'composite-1080p',
  'inference-wasm-256', 'inference-webgpu-256', 'inference-wasm-144x256', 'inference-webgpu-144x256',
  'effects-720p',
] as const;
export const filterable = true;
const OPT_IN: readonly string[] = ['inference-webgpu-144x256'];

type Name = (typeof names)[number];
type Timing = 'gpu' | 'wall';
type SizeName = '480p' | '720p' | '1080p';

const CLIP_720 = 'webcam_man_1280x720_30fps.mp4';
const CLIP_480 = 'webcam_man_640x480_30fps.mp4';
/** Mid-clip, as in video-pipeline.bench.ts: opening frames of webcam clips are often dark. */
const STILL_INDEX = 60;
const BLUR_STRENGTH = 0.5;
/** Sample counts are small because on SwiftShader one 1080p pass takes a good fraction of a second. */
const STAGE_WARMUP = 2;
const STAGE_SAMPLES = 7;
const EFFECTS_WARMUP = 2;
const EFFECTS_SAMPLES = 9;
const WASM_SAMPLES = 9;
/** Software WebGPU inference takes seconds per run; three runs after one warm-up. */
const WEBGPU_SAMPLES = 3;

const SIZES: readonly { name: SizeName; width: number; height: number }[] = [
  { name: '480p', width: 640, height: 480 },
  { name: '720p', width: 1280, height: 720 },
  { name: '1080p', width: 1920, height: 1080 },
];

const CAMERA_USAGE = GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.STORAGE_BINDING |
  GPUTextureUsage.RENDER_ATTACHMENT | GPUTextureUsage.COPY_SRC | GPUTextureUsage.COPY_DST;

/** One frame of the effect stages: encode, submit, wait; all timed passes summed. */
const gpuSample = (device: GPUDevice, timer: PassTimer, encode: (enc: GPUCommandEncoder) => void): Promise<Sample> =>
  sampleFrame(device, timer, 'bench-effects', encode);

/** Warm-up, then `samples` timed frames of one stage. */
async function stageLine(name: string, device: GPUDevice, timer: PassTimer, encode: (enc: GPUCommandEncoder) => void, extra: Record<string, unknown> = {}): Promise<BenchResult> {
  for (let i = 0; i < STAGE_WARMUP; i++) await gpuSample(device, timer, encode);
  const s: Sample[] = [];
  const byPass = new Map<string, number[]>();
  for (let i = 0; i < STAGE_SAMPLES; i++) {
    s.push(await gpuSample(device, timer, encode));
    for (const [pass, ms] of timer.latest) byPass.set(pass, [...(byPass.get(pass) ?? []), ms]);
  }
  const timing: Timing = timer.gpu ? 'gpu' : 'wall';
  console.info(`${name}: ${median(s.map((x) => x.ms)).toFixed(1)} ms (${timing})`);
  // Where the stage's time goes, pass by pass (GPU timestamps only).
  const passes = timer.gpu ? Object.fromEntries([...byPass].map(([pass, ms]) => [pass, Number(median(ms).toFixed(3))])) : null;
  return { name, median_ms: median(s.map((x) => x.ms)), n: s.length, timing, wall_median_ms: median(s.map((x) => x.wall)), passes_median_ms: passes, ...extra };
}

/** Decodes one I420 frame into a new rgba8unorm texture with the frame graph's camera usage. */
async function cameraTexture(t: GpuTest, src: I420Frame): Promise<GPUTexture> {
  const frame = toVideoFrame(src);
  const ingest = new IngestYuvPass(t.device);
  try {
    const { width, height } = frame.visibleRect!;
    const tex = t.texture({ size: [width, height], format: 'rgba8unorm', usage: CAMERA_USAGE, label: 'bench-camera' });
    await ingest.upload(frame);
    const enc = t.device.createCommandEncoder();
    ingest.encode(enc, tex);
    t.device.queue.submit([enc.finish()]);
    return tex;
  } finally {
    frame.close();
    ingest.destroy();
  }
}

/** An opaque compositor item filling a width × height target, as Program draws a full-canvas camera. */
function fullCanvasItem(texture: GPUTexture, width: number, height: number): CompositorItem {
  return { texture, quad: { matrix: new Float32Array([width, 0, 0, height, 0, 0]), uv: [0, 0, 1, 1], opacity: 1 }, version: 1, opaque: true };
}

/** Bilinear upscale of a camera texture (the 1080p input is the 720p frame, stretched). */
function upscaled(t: GpuTest, src: GPUTexture, width: number, height: number): GPUTexture {
  const tex = t.texture({ size: [width, height], format: 'rgba8unorm', usage: CAMERA_USAGE, label: 'bench-camera-up' });
  const comp = new CompositorPass(t.device);
  const enc = t.device.createCommandEncoder();
  comp.encode(enc, tex, [fullCanvasItem(src, width, height)], 1, [0, 0, 0, 1]);
  t.device.queue.submit([enc.finish()]);
  comp.destroy();
  return tex;
}

/** The model input for `camera` (GPU preprocess, read back) and the wasm model's mask for it. */
interface ModelIo { input: Float32Array; mask: Float32Array; width: number; height: number }

async function modelIo(t: GpuTest, pre: SegmentPreprocessPass, camera: GPUTexture, seg: Segmenter): Promise<ModelIo> {
  const { inputWidth: w, inputHeight: h } = seg;
  const buf = t.buffer({ size: 3 * w * h * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC, label: 'bench-model-input' });
  const enc = t.device.createCommandEncoder();
  pre.encode(enc, camera, buf, w, h);
  t.device.queue.submit([enc.finish()]);
  const input = new Float32Array((await t.readBuffer(buf)).buffer);
  return { input, mask: await seg.runCpu(input), width: w, height: h };
}

/** Segmenters are made lazily and at most once per model (session creation costs seconds). */
class WasmSegmenters {
  private readonly made = new Map<SegmentModel, Promise<Segmenter>>();
  get(model: SegmentModel): Promise<Segmenter> {
    let s = this.made.get(model);
    if (!s) { s = Segmenter.create({ model, backend: 'wasm', warmUp: false }); this.made.set(model, s); }
    return s;
  }
  async dispose(): Promise<void> { for (const s of this.made.values()) (await s).dispose(); }
}

async function wasmInference(name: Name, seg: Segmenter, input: Float32Array): Promise<BenchResult> {
  await seg.runCpu(input);
  const xs: number[] = [];
  for (let i = 0; i < WASM_SAMPLES; i++) {
    const t0 = performance.now();
    await seg.runCpu(input);
    xs.push(performance.now() - t0);
  }
  const ort = ortRuntime();
  return {
    name, median_ms: median(xs), n: xs.length, timing: 'wall' satisfies Timing,
    input: `${seg.inputWidth}x${seg.inputHeight}`, wasm_threads: ort.env.wasm.numThreads ?? null, cross_origin_isolated: globalThis.crossOriginIsolated === true,
  };
}

/**
 * WebGPU inference on ORT's own device, timed from run() to onSubmittedWorkDone: run() resolves
 * once ORT has submitted, long before SwiftShader has computed anything.
 */
async function webgpuInference(name: Name, model: SegmentModel, io: ModelIo): Promise<BenchResult> {
  const t0 = performance.now();
  const seg = await Segmenter.create({ model, backend: 'webgpu', warmUp: false });
  const createMs = performance.now() - t0;
  try {
    const device = seg.device!;
    device.queue.writeBuffer(seg.inputBuffer, 0, io.input);
    const once = async () => {
      const a = performance.now();
      const out = await seg.run();
      const b = performance.now();
      await device.queue.onSubmittedWorkDone();
      return { out, total: performance.now() - a, submit: b - a };
    };
    const warm = await once();
    const runs: { total: number; submit: number }[] = [];
    let out = warm.out;
    for (let i = 0; i < WEBGPU_SAMPLES; i++) { const r = await once(); runs.push(r); out = r.out; }
    // The wasm backend is the reference; a large difference would mean we timed a broken run.
    const n = io.width * io.height;
    const rb = device.createBuffer({ size: n * 4, usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ, label: 'bench-mask-readback' });
    const enc = device.createCommandEncoder();
    enc.copyBufferToBuffer(out, 0, rb, 0, n * 4);
    device.queue.submit([enc.finish()]);
    await rb.mapAsync(GPUMapMode.READ);
    const mask = new Float32Array(rb.getMappedRange().slice(0));
    rb.destroy();
    let diff = 0;
    for (let i = 0; i < n; i++) diff = Math.max(diff, Math.abs(mask[i]! - io.mask[i]!));
    if (!(diff < 0.05)) throw new Error(`${name}: WebGPU mask differs from wasm by ${diff}`);
    return {
      name, median_ms: median(runs.map((r) => r.total)), n: runs.length, timing: 'wall' satisfies Timing,
      input: `${io.width}x${io.height}`, submit_median_ms: median(runs.map((r) => r.submit)), first_run_ms: warm.total,
      session_create_ms: createMs, max_abs_diff_vs_wasm: diff,
    };
  } finally {
    seg.dispose();
  }
}

export default async function run(filter?: string): Promise<BenchResult[]> {
  // Opt-in lines run only when the filter names them (`webgpu`, `144x256`, ...), not in a plain
  // `npm run bench`: software WebGPU inference costs 10-40 s per line on a loaded 2-core VM.
  const optIn = !!filter && /webgpu|144x256/.test(filter);
  const want = (n: Name) => matchesFilter(n, filter) && (optIn || !OPT_IN.includes(n));
  const out: BenchResult[] = [];
  if (!names.some(want)) return out;
  const stages = ['preprocess', 'refine', 'blur', 'composite'] as const;
  const sizes = SIZES.filter((s) => stages.some((st) => want(`${st}-${s.name}` as Name)) || (s.name === '720p' && want('effects-720p')));
  const inference = names.filter((n) => n.startsWith('inference-') && want(n));
  const need480 = sizes.some((s) => s.name === '480p');
  const need720 = sizes.some((s) => s.name !== '480p') || inference.length > 0;
  const [f720, f480] = await Promise.all([
    need720 ? loadI420Frames(CLIP_720, STILL_INDEX + 1).then((f) => f[STILL_INDEX]!) : null,
    need480 ? loadI420Frames(CLIP_480, STILL_INDEX + 1).then((f) => f[STILL_INDEX]!) : null,
  ]);
  const wasm = new WasmSegmenters();
  // Model inputs and masks of the 720p frame, kept for the WebGPU inference after this device is gone.
  const io720 = new Map<SegmentModel, ModelIo>();
  try {
    await withGpu(async (t) => {
      const { device } = t;
      const timer = new PassTimer(device);
      const pre = new SegmentPreprocessPass(device);
      const cam720 = f720 ? await cameraTexture(t, f720) : null;
      const cameras: Record<SizeName, GPUTexture | null> = {
        '480p': f480 ? await cameraTexture(t, f480) : null,
        '720p': cam720,
        '1080p': cam720 && sizes.some((s) => s.name === '1080p') ? upscaled(t, cam720, 1920, 1080) : null,
      };
      const ioOf720 = async (model: SegmentModel): Promise<ModelIo> => {
        let io = io720.get(model);
        if (!io) { io = await modelIo(t, pre, cam720!, await wasm.get(model)); io720.set(model, io); }
        return io;
      };
      for (const n of inference) await ioOf720(n.endsWith('144x256') ? 'landscape' : 'general');

      for (const size of sizes) {
        const camera = cameras[size.name]!;
        const { width: mw, height: mh } = SEGMENT_MODELS.general;
        const lowRes = t.buffer({ size: 3 * mw * mh * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST, label: 'bench-low-res' });
        const mask = t.buffer({ size: mw * mh * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST, label: 'bench-mask' });
        const needMask = (['refine', 'blur'] as const).some((st) => want(`${st}-${size.name}` as Name)) || (size.name === '720p' && want('effects-720p'));
        if (needMask) {
          // Each size gets the model's own answer for its frame, as the live pipeline would.
          const io = size.name === '480p' ? await modelIo(t, pre, camera, await wasm.get('general')) : await ioOf720('general');
          device.queue.writeBuffer(mask, 0, io.mask);
        }
        const encPre = (enc: GPUCommandEncoder) => pre.encode(enc, camera, lowRes, mw, mh, timer);
        if (want(`preprocess-${size.name}` as Name)) out.push(await stageLine(`preprocess-${size.name}`, device, timer, encPre, { input: `${mw}x${mh}` }));
        else await gpuSample(device, timer, encPre);

        const refiner = new MaskRefiner(device);
        const background = new BackgroundPass(device);
        await background.setEffect({ type: 'blur', strength: BLUR_STRENGTH });
        const refined: { tex: GPUTexture | null } = { tex: null };
        const encRefine = (enc: GPUCommandEncoder) => { refined.tex = refiner.encode(enc, { mask, lowResFrame: lowRes, maskWidth: mw, maskHeight: mh, guide: camera, timer }); };
        if (want(`refine-${size.name}` as Name)) out.push(await stageLine(`refine-${size.name}`, device, timer, encRefine, { options: 'default' }));
        if (want(`blur-${size.name}` as Name)) {
          // The blur reads a real refined mask of this frame, made once (untimed) if refine was filtered out.
          if (!refined.tex) await gpuSample(device, timer, encRefine);
          const m = refined.tex!;
          out.push(await stageLine(`blur-${size.name}`, device, timer, (enc) => { background.encode(enc, { camera, mask: m, timer }); }, { strength: BLUR_STRENGTH }));
        }
        if (want(`composite-${size.name}` as Name)) {
          // The camera texture stands in for the camera layer: same size and format, same cost.
          // Program copies a lone unscaled camera instead; this is the draw it pays as soon as the
          // camera is scaled, cropped or shares the canvas with other items.
          const target = t.texture({ size: [size.width, size.height], format: 'rgba8unorm', usage: CAMERA_USAGE, label: 'bench-output' });
          const comp = new CompositorPass(device);
          const items = [fullCanvasItem(camera, size.width, size.height)];
          out.push(await stageLine(`composite-${size.name}`, device, timer, (enc) => comp.encode(enc, target, items, 1, [0, 0, 0, 1], timer), { pass: 'compositor-opaque' }));
          comp.destroy();
        }
        if (size.name === '720p' && want('effects-720p')) out.push(await effects720p(t, timer, camera, lowRes, mask, await ioOf720('general')));
        refiner.destroy();
        background.destroy();
      }

      for (const model of ['general', 'landscape'] as const) {
        const name: Name = model === 'general' ? 'inference-wasm-256' : 'inference-wasm-144x256';
        if (want(name)) out.push(await wasmInference(name, await wasm.get(model), io720.get(model)!.input));
      }
      pre.destroy();
      timer.destroy();
    }, ['timestamp-query']);
  } finally {
    await wasm.dispose();
  }
  // After the bench device is gone: ORT makes its own, and two software devices share two cores.
  for (const model of ['general', 'landscape'] as const) {
    const name: Name = model === 'general' ? 'inference-webgpu-256' : 'inference-webgpu-144x256';
    if (want(name)) out.push(await webgpuInference(name, model, io720.get(model)!));
  }
  return out;
}

/**
 * The GPU effect path of one 720p frame (preprocess → refine → blur background, as EffectsChain
 * encodes it, the model output already on the GPU) against CpuBackgroundBlur on the same frame and
 * model output, sample by sample alternately so drift hits both alike.
 */
async function effects720p(t: GpuTest, timer: PassTimer, camera: GPUTexture, lowRes: GPUBuffer, mask: GPUBuffer, io: ModelIo): Promise<BenchResult> {
  const { device } = t;
  const pre = new SegmentPreprocessPass(device);
  const refiner = new MaskRefiner(device);
  const background = new BackgroundPass(device);
  await background.setEffect({ type: 'blur', strength: BLUR_STRENGTH });
  const { width: w, height: h } = camera;
  const gpu = () => gpuSample(device, timer, (enc) => {
    pre.encode(enc, camera, lowRes, io.width, io.height, timer);
    const m = refiner.encode(enc, { mask, lowResFrame: lowRes, maskWidth: io.width, maskHeight: io.height, guide: camera, timer });
    background.encode(enc, { camera, mask: m, timer });
  });
  const frame = await t.readTexture(camera);
  const cpuOut = new Uint8ClampedArray(w * h * 4);
  const cpuFx = new CpuBackgroundBlur(w, h, io.width, io.height, BLUR_STRENGTH);
  const cpu = () => { const t0 = performance.now(); cpuFx.run(frame, io.mask, cpuOut); return performance.now() - t0; };
  for (let i = 0; i < EFFECTS_WARMUP; i++) { await gpu(); cpu(); }
  const a: Sample[] = [], b: number[] = [];
  for (let i = 0; i < EFFECTS_SAMPLES; i++) { a.push(await gpu()); b.push(cpu()); }
  pre.destroy();
  refiner.destroy();
  background.destroy();
  const m = median(a.map((x) => x.ms)), mb = median(b);
  return {
    name: 'effects-720p', median_ms: m, n: a.length, baseline: 'cpu-js', baseline_median_ms: mb, speedup: mb / m,
    timing: (timer.gpu ? 'gpu' : 'wall') satisfies Timing, wall_median_ms: median(a.map((x) => x.wall)),
    strength: BLUR_STRENGTH, mask_options: 'default', model_output: 'wasm, computed once',
  };
}
