/**
 * Segmenter + preprocess pass in headless Chromium (SwiftShader WebGPU): one device shared with
 * onnxruntime-web, GPU vs wasm agreement on real frames, the CPU reference for the resize, no
 * readback in the per-frame path, mIoU on the shared DAVIS-20 set, and typed load errors.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import type { ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callInPage, launchChromium, openPage, startServer, type WatchedPage } from '../helpers/browser.ts';
import { shared } from '../helpers/media.ts';
import { cropClamped, iou, maxAbsDiff, preprocessReference, resizeMask } from '../reference/segment.ts';
import type { RgbaFrame } from './pages/segment.page.ts';

const PAGE = '/tests/browser/pages/segment.page.ts';
// One WebGPU run of the model takes ~3-4 s of GPU time on SwiftShader (two cores), so the 20-image
// quality check runs the model on wasm by default, fed by the GPU preprocess; the WebGPU/wasm
// agreement is checked on real frames below. SEGMENT_QUALITY_BACKEND=webgpu runs it all on WebGPU.
const READBACK_FRAMES = Number(process.env.SEGMENT_FRAMES ?? 10);
const QUALITY_BACKEND = process.env.SEGMENT_QUALITY_BACKEND === 'webgpu' ? 'webgpu' : 'wasm';

function ffmpegRaw(args: string[], pixFmt: 'rgba' | 'gray'): Buffer {
  return execFileSync('ffmpeg', ['-v', 'error', ...args, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', pixFmt, '-'], { maxBuffer: 64 << 20 });
}

/** One decoded video frame as tightly packed RGBA. */
function videoFrame(clip: string, seconds: number, width: number, height: number): RgbaFrame & { bytes: Uint8Array } {
  const bytes = ffmpegRaw(['-ss', String(seconds), '-i', shared(`media/${clip}`)], 'rgba');
  expect(bytes.length).toBe(width * height * 4);
  return { rgba: bytes.toString('base64'), width, height, bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length) };
}

function f32(b64: string): Float32Array {
  const b = Buffer.from(b64, 'base64');
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
}

