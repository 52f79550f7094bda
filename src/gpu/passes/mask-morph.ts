import shader from '../../../shaders/mask-morph.wgsl?raw';
import type { PassTimer } from '../timing.ts';
import { BindGroupCache, computePipeline, groups8, uniformBuffer } from './mask-common.ts';
import type { MaskIo } from './mask-threshold.ts';

/**
 * Dilate (expand > 0) or erode (expand < 0) by |expand| mask pixels: a separable max/min
 * filter, rows into `tmp` then columns into `dst`. expand 0 copies.
 */
export class MaskMorphPass {
  private readonly h: GPUComputePipeline;
  private readonly v: GPUComputePipeline;
  private readonly params: GPUBuffer;
  private readonly paramData = new ArrayBuffer(16);
  private readonly hGroups: BindGroupCache;
  private readonly vGroups: BindGroupCache;
  private key = '';

  constructor(private readonly device: GPUDevice) {
    const module = device.createShaderModule({ code: shader, label: 'mask-morph' });
    this.h = computePipeline(device, module, 'h', 'mask-morph-h');
    this.v = computePipeline(device, module, 'v', 'mask-morph-v');
    this.params = uniformBuffer(device, 16, 'mask-morph-params');
    this.hGroups = new BindGroupCache(device, this.h, 'mask-morph-h');
    this.vGroups = new BindGroupCache(device, this.v, 'mask-morph-v');
  }

  /** Encodes both directions; `tmp` is a scratch buffer of the same size. */
  encode(encoder: GPUCommandEncoder, io: MaskIo & { tmp: GPUBuffer }, expand: number, timer?: PassTimer): void {
    const n = Math.round(expand);
    const key = `${io.width}x${io.height}:${n}`;
    if (key !== this.key) {
      const u32 = new Uint32Array(this.paramData);
      const i32 = new Int32Array(this.paramData);
      u32[0] = io.width; u32[1] = io.height; i32[2] = Math.abs(n); u32[3] = n >= 0 ? 1 : 0;
      this.device.queue.writeBuffer(this.params, 0, this.paramData);
      this.key = key;
    }
    const pass = encoder.beginComputePass({ label: 'mask-morph', timestampWrites: timer?.pass('mask-morph') });
    pass.setPipeline(this.h);
    pass.setBindGroup(0, this.hGroups.get([[0, this.params], [1, io.src], [2, io.tmp]]));
    pass.dispatchWorkgroups(groups8(io.width), groups8(io.height));
    pass.setPipeline(this.v);
    pass.setBindGroup(0, this.vGroups.get([[0, this.params], [1, io.tmp], [2, io.dst]]));
    pass.dispatchWorkgroups(groups8(io.width), groups8(io.height));
    pass.end();
    timer?.endPass('mask-morph');
  }

  /** Frees GPU buffers. */
  destroy(): void { this.params.destroy(); }
}
