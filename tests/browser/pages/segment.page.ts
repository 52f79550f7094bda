/**
 * Page side of the segmentation tests: Segmenter on WebGPU and wasm, the preprocess pass on
 * ORT's device, load errors, and timings. Readbacks here are test-only; the per-frame path
 * (preprocess + run()) is checked separately to make none.
 */
import { SegmentPreprocessPass } from '../../../src/gpu/passes/segment-preprocess.ts';
import { ortRuntime } from '../../../src/segment/ort-env.ts';
import { Segmenter, type SegmentBackend, type SegmentModel } from '../../../src/segment/segmenter.ts';
import { fromBase64, toBase64, withGpu } from './gpu-harness.ts';

export interface RgbaFrame { rgba: string; width: number; height: number }

const segmenters = new Map<string, Promise<Segmenter>>();
const passes = new WeakMap<GPUDevice, SegmentPreprocessPass>();
const uncaptured: string[] = [];

/** One segmenter per model and backend for the whole page (ORT keeps one device per page anyway). */
function segmenter(model: SegmentModel, backend: SegmentBackend): Promise<Segmenter> {
  const key = `${model}:${backend}`;
  let s = segmenters.get(key);
  if (!s) {
    // No warm-up: on SwiftShader one run takes seconds, and every test run counts anyway.
    s = Segmenter.create({ model, backend, warmUp: false }).then((seg) => {
      seg.device?.addEventListener('uncapturederror', (ev) => uncaptured.push((ev as GPUUncapturedErrorEvent).error.message));
      return seg;
    });
    segmenters.set(key, s);
  }
  return s;
}

function pass(device: GPUDevice): SegmentPreprocessPass {
  let p = passes.get(device);
  if (!p) { p = new SegmentPreprocessPass(device); passes.set(device, p); }
  return p;
}

function sourceTexture(device: GPUDevice, width: number, height: number): GPUTexture {
  return device.createTexture({
    size: [width, height], format: 'rgba8unorm', label: 'segment-test-frame',
    usage: GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_DST | GPUTextureUsage.RENDER_ATTACHMENT,
  });
}

async function readBuffer(device: GPUDevice, src: GPUBuffer, size: number): Promise<Float32Array> {
  const buf = device.createBuffer({ size, usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ, label: 'segment-test-readback' });
  const enc = device.createCommandEncoder();
  enc.copyBufferToBuffer(src, 0, buf, 0, size);
  device.queue.submit([enc.finish()]);
  await buf.mapAsync(GPUMapMode.READ);
  const out = new Float32Array(buf.getMappedRange().slice(0));
  buf.unmap();
  buf.destroy();
  return out;
}

/** The per-frame path: preprocess into the model input, one submit, then the model. */
async function segmentFrame(seg: Segmenter, tex: GPUTexture): Promise<GPUBuffer> {
  const device = seg.device!;
  const enc = device.createCommandEncoder({ label: 'segment-test' });
  pass(device).encode(enc, tex, seg.inputBuffer, seg.inputWidth, seg.inputHeight);
  device.queue.submit([enc.finish()]);
  return seg.run();
}

/** Wraps `fn` in validation/OOM error scopes on `device` and fails on any error. */
async function scoped<T>(device: GPUDevice, fn: () => Promise<T>): Promise<T> {
  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('validation');
  const r = await fn();
  const v = await device.popErrorScope();
  const o = await device.popErrorScope();
  if (v) throw new Error(`WebGPU validation error: ${v.message}`);
  if (o) throw new Error(`WebGPU out-of-memory error: ${o.message}`);
  if (uncaptured.length) throw new Error(`uncaptured WebGPU error: ${uncaptured.join('; ')}`);
  return r;
}

/** The preprocess pass alone on a fresh device (any source and target size); f32 results, base64. */
export async function preprocessOnly(frames: RgbaFrame[], width: number, height: number, crop?: { x: number; y: number; width: number; height: number }): Promise<string[]> {
  return withGpu(async (t) => {
    const p = new SegmentPreprocessPass(t.device);
    const dst = t.buffer({ size: 3 * width * height * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC, label: 'segment-test-input' });
    const out: string[] = [];
    for (const f of frames) {
      const tex = t.textureFromRgba(fromBase64(f.rgba), f.width, f.height);
      const enc = t.device.createCommandEncoder();
      p.encode(enc, tex, dst, width, height, undefined, crop);
      t.device.queue.submit([enc.finish()]);
      out.push(toBase64(await t.readBuffer(dst)));
    }
    p.destroy();
    return out;
  });
}

/** Which device the webgpu segmenter reports, and whether ORT reports the same one. */
export async function deviceInfo(): Promise<{ backend: string; same: boolean; label: string; features: string[]; mineIsOrts: boolean }> {
  const seg = await segmenter('general', 'webgpu');
  const ort = ortRuntime();
  const ortDevice = await ort.env.webgpu.device;
  // A device of our own is a different object, and ORT would reject buffers made on it.
  const mine = await (await navigator.gpu.requestAdapter())!.requestDevice();
  const mineIsOrts = mine === ortDevice;
  mine.destroy();
  return { backend: seg.backend, same: seg.device === ortDevice, label: seg.device!.label, features: [...seg.device!.features], mineIsOrts };
}

