import shader from '../../../shaders/bg-blur.wgsl?raw';
import type { PassTimer } from '../timing.ts';
import { blurPlan, type BlurPlan } from './bg-plan.ts';

/** Fallback weight of the pixel itself where a neighbourhood holds (almost) no background. */
export const BG_BLUR_EPS = 1e-3;

const WG = 8;
const STORAGE_LEVEL = GPUTextureUsage.STORAGE_BINDING | GPUTextureUsage.TEXTURE_BINDING;

/**
 * Mask-weighted background blur and its composite: camera (rgba8unorm) + mask (.r = person)
 * → opaque camera layer, person sharp, background blurred without the person bleeding into it.
 * Large radii run at 1/2..1/16 resolution (see blurPlan), so cost stays bounded at 1080p.
 */
export class BgBlurPass {
  private readonly downPipeline: GPUComputePipeline;
  private readonly blurPipeline: GPUComputePipeline;
  private readonly compositePipeline: GPUComputePipeline;
  private readonly downParams: GPUBuffer;
  private readonly blurParamsH: GPUBuffer;
  private readonly blurParamsV: GPUBuffer;
  private readonly compositeParams: GPUBuffer;
  private readonly blurData = new ArrayBuffer(96);
  private readonly smallData = new ArrayBuffer(32);
  private readonly sampler: GPUSampler;
  private strength = 0.5;
  private lightWrap = 0;
  private plan: BlurPlan | null = null;
  // What the current plan was made for; compared as numbers so a frame allocates nothing.
  private planStrength = NaN;
  private planWidth = 0;
  private planHeight = 0;
  private paramsDirty = true;
  private levelA: GPUTexture | null = null;
  private levelB: GPUTexture | null = null;
  private groups: { down: GPUBindGroup; h: GPUBindGroup; v: GPUBindGroup; comp: GPUBindGroup } | null = null;
  private bound: [GPUTexture | null, GPUTexture | null, GPUTexture | null] = [null, null, null];

