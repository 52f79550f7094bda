import shader from '../../../shaders/mask-feather.wgsl?raw';
import { featherKernel, gaussianWeights } from '../../segment/mask-options.ts';
import type { PassTimer } from '../timing.ts';
import { SeparablePass } from './mask-common.ts';

/**
 * Feather: separable Gaussian (sigma = radius/2) on the full-resolution rgba8unorm mask,
 * `mask` → `tmp` → `mask`. Both textures need TEXTURE_BINDING | STORAGE_BINDING.
 */
export class MaskFeatherPass {
  private readonly sep: SeparablePass;
  private readonly paramData = new ArrayBuffer(128);

  constructor(private readonly device: GPUDevice) {
    this.sep = new SeparablePass(device, shader, 'mask-feather', 128);
  }

  /** Encodes the blur in place on `mask`; radius in pixels, 0 encodes nothing. */
  encode(encoder: GPUCommandEncoder, mask: GPUTexture, tmp: GPUTexture, radiusPx: number, timer?: PassTimer): void {
    const { sigma, radius } = featherKernel(radiusPx);
    if (radius === 0) return;
    if (this.sep.changed(mask.width, mask.height, radius)) {
      const u32 = new Uint32Array(this.paramData);
      const f32 = new Float32Array(this.paramData);
      u32[0] = mask.width; u32[1] = mask.height; u32[2] = radius; u32[3] = 0;
      f32.fill(0, 4);
      f32.set(gaussianWeights(sigma, radius), 4);
      this.device.queue.writeBuffer(this.sep.params, 0, this.paramData);
    }
    this.sep.encode(encoder, mask, tmp, mask, mask.width, mask.height, timer);
  }

  /** Frees GPU buffers. */
  destroy(): void { this.sep.destroy(); }
}
