import shader from '../../../shaders/segment-preprocess.wgsl?raw';
import type { Rect } from '../../util/rect.ts';
import type { PassTimer } from '../timing.ts';
import { ChangeKey, groups8, SingleKernelPass } from './pass-common.ts';

/** A rectangle of whole pixels. */
export type CropRect = Rect;

/**
 * Segment pre-processing: stretch of the working rgba8unorm frame (any size, needs
 * TEXTURE_BINDING) into the model input buffer as f32 NCHW RGB in [0, 1], the layout
 * MediaPipe's selfie models expect (no mean/std, no letterbox). The filter is antialiased
 * bilinear (PIL's BILINEAR): see shaders/segment-preprocess.wgsl for why.
 */
export class SegmentPreprocessPass extends SingleKernelPass {
  private readonly key = new ChangeKey();

  constructor(device: GPUDevice) {
    super(device, shader, 'segment-preprocess', ['src', 'dst', 'p']);
  }

  /**
   * Encodes the resize of `source` (or of the crop `crop`, integer pixels, which may reach past
   * the edges) into `dst` (3*width*height floats, STORAGE usage). One size and crop per submit:
   * the uniform is a queue write, so two of them before one submit would clash.
   */
  encode(encoder: GPUCommandEncoder, source: GPUTexture, dst: GPUBuffer, width: number, height: number, timer?: PassTimer,
    crop?: Readonly<CropRect>): void {
    const cx = crop?.x ?? 0, cy = crop?.y ?? 0, cw = crop?.width ?? source.width, ch = crop?.height ?? source.height;
    // Written only when something changes: a queue write is ordered before this frame's submit
    // anyway, but skipping it keeps the steady-state frame free of uploads.
    if (this.key.changed(cw, ch, width, height, cx, cy)) {
      this.params.set({ src_size: [cw, ch], dst_size: [width, height], origin: [cx, cy] }).write();
    }
    this.dispatch(encoder, this.groups.get(source, dst, this.params.buffer), groups8(width), groups8(height), timer);
  }
}
