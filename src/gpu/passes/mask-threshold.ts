import shader from '../../../shaders/mask-threshold.wgsl?raw';
import type { PassTimer } from '../timing.ts';
import { BindGroupCache, ChangeKey, computePipeline, groups8, uniformBuffer } from './mask-common.ts';

/** A mask-resolution f32 buffer pass: `src` in, `dst` out, both width*height. */
export interface MaskIo {
  src: GPUBuffer;
  dst: GPUBuffer;
  width: number;
  height: number;
}

/** Soft threshold smoothstep(t − s/2, t + s/2, m) at mask resolution. */
export class MaskThresholdPass {
  private readonly pipeline: GPUComputePipeline;
  private readonly params: GPUBuffer;
  private readonly paramData = new ArrayBuffer(16);
  private readonly groups: BindGroupCache;
  private readonly key = new ChangeKey();

  constructor(private readonly device: GPUDevice) {
    const module = device.createShaderModule({ code: shader, label: 'mask-threshold' });
    this.pipeline = computePipeline(device, module, 'main', 'mask-threshold');
    this.params = uniformBuffer(device, 16, 'mask-threshold-params');
    this.groups = new BindGroupCache(device, this.pipeline, 'mask-threshold');
  }

  /** Encodes the threshold; `threshold` is the edge centre, `softness` its width (0 = hard). */
  encode(encoder: GPUCommandEncoder, io: MaskIo, threshold: number, softness: number, timer?: PassTimer): void {
    if (this.key.changed(io.width, io.height, threshold, softness)) {
      const u32 = new Uint32Array(this.paramData);
      const f32 = new Float32Array(this.paramData);
      u32[0] = io.width; u32[1] = io.height; f32[2] = threshold; f32[3] = softness;
      this.device.queue.writeBuffer(this.params, 0, this.paramData);
    }
    const pass = encoder.beginComputePass({ label: 'mask-threshold', timestampWrites: timer?.pass('mask-threshold') });
    pass.setPipeline(this.pipeline);
    pass.setBindGroup(0, this.groups.get([[0, this.params], [1, io.src], [2, io.dst]]));
    pass.dispatchWorkgroups(groups8(io.width), groups8(io.height));
    pass.end();
    timer?.endPass('mask-threshold');
  }

  /** Frees GPU buffers. */
  destroy(): void { this.params.destroy(); }
}
