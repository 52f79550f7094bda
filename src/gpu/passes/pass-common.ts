import { makeShaderDataDefinitions, makeStructuredView, type ShaderDataDefinitions, type StructuredView, type VariableDefinition } from 'webgpu-utils';
import { StudioStateError } from '../../util/errors.ts';
import type { PassTimer } from '../timing.ts';

/**
 * The skeleton every pass shares: a WGSL module whose uniform layouts and binding numbers are
 * read from its source (webgpu-utils), so no pass counts byte offsets by hand; compute kernels
 * with bind groups cached on resource identity; and timed compute passes whose descriptors are
 * reused, so steady-state frames allocate nothing.
 */

/** A resource one bind group entry holds. */
export type Bindable = GPUBuffer | GPUTexture | GPUSampler;

/** Field values by WGSL member name: a number for scalars, numbers for vectors and arrays. */
export type UniformValues = Readonly<Record<string, number | ArrayLike<number>>>;

/**
 * Prepends `const NAME = value;` lines to WGSL source, so a capacity such as an array length
 * has one source of truth: the TypeScript constant the pass clamps with.
 */
export function withConstants(code: string, constants: Readonly<Record<string, number>>): string {
  let head = '';
  for (const [name, value] of Object.entries(constants)) {
    if (!Number.isInteger(value) || value < 0) throw new StudioStateError(`WGSL constant ${name} must be a whole number, got ${value}.`);
    head += `const ${name} = ${value}u;\n`;
  }
  return head + code;
}

/** A WGSL module compiled once, with the data definitions reflected from its source. */
export class Shader {
  readonly module: GPUShaderModule;
  readonly defs: ShaderDataDefinitions;

  constructor(readonly device: GPUDevice, code: string, readonly label: string) {
    this.module = device.createShaderModule({ code, label });
    this.defs = makeShaderDataDefinitions(code);
  }

  /** Binding number of the module-scope resource `name`, whatever its kind. */
  binding(name: string): number {
    const d = this.defs;
    for (const kind of [d.uniforms, d.storages, d.textures, d.storageTextures, d.samplers, d.externalTextures]) {
      const v = kind[name];
      if (v) return v.binding;
    }
    throw new StudioStateError(`Shader ${this.label} has no resource named ${name}.`);
  }

  /** A uniform buffer laid out like the `var<uniform>` named `name`. */
  uniform(name: string, label = `${this.label}-params`): Uniform {
    const def = this.defs.uniforms[name];
    if (!def) throw new StudioStateError(`Shader ${this.label} has no uniform named ${name}.`);
    return new Uniform(this.device, def, label);
  }

  /** A compute kernel for `entryPoint` whose bind groups hold the resources `names`, in order. */
  kernel(entryPoint: string, names: readonly string[], label = this.label): Kernel {
    if (names.length > 8) throw new StudioStateError(`Kernel ${label} binds ${names.length} resources; BindGroupCache takes eight at most.`);
    const pipeline = this.device.createComputePipeline({ layout: 'auto', compute: { module: this.module, entryPoint }, label });
    return new Kernel(this.device, pipeline, names.map((n) => this.binding(n)), label);
  }
}

/**
 * A uniform buffer and a CPU copy laid out by the WGSL struct it mirrors. Set fields by their
 * WGSL names (or fill `field` views in place), then `write` or `writeIfChanged`.
 */
export class Uniform {
  readonly buffer: GPUBuffer;
  readonly view: StructuredView;
  private readonly bytes: Uint8Array;
  private readonly sent: Uint8Array;
  private sentOnce = false;

  constructor(private readonly device: GPUDevice, def: VariableDefinition, label: string) {
    this.view = makeStructuredView(def);
    this.buffer = device.createBuffer({ size: this.size, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, label });
    this.bytes = new Uint8Array(this.view.arrayBuffer);
    this.sent = new Uint8Array(this.bytes.length);
  }

  /** Bytes of the struct, as the shader sees it. */
  get size(): number { return this.view.arrayBuffer.byteLength; }

  /** The typed view of one member (all of its elements for vectors and arrays). */
  field(name: string): Float32Array | Uint32Array | Int32Array {
    const v: unknown = this.view.views[name];
    if (!(v instanceof Float32Array || v instanceof Uint32Array || v instanceof Int32Array)) {
      throw new StudioStateError(`Uniform ${this.buffer.label} has no 32-bit member named ${name}.`);
    }
    return v;
  }

  /** Sets members by name; a name the struct lacks throws rather than being dropped. */
  set(values: UniformValues): this {
    for (const name in values) this.field(name);
    this.view.set(values);
    return this;
  }

