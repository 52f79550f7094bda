import shader from '../../../shaders/ingest-yuv.wgsl?raw';
import { lumaCoefficients, yuvToRgbRows } from '../color.ts';
import type { PassTimer } from '../timing.ts';

const FORMAT_CODE: Partial<Record<VideoPixelFormat, number>> = {
  I420: 0, I420A: 0, NV12: 1, RGBA: 2, RGBX: 2, BGRA: 3, BGRX: 3,
};

const align4 = (n: number): number => Math.ceil(n / 4) * 4;

/**
 * copyTo options whose plane offsets and strides are multiples of 4, so the shader reads
 * whole aligned words (4 luma samples at a time) whatever the frame width. Packed RGBA
 * rows are 4-byte aligned already.
 */
function alignedLayout(fmt: VideoPixelFormat, width: number, height: number): VideoFrameCopyToOptions {
  const cw = Math.ceil(width / 2), ch = Math.ceil(height / 2);
  const ys = align4(width);
  switch (fmt) {
    case 'I420': case 'I420A': {
      const cs = align4(cw);
      const layout: PlaneLayout[] = [{ offset: 0, stride: ys }, { offset: ys * height, stride: cs }, { offset: ys * height + cs * ch, stride: cs }];
      if (fmt === 'I420A') layout.push({ offset: ys * height + 2 * cs * ch, stride: ys });
      return { layout };
    }
    case 'NV12':
      return { layout: [{ offset: 0, stride: ys }, { offset: ys * height, stride: align4(2 * cw) }] };
    default:
      return {};
  }
}

/**
 * Ingest fallback: `VideoFrame.copyTo` into a reused staging buffer, one `writeBuffer`, and a
 * compute pass that converts I420, NV12, RGBA or BGRA (BT.601/BT.709, limited/full range) into
 * the working RGBA texture. Formats it does not know are asked of copyTo as RGBA.
 */
export class IngestYuvPass {
  private readonly pipeline: GPUComputePipeline;
  private readonly params: GPUBuffer;
  private readonly paramData = new ArrayBuffer(96);
  private staging: ArrayBuffer | null = null;
  private src: GPUBuffer | null = null;
  private bindGroup: GPUBindGroup | null = null;
  private boundTarget: GPUTexture | null = null;
  private width = 0;
  private height = 0;

  constructor(private readonly device: GPUDevice) {
    const module = device.createShaderModule({ code: shader, label: 'ingest-yuv' });
    this.pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' }, label: 'ingest-yuv' });
    this.params = device.createBuffer({ size: 96, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, label: 'ingest-yuv-params' });
  }

  /** Copies the frame's planes to the GPU; the caller still owns and closes the frame. */
  async upload(frame: VideoFrame): Promise<void> {
    const fmt = frame.format;
    const native = fmt !== null && FORMAT_CODE[fmt] !== undefined;
    const rect = frame.visibleRect!;
    const copyOpts: VideoFrameCopyToOptions = native ? alignedLayout(fmt!, rect.width, rect.height) : { format: 'RGBA' };
    const size = frame.allocationSize(copyOpts);
    const padded = Math.ceil(size / 4) * 4;
    if (!this.staging || this.staging.byteLength < padded) {
      this.staging = new ArrayBuffer(padded);
      this.src?.destroy();
      this.src = this.device.createBuffer({ size: padded, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST, label: 'ingest-yuv-planes' });
      this.bindGroup = null;
    }
    const view = new Uint8Array(this.staging, 0, size);
    const layout = await frame.copyTo(view, copyOpts);
    const code = native ? FORMAT_CODE[fmt!]! : 2;
    this.width = rect.width;
    this.height = rect.height;
    const cs = frame.colorSpace;
    const { kr, kb } = lumaCoefficients(cs.matrix, rect.height);
    const u32 = new Uint32Array(this.paramData);
    const f32 = new Float32Array(this.paramData);
    u32[0] = rect.width; u32[1] = rect.height; u32[2] = code;
    u32[3] = fmt === 'RGBX' || fmt === 'BGRX' ? 1 : 0;
    for (let i = 0; i < 3; i++) {
      u32[4 + i] = layout[i]?.offset ?? 0;
      u32[8 + i] = layout[i]?.stride ?? 0;
    }
    f32.set(yuvToRgbRows(kr, kb, cs.fullRange === true), 12);
    this.device.queue.writeBuffer(this.params, 0, this.paramData);
    this.device.queue.writeBuffer(this.src!, 0, this.staging, 0, padded);
  }

  /** Encodes the conversion into `target` (rgba8unorm with STORAGE_BINDING) at the uploaded size. */
  encode(encoder: GPUCommandEncoder, target: GPUTexture, timer?: PassTimer): void {
    if (!this.bindGroup || this.boundTarget !== target) {
      this.bindGroup = this.device.createBindGroup({
        layout: this.pipeline.getBindGroupLayout(0),
        entries: [
          { binding: 0, resource: { buffer: this.src! } },
          { binding: 1, resource: { buffer: this.params } },
          { binding: 2, resource: target.createView() },
        ],
        label: 'ingest-yuv',
      });
      this.boundTarget = target;
    }
    const pass = encoder.beginComputePass({ label: 'ingest-yuv', timestampWrites: timer?.pass('ingest') });
    pass.setPipeline(this.pipeline);
    pass.setBindGroup(0, this.bindGroup);
    // 8x8 threads of 4x2 pixels each.
    pass.dispatchWorkgroups(Math.ceil(this.width / 32), Math.ceil(this.height / 16));
    pass.end();
    timer?.endPass('ingest');
  }

  /** Frees GPU buffers. */
  destroy(): void { this.src?.destroy(); this.params.destroy(); }
}
