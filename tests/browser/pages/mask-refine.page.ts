/**
 * Page side of the mask refinement tests: runs each pass (or the whole MaskRefiner) on data
 * sent from Node as base64 and returns the results as base64 for comparison there.
 */
import { MaskFeatherPass } from '../../../src/gpu/passes/mask-feather.ts';
import { MaskMorphPass } from '../../../src/gpu/passes/mask-morph.ts';
import { MaskRefiner } from '../../../src/gpu/stages/mask-refine-stage.ts';
import { MaskSmoothPass } from '../../../src/gpu/passes/mask-smooth.ts';
import { MaskTemporalPass } from '../../../src/gpu/passes/mask-temporal.ts';
import { MaskThresholdPass } from '../../../src/gpu/passes/mask-threshold.ts';
import { MaskUpsamplePass } from '../../../src/gpu/passes/mask-upsample.ts';
import { MaskBoundsPass } from '../../../src/gpu/passes/mask-bounds.ts';
import { MAX_FEATHER, type MaskOptions } from '../../../src/segment/mask-options.ts';
import { fromBase64, toBase64, withGpu, type GpuTest } from './gpu-harness.ts';

const STORAGE = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;

function f32Buffer(t: GpuTest, b64: string, label: string): GPUBuffer {
  const bytes = fromBase64(b64);
  const buf = t.buffer({ size: bytes.byteLength, usage: STORAGE, label });
  t.device.queue.writeBuffer(buf, 0, bytes);
  return buf;
}