  constructor(private readonly device: GPUDevice) {
    const module = device.createShaderModule({ code: shader, label: 'bg-blur' });
    const make = (entryPoint: string) => device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint }, label: `bg-blur-${entryPoint}` });
    this.downPipeline = make('down');
    this.blurPipeline = make('blur');
    this.compositePipeline = make('composite');
    const ubo = (size: number, label: string) => device.createBuffer({ size, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, label });
    this.sampler = device.createSampler({ magFilter: 'linear', minFilter: 'linear', label: 'bg-blur-level' });
    this.downParams = ubo(32, 'bg-blur-down-params');
    this.blurParamsH = ubo(96, 'bg-blur-h-params');
    this.blurParamsV = ubo(96, 'bg-blur-v-params');
    this.compositeParams = ubo(32, 'bg-blur-composite-params');
  }

  /** Blur strength 0..1 (0 = camera unchanged); takes effect at the next encode. */
  setStrength(strength: number): void {
    // Clamped here so NaN cannot make every frame look like a change.
    const s = Math.min(Math.max(Number.isFinite(strength) ? strength : 0, 0), 1);
    if (s !== this.strength) { this.strength = s; this.paramsDirty = true; }
  }

  /** Light wrap 0..1: blurred background spilled onto the person's edge. */
  setLightWrap(amount: number): void {
    const a = Math.min(Math.max(Number.isFinite(amount) ? amount : 0, 0), 1);
    if (a !== this.lightWrap) { this.lightWrap = a; this.paramsDirty = true; }
  }

  /** The plan the next encode at this size uses (for stats and tests). */
  planFor(width: number, height: number): BlurPlan { return blurPlan(this.strength, width, height); }

  /** Encodes the blur chain and composite into `target` (rgba8unorm, STORAGE_BINDING, camera size). */
  encode(encoder: GPUCommandEncoder, camera: GPUTexture, mask: GPUTexture, target: GPUTexture, timer?: PassTimer): void {
    const w = camera.width, h = camera.height;
    this.prepare(w, h);
    this.bind(camera, mask, target);
    const plan = this.plan!, g = this.groups!;
    this.run(encoder, timer, 'bg-down', this.downPipeline, g.down, plan.levelWidth, plan.levelHeight);
    if (plan.radius > 0) {
      this.run(encoder, timer, 'bg-blur-h', this.blurPipeline, g.h, plan.levelWidth, plan.levelHeight);
      this.run(encoder, timer, 'bg-blur-v', this.blurPipeline, g.v, plan.levelWidth, plan.levelHeight);
    }
    this.run(encoder, timer, 'bg-composite', this.compositePipeline, g.comp, w, h);
  }

  private run(encoder: GPUCommandEncoder, timer: PassTimer | undefined, name: string, pipeline: GPUComputePipeline, group: GPUBindGroup, x: number, y: number): void {
    const pass = encoder.beginComputePass({ label: name, timestampWrites: timer?.pass(name) });
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, group);
    pass.dispatchWorkgroups(Math.ceil(x / WG), Math.ceil(y / WG));
    pass.end();
    timer?.endPass(name);
  }

  /** Recomputes the plan, level textures and uniforms only when strength, size or wrap changed. */
  private prepare(w: number, h: number): void {
    if (this.strength !== this.planStrength || w !== this.planWidth || h !== this.planHeight) {
      const plan = blurPlan(this.strength, w, h);
      if (!this.levelA || this.levelA.width !== plan.levelWidth || this.levelA.height !== plan.levelHeight) {
        this.levelA?.destroy(); this.levelB?.destroy();
        const desc = (label: string): GPUTextureDescriptor => ({ size: [plan.levelWidth, plan.levelHeight], format: 'rgba16float', usage: STORAGE_LEVEL, label });
        this.levelA = this.device.createTexture(desc('bg-blur-level-a'));
        this.levelB = this.device.createTexture(desc('bg-blur-level-b'));
        this.groups = null;
      }
      this.plan = plan;
      this.planStrength = this.strength;
      this.planWidth = w;
      this.planHeight = h;
      this.paramsDirty = true;
    }
    if (!this.paramsDirty) return;
    const plan = this.plan!;
    const u32 = new Uint32Array(this.smallData), f32 = new Float32Array(this.smallData);
    u32.set([w, h, plan.levelWidth, plan.levelHeight, plan.factor, 0, 0, 0]);
    this.device.queue.writeBuffer(this.downParams, 0, this.smallData);
    u32.set([w, h, plan.levelWidth, plan.levelHeight]);
    f32.set([1 / plan.factor, this.lightWrap, BG_BLUR_EPS, 0], 4);
    this.device.queue.writeBuffer(this.compositeParams, 0, this.smallData);
    const bu = new Uint32Array(this.blurData), bi = new Int32Array(this.blurData), bf = new Float32Array(this.blurData);
    bf.fill(0);
    bu.set([plan.levelWidth, plan.levelHeight]);
    bu[4] = plan.radius;
    bf.set(plan.weights, 8);
    bi.set([1, 0], 2);
    this.device.queue.writeBuffer(this.blurParamsH, 0, this.blurData);
    bi.set([0, 1], 2);
    this.device.queue.writeBuffer(this.blurParamsV, 0, this.blurData);
    this.paramsDirty = false;
  }

  private bind(camera: GPUTexture, mask: GPUTexture, target: GPUTexture): void {
    const [c, m, t] = this.bound;
    if (this.groups && c === camera && m === mask && t === target) return;
    const a = this.levelA!.createView(), b = this.levelB!.createView();
    const cam = camera.createView(), msk = mask.createView();
    const group = (p: GPUComputePipeline, label: string, entries: GPUBindGroupEntry[]) =>
      this.device.createBindGroup({ layout: p.getBindGroupLayout(0), entries, label });
    this.groups = {
      down: group(this.downPipeline, 'bg-blur-down', [
        { binding: 0, resource: cam }, { binding: 1, resource: msk },
        { binding: 2, resource: a }, { binding: 3, resource: { buffer: this.downParams } }]),
      h: group(this.blurPipeline, 'bg-blur-h', [
        { binding: 4, resource: a }, { binding: 5, resource: b }, { binding: 6, resource: { buffer: this.blurParamsH } }]),
      v: group(this.blurPipeline, 'bg-blur-v', [
        { binding: 4, resource: b }, { binding: 5, resource: a }, { binding: 6, resource: { buffer: this.blurParamsV } }]),
      comp: group(this.compositePipeline, 'bg-blur-composite', [
        { binding: 0, resource: cam }, { binding: 1, resource: msk }, { binding: 7, resource: a },
        { binding: 8, resource: target.createView() }, { binding: 9, resource: { buffer: this.compositeParams } },
        { binding: 10, resource: this.sampler }]),
    };
    this.bound = [camera, mask, target];
  }

  /** Frees GPU buffers and level textures. */
  destroy(): void {
    for (const b of [this.downParams, this.blurParamsH, this.blurParamsV, this.compositeParams]) b.destroy();
    this.levelA?.destroy(); this.levelB?.destroy();
    this.levelA = this.levelB = null;
    this.groups = null;
  }
}
