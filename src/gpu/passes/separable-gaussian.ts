import common from '../../../shaders/separable-gaussian.wgsl?raw';
import { gaussianWeights } from './mask-constants.ts';
import { SeparablePass, withConstants } from './pass-common.ts';

/**
 * A separable Gaussian over a mask: `code` (which defines tap(q) and the h / v entry points)
 * after shaders/separable-gaussian.wgsl, whose weight array holds `maxRadius` + 1 taps.
 */
export class SeparableGaussianPass extends SeparablePass {
  constructor(device: GPUDevice, code: string, name: string, protected readonly maxRadius: number) {
    super(device, withConstants(common + code, { MAX_RADIUS: maxRadius }), name);
  }

  /** Writes the params of a sigma / radius kernel over width × height (radius ≤ maxRadius). */
  protected writeKernel(width: number, height: number, sigma: number, radius: number, sharpen: boolean): void {
    this.params.set({ size: [width, height], radius, sharpen: sharpen ? 1 : 0 }).setArray('w', gaussianWeights(sigma, radius)).write();
  }
}
