import shader from '../../../shaders/segment-preprocess.wgsl?raw';
import type { Rect } from '../../util/rect.ts';
import type { PassTimer } from '../timing.ts';
import { ChangeKey, groups8, KernelPair } from './pass-common.ts';

/** A rectangle of whole pixels. */
export type CropRect = Rect;

/**
 * Segment pre-processing: stretch of the working rgba8unorm frame (any size, needs
 * TEXTURE_BINDING) into the model input buffer as f32 NCHW RGB in [0, 1], the layout
 * MediaPipe's selfie models expect (no mean/std, no letterbox). The filter is antialiased
 * bilinear (PIL's BILINEAR), run separably: see shaders/segment-preprocess.wgsl.
 */
export class SegmentPreprocessPass {
  private readonly key = new ChangeKey();
  private readonly kernels: KernelPair;
  /** Row-pass results: one vec4 per output column and crop row; grown when a crop is taller or the output wider. */
  private rows: GPUBuffer | null = null;

  constructor(private readonly device: GPUDevice) {
    this.kernels = new KernelPair(device, shader, 'segment-preprocess', ['h', ['src', 'rows', 'p']], ['v', ['rowsIn', 'dst', 'p']]);
  }

  /**
   * Encodes the resize of `source` (or of the crop `crop`, integer pixels, which may reach past
   * the edges) into `dst` (3*width*height floats, STORAGE usage). One size and crop per submit:
   * the uniform is a queue write, so two of them before one submit would clash.
   */
  encode(encoder: GPUCommandEncoder, source: GPUTexture, dst: GPUBuffer, width: number, height: number, timer?: PassTimer,
    crop?: Readonly<CropRect>): void {
    const cx = crop?.x ?? 0, cy = crop?.y ?? 0, cw = crop?.width ?? source.width, ch = crop?.height ?? source.height;
    const k = this.kernels;
    // Written only when something changes: a queue write is ordered before this frame's submit
    // anyway, but skipping it keeps the steady-state frame free of uploads.
    if (this.key.changed(cw, ch, width, height, cx, cy)) {
      k.params.set({ src_size: [cw, ch], dst_size: [width, height], origin: [cx, cy] }).write();
      const bytes = width * ch * 16;
      if (!this.rows || this.rows.size < bytes) {
        this.rows?.destroy();
        this.rows = this.device.createBuffer({ size: bytes, usage: GPUBufferUsage.STORAGE, label: 'segment-preprocess-rows' });
      }
    }
    const rows = this.rows!;
    k.run(encoder, timer, k.first.get(source, rows, k.params.buffer), groups8(width), groups8(ch),
      k.second.get(rows, dst, k.params.buffer), groups8(width), groups8(height));
  }

  /** Frees the params and row buffers. */
  destroy(): void {
    this.kernels.destroy();
    this.rows?.destroy();
    this.rows = null;
  }
}
