import shader from '../../../shaders/mask-morph.wgsl?raw';
import type { PassTimer } from '../timing.ts';
import { SeparablePass } from './pass-common.ts';
import type { MaskIo } from './mask-threshold.ts';

/**
 * Dilate (expand > 0) or erode (expand < 0) by |expand| mask pixels: a separable max/min
 * filter, rows into `tmp` then columns into `dst`. expand 0 copies.
 */
export class MaskMorphPass extends SeparablePass {
  constructor(device: GPUDevice) {
    super(device, shader, 'mask-morph');
  }

  /** Encodes both directions; `tmp` is a scratch buffer of the same size. */
  encode(encoder: GPUCommandEncoder, io: MaskIo & { tmp: GPUBuffer }, expand: number, timer?: PassTimer): void {
    const n = Math.round(expand);
    if (this.changed(io.width, io.height, n)) {
      this.params.set({ size: [io.width, io.height], radius: Math.abs(n), dilate: n >= 0 ? 1 : 0 }).write();
    }
    this.run(encoder, io.src, io.tmp, io.dst, io.width, io.height, timer);
  }
}
