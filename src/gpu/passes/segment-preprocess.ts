import shader from '../../../shaders/segment-preprocess.wgsl?raw';
import type { PassTimer } from '../timing.ts';

/** A rectangle of whole pixels. */
export interface CropRect { x: number; y: number; width: number; height: number }

/**
 * Segment pre-processing: stretch of the working rgba8unorm frame (any size, needs
 * TEXTURE_BINDING) into the model input buffer as f32 NCHW RGB in [0, 1], the layout
 * MediaPipe's selfie models expect (no mean/std, no letterbox). The filter is antialiased
 * bilinear (PIL's BILINEAR): see shaders/segment-preprocess.wgsl for why.
 */
export class SegmentPreprocessPass {
  private readonly pipeline: GPUComputePipeline;
  private readonly params: GPUBuffer;
  /** Params in shader order: src_size, dst_size, origin (i32), padding. */
  private readonly paramData = new Int32Array(8);
  private bindGroup: GPUBindGroup | null = null;
  private boundSource: GPUTexture | null = null;
  private boundDst: GPUBuffer | null = null;

  constructor(private readonly device: GPUDevice) {
    const module = device.createShaderModule({ code: shader, label: 'segment-preprocess' });
    this.pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' }, label: 'segment-preprocess' });
    this.params = device.createBuffer({ size: 32, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, label: 'segment-preprocess-params' });
  }

  /**
   * Encodes the resize of `source` (or of the crop `crop`, integer pixels, which may reach past
   * the edges) into `dst` (3*width*height floats, STORAGE usage). One size and crop per submit:
   * the uniform is a queue write, so two of them before one submit would clash.
   */
  encode(encoder: GPUCommandEncoder, source: GPUTexture, dst: GPUBuffer, width: number, height: number, timer?: PassTimer,
    crop?: Readonly<CropRect>): void {
    const d = this.paramData;
    const cx = crop?.x ?? 0, cy = crop?.y ?? 0, cw = crop?.width ?? source.width, ch = crop?.height ?? source.height;
    // Written only when something changes: a queue write is ordered before this frame's submit
    // anyway, but skipping it keeps the steady-state frame free of uploads.
    if (d[0] !== cw || d[1] !== ch || d[2] !== width || d[3] !== height || d[4] !== cx || d[5] !== cy) {
      d[0] = cw; d[1] = ch; d[2] = width; d[3] = height; d[4] = cx; d[5] = cy;
      this.device.queue.writeBuffer(this.params, 0, d);
    }
    if (!this.bindGroup || this.boundSource !== source || this.boundDst !== dst) {
      this.bindGroup = this.device.createBindGroup({
        layout: this.pipeline.getBindGroupLayout(0),
        entries: [
          { binding: 0, resource: source.createView() },
          { binding: 1, resource: { buffer: dst } },
          { binding: 2, resource: { buffer: this.params } },
        ],
        label: 'segment-preprocess',
      });
      this.boundSource = source;
      this.boundDst = dst;
    }
    const pass = encoder.beginComputePass({ label: 'segment-preprocess', timestampWrites: timer?.pass('segment-preprocess') });
    pass.setPipeline(this.pipeline);
    pass.setBindGroup(0, this.bindGroup);
    pass.dispatchWorkgroups(Math.ceil(width / 8), Math.ceil(height / 8));
    pass.end();
    timer?.endPass('segment-preprocess');
  }

  /** Frees the parameter buffer. */
  destroy(): void { this.params.destroy(); }
}
