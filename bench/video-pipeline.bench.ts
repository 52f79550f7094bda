// Video pipeline benchmarks on real 720p webcam frames, each against a baseline measured in the
// same run on the same frames: the GPU ingest and NV12 passes against plain TypeScript loops
// doing the same conversion, and the program's frame path (ingest → copy or compositor → NV12
// readback, bench/program-tick.ts) → VideoEncoder against handing the source frames straight to
// the same encoder. Runs in a page served by the Vite dev server.
import { withGpu } from '../tests/browser/pages/gpu-harness.ts';
import { lumaCoefficients, rgbToYuv709Limited, yuvToRgbRows } from '../src/gpu/color.ts';
import { IngestYuvPass } from '../src/gpu/passes/ingest-yuv.ts';
import { nv12Layout, RgbaToNv12Pass } from '../src/gpu/passes/rgba-to-nv12.ts';
import { PassTimer } from '../src/gpu/timing.ts';
import { chooseVideoEncoder } from '../src/encode/codec-select.ts';
import { ProgramTick } from './program-tick.ts';
import { loadI420Frames, toVideoFrame, type I420Frame } from './media.ts';
import { matchesFilter, median, type BenchResult } from './types.ts';
import { passMs } from './gpu-sample.ts';

export const names = ['ingest-720p', 'rgba-to-nv12-720p', 'encode-720p-h264'] as const;
export const filterable = true;

const CLIP = 'webcam_man_1280x720_30fps.mp4';
const WARMUP = 5;
const SAMPLES = 21;
const ENCODE_FRAMES = 120;
const STILL_INDEX = 60;

type Timing = 'gpu' | 'wall';


/**
 * Warms both sides up, then alternates them sample by sample so that drift (GC, thermal,
 * SwiftShader's thread pool) hits both alike. Each call returns the milliseconds to record.
 */
async function compare(a: () => Promise<number>, b: () => Promise<number>): Promise<{ a: number[]; b: number[] }> {
  for (let i = 0; i < WARMUP; i++) { await a(); await b(); }
  const ta: number[] = [];
  const tb: number[] = [];
  for (let i = 0; i < SAMPLES; i++) { ta.push(await a()); tb.push(await b()); }
  return { a: ta, b: tb };
}

/** The CPU baseline for ingest: the shader's affine YUV→RGB map, one pixel at a time. */
function i420ToRgbaJs(src: Uint8Array, layout: PlaneLayout[], width: number, height: number, rows: Float32Array, out: Uint8ClampedArray): void {
  const [yl, ul, vl] = layout as [PlaneLayout, PlaneLayout, PlaneLayout];
  // The shader works on bytes / 255; scaling the offsets by 255 instead gives byte outputs.
  const r0 = rows[0]!, r1 = rows[1]!, r2 = rows[2]!, r3 = rows[3]! * 255;
  const g0 = rows[4]!, g1 = rows[5]!, g2 = rows[6]!, g3 = rows[7]! * 255;
  const b0 = rows[8]!, b1 = rows[9]!, b2 = rows[10]!, b3 = rows[11]! * 255;
  let o = 0;
  for (let y = 0; y < height; y++) {
    const yRow = yl.offset + y * yl.stride;
    const uRow = ul.offset + (y >> 1) * ul.stride;
    const vRow = vl.offset + (y >> 1) * vl.stride;
    for (let x = 0; x < width; x++) {
      const Y = src[yRow + x]!, U = src[uRow + (x >> 1)]!, V = src[vRow + (x >> 1)]!;
      out[o] = r0 * Y + r1 * U + r2 * V + r3;
      out[o + 1] = g0 * Y + g1 * U + g2 * V + g3;
      out[o + 2] = b0 * Y + b1 * U + b2 * V + b3;
      out[o + 3] = 255;
      o += 4;
    }
  }
}

