/**
 * Page side of the background tests: runs BackgroundPass on pixels sent from Node (as a texture,
 * or as a VideoFrame's planes read in place) and returns the camera layer, and times the blur chain with timestamp queries at several sizes.
 */
import { BackgroundPass } from '../../../src/gpu/stages/background-stage.ts';
import { FrameIngest, IngestPolicy } from '../../../src/gpu/frame-ingest.ts';
import { blurPlan } from '../../../src/gpu/passes/bg-plan.ts';
import type { PassTimer } from '../../../src/gpu/timing.ts';
import type { BackgroundEffect } from '../../../src/segment/background-effect.ts';
import { fromBase64, toBase64, withGpu, type GpuTest } from './gpu-harness.ts';

/** One grey byte per pixel → RGBA with the mask in every channel (the pass reads .r). */
function maskRgba(grey: Uint8Array): Uint8Array {
  const out = new Uint8Array(grey.length * 4);
  for (let i = 0; i < grey.length; i++) { const v = grey[i]; out[i * 4] = v; out[i * 4 + 1] = v; out[i * 4 + 2] = v; out[i * 4 + 3] = 255; }
  return out;
}

/** Nearest-neighbour resize of RGBA bytes (timing inputs only need realistic content, not quality). */
function resizeNearest(src: Uint8Array, sw: number, sh: number, dw: number, dh: number): Uint8Array {
  const s32 = new Uint32Array(src.buffer, src.byteOffset, sw * sh), out = new Uint32Array(dw * dh);
  for (let y = 0; y < dh; y++) {
    const row = Math.min(sh - 1, Math.floor((y * sh) / dh)) * sw;
    for (let x = 0; x < dw; x++) out[y * dw + x] = s32[row + Math.min(sw - 1, Math.floor((x * sw) / dw))];
  }
  return new Uint8Array(out.buffer);
}

async function upload(t: GpuTest, camB64: string, maskB64: string, w: number, h: number) {
  return { camera: t.textureFromRgba(fromBase64(camB64), w, h), mask: t.textureFromRgba(maskRgba(fromBase64(maskB64)), w, h) };
}

/**
 * Runs each effect (JSON) on one camera frame + mask; returns each camera layer as base64 RGBA.
 * 'image' effects use `imagePng`: uploaded once through setImage from an ImageBitmap, or with
 * `via` 'blob' handed to setEffect as the effect's Blob (the path the UI takes).
 */
export async function runEffects(camB64: string, maskB64: string, w: number, h: number, effects: BackgroundEffect[], imagePng?: string, via: 'bitmap' | 'blob' = 'bitmap'): Promise<string[]> {
  return withGpu(async (t) => {
    const { camera, mask } = await upload(t, camB64, maskB64, w, h);
    const bg = new BackgroundPass(t.device);
    try {
      const blob = imagePng ? new Blob([fromBase64(imagePng).buffer as ArrayBuffer], { type: 'image/png' }) : undefined;
      if (blob && via === 'bitmap') {
        const bmp = await createImageBitmap(blob, { premultiplyAlpha: 'none', colorSpaceConversion: 'none' });
        bg.setImage(bmp);
        bmp.close();
      }
      const outs: string[] = [];
      for (const e of effects) {
        await bg.setEffect(e.type === 'image' && via === 'blob' ? { ...e, image: blob } : e);
        const enc = t.device.createCommandEncoder({ label: 'bg-test' });
        const out = bg.encode(enc, { camera, mask });
        t.device.queue.submit([enc.finish()]);
        outs.push(toBase64(await t.readTexture(out)));
      }
      return outs;
    } finally {
      bg.destroy();
    }
  });
}

/** Minimal PassTimer stand-in that resolves its own query set synchronously per frame. */
class FrameTimer {
  names: string[] = [];
  constructor(readonly querySet: GPUQuerySet) {}
  pass(name: string): GPUComputePassTimestampWrites {
    const i = this.names.length;
    this.names.push(name);
    return { querySet: this.querySet, beginningOfPassWriteIndex: i * 2, endOfPassWriteIndex: i * 2 + 1 };
  }
  endPass(): void {}
}

/** One row of the timing table: median GPU ms of the whole chain and per pass. */
export interface TimingRow { width: number; height: number; strength: number; factor: number; radius: number; gpuMs: number; wallMs: number; passes: Record<string, number> }

/**
 * Times the blur effect at each size (the 640x360 frame + mask resized nearest) and strength:
 * `frames` timed frames after one warm-up, median of the timestamp-query sums.
 */
