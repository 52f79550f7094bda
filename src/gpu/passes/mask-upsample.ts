import shader from '../../../shaders/mask-upsample.wgsl?raw';
import { JBU_RADIUS, JBU_RANGE_FLOOR, JBU_SIGMA_RANGE } from '../../segment/mask-options.ts';
import type { PassTimer } from '../timing.ts';
import { BindGroupCache, ChangeKey, computePipeline, groups8, uniformBuffer } from './mask-common.ts';

/** Buffers and textures of one upsampling. */
export interface UpsampleIo {
  /** f32 mask, maskWidth*maskHeight. */
  mask: GPUBuffer;
  /** f32 NCHW [3, maskHeight, maskWidth] RGB in [0,1], the low-res guide. */
  lowResFrame: GPUBuffer;
  maskWidth: number;
  maskHeight: number;
  /** Full-resolution camera frame (rgba8unorm, TEXTURE_BINDING). */
  guide: GPUTexture;
  /** Output at the guide's size (rgba8unorm, STORAGE_BINDING); mask in .r. */
  dst: GPUTexture;
  /** The part of the frame the mask covers (pixels; default the whole frame); 0 outside. */
  region?: Readonly<{ x: number; y: number; width: number; height: number }> | null;
}

/** Edge-aware (joint bilateral) or bilinear upsampling of the mask to the camera frame's size. */
export class MaskUpsamplePass {
  private readonly pipeline: GPUComputePipeline;
  private readonly params: GPUBuffer;
  private readonly paramData = new ArrayBuffer(48);
  private readonly groups: BindGroupCache;
  private readonly key = new ChangeKey();

  constructor(private readonly device: GPUDevice) {
    const module = device.createShaderModule({ code: shader, label: 'mask-upsample' });
    this.pipeline = computePipeline(device, module, 'main', 'mask-upsample');
    this.params = uniformBuffer(device, 48, 'mask-upsample-params');
    this.groups = new BindGroupCache(device, this.pipeline, 'mask-upsample');
  }

  /** Encodes the upsampling into `io.dst`. */
  encode(encoder: GPUCommandEncoder, io: UpsampleIo, edgeAware: boolean, timer?: PassTimer): void {
    const { width, height } = io.dst;
    const r = io.region;
    const rx = r?.x ?? 0, ry = r?.y ?? 0, rw = r?.width ?? width, rh = r?.height ?? height;
    if (this.key.changed(io.maskWidth, io.maskHeight, width, height, edgeAware ? 1 : 0, rx, ry, rw, rh)) {
      const u32 = new Uint32Array(this.paramData);
      const i32 = new Int32Array(this.paramData);
      const f32 = new Float32Array(this.paramData);
      u32[0] = io.maskWidth; u32[1] = io.maskHeight; u32[2] = width; u32[3] = height;
      u32[4] = edgeAware ? 1 : 0; i32[5] = JBU_RADIUS;
      f32[6] = 1 / (2 * JBU_SIGMA_RANGE * JBU_SIGMA_RANGE); f32[7] = JBU_RANGE_FLOOR;
      f32[8] = rx; f32[9] = ry; f32[10] = rw; f32[11] = rh;
      this.device.queue.writeBuffer(this.params, 0, this.paramData);
    }
    const group = this.groups.get([[0, this.params], [1, io.mask], [2, io.lowResFrame], [3, io.guide], [4, io.dst]]);
    const pass = encoder.beginComputePass({ label: 'mask-upsample', timestampWrites: timer?.pass('mask-upsample') });
    pass.setPipeline(this.pipeline);
    pass.setBindGroup(0, group);
    pass.dispatchWorkgroups(groups8(width), groups8(height));
    pass.end();
    timer?.endPass('mask-upsample');
  }

  /** Frees GPU buffers. */
  destroy(): void { this.params.destroy(); }
}
