import common from '../../../shaders/separable-gaussian.wgsl?raw';
import { gaussianWeights } from './mask-constants.ts';
import { SeparablePass, withConstants } from './pass-common.ts';

/**
 * A separable Gaussian over a mask: `code` (which defines tap(q) and the h / v entry points)
 * after shaders/separable-gaussian.wgsl, whose weight array holds `maxRadius` + 1 taps.
 */
export class SeparableGaussianPass extends SeparablePass {
  /** The weights as the shader holds them, one per vec4 (in .x). */
  private readonly spread: Float32Array;

  constructor(device: GPUDevice, code: string, name: string, protected readonly maxRadius: number) {
    super(device, withConstants(common + code, { MAX_RADIUS: maxRadius }), name);
    this.spread = new Float32Array(4 * (maxRadius + 1));
  }

  /** Writes the params of a sigma / radius kernel over width × height (radius ≤ maxRadius). */
  protected writeKernel(width: number, height: number, sigma: number, radius: number, sharpen: boolean): void {
    const w = gaussianWeights(sigma, radius);
    this.spread.fill(0);
    for (let k = 0; k < w.length; k++) this.spread[4 * k] = w[k]!;
    this.params.set({ size: [width, height], radius, sharpen: sharpen ? 1 : 0 }).setArray('w', this.spread).write();
  }
}
