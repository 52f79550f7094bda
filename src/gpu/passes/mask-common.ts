import type { PassTimer } from '../timing.ts';

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

/**
 * The numbers a pass's params uniform was last written from. `changed` is true once per change
 * and allocates nothing, so the per-frame check does not build a key string every frame.
 */
export class ChangeKey {
  private readonly last = [NaN, NaN, NaN, NaN, NaN, NaN, NaN, NaN, NaN];

  /** True when any value differs from the previous call (unused trailing values stay 0). */
  changed(a: number, b = 0, c = 0, d = 0, e = 0, f = 0, g = 0, h = 0, i = 0): boolean {
    const k = this.last;
    if (k[0] === a && k[1] === b && k[2] === c && k[3] === d && k[4] === e && k[5] === f && k[6] === g && k[7] === h && k[8] === i) return false;
    k[0] = a; k[1] = b; k[2] = c; k[3] = d; k[4] = e; k[5] = f; k[6] = g; k[7] = h; k[8] = i;
    return true;
  }
}

/** Workgroup count for an 8x8 workgroup covering `n` items. */
export const groups8 = (n: number): number => Math.ceil(n / 8);

/**
 * The skeleton the separable mask filters share: entry points `h` and `v` of one module, a
 * params uniform, and one compute pass running src → tmp (rows) then tmp → dst (columns).
 */
export class SeparablePass {
  readonly params: GPUBuffer;
  private readonly h: GPUComputePipeline;
  private readonly v: GPUComputePipeline;
  private readonly hGroups: BindGroupCache;
  private readonly vGroups: BindGroupCache;
  private readonly key = new ChangeKey();

  constructor(device: GPUDevice, code: string, private readonly name: string, paramBytes: number) {
    const module = device.createShaderModule({ code, label: name });
    this.h = computePipeline(device, module, 'h', `${name}-h`);
    this.v = computePipeline(device, module, 'v', `${name}-v`);
    this.params = uniformBuffer(device, paramBytes, `${name}-params`);
    this.hGroups = new BindGroupCache(device, this.h, `${name}-h`);
    this.vGroups = new BindGroupCache(device, this.v, `${name}-v`);
  }

  /** True once per change of (width, height, setting): the caller then rewrites `params`. */
  changed(width: number, height: number, setting: number): boolean {
    return this.key.changed(width, height, setting);
  }

  /** Encodes both directions; binding 0 is the params, 1 the input, 2 the output. */
  encode(encoder: GPUCommandEncoder, src: Bindable, tmp: Bindable, dst: Bindable, width: number, height: number, timer?: PassTimer): void {
    const pass = encoder.beginComputePass({ label: this.name, timestampWrites: timer?.pass(this.name) });
    pass.setPipeline(this.h);
    pass.setBindGroup(0, this.hGroups.get([[0, this.params], [1, src], [2, tmp]]));
    pass.dispatchWorkgroups(groups8(width), groups8(height));
    pass.setPipeline(this.v);
    pass.setBindGroup(0, this.vGroups.get([[0, this.params], [1, tmp], [2, dst]]));
    pass.dispatchWorkgroups(groups8(width), groups8(height));
    pass.end();
    timer?.endPass(this.name);
  }

  /** Frees the params buffer. */
  destroy(): void { this.params.destroy(); }
}