/**
 * For each frame: GPU preprocess on ORT's device, WebGPU run(), and the wasm backend on the same
 * input bytes. Returns the preprocessed input (for the CPU reference) and mask diffs.
 */
export async function compareBackends(frames: RgbaFrame[], model: SegmentModel): Promise<{ inputs: string[]; maxDiff: number[]; meanMask: number[] }> {
  const gpu = await segmenter(model, 'webgpu');
  const cpu = await segmenter(model, 'wasm');
  const device = gpu.device!;
  const n = gpu.inputWidth * gpu.inputHeight;
  const inputs: string[] = [];
  const maxDiff: number[] = [];
  const meanMask: number[] = [];
  for (const f of frames) {
    const tex = sourceTexture(device, f.width, f.height);
    try {
      const { input, mask } = await scoped(device, async () => {
        device.queue.writeTexture({ texture: tex }, fromBase64(f.rgba), { bytesPerRow: f.width * 4 }, [f.width, f.height]);
        const out = await segmentFrame(gpu, tex);
        return { input: await readBuffer(device, gpu.inputBuffer, 3 * n * 4), mask: await readBuffer(device, out, n * 4) };
      });
      const ref = await cpu.runCpu(input);
      let m = 0, sum = 0;
      for (let i = 0; i < n; i++) { m = Math.max(m, Math.abs(mask[i] - ref[i])); sum += mask[i]; }
      inputs.push(toBase64(new Uint8Array(input.buffer)));
      maxDiff.push(m);
      meanMask.push(sum / n);
    } finally {
      tex.destroy();
    }
  }
  return { inputs, maxDiff, meanMask };
}

/**
 * Decodes JPEGs in the browser, runs the GPU preprocess and the model, and returns the raw
 * masks (f32, base64). With `backend` 'wasm' the preprocessed input is read back and run on
 * the wasm backend (compareBackends shows the two agree); software WebGPU is too slow for 20.
 */
export async function masksForImages(jpegs: string[], model: SegmentModel, backend: SegmentBackend): Promise<{ width: number; height: number; masks: string[] }> {
  const seg = await segmenter(model, 'webgpu');
  const cpu = backend === 'wasm' ? await segmenter(model, 'wasm') : null;
  const device = seg.device!;
  const n = seg.inputWidth * seg.inputHeight;
  const masks: string[] = [];
  for (const j of jpegs) {
    const bitmap = await createImageBitmap(new Blob([fromBase64(j) as BlobPart], { type: 'image/jpeg' }));
    const tex = sourceTexture(device, bitmap.width, bitmap.height);
    try {
      const mask = await scoped(device, async () => {
        device.queue.copyExternalImageToTexture({ source: bitmap }, { texture: tex }, [bitmap.width, bitmap.height]);
        if (cpu) {
          const enc = device.createCommandEncoder();
          pass(device).encode(enc, tex, seg.inputBuffer, seg.inputWidth, seg.inputHeight);
          device.queue.submit([enc.finish()]);
          return cpu.runCpu(await readBuffer(device, seg.inputBuffer, 3 * n * 4));
        }
        return readBuffer(device, await segmentFrame(seg, tex), n * 4);
      });
      masks.push(toBase64(new Uint8Array(mask.buffer, mask.byteOffset, mask.byteLength)));
    } finally {
      tex.destroy();
      bitmap.close();
    }
  }
  return { width: seg.inputWidth, height: seg.inputHeight, masks };
}

/** Runs preprocess + run() for `frames` frames with mapAsync and Tensor.getData counted. */
export async function countReadbacks(frames: number): Promise<{ mapAsync: number; getData: number; runs: number }> {
  const seg = await segmenter('general', 'webgpu');
  const device = seg.device!;
  const tex = sourceTexture(device, 640, 480);
  const proto = GPUBuffer.prototype;
  const tensorProto = ortRuntime().Tensor.prototype;
  const origMap = proto.mapAsync;
  const origGetData = tensorProto.getData;
  const counts = { mapAsync: 0, getData: 0, runs: 0 };
  proto.mapAsync = function (this: GPUBuffer, ...a: Parameters<GPUBuffer['mapAsync']>) { counts.mapAsync++; return origMap.apply(this, a); };
  tensorProto.getData = function (this: typeof tensorProto, ...a: Parameters<typeof origGetData>) { counts.getData++; return origGetData.apply(this, a); };
  try {
    await scoped(device, async () => {
      for (let i = 0; i < frames; i++) {
        await segmentFrame(seg, tex);
        counts.runs++;
      }
      // run() resolves once ORT has submitted; wait here so the GPU work is this test's.
      await device.queue.onSubmittedWorkDone();
    });
  } finally {
    proto.mapAsync = origMap;
    tensorProto.getData = origGetData;
    tex.destroy();
  }
  return counts;
}

