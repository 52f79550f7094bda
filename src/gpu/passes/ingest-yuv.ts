import shader from '../../../shaders/ingest-yuv.wgsl?raw';
import { lumaCoefficients, yuvToRgbRows } from '../color.ts';
import type { PassTimer } from '../timing.ts';
import { withCamera, type CameraPlanes } from './camera-input.ts';
import { ChangeKey, SingleKernelPass } from './pass-common.ts';

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
export class IngestYuvPass extends SingleKernelPass {
  private staging: ArrayBuffer | null = null;
  private stagingView: Uint8Array | null = null;
  private src: GPUBuffer | null = null;
  private width = 0;
  private height = 0;
  // copyTo options per (format, size), so a steady stream builds no layout objects.
  private copyFormat: VideoPixelFormat | null = null;
  private copyWidth = 0;
  private copyHeight = 0;
  private copyOpts: VideoFrameCopyToOptions = {};
  // Colour rows per (matrix, height, range), written into the params' row views.
  private matrix: string | null | undefined = undefined;
  private readonly colorKey = new ChangeKey();
  private readonly rows = new Float32Array(12);
  private readonly size: Uint32Array;
  private readonly format: Uint32Array;
  private readonly opaque: Uint32Array;
  private readonly offsets: Uint32Array;
  private readonly strides: Uint32Array;
  /** The uploaded planes for camera-reading passes; rebuilt only when the buffer is. */
  private view: { planes: GPUBuffer; layout: GPUBuffer; width: number; height: number } | null = null;

  constructor(private readonly device: GPUDevice) {
    super(device, withCamera(shader, 'planes'), 'ingest-yuv', ['camPlanes', 'camLayout', 'dst'], 'ingest', 'camLayout');
    const u32 = (name: string): Uint32Array => this.params.field(name) as Uint32Array;
    this.size = u32('size'); this.format = u32('format'); this.opaque = u32('opaque');
    this.offsets = u32('offsets'); this.strides = u32('strides');
  }

  /** Copies the frame's planes to the GPU; the caller still owns and closes the frame. */
  async upload(frame: VideoFrame): Promise<void> {
    const fmt = frame.format;
    const native = fmt !== null && FORMAT_CODE[fmt] !== undefined;
    const rect = frame.visibleRect!;
    const copyOpts = this.copyOptions(native ? fmt : null, rect.width, rect.height);
    const size = frame.allocationSize(copyOpts);
    const padded = Math.ceil(size / 4) * 4;
    if (!this.staging || this.staging.byteLength < padded) {
      this.staging = new ArrayBuffer(padded);
      this.src?.destroy();
      this.src = this.device.createBuffer({ size: padded, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST, label: 'ingest-yuv-planes' });
    }
    if (this.stagingView?.buffer !== this.staging || this.stagingView.byteLength !== size) this.stagingView = new Uint8Array(this.staging, 0, size);
    const layout = await frame.copyTo(this.stagingView, copyOpts);
    this.width = rect.width;
    this.height = rect.height;
    this.size[0] = rect.width; this.size[1] = rect.height;
    this.format[0] = native ? FORMAT_CODE[fmt!]! : 2;
    this.opaque[0] = fmt === 'RGBX' || fmt === 'BGRX' ? 1 : 0;
    for (let i = 0; i < 3; i++) {
      this.offsets[i] = layout[i]?.offset ?? 0;
      this.strides[i] = layout[i]?.stride ?? 0;
    }
    this.setColor(frame.colorSpace, rect.height);
    this.params.writeIfChanged();
    this.device.queue.writeBuffer(this.src!, 0, this.staging, 0, padded);
    if (this.view?.planes !== this.src) this.view = { planes: this.src!, layout: this.params.buffer, width: 0, height: 0 };
    this.view.width = rect.width;
    this.view.height = rect.height;
  }

  /** The last uploaded frame's planes and layout, read in place by camera-planes.wgsl passes. */
  get planes(): CameraPlanes | null { return this.view; }

  /** Encodes the conversion into `target` (rgba8unorm with STORAGE_BINDING) at the uploaded size. */
  encode(encoder: GPUCommandEncoder, target: GPUTexture, timer?: PassTimer): void {
    // Rows of 64 threads of 4x2 pixels each: on SwiftShader a workgroup along a row ingests
    // 720p in ~22 ms where 8x8 workgroups took ~26 (bench ingest-720p).
    this.dispatch(encoder, this.groups.get(this.src!, this.params.buffer, target), Math.ceil(this.width / 256), Math.ceil(this.height / 2), timer);
  }

  private copyOptions(fmt: VideoPixelFormat | null, width: number, height: number): VideoFrameCopyToOptions {
    if (fmt !== this.copyFormat || width !== this.copyWidth || height !== this.copyHeight) {
      this.copyOpts = fmt ? alignedLayout(fmt, width, height) : { format: 'RGBA' };
      this.copyFormat = fmt; this.copyWidth = width; this.copyHeight = height;
    }
    return this.copyOpts;
  }

  private setColor(cs: VideoColorSpace, height: number): void {
    const full = cs.fullRange === true ? 1 : 0;
    // The height matters for an unknown matrix (HD or SD); it rarely changes.
    const changed = this.colorKey.changed(height, full);
    if (!changed && cs.matrix === this.matrix) return;
    this.matrix = cs.matrix;
    const { kr, kb } = lumaCoefficients(cs.matrix, height);
    const r = yuvToRgbRows(kr, kb, full === 1, this.rows);
    this.params.set({ row0: r.subarray(0, 4), row1: r.subarray(4, 8), row2: r.subarray(8, 12) });
  }

  /** Frees GPU buffers. */
  override destroy(): void { this.src?.destroy(); this.view = null; super.destroy(); }
}
