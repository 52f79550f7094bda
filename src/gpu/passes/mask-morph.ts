import shader from '../../../shaders/mask-morph.wgsl?raw';
import type { PassTimer } from '../timing.ts';
import { SeparablePass } from './mask-common.ts';
import type { MaskIo } from './mask-threshold.ts';

/**
 * Dilate (expand > 0) or erode (expand < 0) by |expand| mask pixels: a separable max/min
 * filter, rows into `tmp` then columns into `dst`. expand 0 copies.
 */
export class MaskMorphPass {
  private readonly sep: SeparablePass;
  private readonly paramData = new ArrayBuffer(16);

  constructor(private readonly device: GPUDevice) {
    this.sep = new SeparablePass(device, shader, 'mask-morph', 16);
  }

  /** Encodes both directions; `tmp` is a scratch buffer of the same size. */
  encode(encoder: GPUCommandEncoder, io: MaskIo & { tmp: GPUBuffer }, expand: number, timer?: PassTimer): void {
    const n = Math.round(expand);
    if (this.sep.changed(io.width, io.height, n)) {
      const u32 = new Uint32Array(this.paramData);
      const i32 = new Int32Array(this.paramData);
      u32[0] = io.width; u32[1] = io.height; i32[2] = Math.abs(n); u32[3] = n >= 0 ? 1 : 0;
      this.device.queue.writeBuffer(this.sep.params, 0, this.paramData);
    }
    this.sep.encode(encoder, io.src, io.tmp, io.dst, io.width, io.height, timer);
  }

  /** Frees GPU buffers. */
  destroy(): void { this.sep.destroy(); }
}