/** Tries to load a broken model; returns what was thrown. */
export async function loadError(kind: 'missing' | 'unreachable' | 'corrupt' | 'truncated', backend: SegmentBackend): Promise<{ name: string; message: string; details: Record<string, unknown> }> {
  let url = '/models/does-not-exist.onnx';
  if (kind === 'unreachable') {
    url = URL.createObjectURL(new Blob([new Uint8Array(8)]));
    URL.revokeObjectURL(url);
  } else if (kind !== 'missing') {
    let bytes: Uint8Array;
    if (kind === 'corrupt') {
      bytes = new Uint8Array(4096);
      for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 2654435761) >>> 24;
    } else {
      const full = new Uint8Array(await (await fetch('/models/selfie_segmentation.onnx')).arrayBuffer());
      bytes = full.subarray(0, full.length >> 1);
    }
    url = URL.createObjectURL(new Blob([bytes as BlobPart]));
  }
  try {
    const seg = await Segmenter.create({ model: 'general', backend, modelUrl: url });
    seg.dispose();
    return { name: 'none', message: 'loaded', details: {} };
  } catch (e) {
    const err = e as Error & { details?: Record<string, unknown> };
    return { name: err.name, message: err.message, details: err.details ?? {} };
  } finally {
    if (url.startsWith('blob:')) URL.revokeObjectURL(url);
  }
}

/** What Segmenter.create({backend}) gives on this page: the backend it got, or the error. */
export async function tryCreate(backend: SegmentBackend | 'auto'): Promise<{ backend?: string; name?: string; message?: string }> {
  try {
    const seg = await Segmenter.create({ model: 'landscape', backend, warmUp: false });
    seg.dispose();
    return { backend: seg.backend };
  } catch (e) {
    return { name: (e as Error).name, message: (e as Error).message };
  }
}

/** Runs Segmenter.create({backend}) on a CPU input (f32 NCHW, base64); reports what it picked. */
export async function wasmSegment(input: string, backend: 'wasm' | 'auto'): Promise<{ hasGpu: boolean; backend: string; fallbackReason: string | null; device: boolean; mask: string }> {
  const hasGpu = !!(await navigator.gpu?.requestAdapter().catch(() => null));
  const seg = await Segmenter.create({ model: 'general', backend });
  try {
    const bytes = fromBase64(input);
    const mask = await seg.runCpu(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4));
    return { hasGpu, backend: seg.backend, fallbackReason: seg.fallbackReason, device: seg.device !== null, mask: toBase64(new Uint8Array(mask.buffer, mask.byteOffset, mask.byteLength)) };
  } finally {
    seg.dispose();
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

/**
 * Median ms of 20 runs (after 3 warm-ups): the preprocess pass and WebGPU inference until the
 * GPU is done, the time until run() resolves (ORT has encoded and submitted), and wasm inference.
 */
export async function timings(frame: RgbaFrame): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const model of ['general', 'landscape'] as const) {
    const gpu = await segmenter(model, 'webgpu');
    const cpu = await segmenter(model, 'wasm');
    const device = gpu.device!;
    const tex = sourceTexture(device, frame.width, frame.height);
    device.queue.writeTexture({ texture: tex }, fromBase64(frame.rgba), { bytesPerRow: frame.width * 4 }, [frame.width, frame.height]);
    const pre: number[] = [], submit: number[] = [], inf: number[] = [], wasm: number[] = [];
    const input = new Float32Array(3 * gpu.inputWidth * gpu.inputHeight).fill(0.5);
    for (let i = 0; i < 23; i++) {
      const t0 = performance.now();
      const enc = device.createCommandEncoder();
      pass(device).encode(enc, tex, gpu.inputBuffer, gpu.inputWidth, gpu.inputHeight);
      device.queue.submit([enc.finish()]);
      await device.queue.onSubmittedWorkDone();
      const t1 = performance.now();
      await gpu.run();
      const t2 = performance.now();
      await device.queue.onSubmittedWorkDone();
      const t3 = performance.now();
      await cpu.runCpu(input);
      const t4 = performance.now();
      if (i >= 3) { pre.push(t1 - t0); submit.push(t2 - t1); inf.push(t3 - t1); wasm.push(t4 - t3); }
    }
    tex.destroy();
    const size = `${gpu.inputWidth}x${gpu.inputHeight}`;
    out[`preprocess ${frame.width}x${frame.height}->${size}`] = median(pre);
    out[`webgpu ${size} (run() resolves)`] = median(submit);
    out[`webgpu ${size} (GPU done)`] = median(inf);
    out[`wasm ${size}`] = median(wasm);
  }
  out.wasmThreads = ortRuntime().env.wasm.numThreads ?? 0;
  return out;
}
