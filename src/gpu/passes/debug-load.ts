import shader from '../../../shaders/debug-load.wgsl?raw';
import type { PassTimer } from '../timing.ts';

/** Threads of the load pass: 256 workgroups of 64. */
const THREADS = 16384;

/**
 * Diagnostics: extra GPU work per frame, to test how the studio copes with a slow GPU
 * (adaptive quality). Off (0 iterations) it encodes nothing.
 */
export class DebugLoadPass {
  private readonly sink: GPUBuffer;
  private readonly module: GPUShaderModule;
  private pipeline: GPUComputePipeline | null = null;
  private group: GPUBindGroup | null = null;
  private iterations = 0;

  constructor(private readonly device: GPUDevice) {
    this.module = device.createShaderModule({ code: shader, label: 'debug-load' });
    this.sink = device.createBuffer({ size: THREADS * 4, usage: GPUBufferUsage.STORAGE, label: 'debug-load-sink' });
  }

  /** Sets how many arithmetic steps each thread runs per frame (0: no extra work). */
  set(iterations: number): void {
    const n = Math.max(0, Math.min(1e7, Math.floor(iterations)));
    if (n === this.iterations) return;
    this.iterations = n;
    if (n === 0) { this.pipeline = null; this.group = null; return; }
    // A pipeline constant, not a uniform: the count changes only when a test asks for it.
    this.pipeline = this.device.createComputePipeline({ layout: 'auto', compute: { module: this.module, entryPoint: 'main', constants: { iterations: n } }, label: 'debug-load' });
    this.group = this.device.createBindGroup({ layout: this.pipeline.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: this.sink } }], label: 'debug-load' });
  }

  /** Encodes the extra work, if any. */
  encode(encoder: GPUCommandEncoder, timer?: PassTimer): void {
    if (!this.pipeline || !this.group) return;
    const pass = encoder.beginComputePass({ label: 'debug-load', timestampWrites: timer?.pass('debug-load') });
    pass.setPipeline(this.pipeline);
    pass.setBindGroup(0, this.group);
    pass.dispatchWorkgroups(THREADS / 64);
    pass.end();
    timer?.endPass('debug-load');
  }

  /** Frees the buffer. */
  destroy(): void { this.sink.destroy(); }
}