export async function timeBlur(camB64: string, maskB64: string, w: number, h: number, sizes: [number, number][], strengths: number[], frames: number): Promise<TimingRow[] | string> {
  return withGpu(async (t) => {
    if (!t.device.features.has('timestamp-query')) return 'no timestamp-query on this adapter';
    const cam = fromBase64(camB64), grey = maskRgba(fromBase64(maskB64));
    const qs = t.device.createQuerySet({ type: 'timestamp', count: 16, label: 'bg-timing' });
    const resolve = t.buffer({ size: 128, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC, label: 'bg-timing-resolve' });
    const read = t.buffer({ size: 128, usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ, label: 'bg-timing-read' });
    const rows: TimingRow[] = [];
    const bg = new BackgroundPass(t.device);
    try {
      for (const [sw, sh] of sizes) {
        const camera = t.textureFromRgba(resizeNearest(cam, w, h, sw, sh), sw, sh);
        const mask = t.textureFromRgba(resizeNearest(grey, w, h, sw, sh), sw, sh);
        for (const strength of strengths) {
          await bg.setEffect({ type: 'blur', strength });
          const sums: number[] = [], walls: number[] = [];
          const per: Record<string, number[]> = {};
          for (let f = 0; f < frames + 1; f++) {
            const timer = new FrameTimer(qs);
            const enc = t.device.createCommandEncoder({ label: 'bg-timing' });
            bg.encode(enc, { camera, mask, timer: timer as unknown as PassTimer });
            const n = timer.names.length;
            enc.resolveQuerySet(qs, 0, n * 2, resolve, 0);
            enc.copyBufferToBuffer(resolve, 0, read, 0, n * 16);
            const t0 = performance.now();
            t.device.queue.submit([enc.finish()]);
            await t.device.queue.onSubmittedWorkDone();
            const wall = performance.now() - t0;
            await read.mapAsync(GPUMapMode.READ, 0, n * 16);
            const ts = new BigUint64Array(read.getMappedRange(0, n * 16).slice(0));
            read.unmap();
            if (f < 1) continue;
            let sum = 0;
            timer.names.forEach((name, i) => {
              const ms = Number(ts[i * 2 + 1] - ts[i * 2]) / 1e6;
              sum += ms;
              (per[name] ??= []).push(ms);
            });
            sums.push(sum);
            walls.push(wall);
          }
          const med = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];
          const plan = blurPlan(strength, sw, sh);
          rows.push({ width: sw, height: sh, strength, factor: plan.factor, radius: plan.radius, gpuMs: med(sums), wallMs: med(walls),
            passes: Object.fromEntries(Object.entries(per).map(([k, v]) => [k, med(v)])) });
        }
      }
      return rows;
    } finally {
      bg.destroy();
      qs.destroy();
    }
  }, ['timestamp-query']);
}

/** A camera frame as raw bytes in a VideoFrame format, with its coded and visible size. */
export interface PlanesFrame { format: VideoPixelFormat; data: string; codedWidth: number; codedHeight: number; width: number; height: number }

/**
 * Runs each effect twice on one VideoFrame (BT.709 limited) through FrameIngest's copy path:
 * once reading the ingested RGBA texture, once reading the uploaded planes in place (the live
 * chain's frames between masks). Returns [texture, planes] layers per effect, base64 RGBA.
 */
export async function runEffectsBothInputs(f: PlanesFrame, maskB64: string, effects: BackgroundEffect[]): Promise<[string, string][]> {
  return withGpu(async (t) => {
    const mask = t.textureFromRgba(maskRgba(fromBase64(maskB64)), f.width, f.height);
    const ingest = new FrameIngest(t.device, new IngestPolicy(true), 'planes-test');
    const bg = new BackgroundPass(t.device);
    const frame = new VideoFrame(fromBase64(f.data), {
      format: f.format, codedWidth: f.codedWidth, codedHeight: f.codedHeight, timestamp: 0,
      visibleRect: { x: 0, y: 0, width: f.width, height: f.height },
      colorSpace: { matrix: 'bt709', fullRange: false, primaries: 'bt709', transfer: 'bt709' },
    });
    try {
      await ingest.upload(frame);
      const planes = ingest.planes;
      if (!planes) throw new Error('the copy path uploaded no planes');
      const outs: [string, string][] = [];
      for (const e of effects) {
        await bg.setEffect(e);
        const pair: string[] = [];
        for (const useTexture of [true, false]) {
          const enc = t.device.createCommandEncoder({ label: 'bg-planes-test' });
          const camera = useTexture ? await ingest.rgba(enc) : planes;
          const out = bg.encode(enc, { camera, mask });
          t.device.queue.submit([enc.finish()]);
          pair.push(toBase64(await t.readTexture(out)));
        }
        outs.push([pair[0]!, pair[1]!]);
      }
      return outs;
    } finally {
      frame.close();
      bg.destroy();
      ingest.destroy();
    }
  });
}
