import shader from '../../../shaders/mask-threshold.wgsl?raw';
import type { PassTimer } from '../timing.ts';
import { ChangeKey, groups8, SingleKernelPass } from './pass-common.ts';

/** A mask-resolution f32 buffer pass: `src` in, `dst` out, both width*height. */
export interface MaskIo {
  src: GPUBuffer;
  dst: GPUBuffer;
  width: number;
  height: number;
}

/** Soft threshold smoothstep(t − s/2, t + s/2, m) at mask resolution. */
export class MaskThresholdPass extends SingleKernelPass {
  private readonly key = new ChangeKey();

  constructor(device: GPUDevice) {
    super(device, shader, 'mask-threshold', ['p', 'src', 'dst']);
  }

  /** Encodes the threshold; `threshold` is the edge centre, `softness` its width (0 = hard). */
  encode(encoder: GPUCommandEncoder, io: MaskIo, threshold: number, softness: number, timer?: PassTimer): void {
    if (this.key.changed(io.width, io.height, threshold, softness)) {
      this.params.set({ size: [io.width, io.height], threshold, softness }).write();
    }
    this.dispatch(encoder, this.groups.get(this.params.buffer, io.src, io.dst), groups8(io.width), groups8(io.height), timer);
  }
}
