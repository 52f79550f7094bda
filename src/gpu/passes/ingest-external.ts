import shader from '../../../shaders/ingest-external.wgsl?raw';
import type { PassTimer } from '../timing.ts';

/**
 * Zero-copy ingest through `importExternalTexture`. The external texture and its bind group are
 * the one per-frame allocation the API forces.
 */
export class IngestExternalPass {
  private readonly pipeline: GPURenderPipeline;
  private readonly sampler: GPUSampler;

  constructor(private readonly device: GPUDevice) {
    const module = device.createShaderModule({ code: shader, label: 'ingest-external' });
    this.pipeline = device.createRenderPipeline({
      layout: 'auto', label: 'ingest-external',
      vertex: { module, entryPoint: 'vs' },
      fragment: { module, entryPoint: 'fs', targets: [{ format: 'rgba8unorm' }] },
      primitive: { topology: 'triangle-list' },
    });
    this.sampler = device.createSampler({ magFilter: 'nearest', minFilter: 'nearest', label: 'ingest-external' });
  }

  /** Imports the frame (throws where the platform cannot) and draws it into `target`. */
  encode(encoder: GPUCommandEncoder, frame: VideoFrame, target: GPUTexture, timer?: PassTimer): void {
    const ext = this.device.importExternalTexture({ source: frame, label: 'camera-frame' });
    const bindGroup = this.device.createBindGroup({
      layout: this.pipeline.getBindGroupLayout(0),
      entries: [{ binding: 0, resource: ext }, { binding: 1, resource: this.sampler }],
    });
    const pass = encoder.beginRenderPass({
      label: 'ingest-external',
      colorAttachments: [{ view: target.createView(), loadOp: 'clear', storeOp: 'store', clearValue: [0, 0, 0, 1] }],
      timestampWrites: timer?.pass('ingest'),
    });
    pass.setPipeline(this.pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.draw(3);
    pass.end();
    timer?.endPass('ingest');
  }
}
