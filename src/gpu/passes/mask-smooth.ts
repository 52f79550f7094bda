import shader from '../../../shaders/mask-smooth.wgsl?raw';
import { gaussianWeights, smoothKernel } from '../../segment/mask-options.ts';
import type { PassTimer } from '../timing.ts';
import { BindGroupCache, computePipeline, groups8, uniformBuffer } from './mask-common.ts';
import type { MaskIo } from './mask-threshold.ts';

/**
 * Contour smoothing at mask resolution: separable Gaussian (sigma = SMOOTH_MAX_SIGMA ·
 * smoothContour) then smoothstep(0, 1) to keep the edge from widening. 0 copies.
 */
export class MaskSmoothPass {
  private readonly h: GPUComputePipeline;
  private readonly v: GPUComputePipeline;
  private readonly params: GPUBuffer;
  private readonly paramData = new ArrayBuffer(48);
  private readonly hGroups: BindGroupCache;
  private readonly vGroups: BindGroupCache;
  private key = '';

  constructor(private readonly device: GPUDevice) {
    const module = device.createShaderModule({ code: shader, label: 'mask-smooth' });
    this.h = computePipeline(device, module, 'h', 'mask-smooth-h');
    this.v = computePipeline(device, module, 'v', 'mask-smooth-v');
    this.params = uniformBuffer(device, 48, 'mask-smooth-params');
    this.hGroups = new BindGroupCache(device, this.h, 'mask-smooth-h');
    this.vGroups = new BindGroupCache(device, this.v, 'mask-smooth-v');
  }

  /** Encodes both directions; `tmp` is a scratch buffer of the same size. */
  encode(encoder: GPUCommandEncoder, io: MaskIo & { tmp: GPUBuffer }, smoothContour: number, timer?: PassTimer): void {
    const key = `${io.width}x${io.height}:${smoothContour}`;
    if (key !== this.key) {
      const { sigma, radius } = smoothKernel(smoothContour);
      const u32 = new Uint32Array(this.paramData);
      const f32 = new Float32Array(this.paramData);
      u32[0] = io.width; u32[1] = io.height; u32[2] = radius; u32[3] = radius > 0 ? 1 : 0;
      f32.fill(0, 4);
      f32.set(gaussianWeights(sigma, radius), 4);
      this.device.queue.writeBuffer(this.params, 0, this.paramData);
      this.key = key;
    }
    const pass = encoder.beginComputePass({ label: 'mask-smooth', timestampWrites: timer?.pass('mask-smooth') });
    pass.setPipeline(this.h);
    pass.setBindGroup(0, this.hGroups.get([[0, this.params], [1, io.src], [2, io.tmp]]));
    pass.dispatchWorkgroups(groups8(io.width), groups8(io.height));
    pass.setPipeline(this.v);
    pass.setBindGroup(0, this.vGroups.get([[0, this.params], [1, io.tmp], [2, io.dst]]));
    pass.dispatchWorkgroups(groups8(io.width), groups8(io.height));
    pass.end();
    timer?.endPass('mask-smooth');
  }

  /** Frees GPU buffers. */
  destroy(): void { this.params.destroy(); }
}