  /** Sets an array member to `values` and zeroes the rest of it; more values than it holds throw. */
  setArray(name: string, values: ArrayLike<number>): this {
    const v = this.field(name);
    if (values.length > v.length) throw new StudioStateError(`Uniform ${this.buffer.label}: ${values.length} values do not fit in ${name} (${v.length}).`);
    v.fill(0);
    v.set(values);
    return this;
  }

  /** Uploads the whole struct. */
  write(): void {
    this.device.queue.writeBuffer(this.buffer, 0, this.view.arrayBuffer);
    this.sent.set(this.bytes);
    this.sentOnce = true;
  }

  /** Uploads only when the bytes differ from the last upload; true when it wrote. */
  writeIfChanged(): boolean {
    if (this.sentOnce) {
      const a = this.bytes, b = this.sent;
      let same = true;
      for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) { same = false; break; }
      if (same) return false;
    }
    this.write();
    return true;
  }

  /** Frees the buffer. */
  destroy(): void { this.buffer.destroy(); }
}

/** One compute entry point and the binding numbers its bind groups fill, in call order. */
export class Kernel {
  constructor(
    readonly device: GPUDevice,
    readonly pipeline: GPUComputePipeline,
    readonly bindings: readonly number[],
    readonly label: string,
  ) {}

  /** A bind group cache for this kernel (one per distinct set of resources a pass binds). */
  groups(label = this.label): BindGroupCache { return new BindGroupCache(this, label); }
}

const resourceOf = (r: Bindable): GPUBindingResource =>
  r instanceof GPUBuffer ? { buffer: r } : r instanceof GPUTexture ? r.createView() : r;

/**
 * Holds one bind group and the resources it was made from; `get` rebuilds it only when a
 * resource differs by identity (a new model buffer, a resized texture). Resources are passed
 * positionally, in the order of the kernel's names, so a steady frame builds no array.
 */
export class BindGroupCache {
  private readonly key: (Bindable | undefined)[] = [undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined];
  private group: GPUBindGroup | null = null;

  constructor(private readonly kernel: Kernel, private readonly label: string) {}

  /** Bind group with resources r0.. at the kernel's bindings (eight at most). */
  get(r0: Bindable, r1?: Bindable, r2?: Bindable, r3?: Bindable, r4?: Bindable, r5?: Bindable, r6?: Bindable, r7?: Bindable): GPUBindGroup {
    const k = this.key;
    if (this.group && k[0] === r0 && k[1] === r1 && k[2] === r2 && k[3] === r3 && k[4] === r4 && k[5] === r5 && k[6] === r6 && k[7] === r7) return this.group;
    const given = [r0, r1, r2, r3, r4, r5, r6, r7];
    const { bindings, pipeline, device } = this.kernel;
    this.group = device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: bindings.map((binding, i) => {
        const r = given[i];
        if (!r) throw new StudioStateError(`${this.label}: no resource for binding ${binding}.`);
        return { binding, resource: resourceOf(r) };
      }),
      label: this.label,
    });
    for (let i = 0; i < k.length; i++) k[i] = given[i];
    return this.group;
  }

  /** Forgets the bind group (its resources are about to be destroyed). */
  clear(): void { this.group = null; this.key.fill(undefined); }
}

/**
 * The numbers a pass's params uniform was last written from. `changed` is true once per change
 * and allocates nothing, so the per-frame check does not build a key every frame.
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
 * A compute pass labelled and timed as `name`, with its descriptor made once: `begin` opens it
 * on an encoder, `end` closes it and records the time.
 */
export class TimedPass {
  private readonly desc: GPUComputePassDescriptor;

  constructor(readonly name: string, label = name) { this.desc = { label }; }

  /** Opens the compute pass, taking a timestamp slot from `timer` when there is one. */
  begin(encoder: GPUCommandEncoder, timer?: PassTimer): GPUComputePassEncoder {
    this.desc.timestampWrites = timer?.pass(this.name);
    return encoder.beginComputePass(this.desc);
  }

  /** Ends the pass opened by `begin`. */
  end(pass: GPUComputePassEncoder, timer?: PassTimer): void {
    pass.end();
    timer?.endPass(this.name);
  }

  /**
   * Two dispatches in one pass, the second reading what the first wrote (a separable filter,
   * a packing step and its consumer). Positional, so a steady frame builds no array.
   */
  runPair(encoder: GPUCommandEncoder, timer: PassTimer | undefined,
    p1: GPUComputePipeline, g1: GPUBindGroup, x1: number, y1: number,
    p2: GPUComputePipeline, g2: GPUBindGroup, x2: number, y2: number): void {
    const pass = this.begin(encoder, timer);
    pass.setPipeline(p1);
    pass.setBindGroup(0, g1);
    pass.dispatchWorkgroups(x1, y1);
    pass.setPipeline(p2);
    pass.setBindGroup(0, g2);
    pass.dispatchWorkgroups(x2, y2);
    this.end(pass, timer);
  }

