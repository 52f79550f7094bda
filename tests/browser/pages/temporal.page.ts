import { Segmenter } from '../../../src/segment/segmenter.ts';
import { SegmentPreprocessPass } from '../../../src/gpu/passes/segment-preprocess.ts';
import { MaskRefiner } from '../../../src/gpu/stages/mask-refine-stage.ts';
import { fetchBytes } from '../../reference/page-io.ts';

export interface TemporalMetrics {
  frames: number;
  staticPixels: number;
  movingPixels: number;
  /** Mean |m_t − m_{t−1}| over static background pixels. */
  flickerRaw: number;
  flickerNoTemporal: number;
  flickerTemporal: number;
  /** Moving pixels that are person without temporal smoothing but background with it. */
  lagMissRate: number;
  /** Mean |temporal − no-temporal| over moving pixels. */
  movingDiff: number;
}

/** Bilinear upsample of the model's mask (half-pixel centres) to w×h: the "raw model output". */
function upsample(m: Float32Array, mw: number, mh: number, w: number, h: number, out: Float32Array): void {
  for (let y = 0; y < h; y++) {
    const sy = Math.min(mh - 1, Math.max(0, ((y + 0.5) * mh) / h - 0.5));
    const y0 = Math.floor(sy), y1 = Math.min(mh - 1, y0 + 1), fy = sy - y0;
    for (let x = 0; x < w; x++) {
      const sx = Math.min(mw - 1, Math.max(0, ((x + 0.5) * mw) / w - 0.5));
      const x0 = Math.floor(sx), x1 = Math.min(mw - 1, x0 + 1), fx = sx - x0;
      const a = m[y0 * mw + x0] * (1 - fx) + m[y0 * mw + x1] * fx;
      const b = m[y1 * mw + x0] * (1 - fx) + m[y1 * mw + x1] * fx;
      out[y * w + x] = a * (1 - fy) + b * fy;
    }
  }
}

/**
 * Runs webcam frames through the model (wasm) and the refiner twice — temporal smoothing off
 * and at its default — and measures mask flicker in the static background and lag on moving
 * parts (hands). `camera` is what the model sees; `clean` (the same frame without added sensor
 * noise) only decides which pixels are static or moving.
 */
export async function temporalRun(frames: { camera: string; clean: string }[], w: number, h: number): Promise<TemporalMetrics> {
  const seg = await Segmenter.create({ model: 'general', backend: 'wasm' });
  const adapter = await navigator.gpu.requestAdapter();
  const device = await adapter!.requestDevice();
  const mw = seg.inputWidth, mh = seg.inputHeight;
  const cam = device.createTexture({ size: [w, h], format: 'rgba8unorm', usage: GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_DST | GPUTextureUsage.STORAGE_BINDING });
  const input = device.createBuffer({ size: 3 * mw * mh * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
  const staging = device.createBuffer({ size: input.size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const maskBuf = device.createBuffer({ size: mw * mh * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
  const row = Math.ceil((w * 4) / 256) * 256;
  const reads = [0, 1].map(() => device.createBuffer({ size: row * h, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST }));
  const pre = new SegmentPreprocessPass(device);
  const plain = new MaskRefiner(device, { temporal: 0 });
  const smooth = new MaskRefiner(device);
  const n = w * h;
  let prev: { gray: Float32Array; raw: Float32Array; a: Float32Array; b: Float32Array } | null = null;
  const sums = { staticPixels: 0, movingPixels: 0, fr: 0, fa: 0, fb: 0, miss: 0, personMoving: 0, diff: 0 };
  for (const f of frames) {
    const rgba = await fetchBytes(f.camera);
    const clean = await fetchBytes(f.clean);
    device.queue.writeTexture({ texture: cam }, rgba, { bytesPerRow: w * 4 }, [w, h]);
    let enc = device.createCommandEncoder();
    pre.encode(enc, cam, input, mw, mh);
    enc.copyBufferToBuffer(input, 0, staging, 0, input.size);
    device.queue.submit([enc.finish()]);
    await staging.mapAsync(GPUMapMode.READ);
    const modelIn = new Float32Array(staging.getMappedRange().slice(0));
    staging.unmap();
    const mask = await seg.runCpu(modelIn);
    device.queue.writeBuffer(maskBuf, 0, mask.buffer, mask.byteOffset, mask.byteLength);
    enc = device.createCommandEncoder();
    const outs = [plain, smooth].map((r) => r.encode(enc, { mask: maskBuf, lowResFrame: input, maskWidth: mw, maskHeight: mh, guide: cam }));
    outs.forEach((t, i) => enc.copyTextureToBuffer({ texture: t }, { buffer: reads[i], bytesPerRow: row }, [w, h]));
    device.queue.submit([enc.finish()]);
    const [a, b] = await Promise.all(reads.map(async (r) => {
      await r.mapAsync(GPUMapMode.READ);
      const bytes = new Uint8Array(r.getMappedRange());
      const out = new Float32Array(n);
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[y * w + x] = bytes[y * row + x * 4] / 255;
      r.unmap();
      return out;
    }));
    const raw = new Float32Array(n);
    upsample(mask, mw, mh, w, h, raw);
    const gray = new Float32Array(n);
    for (let i = 0; i < n; i++) gray[i] = (0.299 * clean[i * 4] + 0.587 * clean[i * 4 + 1] + 0.114 * clean[i * 4 + 2]) / 255;
    if (prev) {
      for (let y = 1; y < h - 1; y++) {
        for (let x = 1; x < w - 1; x++) {
          const i = y * w + x;
          let motion = 0;
          for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
            const j = i + dy * w + dx;
            motion = Math.max(motion, Math.abs(gray[j] - prev.gray[j]));
          }
          if (motion < 0.02 && raw[i] < 0.5 && prev.raw[i] < 0.5) {
            sums.staticPixels++;
            sums.fr += Math.abs(raw[i] - prev.raw[i]);
            sums.fa += Math.abs(a[i] - prev.a[i]);
            sums.fb += Math.abs(b[i] - prev.b[i]);
          } else if (motion > 0.1) {
            sums.movingPixels++;
            sums.diff += Math.abs(b[i] - a[i]);
            if (a[i] >= 0.5) { sums.personMoving++; if (b[i] < 0.5) sums.miss++; }
          }
        }
      }
    }
    prev = { gray, raw, a, b };
  }
  seg.dispose();
  device.destroy();
  return {
    frames: frames.length, staticPixels: sums.staticPixels, movingPixels: sums.movingPixels,
    flickerRaw: sums.fr / sums.staticPixels, flickerNoTemporal: sums.fa / sums.staticPixels, flickerTemporal: sums.fb / sums.staticPixels,
    lagMissRate: sums.miss / Math.max(1, sums.personMoving), movingDiff: sums.diff / Math.max(1, sums.movingPixels),
  };
}