/** The CPU baseline for NV12 output: same matrix, alpha over black, 2x2 chroma mean. */
function rgbaToNv12Js(rgba: Uint8Array, width: number, height: number, out: Uint8Array): void {
  const m = rgbToYuv709Limited();
  const { stride, uvOffset } = nv12Layout(width, height);
  const k = 1 / (255 * 255);
  const yr = m[0]! * k, yg = m[1]! * k, yb = m[2]! * k, yc = m[3]!;
  const ur = m[4]! * k, ug = m[5]! * k, ub = m[6]! * k, uc = m[7]!;
  const vr = m[8]! * k, vg = m[9]! * k, vb = m[10]! * k, vc = m[11]!;
  const toByte = (v: number) => (v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v));
  for (let y = 0; y < height; y += 2) {
    for (let x = 0; x < width; x += 2) {
      let sr = 0, sg = 0, sb = 0;
      for (let dy = 0; dy < 2; dy++) {
        for (let dx = 0; dx < 2; dx++) {
          const i = ((y + dy) * width + x + dx) * 4;
          const a = rgba[i + 3]!;
          const r = rgba[i]! * a, g = rgba[i + 1]! * a, b = rgba[i + 2]! * a;
          out[(y + dy) * stride + x + dx] = toByte(yr * r + yg * g + yb * b + yc);
          sr += r; sg += g; sb += b;
        }
      }
      sr *= 0.25; sg *= 0.25; sb *= 0.25;
      const uv = uvOffset + (y >> 1) * stride + x;
      out[uv] = toByte(ur * sr + ug * sg + ub * sb + uc);
      out[uv + 1] = toByte(vr * sr + vg * sg + vb * sb + vc);
    }
  }
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>, n: number): number {
  let d = 0;
  for (let i = 0; i < n; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

function result(name: string, a: number[], baseline: string, b: number[], extra: Record<string, unknown>): BenchResult {
  const m = median(a), mb = median(b);
  return { name, median_ms: m, n: a.length, baseline, baseline_median_ms: mb, speedup: mb / m, ...extra };
}

async function benchIngest(src: I420Frame): Promise<BenchResult> {
  return withGpu(async (t) => {
    const { device } = t;
    const frame = toVideoFrame(src);
    try {
      const { width, height } = frame.visibleRect!;
      const pass = new IngestYuvPass(device);
      const timer = new PassTimer(device);
      const target = t.texture({ size: [width, height], format: 'rgba8unorm', usage: GPUTextureUsage.STORAGE_BINDING | GPUTextureUsage.COPY_SRC, label: 'bench-ingest' });
      const uploads: number[] = [];
      const walls: number[] = [];
      const gpu = async () => {
        timer.latest.clear();
        const t0 = performance.now();
        await pass.upload(frame);
        const t1 = performance.now();
        timer.beginFrame();
        const enc = device.createCommandEncoder();
        pass.encode(enc, target, timer);
        const after = timer.resolve(enc);
        device.queue.submit([enc.finish()]);
        after();
        await device.queue.onSubmittedWorkDone();
        const t2 = performance.now();
        uploads.push(t1 - t0);
        walls.push(t2 - t0);
        // copyTo + writeBuffer is CPU work on the path, so it counts next to the pass's GPU time.
        return timer.gpu ? t1 - t0 + (await passMs(timer, 'ingest')) : t2 - t0;
      };
      // The baseline also starts from the VideoFrame, so it pays for its own copyTo.
      const planes = new Uint8Array(frame.allocationSize());
      const rgbaJs = new Uint8ClampedArray(width * height * 4);
      const cs = frame.colorSpace;
      const { kr, kb } = lumaCoefficients(cs.matrix, height);
      const rows = yuvToRgbRows(kr, kb, cs.fullRange === true);
      const cpu = async () => {
        const t0 = performance.now();
        const layout = await frame.copyTo(planes);
        i420ToRgbaJs(planes, layout, width, height, rows, rgbaJs);
        return performance.now() - t0;
      };
      const r = await compare(gpu, cpu);
      const gpuRgba = await t.readTexture(target);
      const diff = maxAbsDiff(gpuRgba, rgbaJs, gpuRgba.length);
      // Float rounding differs between the shader and JS by at most a step; more is a bug.
      if (diff > 2) throw new Error(`ingest: GPU and CPU RGBA differ by ${diff}`);
      const timing: Timing = timer.gpu ? 'gpu' : 'wall';
      timer.destroy();
      pass.destroy();
      const res = result('ingest-720p', r.a, 'cpu-js', r.b, {
        timing, upload_median_ms: median(uploads.slice(-SAMPLES)), wall_median_ms: median(walls.slice(-SAMPLES)), max_abs_diff: diff,
      });
      return res;
    } finally {
      frame.close();
    }
  }, ['timestamp-query']);
}

async function benchNv12(src: I420Frame): Promise<BenchResult> {
  return withGpu(async (t) => {
    const { device } = t;
    const frame = toVideoFrame(src);
    const { width, height } = frame.visibleRect!;
    const source = t.texture({
      size: [width, height], format: 'rgba8unorm',
      usage: GPUTextureUsage.STORAGE_BINDING | GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_SRC, label: 'bench-nv12-src',
    });
    const ingest = new IngestYuvPass(device);
    try {
      await ingest.upload(frame);
      const enc = device.createCommandEncoder();
      ingest.encode(enc, source);
      device.queue.submit([enc.finish()]);
    } finally {
      frame.close();
      ingest.destroy();
    }
    // Both sides convert the same composed RGBA frame.
    const rgba = await t.readTexture(source);
    const pass = new RgbaToNv12Pass(device);
    const timer = new PassTimer(device);
    const { size } = nv12Layout(width, height);
    const gpuNv12 = new Uint8Array(size);
    const walls: number[] = [];
    let ts = 0;
    const gpu = async () => {
      timer.latest.clear();
      const t0 = performance.now();
      timer.beginFrame();
      const enc = device.createCommandEncoder();
      const read = pass.encode(enc, source, ts++, undefined, timer);
      if (!read) throw new Error('nv12: readback ring full');
      const after = timer.resolve(enc);
      device.queue.submit([enc.finish()]);
      after();
      const out = await read();
      const t1 = performance.now();
      try { await out.copyTo(gpuNv12); } finally { out.close(); }
      walls.push(t1 - t0);
      return timer.gpu ? passMs(timer, 'nv12') : t1 - t0;
    };
    const cpuNv12 = new Uint8Array(size);
    const cpu = async () => {
      const t0 = performance.now();
      rgbaToNv12Js(rgba, width, height, cpuNv12);
      return performance.now() - t0;
    };
    const r = await compare(gpu, cpu);
    const diff = maxAbsDiff(gpuNv12, cpuNv12, size);
    if (diff > 2) throw new Error(`nv12: GPU and CPU NV12 differ by ${diff}`);
    const timing: Timing = timer.gpu ? 'gpu' : 'wall';
    timer.destroy();
    pass.destroy();
    return result('rgba-to-nv12-720p', r.a, 'cpu-js', r.b, {
      timing, readback_wall_median_ms: median(walls.slice(-SAMPLES)), max_abs_diff: diff,
    });
  }, ['timestamp-query']);
}

/**
 * Direct-encoder runs per program run. One program run of 120 frames takes over a minute on
 * SwiftShader, so the program side gets a single timed run; the direct side is cheap, and more
 * runs make its (smaller, noisier) number steadier.
 */
const DIRECT_RUNS = 3;

/** Resolves once the encoder's queue is short, so neither side buffers unboundedly. */
async function encoderRoom(encoder: VideoEncoder): Promise<void> {
  while (encoder.encodeQueueSize > 2) await new Promise((r) => encoder.addEventListener('dequeue', r, { once: true }));
}

/**
 * Frames per throughput sample. Chunks arrive in bursts (several outputs per task), so single
 * chunk-to-chunk gaps have a median well below the real cost per frame; averaging over a few
 * consecutive chunks smooths the bursts while still giving 24 samples per 120-frame run.
 */
const WINDOW = 5;

interface EncodeRun {
  /** ms per frame over each window of WINDOW consecutive chunks (the first from the start). */
  perFrame: number[];
  /** Whole run, flush included, divided by the frame count. */
  meanMs: number;
}

async function benchEncode(srcs: I420Frame[]): Promise<BenchResult> {
  const choice = await chooseVideoEncoder(async (c) => (await VideoEncoder.isConfigSupported(c)).supported === true, {
    codec: 'avc', container: 'mp4', width: 1280, height: 720, frameRate: 30,
  });
  const adapter = await navigator.gpu?.requestAdapter();
  const info = adapter?.info as (GPUAdapterInfo & { isFallbackAdapter?: boolean }) | undefined;
  const software = info?.isFallbackAdapter === true ||
    /swiftshader|llvmpipe|lavapipe|software/i.test([info?.vendor, info?.architecture, info?.description].join(' '));
  const frames = srcs.map(toVideoFrame);
  try {
    return await withGpu(async ({ device }) => {
      const program = new ProgramTick(device, 1280, 720, software);
      const passMsByName = new Map<string, number[]>();
      const run = async (viaProgram: boolean, count: number): Promise<EncodeRun> => {
        const chunkAt: number[] = [];
        let failure: unknown = null;
        const encoder = new VideoEncoder({ output: () => { chunkAt.push(performance.now()); }, error: (e) => { failure = e; } });
        encoder.configure(choice.config);
        const t0 = performance.now();
        if (viaProgram) {
          // Keep one readback in flight while the next frame renders, as the render worker does;
          // the chain keeps encode order equal to frame order.
          let chain: Promise<void> = Promise.resolve();
          const inflight: Promise<void>[] = [];
          for (let i = 0; i < count; i++) {
            while (inflight.length >= 2) await inflight.shift();
            await encoderRoom(encoder);
            const nv12 = await program.tick(frames[i]!);
            if (!nv12) throw new Error('encode: NV12 readback ring full');
            const pending = nv12();
            chain = chain.then(async () => {
              const f = await pending;
              try { encoder.encode(f); } finally { f.close(); }
            });
            inflight.push(chain);
            // Timings land asynchronously, a frame or two late; any sample of them will do.
            for (const [name, ms] of program.timer.latest) {
              const xs = passMsByName.get(name) ?? [];
              xs.push(ms);
              passMsByName.set(name, xs);
            }
          }
          await chain;
        } else {
          for (let i = 0; i < count; i++) {
            await encoderRoom(encoder);
            encoder.encode(frames[i]!);
          }
        }
        await encoder.flush();
        const meanMs = (performance.now() - t0) / count;
        encoder.close();
        if (failure) throw failure;
        if (chunkAt.length !== count) throw new Error(`encode: ${chunkAt.length} chunks for ${count} frames`);
        console.info(`encode ${viaProgram ? 'program' : 'direct'} x${count}: ${meanMs.toFixed(1)} ms/frame`);
        const perFrame: number[] = [];
        for (let i = WINDOW - 1; i < count; i += WINDOW) perFrame.push((chunkAt[i]! - (i >= WINDOW ? chunkAt[i - WINDOW]! : t0)) / WINDOW);
        return { perFrame, meanMs };
      };
      // Warm-up: shader pipelines, encoder start-up, first-use allocations on both sides.
      await run(true, 4);
      await run(false, 20);
      passMsByName.clear();
      const copiesBefore = program.composed.copy;
      const programRun = await run(true, frames.length);
      // 1280×720 frames into a 1280×720 program: every tick should take Program's copy path.
      const copies = program.composed.copy - copiesBefore;
      const compose = copies === frames.length ? 'copy' : copies === 0 ? 'compositor' : 'mixed';
      const direct: EncodeRun[] = [];
      for (let i = 0; i < DIRECT_RUNS; i++) direct.push(await run(false, frames.length));
      const ingest = program.policy.path;
      const passTiming: Timing = program.timer.gpu ? 'gpu' : 'wall';
      program.destroy();
      const m = median(programRun.perFrame);
      const directPerFrame = direct.flatMap((r) => r.perFrame);
      const mb = median(directPerFrame);
      const passes = Object.fromEntries([...passMsByName].map(([k, xs]) => [k, median(xs)]));
      return {
        name: 'encode-720p-h264', median_ms: m, n: programRun.perFrame.length,
        baseline: 'direct-encoder', baseline_median_ms: mb, speedup: mb / m, overhead_ratio: m / mb,
        timing: 'wall' satisfies Timing,
        mean_ms_per_frame: programRun.meanMs, baseline_mean_ms_per_frame: median(direct.map((r) => r.meanMs)), baseline_n: directPerFrame.length,
        frames_per_run: frames.length, frames_per_sample: WINDOW, graph_pass_median_ms: passes, pass_timing: passTiming,
        codec: choice.config.codec, hardware_encoder: choice.hardware, ingest_path: ingest, compose,
      };
    }, ['timestamp-query']);
  } finally {
    for (const f of frames) f.close();
  }
}

export default async function run(filter?: string): Promise<BenchResult[]> {
  const want = (n: (typeof names)[number]) => matchesFilter(n, filter);
  const out: BenchResult[] = [];
  if (!names.some(want)) return out;
  // The still is from mid-clip (opening frames of webcam clips are often dark or fading in),
  // and the same one whatever the filter, so filtered runs give comparable numbers.
  const frames = await loadI420Frames(CLIP, want('encode-720p-h264') ? ENCODE_FRAMES : STILL_INDEX + 1);
  const still = frames[STILL_INDEX]!;
  if (want('ingest-720p')) out.push(await benchIngest(still));
  if (want('rgba-to-nv12-720p')) out.push(await benchNv12(still));
  if (want('encode-720p-h264')) out.push(await benchEncode(frames));
  return out;
}
