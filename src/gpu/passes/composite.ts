import shader from '../../../shaders/composite.wgsl?raw';
import type { PassTimer } from '../timing.ts';

/** Where a layer lands in the output, in output pixels, and which part of the source it shows. */
export interface LayerPlacement {
  x: number; y: number; width: number; height: number;
  /** Crop in source UV (0..1), default the whole source. */
  uv?: [number, number, number, number];
  opacity?: number;
}

/** Fits a source of size (sw, sh) inside (dw, dh) keeping its aspect ratio, centred. */
export function containFit(sw: number, sh: number, dw: number, dh: number): LayerPlacement {
  const s = Math.min(dw / sw, dh / sh);
  const w = Math.round(sw * s), h = Math.round(sh * s);
  return { x: Math.round((dw - w) / 2), y: Math.round((dh - h) / 2), width: w, height: h };
}

/**
 * Composites layers into the output texture in z-order with premultiplied "over" blending.
 * One uniform slot per layer, written only when a placement changes (dirty check).
 */
export class CompositePass {
  private readonly pipeline: GPURenderPipeline;
  private readonly sampler: GPUSampler;
  private readonly uniforms: GPUBuffer;
  private readonly slotBytes = 256; // minUniformBufferOffsetAlignment
  private readonly last: Float32Array[];
  private readonly bindGroups: (GPUBindGroup | null)[] = [];
  private readonly boundSources: (GPUTexture | null)[] = [];
  private readonly scratch = new Float32Array(16);
  private targetView: GPUTextureView | null = null;
  private viewOf: GPUTexture | null = null;

  constructor(private readonly device: GPUDevice, format: GPUTextureFormat = 'rgba8unorm', private readonly maxLayers = 8) {
    const module = device.createShaderModule({ code: shader, label: 'composite' });
    this.pipeline = device.createRenderPipeline({
      layout: 'auto', label: 'composite',
      vertex: { module, entryPoint: 'vs' },
      fragment: {
        module, entryPoint: 'fs',
        targets: [{ format, blend: {
          color: { srcFactor: 'one', dstFactor: 'one-minus-src-alpha', operation: 'add' },
          alpha: { srcFactor: 'one', dstFactor: 'one-minus-src-alpha', operation: 'add' },
        } }],
      },
      primitive: { topology: 'triangle-list' },
    });
    this.sampler = device.createSampler({ magFilter: 'linear', minFilter: 'linear', label: 'composite' });
    this.last = Array.from({ length: maxLayers }, () => new Float32Array(16).fill(NaN));
    this.uniforms = device.createBuffer({ size: this.slotBytes * maxLayers, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, label: 'composite-layers' });
  }

  /** Draws `layers` (bottom first) over `clear` into `target`. */
  encode(encoder: GPUCommandEncoder, target: GPUTexture, layers: { texture: GPUTexture; place: LayerPlacement }[],
    clear: GPUColor = [0, 0, 0, 1], timer?: PassTimer): void {
    if (this.viewOf !== target) { this.targetView = target.createView(); this.viewOf = target; }
    const pass = encoder.beginRenderPass({
      label: 'composite',
      colorAttachments: [{ view: this.targetView!, loadOp: 'clear', storeOp: 'store', clearValue: clear }],
      timestampWrites: timer?.pass('composite'),
    });
    pass.setPipeline(this.pipeline);
    const n = Math.min(layers.length, this.maxLayers);
    for (let i = 0; i < n; i++) {
      const { texture, place } = layers[i];
      this.writeSlot(i, place, target.width, target.height);
      if (this.boundSources[i] !== texture || !this.bindGroups[i]) {
        this.bindGroups[i] = this.device.createBindGroup({
          layout: this.pipeline.getBindGroupLayout(0),
          entries: [
            { binding: 0, resource: texture.createView() },
            { binding: 1, resource: this.sampler },
            { binding: 2, resource: { buffer: this.uniforms, offset: i * this.slotBytes, size: 64 } },
          ],
          label: `composite-layer-${i}`,
        });
        this.boundSources[i] = texture;
      }
      pass.setBindGroup(0, this.bindGroups[i]!);
      pass.draw(6);
    }
    pass.end();
    timer?.endPass('composite');
  }

  private writeSlot(i: number, p: LayerPlacement, dw: number, dh: number): void {
    const s = this.scratch;
    s[0] = (p.x / dw) * 2 - 1; s[1] = 1 - (p.y / dh) * 2;
    s[2] = ((p.x + p.width) / dw) * 2 - 1; s[3] = 1 - ((p.y + p.height) / dh) * 2;
    if (p.uv) s.set(p.uv, 4); else { s[4] = 0; s[5] = 0; s[6] = 1; s[7] = 1; }
    s[8] = p.opacity ?? 1;
    // Dirty check: the uniform is rewritten only when the placement changed.
    const last = this.last[i];
    let same = true;
    for (let k = 0; k < 9; k++) if (last[k] !== s[k]) { same = false; break; }
    if (same) return;
    last.set(s);
    this.device.queue.writeBuffer(this.uniforms, i * this.slotBytes, s);
  }

  /** Frees GPU buffers. */
  destroy(): void { this.uniforms.destroy(); }
}
