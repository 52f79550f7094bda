import shader from '../../../shaders/mask-feather.wgsl?raw';
import { featherKernel, gaussianWeights } from '../../segment/mask-options.ts';
import type { PassTimer } from '../timing.ts';
import { BindGroupCache, computePipeline, groups8, uniformBuffer } from './mask-common.ts';

/**
 * Feather: separable Gaussian (sigma = radius/2) on the full-resolution rgba8unorm mask,
 * `mask` → `tmp` → `mask`. Both textures need TEXTURE_BINDING | STORAGE_BINDING.
 */
export class MaskFeatherPass {
  private readonly h: GPUComputePipeline;
  private readonly v: GPUComputePipeline;
  private readonly params: GPUBuffer;
  private readonly paramData = new ArrayBuffer(128);
  private readonly hGroups: BindGroupCache;
  private readonly vGroups: BindGroupCache;
  private key = '';

  constructor(private readonly device: GPUDevice) {
    const module = device.createShaderModule({ code: shader, label: 'mask-feather' });
    this.h = computePipeline(device, module, 'h', 'mask-feather-h');
    this.v = computePipeline(device, module, 'v', 'mask-feather-v');
    this.params = uniformBuffer(device, 128, 'mask-feather-params');
    this.hGroups = new BindGroupCache(device, this.h, 'mask-feather-h');
    this.vGroups = new BindGroupCache(device, this.v, 'mask-feather-v');
  }

  /** Encodes the blur in place on `mask`; radius in pixels, 0 encodes nothing. */
  encode(encoder: GPUCommandEncoder, mask: GPUTexture, tmp: GPUTexture, radiusPx: number, timer?: PassTimer): void {
    const { sigma, radius } = featherKernel(radiusPx);
    if (radius === 0) return;
    const key = `${mask.width}x${mask.height}:${radius}`;
    if (key !== this.key) {
      const u32 = new Uint32Array(this.paramData);
      const f32 = new Float32Array(this.paramData);
      u32[0] = mask.width; u32[1] = mask.height; u32[2] = radius; u32[3] = 0;
      f32.fill(0, 4);
      f32.set(gaussianWeights(sigma, radius), 4);
      this.device.queue.writeBuffer(this.params, 0, this.paramData);
      this.key = key;
    }
    const pass = encoder.beginComputePass({ label: 'mask-feather', timestampWrites: timer?.pass('mask-feather') });
    pass.setPipeline(this.h);
    pass.setBindGroup(0, this.hGroups.get([[0, this.params], [1, mask], [2, tmp]]));
    pass.dispatchWorkgroups(groups8(mask.width), groups8(mask.height));
    pass.setPipeline(this.v);
    pass.setBindGroup(0, this.vGroups.get([[0, this.params], [1, tmp], [2, mask]]));
    pass.dispatchWorkgroups(groups8(mask.width), groups8(mask.height));
    pass.end();
    timer?.endPass('mask-feather');
  }

  /** Frees GPU buffers. */
  destroy(): void { this.params.destroy(); }
}