  /** One dispatch of `pipeline` with `group` in a pass of its own. */
  run(encoder: GPUCommandEncoder, pipeline: GPUComputePipeline, group: GPUBindGroup, x: number, y: number, timer?: PassTimer): void {
    const pass = this.begin(encoder, timer);
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, group);
    pass.dispatchWorkgroups(x, y);
    this.end(pass, timer);
  }
}

/**
 * The shape of most passes: one module, one entry point `main`, one params uniform `p` and one
 * timed pass. Subclasses write `params` when their values change and call `dispatch`.
 */
export class SingleKernelPass {
  protected readonly shader: Shader;
  protected readonly params: Uniform;
  protected readonly groups: BindGroupCache;
  private readonly kernel: Kernel;
  private readonly timed: TimedPass;

  constructor(device: GPUDevice, code: string, name: string, bindings: readonly string[], timerName = name, uniformName = 'p') {
    this.shader = new Shader(device, code, name);
    this.kernel = this.shader.kernel('main', bindings);
    this.params = this.shader.uniform(uniformName);
    this.groups = this.kernel.groups();
    this.timed = new TimedPass(timerName, name);
  }

  /** Runs `main` over x × y workgroups with `group` in a timed pass of its own. */
  protected dispatch(encoder: GPUCommandEncoder, group: GPUBindGroup, x: number, y: number, timer?: PassTimer): void {
    this.timed.run(encoder, this.kernel.pipeline, group, x, y, timer);
  }

  /** Frees the params buffer. */
  destroy(): void { this.params.destroy(); }
}

/**
 * Two entry points of one module run back to back in one timed pass (the second reads what the
 * first wrote), sharing the params uniform `p`; each has its own bind group cache.
 */
export class KernelPair {
  readonly params: Uniform;
  readonly first: BindGroupCache;
  readonly second: BindGroupCache;
  private readonly k1: Kernel;
  private readonly k2: Kernel;
  private readonly timed: TimedPass;

  constructor(device: GPUDevice, code: string, name: string, first: readonly [string, readonly string[]], second: readonly [string, readonly string[]]) {
    const s = new Shader(device, code, name);
    this.k1 = s.kernel(first[0], first[1], `${name}-${first[0]}`);
    this.k2 = s.kernel(second[0], second[1], `${name}-${second[0]}`);
    this.params = s.uniform('p');
    this.first = this.k1.groups();
    this.second = this.k2.groups();
    this.timed = new TimedPass(name);
  }

  /** Runs the first entry point over x1 × y1 workgroups with g1, then the second over x2 × y2 with g2. */
  run(encoder: GPUCommandEncoder, timer: PassTimer | undefined, g1: GPUBindGroup, x1: number, y1: number, g2: GPUBindGroup, x2: number, y2: number): void {
    this.timed.runPair(encoder, timer, this.k1.pipeline, g1, x1, y1, this.k2.pipeline, g2, x2, y2);
  }

  /** Frees the params buffer and forgets the bind groups. */
  destroy(): void {
    this.params.destroy();
    this.first.clear();
    this.second.clear();
  }
}

/**
 * The skeleton the separable mask filters share: entry points `h` and `v` of one module, a
 * params uniform `p`, and one compute pass running src → tmp (rows) then tmp → dst (columns).
 * Bindings: `p` the params, `src` the input, `dst` the output.
 */
export class SeparablePass {
  private readonly kernels: KernelPair;
  private readonly key = new ChangeKey();

  constructor(device: GPUDevice, code: string, name: string) {
    const names = ['p', 'src', 'dst'];
    this.kernels = new KernelPair(device, code, name, ['h', names], ['v', names]);
  }

  /** The params uniform both directions read. */
  protected get params(): Uniform { return this.kernels.params; }

  /** True once per change of (width, height, setting): the caller then rewrites `params`. */
  protected changed(width: number, height: number, setting: number): boolean {
    return this.key.changed(width, height, setting);
  }

  /** Encodes both directions over a width × height grid. */
  protected run(encoder: GPUCommandEncoder, src: Bindable, tmp: Bindable, dst: Bindable, width: number, height: number, timer?: PassTimer): void {
    const k = this.kernels, x = groups8(width), y = groups8(height);
    k.run(encoder, timer, k.first.get(k.params.buffer, src, tmp), x, y, k.second.get(k.params.buffer, tmp, dst), x, y);
  }

  /** Frees the params buffer. */
  destroy(): void { this.kernels.destroy(); }
}
