import shader from '../../../shaders/mirror-average.wgsl?raw';
import { groups8, Shader, TimedPass, type BindGroupCache, type Kernel, type Uniform } from './pass-common.ts';

/**
 * The GPU side of mirror averaging (shaders/mirror-average.wgsl): `mirror` flips the model input,
 * `average` combines the two masks. Sizes are fixed at construction (the model's input size).
 */
export class MirrorAveragePass {
  private readonly mirrorK: Kernel;
  private readonly averageK: Kernel;
  private readonly params: Uniform;
  private readonly mirrorGroups: BindGroupCache;
  private readonly averageGroups: BindGroupCache;
  private readonly timed = new TimedPass('mirror-average');

  constructor(device: GPUDevice, private readonly width: number, private readonly height: number, planes = 3) {
    const s = new Shader(device, shader, 'mirror-average');
    this.mirrorK = s.kernel('mirror', ['p', 'src', 'dst'], 'mirror-average-mirror');
    this.averageK = s.kernel('average', ['p', 'dst', 'a', 'b'], 'mirror-average-average');
    this.params = s.uniform('p');
    this.params.set({ size: [width, height], planes }).write();
    this.mirrorGroups = this.mirrorK.groups();
    this.averageGroups = this.averageK.groups();
  }

  /** Encodes dst = src mirrored (every plane). */
  mirror(encoder: GPUCommandEncoder, src: GPUBuffer, dst: GPUBuffer): void {
    this.timed.run(encoder, this.mirrorK.pipeline, this.mirrorGroups.get(this.params.buffer, src, dst), groups8(this.width), groups8(this.height));
  }

  /** Encodes dst = (a + b mirrored back) / 2 over one plane. */
  average(encoder: GPUCommandEncoder, a: GPUBuffer, b: GPUBuffer, dst: GPUBuffer): void {
    this.timed.run(encoder, this.averageK.pipeline, this.averageGroups.get(this.params.buffer, dst, a, b), groups8(this.width), groups8(this.height));
  }

  /** Frees the params buffer. */
  destroy(): void { this.params.destroy(); }
}
