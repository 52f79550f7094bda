import shader from '../../../shaders/bg-blur.wgsl?raw';
import type { PassTimer } from '../timing.ts';
import { blurPlan, MAX_BLUR_RADIUS, type BlurPlan } from './bg-plan.ts';
import { camA, camB, cameraNames, CameraVariants, withCamera, type CameraInput, type CameraKind } from './camera-input.ts';
import { groups8, Shader, TimedPass, withConstants, type BindGroupCache, type Kernel, type Uniform } from './pass-common.ts';

/** Fallback weight of the pixel itself where a neighbourhood holds (almost) no background. */
export const BG_BLUR_EPS = 1e-3;

const STORAGE_LEVEL = GPUTextureUsage.STORAGE_BINDING | GPUTextureUsage.TEXTURE_BINDING;

/** One step of the chain: its kernel, bind group cache and timed pass. */
interface Step { kernel: Kernel; groups: BindGroupCache; timed: TimedPass }

/** The steps that read the camera, built per camera kind. */
interface CameraSteps { down: Step; composite: Step }

/**
 * Mask-weighted background blur and its composite: camera (RGBA texture or raw planes, see
 * camera-input.ts) + mask (.r = person) → opaque camera layer, person sharp, background
 * blurred without the person bleeding into it.
 * Large radii run at 1/2..1/16 resolution (see blurPlan), so cost stays bounded at 1080p.
 */
export class BgBlurPass {
  private readonly cams: CameraVariants<CameraSteps>;
  private readonly blurH: Step;
  private readonly blurV: Step;
  private readonly downParams: Uniform;
  private readonly blurParamsH: Uniform;
  private readonly blurParamsV: Uniform;
  private readonly compositeParams: Uniform;
  private readonly sampler: GPUSampler;
  private strength = 0.5;
  private lightWrap = 0;
  private plan: BlurPlan | null = null;
  // What the current plan was made for; compared as numbers so a frame allocates nothing.
  private planStrength = NaN;
  private planWidth = 0;
  private planHeight = 0;
  private paramsDirty = true;
  /** Whether levelA holds a blurred level for the current plan and parameters. */
  private levelValid = false;
  private levelA: GPUTexture | null = null;
  private levelB: GPUTexture | null = null;

  constructor(private readonly device: GPUDevice) {
    const code = (kind: CameraKind): string => withConstants(withCamera(shader, kind), { MAX_RADIUS: MAX_BLUR_RADIUS });
    const s = new Shader(device, code('texture'), 'bg-blur');
    const step = (kernel: Kernel, name: string): Step => ({ kernel, groups: kernel.groups(`bg-blur-${name}`), timed: new TimedPass(`bg-${name}`) });
    const blur = s.kernel('blur', ['blurIn', 'blurOut', 'bp'], 'bg-blur-blur');
    this.blurH = step(blur, 'blur-h');
    this.blurV = step(blur, 'blur-v');
    this.cams = new CameraVariants((kind) => {
      const m = kind === 'texture' ? s : new Shader(device, code(kind), `bg-blur-${kind}`);
      const cam = cameraNames(kind);
      return {
        down: step(m.kernel('down', ['maskTex', 'downOut', 'dp', ...cam], `bg-blur-down-${kind}`), 'down'),
        composite: step(m.kernel('composite', ['maskTex', 'levelTex', 'outTex', 'cp', 'levelSampler', ...cam], `bg-blur-composite-${kind}`), 'composite'),
      };
    });
    this.sampler = device.createSampler({ magFilter: 'linear', minFilter: 'linear', label: 'bg-blur-level' });
    this.downParams = s.uniform('dp', 'bg-blur-down-params');
    this.blurParamsH = s.uniform('bp', 'bg-blur-h-params');
    this.blurParamsV = s.uniform('bp', 'bg-blur-v-params');
    this.compositeParams = s.uniform('cp', 'bg-blur-composite-params');
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

  /**
   * Encodes the blur chain and composite into `target` (rgba8unorm, STORAGE_BINDING, camera size).
   * `refreshLevel` false keeps the blurred background level of the previous encode (same size
   * and settings) and runs only the composite: the live chain blurs with each new mask, since
   * the level's weights come from the mask and a heavily blurred background barely changes
   * between two masks, while the person, drawn from this frame's camera, stays current.
   * `levelCamera` (default `camera`, same size) is the picture a refreshed level is made from.
   */
  encode(encoder: GPUCommandEncoder, camera: CameraInput, mask: GPUTexture, target: GPUTexture, timer?: PassTimer, refreshLevel = true,
    levelCamera: CameraInput = camera): void {
    const { width: w, height: h } = camera;
    this.prepare(w, h);
    const plan = this.plan!, a = this.levelA!, b = this.levelB!;
    const lw = plan.levelWidth, lh = plan.levelHeight;
    const { down } = this.cams.for(levelCamera);
    const { composite } = this.cams.for(camera);
    if (refreshLevel || !this.levelValid) {
      this.run(encoder, timer, down, down.groups.get(mask, a, this.downParams.buffer, camA(levelCamera), camB(levelCamera)), lw, lh);
      if (plan.radius > 0) {
        this.run(encoder, timer, this.blurH, this.blurH.groups.get(a, b, this.blurParamsH.buffer), lw, lh);
        this.run(encoder, timer, this.blurV, this.blurV.groups.get(b, a, this.blurParamsV.buffer), lw, lh);
      }
      this.levelValid = true;
    }
    const comp = composite.groups.get(mask, a, target, this.compositeParams.buffer, this.sampler, camA(camera), camB(camera));
    // One thread per 4x2 block, in rows of 64 (see the shader).
    composite.timed.run(encoder, composite.kernel.pipeline, comp, Math.ceil(w / 256), Math.ceil(h / 2), timer);
  }

  private run(encoder: GPUCommandEncoder, timer: PassTimer | undefined, step: Step, group: GPUBindGroup, x: number, y: number): void {
    step.timed.run(encoder, step.kernel.pipeline, group, groups8(x), groups8(y), timer);
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
      }
      this.plan = plan;
      this.planStrength = this.strength;
      this.planWidth = w;
      this.planHeight = h;
      this.paramsDirty = true;
    }
    if (!this.paramsDirty) return;
    this.levelValid = false;
    const plan = this.plan!;
    const size = [w, h], levelSize = [plan.levelWidth, plan.levelHeight];
    this.downParams.set({ size, levelSize, factor: plan.factor }).write();
    this.compositeParams.set({ size, levelSize, invFactor: 1 / plan.factor, lightWrap: this.lightWrap, eps: BG_BLUR_EPS }).write();
    const blur = { size: levelSize, radius: plan.radius };
    this.blurParamsH.set(blur).set({ dir: [1, 0] }).setArray('w', plan.weights).write();
    this.blurParamsV.set(blur).set({ dir: [0, 1] }).setArray('w', plan.weights).write();
    this.paramsDirty = false;
  }

  /** Frees GPU buffers and level textures. */
  destroy(): void {
    for (const u of [this.downParams, this.blurParamsH, this.blurParamsV, this.compositeParams]) u.destroy();
    this.levelA?.destroy(); this.levelB?.destroy();
    this.levelA = this.levelB = null;
    this.levelValid = false;
    for (const s of [this.blurH, this.blurV]) s.groups.clear();
    for (const v of this.cams.built()) { v.down.groups.clear(); v.composite.groups.clear(); }
  }
}
