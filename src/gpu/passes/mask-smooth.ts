import shader from '../../../shaders/mask-smooth.wgsl?raw';
import type { PassTimer } from '../timing.ts';
import { SMOOTH_MAX_RADIUS, smoothKernel } from './mask-constants.ts';
import type { MaskIo } from './mask-threshold.ts';
import { SeparableGaussianPass } from './separable-gaussian.ts';
import { StudioStateError } from '../../util/errors.ts';

/**
 * Contour smoothing at mask resolution: separable Gaussian (sigma = SMOOTH_MAX_SIGMA ·
 * smoothContour) then smoothstep(0, 1) to keep the edge from widening. 0 copies. Masks are a
 * multiple of 4 wide: the shader takes four pixels of a row per thread.
 */
export class MaskSmoothPass extends SeparableGaussianPass {
  constructor(device: GPUDevice) {
    super(device, shader, 'mask-smooth', SMOOTH_MAX_RADIUS);
    // The row pass spells out the 13 taps of radius 6.
    if (SMOOTH_MAX_RADIUS !== 6) throw new StudioStateError(`mask-smooth.wgsl unrolls radius 6, not ${SMOOTH_MAX_RADIUS}`);
  }

  /** Encodes both directions; `tmp` is a scratch buffer of the same size. */
  encode(encoder: GPUCommandEncoder, io: MaskIo & { tmp: GPUBuffer }, smoothContour: number, timer?: PassTimer): void {
    if (smoothContour <= 0) {
      // Off: a buffer copy, where the two kernels would pay per invocation to copy on CPU rasterisers.
      encoder.copyBufferToBuffer(io.src, 0, io.dst, 0, 4 * io.width * io.height);
      return;
    }
    if (io.width % 4 !== 0) throw new StudioStateError(`mask-smooth: width ${io.width} is not a multiple of 4`);
    if (this.changed(io.width, io.height, smoothContour)) {
      const { sigma, radius } = smoothKernel(smoothContour);
      this.writeKernel(io.width, io.height, sigma, radius, radius > 0);
    }
    // One thread per four pixels of a row.
    this.run(encoder, io.src, io.tmp, io.dst, io.width / 4, io.height, timer);
  }
}
