import shader from '../../../shaders/compositor.wgsl?raw';
import { makeShaderDataDefinitions, makeStructuredView, type VariableDefinition } from 'webgpu-utils';
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

/** Where compositor.wgsl puts things: item slot members in floats, bindings, the params struct. */
interface Layout {
  slotBytes: number; slotFloats: number;
  colUv: number; tOpacity: number; invX: number; invY: number; clampUv: number;
  /** Bytes of one call's `Params`, as bound (uniform bindings are sized in 16-byte steps). */
  paramsBytes: number; params: VariableDefinition;
  items: number; samp: number; paramsBinding: number; src: number;
}
let layoutCache: Layout | null = null;

/** The layout, read from the WGSL on first use (reflection needs WebGPU's globals). */
function wgslLayout(): Layout {
  if (layoutCache) return layoutCache;
  const d = makeShaderDataDefinitions(shader);
  const item = d.structs.Item!, params = d.uniforms.params!;
  const at = (member: string): number => item.fields[member]!.offset / 4;
  return (layoutCache = {
    slotBytes: item.size, slotFloats: item.size / 4,
    colUv: at('col_uv'), tOpacity: at('t_opacity'), invX: at('inv_x'), invY: at('inv_y'), clampUv: at('clamp_uv'),
    paramsBytes: Math.ceil(params.size / 16) * 16, params,
    items: d.storages.items!.binding, samp: d.samplers.samp!.binding, paramsBinding: params.binding, src: d.textures.src!.binding,
  });
}
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
 * Fills `out` (one slot of floats, as `Item` in compositor.wgsl) with an item's slot for a tw × th texture drawn into a dw × dh target;
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
  const { colUv: COL_UV, tOpacity: T_OPACITY, invX: INV_X, invY: INV_Y, clampUv: CLAMP_UV } = wgslLayout();
  // Forward: unit square → pixels → clip space (y up).
  out[COL_UV] = (2 * a) / dw; out[COL_UV + 1] = (-2 * b) / dh; out[COL_UV + 2] = (2 * c) / dw; out[COL_UV + 3] = (-2 * d) / dh;
  out[T_OPACITY] = (2 * e) / dw - 1; out[T_OPACITY + 1] = 1 - (2 * f) / dh; out[T_OPACITY + 2] = opacity; out[T_OPACITY + 3] = 0;
  // Inverse: pixel → unit square (s, t) → uv; its linear part is the pixel's footprint in uv.
  const xx = (du * d) / det, xy = (-du * c) / det;
  const yx = (-dv * b) / det, yy = (dv * a) / det;
  out[INV_X] = xx; out[INV_X + 1] = xy; out[INV_X + 2] = u0 - xx * e - xy * f;
  out[INV_Y] = yx; out[INV_Y + 1] = yy; out[INV_Y + 2] = v0 - yx * e - yy * f;
  // Taps per axis: one per texel the footprint spans (1 when magnifying), along the pixel's axes.
  out[INV_X + 3] = tapCount(Math.hypot(xx * tw, yx * th));
  out[INV_Y + 3] = tapCount(Math.hypot(xy * tw, yy * th));
  // Clamp range: texel centres inside the crop, so bilinear taps never reach past it.
  clampRange(out, CLAMP_UV, u0, u1, tw);
  clampRange(out, CLAMP_UV + 1, v0, v1, th);
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
  private readonly layout = wgslLayout();
  private readonly scratch = new Float32Array(this.layout.slotFloats);
  private readonly drawn: Uint8Array;
  private readonly lastQuad: (DrawQuad | null)[];
  /** Per slot: version, texture width, texture height, target width, target height. */
  private readonly lastKey: Float64Array;
  private readonly lastScale = new Float32Array(MAX_CALLS).fill(NaN);
  /** One call's `Params`, laid out by compositor.wgsl, written at that call's dynamic offset. */
  private readonly scaleView = makeStructuredView(this.layout.params);
  private readonly scale: Float32Array = this.scaleView.views.opacity_scale;
  private readonly dynamicOffset = new Uint32Array(1);
  private readonly attachment: GPURenderPassColorAttachment = { view: null!, loadOp: 'load', storeOp: 'store' };
  private readonly passDesc: GPURenderPassDescriptor = { label: 'compositor', colorAttachments: [this.attachment] };
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
    const { slotBytes, slotFloats, paramsBytes, items, samp, paramsBinding, src } = this.layout;
    const sharedLayout = device.createBindGroupLayout({
      label: 'compositor-shared',
      entries: [
        { binding: items, visibility: V | F, buffer: { type: 'read-only-storage' } },
        { binding: samp, visibility: F, sampler: { type: 'filtering' } },
        { binding: paramsBinding, visibility: V, buffer: { type: 'uniform', hasDynamicOffset: true, minBindingSize: paramsBytes } },
      ],
    });
    this.textureLayout = device.createBindGroupLayout({
      label: 'compositor-source',
      entries: [{ binding: src, visibility: F, texture: { sampleType: 'float' } }],
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
    this.items = device.createBuffer({ size: slotBytes * maxItems, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST, label: 'compositor-items' });
    this.params = device.createBuffer({ size: PARAMS_STRIDE * MAX_CALLS, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, label: 'compositor-params' });
    const sampler = device.createSampler({ magFilter: 'linear', minFilter: 'linear', label: 'compositor' });
    this.shared = device.createBindGroup({
      layout: sharedLayout, label: 'compositor-shared',
      entries: [
        { binding: items, resource: { buffer: this.items } },
        { binding: samp, resource: sampler },
        { binding: paramsBinding, resource: { buffer: this.params, size: paramsBytes } },
      ],
    });
    this.mirror = new Float32Array(slotFloats * maxItems).fill(NaN);
    this.drawn = new Uint8Array(maxItems);
    this.lastQuad = new Array<DrawQuad | null>(maxItems).fill(null);
    this.lastKey = new Float64Array(5 * maxItems).fill(NaN);
    this.sources = new UseCache((texture) => device.createBindGroup({
      layout: this.textureLayout, label: `compositor-source ${texture.label}`,
      entries: [{ binding: src, resource: texture.createView({ label: `compositor-source ${texture.label}` }) }],
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

    // One descriptor, refilled per call: the render pass reads it when it begins.
    const att = this.attachment;
    att.view = this.views.get(target, tick);
    att.loadOp = clear ? 'clear' : 'load';
    att.clearValue = clear ?? undefined;
    this.passDesc.timestampWrites = timer?.pass('compositor');
    const pass = encoder.beginRenderPass(this.passDesc);
    this.dynamicOffset[0] = call * PARAMS_STRIDE;
    pass.setBindGroup(0, this.shared, this.dynamicOffset, 0, 1);
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
    const s = this.scale;
    s[0] = Math.min(1, Math.max(0, scale));
    if (this.lastScale[call] === s[0]) return;
    this.lastScale[call] = s[0]!;
    this.device.queue.writeBuffer(this.params, call * PARAMS_STRIDE, this.scaleView.arrayBuffer);
  }

  /** Rewrites the slots whose item changed, as one contiguous buffer write. */
  private writeSlots(items: readonly CompositorItem[], n: number, base: number, dw: number, dh: number): void {
    let lo = -1, hi = -1;
    const key = this.lastKey, mirror = this.mirror, s = this.scratch;
    const { slotBytes, slotFloats } = this.layout;
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
      const at = slot * slotFloats;
      let same = true;
      for (let j = 0; j < slotFloats; j++) if (mirror[at + j] !== s[j]) { same = false; break; }
      if (same) continue;
      mirror.set(s, at);
      if (lo < 0) lo = slot;
      hi = slot;
      this.writes++;
    }
    if (lo >= 0) this.device.queue.writeBuffer(this.items, lo * slotBytes, mirror, lo * slotFloats, (hi - lo + 1) * slotFloats);
  }

  /** Frees the GPU buffers and forgets cached bind groups. */
  destroy(): void {
    this.items.destroy();
    this.params.destroy();
    this.sources.clear();
    this.views.clear();
  }
}
