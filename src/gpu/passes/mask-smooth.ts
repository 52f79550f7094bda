import shader from '../../../shaders/mask-smooth.wgsl?raw';
import { gaussianWeights, smoothKernel } from '../../segment/mask-options.ts';
import type { PassTimer } from '../timing.ts';
import { SeparablePass } from './mask-common.ts';
import type { MaskIo } from './mask-threshold.ts';

/**
 * Contour smoothing at mask resolution: separable Gaussian (sigma = SMOOTH_MAX_SIGMA ·
 * smoothContour) then smoothstep(0, 1) to keep the edge from widening. 0 copies.
 */
export class MaskSmoothPass {
  private readonly sep: SeparablePass;
  private readonly paramData = new ArrayBuffer(48);

  constructor(private readonly device: GPUDevice) {
    this.sep = new SeparablePass(device, shader, 'mask-smooth', 48);
  }

  /** Encodes both directions; `tmp` is a scratch buffer of the same size. */
  encode(encoder: GPUCommandEncoder, io: MaskIo & { tmp: GPUBuffer }, smoothContour: number, timer?: PassTimer): void {
    if (this.sep.changed(io.width, io.height, smoothContour)) {
      const { sigma, radius } = smoothKernel(smoothContour);
      const u32 = new Uint32Array(this.paramData);
      const f32 = new Float32Array(this.paramData);
      u32[0] = io.width; u32[1] = io.height; u32[2] = radius; u32[3] = radius > 0 ? 1 : 0;
      f32.fill(0, 4);
      f32.set(gaussianWeights(sigma, radius), 4);
      this.device.queue.writeBuffer(this.sep.params, 0, this.paramData);
    }
    this.sep.encode(encoder, io.src, io.tmp, io.dst, io.width, io.height, timer);
  }

  /** Frees GPU buffers. */
  destroy(): void { this.sep.destroy(); }
}