describe('segmentation (onnxruntime-web)', () => {
  let browser: Browser;
  let server: ViteDevServer;
  let url: string;
  let w: WatchedPage;
  const woman = [0.5, 8].map((t) => videoFrame('webcam_woman_640x480_30fps.mp4', t, 640, 480));
  let womanMask: Float32Array | null = null;

  beforeAll(async () => {
    ({ server, url } = await startServer());
    browser = await launchChromium();
    w = await openPage(browser, url, '/tests/browser/blank.html');
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shares one GPUDevice with onnxruntime-web', async () => {
    const info = await callInPage<{ backend: string; same: boolean; mineIsOrts: boolean }>(w.page, PAGE, 'deviceInfo');
    expect(info.backend).toBe('webgpu');
    expect(info.same).toBe(true);
    // A device we request ourselves is another one: why the graph must adopt ORT's.
    expect(info.mineIsOrts).toBe(false);
  });

  it('preprocess pass matches the CPU reference for shrinking, enlarging and odd sizes', async () => {
    const noise = (width: number, height: number, seed: number): RgbaFrame & { bytes: Uint8Array } => {
      const bytes = new Uint8Array(width * height * 4);
      let s = seed;
      for (let i = 0; i < bytes.length; i++) { s = (s * 1664525 + 1013904223) >>> 0; bytes[i] = s >>> 24; }
      return { rgba: Buffer.from(bytes).toString('base64'), width, height, bytes };
    };
    const cases: [RgbaFrame & { bytes: Uint8Array }, number, number][] = [
      [noise(97, 61, 1), 256, 144], [noise(333, 517, 2), 256, 256], [noise(1920, 1080, 3), 256, 144], [noise(256, 256, 4), 256, 256],
    ];
    for (const [f, dw, dh] of cases) {
      const [out] = await callInPage<string[]>(w.page, PAGE, 'preprocessOnly', [{ rgba: f.rgba, width: f.width, height: f.height }], dw, dh);
      const d = maxAbsDiff(f32(out), preprocessReference(f.bytes, f.width, f.height, dw, dh));
      console.log(`preprocess ${f.width}x${f.height} -> ${dw}x${dh}: max |gpu-ref| ${d.toExponential(2)}`);
      expect(d).toBeLessThan(1e-5);
    }
    // Person-centred crops: inside the frame, and reaching past its edges (clamped reads).
    const f = cases[2][0];
    for (const crop of [{ x: 700, y: 200, width: 512, height: 512 }, { x: -60, y: 900, width: 300, height: 300 }]) {
      const [out] = await callInPage<string[]>(w.page, PAGE, 'preprocessOnly', [{ rgba: f.rgba, width: f.width, height: f.height }], 256, 256, crop);
      const d = maxAbsDiff(f32(out), preprocessReference(cropClamped(f.bytes, f.width, f.height, crop), crop.width, crop.height, 256, 256));
      console.log(`preprocess crop ${JSON.stringify(crop)} -> 256x256: max |gpu-ref| ${d.toExponential(2)}`);
      expect(d).toBeLessThan(1e-5);
    }
  });

  it('GPU preprocess + WebGPU run() match the CPU reference and the wasm backend on real frames', async () => {
    const cases: { model: 'general' | 'landscape'; frames: (RgbaFrame & { bytes: Uint8Array })[]; size: [number, number] }[] = [
      { model: 'general', frames: woman, size: [256, 256] },
      { model: 'landscape', frames: [videoFrame('webcam_man_1280x720_30fps.mp4', 2, 1280, 720)], size: [256, 144] },
    ];
    for (const c of cases) {
      const r = await callInPage<{ inputs: string[]; maxDiff: number[]; meanMask: number[] }>(
        w.page, PAGE, 'compareBackends', c.frames.map(({ rgba, width, height }) => ({ rgba, width, height })), c.model);
      c.frames.forEach((f, i) => {
        const ref = preprocessReference(f.bytes, f.width, f.height, c.size[0], c.size[1]);
        const pre = maxAbsDiff(f32(r.inputs[i]), ref);
        console.log(`${c.model} frame ${i}: preprocess max |gpu-ref| ${pre.toExponential(2)}, mask max |webgpu-wasm| ${r.maxDiff[i].toExponential(2)}, mean P(person) ${r.meanMask[i].toFixed(3)}`);
        expect(pre).toBeLessThan(1e-5);
        expect(r.maxDiff[i]).toBeLessThan(1e-3);
        // A webcam frame of one person: a real mask, neither empty nor full.
        expect(r.meanMask[i]).toBeGreaterThan(0.1);
        expect(r.meanMask[i]).toBeLessThan(0.9);
      });
    }
  });

  it('makes no mapAsync and no Tensor.getData call per frame', async () => {
    const r = await callInPage<{ mapAsync: number; getData: number; runs: number }>(w.page, PAGE, 'countReadbacks', READBACK_FRAMES);
    expect(r).toEqual({ mapAsync: 0, getData: 0, runs: READBACK_FRAMES });
  });

  it('reaches the published mIoU on the shared DAVIS-20 set (256x256 model, threshold 0.5)', async () => {
    const dir = shared('media/segmentation');
    const names = Array.from({ length: 20 }, (_, i) => String(i + 1).padStart(3, '0'));
    const jpegs = names.map((n) => readFileSync(`${dir}/${n}.jpg`).toString('base64'));
    const r = await callInPage<{ width: number; height: number; masks: string[] }>(w.page, PAGE, 'masksForImages', jpegs, 'general', QUALITY_BACKEND);
    const scores = names.map((n, i) => {
      const gt = new Uint8Array(ffmpegRaw(['-i', `${dir}/${n}.png`], 'gray'));
      expect(gt.length).toBe(640 * 360);
      return iou(resizeMask(f32(r.masks[i]), r.width, r.height, 640, 360), gt);
    });
    const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
    console.log(`mIoU ${mean.toFixed(4)} (GPU preprocess, ${QUALITY_BACKEND} model) (per image: ${scores.map((s) => s.toFixed(2)).join(' ')})`);
    expect(mean).toBeGreaterThanOrEqual(0.83);
  });

  it('reports a missing, corrupt or truncated model as ModelLoadError', async () => {
    const missing = await callInPage<{ name: string; message: string; details: Record<string, unknown> }>(w.page, PAGE, 'loadError', 'missing', 'webgpu');
    expect(missing.name).toBe('ModelLoadError');
    // Vite answers unknown paths with index.html (a static host would say 404); both are "missing".
    expect(missing.message).toMatch(/model is missing: .*does-not-exist\.onnx returned (HTTP 404|a web page instead of an ONNX file)/);
    const unreachable = await callInPage<{ name: string; message: string }>(w.page, PAGE, 'loadError', 'unreachable', 'wasm');
    expect(unreachable.name).toBe('ModelLoadError');
    expect(unreachable.message).toMatch(/could not be downloaded from blob:/);
    for (const kind of ['corrupt', 'truncated'] as const) {
      for (const backend of ['webgpu', 'wasm'] as const) {
        const e = await callInPage<{ name: string; message: string }>(w.page, PAGE, 'loadError', kind, backend);
        expect(e.name, `${kind} on ${backend}: ${e.message}`).toBe('ModelLoadError');
        expect(e.message).toMatch(new RegExp(`could not be loaded \\(${backend} backend\\).*corrupt`));
      }
    }
  });

  it('falls back to wasm where WebGPU is missing, with the same mask', async () => {
    const frame = woman[0];
    const input = preprocessReference(frame.bytes, frame.width, frame.height, 256, 256);
    const b64 = Buffer.from(input.buffer).toString('base64');
    // The same input through the wasm backend in the page that has WebGPU: the fallback must agree.
    const gpu = await callInPage<{ hasGpu: boolean; backend: string; mask: string }>(w.page, PAGE, 'wasmSegment', b64, 'wasm');
    expect(gpu.hasGpu).toBe(true);
    expect(gpu.backend).toBe('wasm');
    womanMask = f32(gpu.mask);

    const context = await browser.newContext();
    try {
      await context.addInitScript(() => {
        Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined, configurable: true });
        Object.defineProperty(WorkerNavigator.prototype, 'gpu', { get: () => undefined, configurable: true });
      });
      const page = await context.newPage();
      const foreign: string[] = [];
      context.on('request', (r) => { if (!r.url().startsWith(url) && !/^(data|blob):/.test(r.url())) foreign.push(r.url()); });
      await page.goto(url + '/tests/browser/blank.html');
      const r = await callInPage<{ hasGpu: boolean; backend: string; fallbackReason: string | null; device: boolean; mask: string }>(page, PAGE, 'wasmSegment', b64, 'auto');
      expect(r.hasGpu).toBe(false);
      expect(r.backend).toBe('wasm');
      expect(r.device).toBe(false);
      expect(r.fallbackReason).toMatch(/WebGPU is not available/);
      expect(maxAbsDiff(f32(r.mask), womanMask)).toBeLessThan(1e-6);
      const forced = await callInPage<{ name?: string; message?: string }>(page, PAGE, 'tryCreate', 'webgpu');
      expect(forced.name).toBe('WebGPUUnavailableError');
      expect(foreign).toEqual([]);
    } finally {
      await context.close();
    }
  });

  // Minutes on SwiftShader (46 WebGPU runs): run with SEGMENT_BENCH=1 to print the numbers.
  it.runIf(process.env.SEGMENT_BENCH === '1')('measures inference and preprocess times', async () => {
    const t = await callInPage<Record<string, number>>(w.page, PAGE, 'timings', { rgba: woman[1].rgba, width: 640, height: 480 });
    console.log('segment timings (median of 20, ms):', JSON.stringify(t, (_, v: unknown) => (typeof v === 'number' ? Math.round(v * 100) / 100 : v)));
    for (const [k, v] of Object.entries(t)) expect(v, k).toBeGreaterThan(0);
  }, 600_000);

  it('loaded everything onnxruntime-web needs from our own origin', () => {
    // Its .mjs, .wasm and pthread worker scripts included. Failed loads are the error tests' own.
    expect(w.foreignRequests).toEqual([]);
    expect(w.consoleErrors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  });
});
