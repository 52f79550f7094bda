import shader from '../../../shaders/mask-bounds.wgsl?raw';
import type { Rect } from '../../util/rect.ts';
import { ChangeKey, groups8, SingleKernelPass } from './pass-common.ts';

/** Fewer person pixels than this count as no person (as maskBounds on the CPU). */
const MIN_PIXELS = 12;

/**
 * Where the person is in a model mask, found on the GPU so that on the WebGPU path the mask
 * never leaves it: only five numbers are read back. Used to aim the next person-centred crop.
 */
export class MaskBoundsPass extends SingleKernelPass {
  private readonly result: GPUBuffer;
  private readonly staging: GPUBuffer;
  /** Bytes of the result: the shader's `array<atomic<u32>, 5>`. */
  private readonly resultBytes: number;
  private readonly key = new ChangeKey();
  private busy = false;

  constructor(private readonly device: GPUDevice) {
    super(device, shader, 'mask-bounds', ['p', 'mask', 'result']);
    this.resultBytes = this.shader.defs.storages.result!.size;
    const size = Math.ceil(this.resultBytes / 16) * 16;
    this.result = device.createBuffer({ size, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST, label: 'mask-bounds' });
    this.staging = device.createBuffer({ size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, label: 'mask-bounds-readback' });
  }

  /**
   * Bounds (mask pixels) of the values above `threshold` in `mask` (width × height f32), or null
   * when there is no person. One measurement at a time: a call while one is running resolves null.
   */
  async measure(mask: GPUBuffer, width: number, height: number, threshold = 0.5): Promise<Rect | null> {
    if (this.busy) return null;
    this.busy = true;
    try {
      if (this.key.changed(width, height, threshold)) this.params.set({ size: [width, height], threshold }).write();
      const enc = this.device.createCommandEncoder({ label: 'mask-bounds' });
      enc.clearBuffer(this.result);
      this.dispatch(enc, this.groups.get(this.params.buffer, mask, this.result), groups8(width), groups8(height));
      const n = this.resultBytes;
      enc.copyBufferToBuffer(this.result, 0, this.staging, 0, n);
      this.device.queue.submit([enc.finish()]);
      await this.staging.mapAsync(GPUMapMode.READ, 0, n);
      const r = new Uint32Array(this.staging.getMappedRange(0, n));
      const out = r[4] < MIN_PIXELS ? null : { x: width - 1 - r[0], y: height - 1 - r[1], width: r[2] - (width - 1 - r[0]) + 1, height: r[3] - (height - 1 - r[1]) + 1 };
      this.staging.unmap();
      return out;
    } finally {
      this.busy = false;
    }
  }

  /** Frees GPU buffers. */
  override destroy(): void { super.destroy(); this.result.destroy(); this.staging.destroy(); }
}
