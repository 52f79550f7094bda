/**
 * Incremental construction of an ONNX graph: unique value names, nodes, initializers.
 * Kept separate from the TFLite translation so the translator only deals with semantics.
 */
import type { OnnxAttribute, OnnxGraph, OnnxNode, OnnxTensor, OnnxValueInfo } from './model.ts';

/** Attribute shorthand: numbers become INT, number arrays INTS, strings STRING. */
export type AttrInput = Record<string, number | number[] | string | { float: number }>;

function toAttributes(attrs: AttrInput): OnnxAttribute[] {
  return Object.entries(attrs).map(([name, v]): OnnxAttribute => {
    if (typeof v === 'string') return { name, kind: 'string', value: v };
    if (Array.isArray(v)) return { name, kind: 'ints', value: v };
    if (typeof v === 'number') return { name, kind: 'int', value: v };
    return { name, kind: 'float', value: v.float };
  });
}

/** Collects nodes and initializers, handing out collision-free value names. */
export class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  private readonly used = new Set<string>();

  /** Reserves and returns a unique value name derived from `base`. */
  uniqueName(base: string): string {
    // ONNX allows any string, but tools and ORT's error messages read better without ':' etc.
    const clean = base.replace(/[^A-Za-z0-9_./-]/g, '_') || 'value';
    let name = clean;
    for (let i = 1; this.used.has(name); i++) name = `${clean}_${i}`;
    this.used.add(name);
    return name;
  }

  /** Reserves an exact name (graph inputs/outputs), failing if it is already taken. */
  reserve(name: string): string {
    if (this.used.has(name)) throw new Error(`ONNX value name "${name}" is used twice`);
    this.used.add(name);
    return name;
  }

  /** Adds an initializer under a unique name derived from tensor.name and returns that name. */
  addInitializer(tensor: OnnxTensor): string {
    const name = this.uniqueName(tensor.name);
    this.initializers.push({ ...tensor, name });
    return name;
  }

  /** Adds a node; outputs must already be reserved names. */
  addNode(opType: string, inputs: string[], outputs: string[], attrs: AttrInput = {}, name?: string): void {
    const nodeName = this.uniqueName(name ?? `${opType}_${this.nodes.length}`);
    this.nodes.push({ name: nodeName, opType, inputs, outputs, attributes: toAttributes(attrs) });
  }

  /** Finishes the graph. */
  build(name: string, inputs: OnnxValueInfo[], outputs: OnnxValueInfo[], docString?: string): OnnxGraph {
    return { name, nodes: this.nodes, initializers: this.initializers, inputs, outputs, docString };
  }
}

/** Transposes a dense row-major tensor: out.shape[i] = shape[perm[i]]. */
export function permute(
  data: Float32Array,
  shape: readonly number[],
  perm: readonly number[],
): { data: Float32Array; shape: number[] } {
  const rank = shape.length;
  if (perm.length !== rank) throw new Error(`permutation [${perm}] does not match rank ${rank}`);
  const outShape = perm.map((p) => shape[p]!);
  const inStrides = new Array<number>(rank).fill(1);
  for (let i = rank - 2; i >= 0; i--) inStrides[i] = inStrides[i + 1]! * shape[i + 1]!;
  const stridesForOut = perm.map((p) => inStrides[p]!);
  const out = new Float32Array(data.length);
  const idx = new Array<number>(rank).fill(0);
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    for (let d = 0; d < rank; d++) src += idx[d]! * stridesForOut[d]!;
    out[o] = data[src]!;
    // Odometer increment over the output index.
    for (let d = rank - 1; d >= 0; d--) {
      if (++idx[d]! < outShape[d]!) break;
      idx[d] = 0;
    }
  }
  return { data: out, shape: outShape };
}
