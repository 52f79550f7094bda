import shader from '../../../shaders/mask-bounds.wgsl?raw';
import type { Rect } from '../../segment/person-crop.ts';
import { BindGroupCache, ChangeKey, computePipeline, groups8, uniformBuffer } from './mask-common.ts';

/** Fewer person pixels than this count as no person (as maskBounds on the CPU). */
const MIN_PIXELS = 12;

/**
 * Where the person is in a model mask, found on the GPU so that on the WebGPU path the mask
 * never leaves it: only five numbers are read back. Used to aim the next person-centred crop.
 */
export class MaskBoundsPass {
  private readonly pipeline: GPUComputePipeline;
  private readonly params: GPUBuffer;
  private readonly paramData = new ArrayBuffer(16);
  private readonly result: GPUBuffer;
  private readonly staging: GPUBuffer;
  private readonly groups: BindGroupCache;
  private readonly key = new ChangeKey();
  private busy = false;

  constructor(private readonly device: GPUDevice) {
    const module = device.createShaderModule({ code: shader, label: 'mask-bounds' });
    this.pipeline = computePipeline(device, module, 'main', 'mask-bounds');
    this.params = uniformBuffer(device, 16, 'mask-bounds-params');
    this.result = device.createBuffer({ size: 32, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST, label: 'mask-bounds' });
    this.staging = device.createBuffer({ size: 32, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, label: 'mask-bounds-readback' });
    this.groups = new BindGroupCache(device, this.pipeline, 'mask-bounds');
  }

  /**
   * Bounds (mask pixels) of the values above `threshold` in `mask` (width × height f32), or null
   * when there is no person. One measurement at a time: a call while one is running resolves null.
   */
  async measure(mask: GPUBuffer, width: number, height: number, threshold = 0.5): Promise<Rect | null> {
    if (this.busy) return null;
    this.busy = true;
    try {
      if (this.key.changed(width, height, threshold)) {
        const u32 = new Uint32Array(this.paramData), f32 = new Float32Array(this.paramData);
        u32[0] = width; u32[1] = height; f32[2] = threshold;
        this.device.queue.writeBuffer(this.params, 0, this.paramData);
      }
      const enc = this.device.createCommandEncoder({ label: 'mask-bounds' });
      enc.clearBuffer(this.result);
      const pass = enc.beginComputePass({ label: 'mask-bounds' });
      pass.setPipeline(this.pipeline);
      pass.setBindGroup(0, this.groups.get([[0, this.params], [1, mask], [2, this.result]]));
      pass.dispatchWorkgroups(groups8(width), groups8(height));
      pass.end();
      enc.copyBufferToBuffer(this.result, 0, this.staging, 0, 20);
      this.device.queue.submit([enc.finish()]);
      await this.staging.mapAsync(GPUMapMode.READ, 0, 20);
      const r = new Uint32Array(this.staging.getMappedRange(0, 20));
      const out = r[4] < MIN_PIXELS ? null : { x: width - 1 - r[0], y: height - 1 - r[1], width: r[2] - (width - 1 - r[0]) + 1, height: r[3] - (height - 1 - r[1]) + 1 };
      this.staging.unmap();
      return out;
    } finally {
      this.busy = false;
    }
  }

  /** Frees GPU buffers. */
  destroy(): void { this.params.destroy(); this.result.destroy(); this.staging.destroy(); }
}