function redPlane(rgba: Uint8Array): Uint8Array {
  const out = new Uint8Array(rgba.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = rgba[i * 4];
  return out;
}

/** One mask-resolution pass on one input. */
export interface MaskCase {
  pass: 'threshold' | 'morph' | 'smooth';
  width: number;
  height: number;
  src: string;
  threshold?: number;
  softness?: number;
  expand?: number;
  smoothContour?: number;
}

/** Runs threshold / morph / smooth cases; returns each output f32 buffer as base64. */
export async function maskPasses(cases: MaskCase[]): Promise<string[]> {
  return withGpu(async (t) => {
    const th = new MaskThresholdPass(t.device), mo = new MaskMorphPass(t.device), sm = new MaskSmoothPass(t.device);
    const out: string[] = [];
    for (const c of cases) {
      const src = f32Buffer(t, c.src, 'case-src');
      const dst = t.buffer({ size: src.size, usage: STORAGE, label: 'case-dst' });
      const tmp = t.buffer({ size: src.size, usage: STORAGE, label: 'case-tmp' });
      const io = { src, dst, tmp, width: c.width, height: c.height };
      const enc = t.device.createCommandEncoder();
      if (c.pass === 'threshold') th.encode(enc, io, c.threshold!, c.softness!);
      else if (c.pass === 'morph') mo.encode(enc, io, c.expand!);
      else sm.encode(enc, io, c.smoothContour!);
      t.device.queue.submit([enc.finish()]);
      out.push(toBase64(await t.readBuffer(dst)));
    }
    th.destroy(); mo.destroy(); sm.destroy();
    return out;
  });
}

/** Runs the temporal pass over a sequence; `resetAt` frame indices call reset() first. */
export async function temporal(c: { width: number; height: number; strength: number; raws: string[]; frames: string[]; resetAt: number[] }): Promise<string[]> {
  return withGpu(async (t) => {
    const pass = new MaskTemporalPass(t.device, c.strength);
    const raw = t.buffer({ size: c.width * c.height * 4, usage: STORAGE, label: 'raw' });
    const frame = t.buffer({ size: c.width * c.height * 12, usage: STORAGE, label: 'frame' });
    const dst = t.buffer({ size: c.width * c.height * 4, usage: STORAGE, label: 'dst' });
    const out: string[] = [];
    for (let i = 0; i < c.raws.length; i++) {
      if (c.resetAt.includes(i)) pass.reset();
      t.device.queue.writeBuffer(raw, 0, fromBase64(c.raws[i]));
      t.device.queue.writeBuffer(frame, 0, fromBase64(c.frames[i]));
      const enc = t.device.createCommandEncoder();
      pass.encode(enc, { raw, frame, dst, width: c.width, height: c.height });
      t.device.queue.submit([enc.finish()]);
      out.push(toBase64(await t.readBuffer(dst)));
    }
    pass.destroy();
    return out;
  });
}

/** One upsampling: mask + low-res frame (f32 base64) and RGBA guide (base64). */
export interface UpsampleCase {
  maskWidth: number;
  maskHeight: number;
  /** One or more masks upsampled with the same guide. */
  masks: string[];
  low: string;
  guide: string;
  width: number;
  height: number;
  edgeAware: boolean[];
  region?: { x: number; y: number; width: number; height: number };
}

/** Upsamples each case's masks once per edgeAware flag; returns .r planes (base64), mask-major. */
export async function upsample(cases: UpsampleCase[]): Promise<string[][]> {
  return withGpu(async (t) => {
    const pass = new MaskUpsamplePass(t.device);
    const results: string[][] = [];
    for (const c of cases) {
      const lowResFrame = f32Buffer(t, c.low, 'low');
      const guide = t.textureFromRgba(fromBase64(c.guide), c.width, c.height);
      const dst = t.texture({ size: [c.width, c.height], format: 'rgba8unorm', usage: GPUTextureUsage.STORAGE_BINDING | GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_SRC, label: 'up-dst' });
      const r: string[] = [];
      for (const m of c.masks) for (const edgeAware of c.edgeAware) {
        const mask = f32Buffer(t, m, 'mask');
        const enc = t.device.createCommandEncoder();
        pass.encode(enc, { mask, lowResFrame, maskWidth: c.maskWidth, maskHeight: c.maskHeight, guide, dst, region: c.region }, edgeAware);
        t.device.queue.submit([enc.finish()]);
        r.push(toBase64(redPlane(await t.readTexture(dst))));
      }
      results.push(r);
    }
    pass.destroy();
    return results;
  });
}

/** Feathers an 8-bit mask (base64 .r plane) by each radius; returns .r planes. */
export async function feather(c: { width: number; height: number; mask: string; radii: number[] }): Promise<string[]> {
  return withGpu(async (t) => {
    const pass = new MaskFeatherPass(t.device, MAX_FEATHER);
    const plane = fromBase64(c.mask);
    const rgba = new Uint8Array(plane.length * 4);
    for (let i = 0; i < plane.length; i++) rgba[i * 4] = plane[i];
    const tmp = t.texture({ size: [c.width, c.height], format: 'rgba8unorm', usage: GPUTextureUsage.STORAGE_BINDING | GPUTextureUsage.TEXTURE_BINDING, label: 'feather-tmp' });
    const out: string[] = [];
    for (const radius of c.radii) {
      const mask = t.textureFromRgba(rgba, c.width, c.height);
      const enc = t.device.createCommandEncoder();
      pass.encode(enc, mask, tmp, radius);
      t.device.queue.submit([enc.finish()]);
      out.push(toBase64(redPlane(await t.readTexture(mask))));
    }
    pass.destroy();
    return out;
  });
}

/** One refiner frame: mask, low-res frame and guide (base64), guide size. */
export interface RefinerFrame {
  mask: string;
  low: string;
  guide: string;
  width: number;
  height: number;
}

/** Runs MaskRefiner over frames; reports outputs and whether the output texture was reused. */
export async function refiner(c: { maskWidth: number; maskHeight: number; options: Partial<MaskOptions>; frames: RefinerFrame[]; resetAt: number[] }): Promise<{ outputs: string[]; sameTexture: boolean[]; sizes: number[][] }> {
  return withGpu(async (t) => {
    const r = new MaskRefiner(t.device);
    r.setOptions(c.options);
    const mask = t.buffer({ size: c.maskWidth * c.maskHeight * 4, usage: STORAGE, label: 'mask' });
    const lowResFrame = t.buffer({ size: c.maskWidth * c.maskHeight * 12, usage: STORAGE, label: 'low' });
    const outputs: string[] = [], sameTexture: boolean[] = [], sizes: number[][] = [];
    let prev: GPUTexture | null = null;
    for (let i = 0; i < c.frames.length; i++) {
      const f = c.frames[i];
      if (c.resetAt.includes(i)) r.reset();
      t.device.queue.writeBuffer(mask, 0, fromBase64(f.mask));
      t.device.queue.writeBuffer(lowResFrame, 0, fromBase64(f.low));
      const guide = t.textureFromRgba(fromBase64(f.guide), f.width, f.height);
      const enc = t.device.createCommandEncoder();
      const out = r.encode(enc, { mask, lowResFrame, maskWidth: c.maskWidth, maskHeight: c.maskHeight, guide });
      t.device.queue.submit([enc.finish()]);
      outputs.push(toBase64(redPlane(await t.readTexture(out))));
      sameTexture.push(out === prev);
      sizes.push([out.width, out.height]);
      prev = out;
    }
    r.destroy();
    return { outputs, sameTexture, sizes };
  });
}

/** Person bounds of each mask found by the GPU pass. */
export async function bounds(c: { width: number; height: number; masks: string[] }): Promise<({ x: number; y: number; width: number; height: number } | null)[]> {
  return withGpu(async (t) => {
    const pass = new MaskBoundsPass(t.device);
    const out = [];
    for (const m of c.masks) out.push(await pass.measure(f32Buffer(t, m, 'bounds-mask'), c.width, c.height));
    pass.destroy();
    return out;
  });
}
