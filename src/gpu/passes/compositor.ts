import shader from '../../../shaders/compositor.wgsl?raw';
import type { DrawQuad } from '../../scene/types.ts';
import { StudioStateError } from '../../util/errors.ts';
import type { PassTimer } from '../timing.ts';

/** One scene item to draw: its current texture and placement. */
export interface CompositorItem {
  texture: GPUTexture;
  quad: DrawQuad;
  /** Changes whenever `quad` changes; an unchanged version skips rewriting the item's slot. */
  version: number;
  /**
   * True when every texel's alpha is 1 (camera frames): skips the premultiplied-texel path that
   * straight-alpha edges need, which software WebGPU pays for even where no texel is translucent.
   */
  opaque?: boolean;
}

/** Floats per item slot: five vec4f, as `Item` in compositor.wgsl. */
const SLOT_FLOATS = 20;
const SLOT_BYTES = SLOT_FLOATS * 4;
/** Taps per axis of the downscale prefilter; beyond 8× the taps spread more than a texel apart. */
export const MAX_TAPS = 8;
/** Texels the crop clamp keeps inside the outermost texel centres. */
export const CLAMP_INSET = 1e-3;
/** Encode calls one command encoder may hold (scenes of a transition, preview and program). */
const MAX_CALLS = 8;
/** Dynamic uniform offsets must be multiples of minUniformBufferOffsetAlignment (256 at most). */
const PARAMS_STRIDE = 256;
/** A cached bind group or view unused for this many encode calls is dropped. */
const KEEP_FOR_CALLS = 240;
const PRUNE_EVERY = 64;

/**
 * Values made on first use per key and dropped once unused for a while, so textures that were
 * replaced (and destroyed) do not stay referenced.
 */
class UseCache<K extends object, V> {
  private readonly map = new Map<K, { value: V; used: number }>();
  constructor(private readonly make: (key: K) => V) {}

  /** The value for `key`, marked as used at `tick`. */
  get(key: K, tick: number): V {
    let e = this.map.get(key);
    if (!e) { e = { value: this.make(key), used: tick }; this.map.set(key, e); }
    e.used = tick;
    return e.value;
  }

  /** Drops entries last used more than `keepFor` ticks before `tick`. */
  prune(tick: number, keepFor: number): void {
    for (const [k, e] of this.map) if (tick - e.used > keepFor) this.map.delete(k);
  }

  get size(): number { return this.map.size; }
  clear(): void { this.map.clear(); }
}

/**
 * Fills `out` (SLOT_FLOATS) with an item's slot for a tw × th texture drawn into a dw × dh target;
 * returns false when the quad draws nothing (zero opacity or a degenerate matrix).
 */
export function itemSlot(out: Float32Array, q: DrawQuad, tw: number, th: number, dw: number, dh: number): boolean {
  const m = q.matrix;
  const a = m[0]!, b = m[1]!, c = m[2]!, d = m[3]!, e = m[4]!, f = m[5]!;
  const [u0, v0, u1, v1] = q.uv;
  const opacity = Math.min(1, Math.max(0, q.opacity));
  const det = a * d - b * c;
  if (!(opacity > 0) || !Number.isFinite(det) || Math.abs(det) < 1e-9) return false;
  const du = u1 - u0, dv = v1 - v0;
  // Forward: unit square → pixels → clip space (y up).
  out[0] = (2 * a) / dw; out[1] = (-2 * b) / dh; out[2] = (2 * c) / dw; out[3] = (-2 * d) / dh;
  out[4] = (2 * e) / dw - 1; out[5] = 1 - (2 * f) / dh; out[6] = opacity; out[7] = 0;
  // Inverse: pixel → unit square (s, t) → uv; its linear part is the pixel's footprint in uv.
  const xx = (du * d) / det, xy = (-du * c) / det;
  const yx = (-dv * b) / det, yy = (dv * a) / det;
  out[8] = xx; out[9] = xy; out[10] = u0 - xx * e - xy * f;
  out[12] = yx; out[13] = yy; out[14] = v0 - yx * e - yy * f;
  // Taps per axis: one per texel the footprint spans (1 when magnifying), along the pixel's axes.
  out[11] = tapCount(Math.hypot(xx * tw, yx * th));
  out[15] = tapCount(Math.hypot(xy * tw, yy * th));
  // Clamp range: texel centres inside the crop, so bilinear taps never reach past it.
  clampRange(out, 16, u0, u1, tw);
  clampRange(out, 17, v0, v1, th);
  return true;
}

/** Taps for a footprint `texels` long: ceil, with slack so an exact 2× is 2 and not 3. */
export function tapCount(texels: number): number {
  return Math.min(MAX_TAPS, Math.max(1, Math.ceil(texels - 1e-3)));
}

/**
 * Texel centres inside the crop, in uv, pulled in by a thousandth of a texel: a tap clamped to
 * the last centre must not give the texel past it a float-rounding-sized bilinear weight.
 */
