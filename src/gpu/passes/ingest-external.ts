import shader from '../../../shaders/ingest-external.wgsl?raw';
import type { PassTimer } from '../timing.ts';

/**
 * Zero-copy ingest through `importExternalTexture`. The external texture and its bind group are
 * the one per-frame allocation the API forces.
 */
export class IngestExternalPass {
  private readonly pipeline: GPURenderPipeline;
  private readonly sampler: GPUSampler;
  private readonly layout: GPUBindGroupLayout;
  private readonly entries: [GPUBindGroupEntry, GPUBindGroupEntry];
  private readonly attachment: GPURenderPassColorAttachment = { view: null!, loadOp: 'clear', storeOp: 'store', clearValue: [0, 0, 0, 1] };
  private readonly passDesc: GPURenderPassDescriptor = { label: 'ingest-external', colorAttachments: [this.attachment] };
  private target: GPUTexture | null = null;

  constructor(private readonly device: GPUDevice) {
    const module = device.createShaderModule({ code: shader, label: 'ingest-external' });
    this.pipeline = device.createRenderPipeline({
      layout: 'auto', label: 'ingest-external',
      vertex: { module, entryPoint: 'vs' },
      fragment: { module, entryPoint: 'fs', targets: [{ format: 'rgba8unorm' }] },
      primitive: { topology: 'triangle-list' },
    });
    this.sampler = device.createSampler({ magFilter: 'nearest', minFilter: 'nearest', label: 'ingest-external' });
    this.layout = this.pipeline.getBindGroupLayout(0);
    // Entry 0 takes each frame's external texture; the sampler is a placeholder until then.
    this.entries = [{ binding: 0, resource: this.sampler }, { binding: 1, resource: this.sampler }];
  }

  /** Imports the frame (throws where the platform cannot) and draws it into `target`. */
  encode(encoder: GPUCommandEncoder, frame: VideoFrame, target: GPUTexture, timer?: PassTimer): void {
    const ext = this.device.importExternalTexture({ source: frame, label: 'camera-frame' });
    this.entries[0].resource = ext;
    const bindGroup = this.device.createBindGroup({ layout: this.layout, entries: this.entries });
    this.entries[0].resource = this.sampler; // holds no reference to the frame past this call
    if (target !== this.target) { this.attachment.view = target.createView(); this.target = target; }
    this.passDesc.timestampWrites = timer?.pass('ingest');
    const pass = encoder.beginRenderPass(this.passDesc);
    pass.setPipeline(this.pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.draw(3);
    pass.end();
    timer?.endPass('ingest');
  }
}
