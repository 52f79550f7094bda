/**
 * Small shared pieces of the mask refinement passes: pipeline creation and a bind group
 * cache keyed on resource identity, so steady-state frames allocate nothing.
 */

/** A buffer or texture bound at consecutive binding numbers from `first`. */
export type Bindable = GPUBuffer | GPUTexture;

/** Creates a labelled compute pipeline for one entry point of a module (auto layout). */
export function computePipeline(device: GPUDevice, module: GPUShaderModule, entryPoint: string, label: string): GPUComputePipeline {
  return device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint }, label });
}

/**
 * Holds one bind group and the resources it was made from; `get` rebuilds it only when a
 * resource differs by identity (a new model buffer, a resized texture).
 */
export class BindGroupCache {
  private key: (Bindable | null)[] = [];
  private group: GPUBindGroup | null = null;

  constructor(
    private readonly device: GPUDevice,
    private readonly pipeline: GPUComputePipeline,
    private readonly label: string,
  ) {}

  /** Bind group with `resources` at their [binding, resource] pairs. */
  get(entries: readonly (readonly [number, Bindable])[]): GPUBindGroup {
    const same = this.group !== null && entries.length === this.key.length && entries.every(([, r], i) => this.key[i] === r);
    if (same) return this.group!;
    this.group = this.device.createBindGroup({
      layout: this.pipeline.getBindGroupLayout(0),
      entries: entries.map(([binding, r]) => ({
        binding,
        resource: r instanceof GPUBuffer ? { buffer: r } : r.createView(),
      })),
      label: this.label,
    });
    this.key = entries.map(([, r]) => r);
    return this.group;
  }

  /** Forgets the bind group (its resources are about to be destroyed). */
  clear(): void { this.group = null; this.key = []; }
}

/** Creates a uniform buffer of `size` bytes for a pass's parameters. */
export function uniformBuffer(device: GPUDevice, size: number, label: string): GPUBuffer {
  return device.createBuffer({ size, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, label });
}

/** Workgroup count for an 8x8 workgroup covering `n` items. */
export const groups8 = (n: number): number => Math.ceil(n / 8);