function clampRange(out: Float32Array, at: number, c0: number, c1: number, size: number): void {
  let lo = Math.max(Math.min(c0, c1) * size, 0) + 0.5 + CLAMP_INSET;
  let hi = Math.min(Math.max(c0, c1) * size, size) - 0.5 - CLAMP_INSET;
  if (lo > hi) lo = hi = (lo + hi) / 2;
  out[at] = lo / size; out[at + 2] = hi / size;
}

/**
 * The scene compositor: one render pass draws every visible item, bottom first, into the
 * program texture with premultiplied "over" blending, crop, opacity and a box prefilter for
 * downscaled items (see compositor.wgsl). Item slots live in one storage buffer and are
 * rewritten only for items whose version, texture size or target size changed.
 *
 * Several encode calls may go into one command encoder (a fade draws two scenes): each call gets
 * its own item slots and opacity-scale slot, since queue writes all land before the submit runs.
 */
export class CompositorPass {
  /** [straight alpha, opaque]: compositor.wgsl with premultiply_texels true / false. */
  private readonly pipelines: readonly [GPURenderPipeline, GPURenderPipeline];
  private readonly items: GPUBuffer;
  private readonly params: GPUBuffer;
  private readonly shared: GPUBindGroup;
  private readonly textureLayout: GPUBindGroupLayout;
  private readonly mirror: Float32Array;
  private readonly scratch = new Float32Array(SLOT_FLOATS);
  private readonly drawn: Uint8Array;
  private readonly lastQuad: (DrawQuad | null)[];
  /** Per slot: version, texture width, texture height, target width, target height. */
  private readonly lastKey: Float64Array;
  private readonly lastScale = new Float32Array(MAX_CALLS).fill(NaN);
  private readonly scaleScratch = new Float32Array(1);
  private readonly sources: UseCache<GPUTexture, GPUBindGroup>;
  private readonly views: UseCache<GPUTexture, GPUTextureView>;
  private encoder: GPUCommandEncoder | null = null;
  private calls = 0;
  private slotBase = 0;
  private tick = 0;
  private writes = 0;
  private dropped = 0;

  constructor(private readonly device: GPUDevice, format: GPUTextureFormat = 'rgba8unorm', private readonly maxItems = 256) {
    const module = device.createShaderModule({ code: shader, label: 'compositor' });
    const V = GPUShaderStage.VERTEX, F = GPUShaderStage.FRAGMENT;
    const sharedLayout = device.createBindGroupLayout({
      label: 'compositor-shared',
      entries: [
        { binding: 0, visibility: V | F, buffer: { type: 'read-only-storage' } },
        { binding: 1, visibility: F, sampler: { type: 'filtering' } },
        { binding: 2, visibility: V, buffer: { type: 'uniform', hasDynamicOffset: true, minBindingSize: 16 } },
      ],
    });
    this.textureLayout = device.createBindGroupLayout({
      label: 'compositor-source',
      entries: [{ binding: 0, visibility: F, texture: { sampleType: 'float' } }],
    });
    const layout = device.createPipelineLayout({ bindGroupLayouts: [sharedLayout, this.textureLayout], label: 'compositor' });
    const pipeline = (opaque: boolean): GPURenderPipeline => device.createRenderPipeline({
      label: opaque ? 'compositor-opaque' : 'compositor',
      layout,
      vertex: { module, entryPoint: 'vs' },
      fragment: {
        module, entryPoint: 'fs', constants: { premultiply_texels: opaque ? 0 : 1 },
        targets: [{ format, blend: {
          color: { srcFactor: 'one', dstFactor: 'one-minus-src-alpha', operation: 'add' },
          alpha: { srcFactor: 'one', dstFactor: 'one-minus-src-alpha', operation: 'add' },
        } }],
      },
      primitive: { topology: 'triangle-list' },
    });
    this.pipelines = [pipeline(false), pipeline(true)];
    this.items = device.createBuffer({ size: SLOT_BYTES * maxItems, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST, label: 'compositor-items' });
    this.params = device.createBuffer({ size: PARAMS_STRIDE * MAX_CALLS, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, label: 'compositor-params' });
    const sampler = device.createSampler({ magFilter: 'linear', minFilter: 'linear', label: 'compositor' });
    this.shared = device.createBindGroup({
      layout: sharedLayout, label: 'compositor-shared',
      entries: [
        { binding: 0, resource: { buffer: this.items } },
        { binding: 1, resource: sampler },
        { binding: 2, resource: { buffer: this.params, size: 16 } },
      ],
    });
    this.mirror = new Float32Array(SLOT_FLOATS * maxItems).fill(NaN);
    this.drawn = new Uint8Array(maxItems);
    this.lastQuad = new Array<DrawQuad | null>(maxItems).fill(null);
    this.lastKey = new Float64Array(5 * maxItems).fill(NaN);
    this.sources = new UseCache((texture) => device.createBindGroup({
      layout: this.textureLayout, label: `compositor-source ${texture.label}`,
      entries: [{ binding: 0, resource: texture.createView({ label: `compositor-source ${texture.label}` }) }],
    }));
    this.views = new UseCache((texture) => texture.createView({ label: `compositor-target ${texture.label}` }));
  }

