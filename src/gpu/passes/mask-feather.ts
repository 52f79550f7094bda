import shader from '../../../shaders/mask-feather.wgsl?raw';
import type { PassTimer } from '../timing.ts';
import { featherKernel } from './mask-constants.ts';
import { SeparableGaussianPass } from './separable-gaussian.ts';

/**
 * Feather: separable Gaussian (sigma = radius/2) on the full-resolution rgba8unorm mask,
 * `mask` → `tmp` → `mask`. Both textures need TEXTURE_BINDING | STORAGE_BINDING.
 */
export class MaskFeatherPass extends SeparableGaussianPass {
  /** `maxRadius` (pixels) sizes the shader's weights; larger radii are clamped to it. */
  constructor(device: GPUDevice, maxRadius: number) {
    super(device, shader, 'mask-feather', maxRadius);
  }

  /** Encodes the blur in place on `mask`; radius in pixels, 0 encodes nothing. */
  encode(encoder: GPUCommandEncoder, mask: GPUTexture, tmp: GPUTexture, radiusPx: number, timer?: PassTimer): void {
    const { sigma, radius } = featherKernel(radiusPx, this.maxRadius);
    if (radius === 0) return;
    if (this.changed(mask.width, mask.height, radius)) this.writeKernel(mask.width, mask.height, sigma, radius, false);
    this.run(encoder, mask, tmp, mask, mask.width, mask.height, timer);
  }
}
