/**
 * Page side of the compositor test: sources uploaded as straight-alpha rgba8unorm textures,
 * one or more CompositorPass.encode calls recorded into ONE command encoder (as a fade draws
 * two scenes), and the target read back.
 */
import { CompositorPass, type CompositorItem } from '../../../src/gpu/passes/compositor.ts';
import { fetchBytes, postBytes } from '../../reference/page-io.ts';
import { withGpu, type GpuTest } from './gpu-harness.ts';

export interface SourceSpec { url: string; width: number; height: number }
export interface ItemSpec { source: number; matrix: number[]; uv: [number, number, number, number]; opacity: number; opaque: boolean }
export interface CallSpec { items: ItemSpec[]; clear: [number, number, number, number] | null; opacityScale?: number }
export interface ComposeSpec {
  sources: SourceSpec[];
  width: number; height: number;
  /** Bytes the target holds before the first call (for clear = null); zeros when omitted. */
  init?: string;
  calls: CallSpec[];
}
export interface ComposeStats { itemWrites: number; droppedItems: number; cachedBindGroups: number }

const TARGET_USAGE = GPUTextureUsage.RENDER_ATTACHMENT | GPUTextureUsage.COPY_SRC | GPUTextureUsage.COPY_DST;

function toItems(specs: ItemSpec[], textures: GPUTexture[]): CompositorItem[] {
  return specs.map((s, i) => ({ texture: textures[s.source]!, quad: { matrix: new Float32Array(s.matrix), uv: s.uv, opacity: s.opacity }, version: i, opaque: s.opaque }));
}

/** Runs `spec` and posts the target as `${out}/rgba`. */
export async function compose(spec: ComposeSpec, out: string): Promise<ComposeStats> {
  const data = await Promise.all(spec.sources.map((s) => fetchBytes(s.url)));
  const init = spec.init ? await fetchBytes(spec.init) : null;
  return withGpu(async (t) => {
    const textures = spec.sources.map((s, i) => t.textureFromRgba(data[i]!, s.width, s.height));
    const target = t.texture({ size: [spec.width, spec.height], format: 'rgba8unorm', usage: TARGET_USAGE, label: 'compositor-test-target' });
    if (init) t.device.queue.writeTexture({ texture: target }, init, { bytesPerRow: spec.width * 4 }, [spec.width, spec.height]);
    const pass = new CompositorPass(t.device);
    try {
      const enc = t.device.createCommandEncoder({ label: 'compositor-test' });
      for (const c of spec.calls) {
        const items = toItems(c.items, textures);
        pass.encode(enc, target, items, items.length, c.clear, undefined, c.opacityScale ?? 1);
      }
      t.device.queue.submit([enc.finish()]);
      await postBytes(out, 'rgba', await t.readTexture(target));
      return { itemWrites: pass.itemWrites, droppedItems: pass.droppedItems, cachedBindGroups: pass.cachedBindGroups };
    } finally {
      pass.destroy();
    }
  });
}

/** What the bookkeeping test reads: counters after each step. */
export interface BookkeepingReport {
  firstWrites: number;
  secondWrites: number;
  sameNumbersNewVersion: number;
  movedOne: number;
  resizedTarget: number;
  replacedTextureWrites: number;
  bindGroupsAfterReplace: number;
  bindGroupsAfterIdle: number;
  /** The replaced texture's colour as drawn (RGBA bytes of the target's first pixel). */
  replacedPixel: number[];
  dropped: number;
}

function solid(t: GpuTest, w: number, h: number, rgba: number[]): GPUTexture {
  const bytes = new Uint8Array(w * h * 4);
  for (let i = 0; i < bytes.length; i += 4) bytes.set(rgba, i);
  return t.textureFromRgba(bytes, w, h);
}

/** Item slot writes and bind group caching over a sequence of frames of a static scene. */
export async function bookkeeping(): Promise<BookkeepingReport> {
  return withGpu(async (t) => {
    const { device } = t;
    const small = t.texture({ size: [32, 32], format: 'rgba8unorm', usage: TARGET_USAGE, label: 'compositor-test-small' });
    const large = t.texture({ size: [48, 40], format: 'rgba8unorm', usage: TARGET_USAGE, label: 'compositor-test-large' });
    const srcs = [solid(t, 16, 16, [255, 0, 0, 255]), solid(t, 16, 16, [0, 255, 0, 255]), solid(t, 16, 16, [0, 0, 255, 128])];
    const quad = (x: number): CompositorItem['quad'] => ({ matrix: new Float32Array([16, 0, 0, 16, x, 0]), uv: [0, 0, 1, 1], opacity: 1 });
    const items: CompositorItem[] = srcs.map((texture, i) => ({ texture, quad: quad(i * 8), version: 1 }));
    const pass = new CompositorPass(device);
    const frame = (target: GPUTexture) => {
      const enc = device.createCommandEncoder({ label: 'compositor-test' });
      pass.encode(enc, target, items, items.length, [0, 0, 0, 1]);
      device.queue.submit([enc.finish()]);
    };
    try {
      frame(small);
      const firstWrites = pass.itemWrites;
      frame(small);
      const secondWrites = pass.itemWrites - firstWrites;
      let w = pass.itemWrites;
      // A version bump whose numbers are the same (a rebuilt, equal quad) uploads nothing.
      items[1] = { ...items[1]!, quad: quad(8), version: 2 };
      frame(small);
      const sameNumbersNewVersion = pass.itemWrites - w; w = pass.itemWrites;
      items[1] = { ...items[1]!, quad: quad(9), version: 3 };
      frame(small);
      const movedOne = pass.itemWrites - w; w = pass.itemWrites;
      frame(large);
      const resizedTarget = pass.itemWrites - w; w = pass.itemWrites;
      // A source whose texture is replaced (same size) gets a new bind group, not a rewrite.
      const replacement = solid(t, 16, 16, [255, 255, 0, 255]);
      items[0] = { ...items[0]!, texture: replacement };
      frame(large);
      const replacedTextureWrites = pass.itemWrites - w;
      const bindGroupsAfterReplace = pass.cachedBindGroups;
      srcs[0]!.destroy();
      for (let i = 0; i < 320; i++) frame(large);
      const bindGroupsAfterIdle = pass.cachedBindGroups;
      const px = await t.readTexture(large);
      // More items than slots: the rest are counted, not drawn.
      const tiny = new CompositorPass(device, 'rgba8unorm', 2);
      const enc = device.createCommandEncoder();
      tiny.encode(enc, small, items, items.length, null);
      device.queue.submit([enc.finish()]);
      const dropped = tiny.droppedItems;
      tiny.destroy();
      return {
        firstWrites, secondWrites, sameNumbersNewVersion, movedOne, resizedTarget, replacedTextureWrites,
        bindGroupsAfterReplace, bindGroupsAfterIdle, replacedPixel: [...px.subarray(0, 4)], dropped,
      };
    } finally {
      pass.destroy();
    }
  });
}
