import shader from '../../../shaders/mask-temporal.wgsl?raw';
import { MOTION_HI, MOTION_LO, TEMPORAL_SNAP_HI, TEMPORAL_SNAP_LO, temporalBand } from '../../segment/mask-options.ts';
import type { PassTimer } from '../timing.ts';
import { BindGroupCache, computePipeline, groups8, uniformBuffer } from './mask-common.ts';

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
 * Motion-adaptive temporal hold (see shaders/mask-temporal.wgsl). Owns the previous mask and
 * previous low-res frame; the first frame after construction, reset() or a size change passes
 * through unchanged.
 */
export class MaskTemporalPass {
  private readonly main: GPUComputePipeline;
  private readonly commit: GPUComputePipeline;
  private readonly params: GPUBuffer;
  private readonly firstParams: GPUBuffer;
  private readonly paramData = new ArrayBuffer(32);
  private readonly mainGroups: BindGroupCache;
  private readonly firstGroups: BindGroupCache;
  private readonly commitGroups: BindGroupCache;
  private prevMask: GPUBuffer | null = null;
  private prevFrame: GPUBuffer | null = null;
  private width = 0;
  private height = 0;
  private strength = 0;
  private primed = false;

  constructor(private readonly device: GPUDevice, temporal = 0) {
    const module = device.createShaderModule({ code: shader, label: 'mask-temporal' });
    this.main = computePipeline(device, module, 'main', 'mask-temporal');
    this.commit = computePipeline(device, module, 'commit', 'mask-temporal-commit');
    this.params = uniformBuffer(device, 32, 'mask-temporal-params');
    this.firstParams = uniformBuffer(device, 32, 'mask-temporal-first-params');
    this.mainGroups = new BindGroupCache(device, this.main, 'mask-temporal');
    this.firstGroups = new BindGroupCache(device, this.main, 'mask-temporal-first');
    this.commitGroups = new BindGroupCache(device, this.commit, 'mask-temporal-commit');
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

  /** Encodes one step; the state buffers are updated in the same compute pass. */
  encode(encoder: GPUCommandEncoder, io: TemporalIo, timer?: PassTimer): void {
    if (io.width !== this.width || io.height !== this.height) this.resize(io.width, io.height);
    const first = !this.primed;
    const groups = first ? this.firstGroups : this.mainGroups;
    const group = groups.get([
      [0, first ? this.firstParams : this.params], [1, io.raw], [2, io.frame],
      [3, this.prevMask!], [4, this.prevFrame!], [5, io.dst],
    ]);
    const commitGroup = this.commitGroups.get([[0, this.params], [2, io.frame], [6, this.prevMask!], [7, this.prevFrame!], [8, io.dst]]);
    const pass = encoder.beginComputePass({ label: 'mask-temporal', timestampWrites: timer?.pass('mask-temporal') });
    pass.setPipeline(this.main);
    pass.setBindGroup(0, group);
    pass.dispatchWorkgroups(groups8(this.width), groups8(this.height));
    pass.setPipeline(this.commit);
    pass.setBindGroup(0, commitGroup);
    pass.dispatchWorkgroups(groups8(this.width), groups8(this.height));
    pass.end();
    timer?.endPass('mask-temporal');
    this.primed = true;
  }

  private resize(width: number, height: number): void {
    this.prevMask?.destroy();
    this.prevFrame?.destroy();
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
    this.prevMask = this.device.createBuffer({ size: width * height * 4, usage, label: 'mask-temporal-prev-mask' });
    this.prevFrame = this.device.createBuffer({ size: width * height * 12, usage, label: 'mask-temporal-prev-frame' });
    this.mainGroups.clear();
    this.firstGroups.clear();
    this.commitGroups.clear();
    this.width = width;
    this.height = height;
    this.primed = false;
    this.writeParams();
  }

  private writeParams(): void {
    const u32 = new Uint32Array(this.paramData);
    const f32 = new Float32Array(this.paramData);
    u32[0] = this.width; u32[1] = this.height;
    f32[3] = MOTION_LO; f32[4] = MOTION_HI;
    // The first frame uses its own uniform with band 0 so a reset never races a queued write.
    const band = (b: number) => { f32[2] = b; f32[5] = TEMPORAL_SNAP_LO * b; f32[6] = TEMPORAL_SNAP_HI * b; };
    band(0);
    this.device.queue.writeBuffer(this.firstParams, 0, this.paramData);
    band(temporalBand(this.strength));
    this.device.queue.writeBuffer(this.params, 0, this.paramData);
  }

  /** Frees GPU buffers. */
  destroy(): void {
    this.prevMask?.destroy();
    this.prevFrame?.destroy();
    this.params.destroy();
    this.firstParams.destroy();
  }
}