  /** Item slots written to the GPU so far (unchanged items are not rewritten). */
  get itemWrites(): number { return this.writes; }
  /** Items not drawn because the calls of one command encoder went past maxItems. */
  get droppedItems(): number { return this.dropped; }
  /** Source textures with a cached bind group. */
  get cachedBindGroups(): number { return this.sources.size; }

  /**
   * Draws items[0..count) bottom first into target; clear = colour to clear to, or null to draw
   * over what is there. opacityScale multiplies every item's opacity (used for fades).
   */
  encode(encoder: GPUCommandEncoder, target: GPUTexture, items: readonly CompositorItem[], count: number,
    clear: GPUColor | null, timer?: PassTimer, opacityScale = 1): void {
    if (encoder !== this.encoder) { this.encoder = encoder; this.calls = 0; this.slotBase = 0; }
    if (this.calls >= MAX_CALLS) {
      throw new StudioStateError(`The compositor was asked to draw more than ${MAX_CALLS} times into one frame; draw at most ${MAX_CALLS} scenes per frame.`);
    }
    const call = this.calls++;
    const tick = ++this.tick;
    if (tick % PRUNE_EVERY === 0) { this.sources.prune(tick, KEEP_FOR_CALLS); this.views.prune(tick, KEEP_FOR_CALLS); }
    const wanted = Math.max(0, Math.min(count, items.length));
    const base = this.slotBase;
    const n = Math.min(wanted, this.maxItems - base);
    this.dropped += wanted - n;
    this.slotBase = base + n;
    this.writeScale(call, opacityScale);
    this.writeSlots(items, n, base, target.width, target.height);

    const pass = encoder.beginRenderPass({
      label: 'compositor',
      colorAttachments: [clear
        ? { view: this.views.get(target, tick), loadOp: 'clear', storeOp: 'store', clearValue: clear }
        : { view: this.views.get(target, tick), loadOp: 'load', storeOp: 'store' }],
      timestampWrites: timer?.pass('compositor'),
    });
    pass.setBindGroup(0, this.shared, [call * PARAMS_STRIDE]);
    // Consecutive slots showing the same texture the same way go out as one instanced draw.
    let runTexture: GPUTexture | null = null, runStart = 0, runLength = 0, bound: GPUTexture | null = null, kind = -1;
    for (let i = 0; i < n; i++) {
      const slot = base + i;
      if (!this.drawn[slot]) continue;
      const item = items[i]!, texture = item.texture, k = item.opaque ? 1 : 0;
      if (texture === runTexture && k === kind && slot === runStart + runLength) { runLength++; continue; }
      if (runLength > 0) pass.draw(6, runLength, 0, runStart);
      if (k !== kind) { pass.setPipeline(this.pipelines[k]); kind = k; }
      if (texture !== bound) { pass.setBindGroup(1, this.sources.get(texture, tick)); bound = texture; }
      runTexture = texture; runStart = slot; runLength = 1;
    }
    if (runLength > 0) pass.draw(6, runLength, 0, runStart);
    pass.end();
    timer?.endPass('compositor');
  }

  private writeScale(call: number, scale: number): void {
    const s = this.scaleScratch;
    s[0] = Math.min(1, Math.max(0, scale));
    if (this.lastScale[call] === s[0]) return;
    this.lastScale[call] = s[0]!;
    this.device.queue.writeBuffer(this.params, call * PARAMS_STRIDE, s);
  }

  /** Rewrites the slots whose item changed, as one contiguous buffer write. */
  private writeSlots(items: readonly CompositorItem[], n: number, base: number, dw: number, dh: number): void {
    let lo = -1, hi = -1;
    const key = this.lastKey, mirror = this.mirror, s = this.scratch;
    for (let i = 0; i < n; i++) {
      const { texture, quad, version } = items[i]!;
      const slot = base + i, k = slot * 5;
      const tw = texture.width, th = texture.height;
      if (this.lastQuad[slot] === quad && key[k] === version && key[k + 1] === tw && key[k + 2] === th && key[k + 3] === dw && key[k + 4] === dh) continue;
      this.lastQuad[slot] = quad;
      key[k] = version; key[k + 1] = tw; key[k + 2] = th; key[k + 3] = dw; key[k + 4] = dh;
      const visible = itemSlot(s, quad, tw, th, dw, dh);
      this.drawn[slot] = visible ? 1 : 0;
      if (!visible) continue;
      // A new version with the same numbers (or a rebuilt quad object) needs no upload.
      const at = slot * SLOT_FLOATS;
      let same = true;
      for (let j = 0; j < SLOT_FLOATS; j++) if (mirror[at + j] !== s[j]) { same = false; break; }
      if (same) continue;
      mirror.set(s, at);
      if (lo < 0) lo = slot;
      hi = slot;
      this.writes++;
    }
    if (lo >= 0) this.device.queue.writeBuffer(this.items, lo * SLOT_BYTES, mirror, lo * SLOT_FLOATS, (hi - lo + 1) * SLOT_FLOATS);
  }

  /** Frees the GPU buffers and forgets cached bind groups. */
  destroy(): void {
    this.items.destroy();
    this.params.destroy();
    this.sources.clear();
    this.views.clear();
  }
}
