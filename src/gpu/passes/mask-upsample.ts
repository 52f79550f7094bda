import shader from '../../../shaders/mask-upsample.wgsl?raw';
import type { Rect } from '../../util/rect.ts';
import type { PassTimer } from '../timing.ts';
import { JBU_RADIUS, JBU_RANGE_FLOOR, JBU_SIGMA_RANGE } from './mask-constants.ts';
import { ChangeKey, groups8, KernelPair } from './pass-common.ts';

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
  region?: Readonly<Rect> | null;
}

/** Edge-aware (joint bilateral) or bilinear upsampling of the mask to the camera frame's size. */
export class MaskUpsamplePass {
  private readonly key = new ChangeKey();
  private readonly kernels: KernelPair;
  /** Low-res RGB and mask interleaved (rgba16float at mask size), read by the upsampling's taps. */
  private packed: GPUTexture | null = null;
  private readonly sampler: GPUSampler;

  constructor(private readonly device: GPUDevice) {
    this.kernels = new KernelPair(device, shader, 'mask-upsample', ['pack', ['p', 'mask', 'lowFrame', 'packOut']], ['main', ['p', 'packed', 'guide', 'dst', 'packSampler']]);
    this.sampler = device.createSampler({ magFilter: 'linear', minFilter: 'linear', label: 'mask-upsample-bilinear' });
  }

  /** Encodes the upsampling into `io.dst`. */
  encode(encoder: GPUCommandEncoder, io: UpsampleIo, edgeAware: boolean, timer?: PassTimer): void {
    const { width, height } = io.dst;
    const r = io.region;
    const rx = r?.x ?? 0, ry = r?.y ?? 0, rw = r?.width ?? width, rh = r?.height ?? height;
    const k = this.kernels;
    if (this.key.changed(io.maskWidth, io.maskHeight, width, height, edgeAware ? 1 : 0, rx, ry, rw, rh)) {
      k.params.set({
        src: [io.maskWidth, io.maskHeight], dst: [width, height], edgeAware: edgeAware ? 1 : 0, radius: JBU_RADIUS,
        rangeK: 1 / (2 * JBU_SIGMA_RANGE * JBU_SIGMA_RANGE), rangeFloor: JBU_RANGE_FLOOR, region: [rx, ry, rw, rh],
      }).write();
    }
    if (!this.packed || this.packed.width !== io.maskWidth || this.packed.height !== io.maskHeight) {
      this.packed?.destroy();
      this.packed = this.device.createTexture({
        size: [io.maskWidth, io.maskHeight], format: 'rgba16float',
        usage: GPUTextureUsage.STORAGE_BINDING | GPUTextureUsage.TEXTURE_BINDING, label: 'mask-upsample-packed',
      });
    }
    k.run(encoder, timer, k.first.get(k.params.buffer, io.mask, io.lowResFrame, this.packed), groups8(io.maskWidth), groups8(io.maskHeight),
      k.second.get(k.params.buffer, this.packed, io.guide, io.dst, this.sampler), groups8(width), groups8(height));
  }

  /** Frees the params buffer and the packed texture. */
  destroy(): void {
    this.kernels.destroy();
    this.packed?.destroy();
    this.packed = null;
  }
}
