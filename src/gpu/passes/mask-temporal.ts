import shader from '../../../shaders/mask-temporal.wgsl?raw';
import type { PassTimer } from '../timing.ts';
import { MOTION_HI, MOTION_LO, TEMPORAL_SNAP_HI, TEMPORAL_SNAP_LO, temporalBand } from './mask-constants.ts';
import { groups8, Shader, TimedPass, type BindGroupCache, type Kernel, type Uniform } from './pass-common.ts';
import { StudioStateError } from '../../util/errors.ts';

/** Buffers of one temporal step: raw model mask and low-res frame in, smoothed mask out. */
export interface TemporalIo {
  /** f32 P(person), width*height. */
  raw: GPUBuffer;
  /** f32 NCHW [3,h,w] in [0,1], the model's input for this frame. */
  frame: GPUBuffer;
  /** f32 width*height, written. */
  dst: GPUBuffer;
  width: number;
  height: number;
}

/**
 * Motion-adaptive temporal hold (see shaders/mask-temporal.wgsl), over masks whose width is a
 * multiple of 4. Owns the previous mask and
 * previous low-res frame; the first frame after construction, reset() or a size change passes
 * through unchanged.
 */
export class MaskTemporalPass {
  private readonly diff: Kernel;
  private readonly main: Kernel;
  private readonly params: Uniform;
  private readonly firstParams: Uniform;
  private readonly mainGroups: BindGroupCache;
  private readonly firstGroups: BindGroupCache;
  private readonly diffGroups: BindGroupCache;
  /** Per-pixel frame change, written by `diff` and read 3×3 by `main`. */
  private motion: GPUBuffer | null = null;
  private readonly timed = new TimedPass('mask-temporal');
  private prevMask: GPUBuffer | null = null;
  private prevFrame: GPUBuffer | null = null;
  private width = 0;
  private height = 0;
  private strength = 0;
  private primed = false;

  constructor(private readonly device: GPUDevice, temporal = 0) {
    const s = new Shader(device, shader, 'mask-temporal');
    this.diff = s.kernel('diff', ['p', 'frame', 'prevFrame', 'diffOut'], 'mask-temporal-diff');
    this.main = s.kernel('main', ['p', 'raw', 'prevMask', 'dst', 'diffIn']);
    this.params = s.uniform('p', 'mask-temporal-params');
    this.firstParams = s.uniform('p', 'mask-temporal-first-params');
    this.mainGroups = this.main.groups();
    this.firstGroups = this.main.groups('mask-temporal-first');
    this.diffGroups = this.diff.groups();
    this.strength = temporal;
  }

  /** Sets the smoothing strength where the picture is static (0 = off, 1 = strongest). */
  setStrength(temporal: number): void {
    if (temporal === this.strength) return;
    this.strength = temporal;
    if (this.width > 0) this.writeParams();
  }

  /** Forgets the history: the next frame passes through (call on a source change). */
  reset(): void { this.primed = false; }

  /** Encodes one step; the state buffers are updated by copies right after it (io.dst and io.frame need COPY_SRC). */
  encode(encoder: GPUCommandEncoder, io: TemporalIo, timer?: PassTimer): void {
    if (io.width !== this.width || io.height !== this.height) this.resize(io.width, io.height);
    const first = !this.primed;
    const groups = first ? this.firstGroups : this.mainGroups;
    const group = groups.get((first ? this.firstParams : this.params).buffer, io.raw, this.prevMask!, io.dst, this.motion!);
    const diffGroup = this.diffGroups.get(this.params.buffer, io.frame, this.prevFrame!, this.motion!);
    const x = groups8(this.width / 4), y = groups8(this.height);
    this.timed.runPair(encoder, timer, this.diff.pipeline, diffGroup, x, y, this.main.pipeline, group, x, y);
    const n = this.width * this.height;
    encoder.copyBufferToBuffer(io.dst, 0, this.prevMask!, 0, 4 * n);
    encoder.copyBufferToBuffer(io.frame, 0, this.prevFrame!, 0, 12 * n);
    this.primed = true;
  }

  private resize(width: number, height: number): void {
    // The shader takes four pixels of a row at a time; the models' masks are 256 wide.
    if (width % 4 !== 0) throw new StudioStateError(`mask-temporal: width ${width} is not a multiple of 4`);
    this.prevMask?.destroy();
    this.prevFrame?.destroy();
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
    this.prevMask = this.device.createBuffer({ size: width * height * 4, usage, label: 'mask-temporal-prev-mask' });
    this.prevFrame = this.device.createBuffer({ size: width * height * 12, usage, label: 'mask-temporal-prev-frame' });
    this.motion?.destroy();
    this.motion = this.device.createBuffer({ size: width * height * 4, usage: GPUBufferUsage.STORAGE, label: 'mask-temporal-motion' });
    this.diffGroups.clear();
    this.mainGroups.clear();
    this.firstGroups.clear();
    this.width = width;
    this.height = height;
    this.primed = false;
    this.writeParams();
  }

  private writeParams(): void {
    const fixed = { size: [this.width, this.height], motionLo: MOTION_LO, motionHi: MOTION_HI };
    // The first frame uses its own uniform with band 0 so a reset never races a queued write.
    const band = (u: Uniform, b: number): void => {
      u.set(fixed).set({ band: b, snapLo: TEMPORAL_SNAP_LO * b, snapHi: TEMPORAL_SNAP_HI * b }).write();
    };
    band(this.firstParams, 0);
    band(this.params, temporalBand(this.strength));
  }

  /** Frees GPU buffers. */
  destroy(): void {
    this.prevMask?.destroy();
    this.prevFrame?.destroy();
    this.motion?.destroy();
    this.params.destroy();
    this.firstParams.destroy();
  }
}
