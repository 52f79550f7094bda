import shader from '../../../shaders/rgba-to-nv12.wgsl?raw';
import { rgbToYuv709Limited } from '../color.ts';
import type { PassTimer } from '../timing.ts';
import { SingleKernelPass } from './pass-common.ts';
import { ReadbackRing } from './readback-ring.ts';

/** NV12 byte layout for a frame of the given (even) size. */
export function nv12Layout(width: number, height: number): { stride: number; uvOffset: number; size: number } {
  const stride = Math.ceil(width / 4) * 4;
  return { stride, uvOffset: stride * height, size: stride * height + stride * (height / 2) };
}

/** BT.709 limited range, as the NV12 passes write it. */
export const BT709_LIMITED: VideoColorSpaceInit = { primaries: 'bt709', transfer: 'bt709', matrix: 'bt709', fullRange: false };

/**
 * RGBA → NV12 (BT.709 limited) on the GPU, then an asynchronous readback through a small ring
 * of mappable buffers. A full ring means the readback is behind: the frame is dropped and
 * counted rather than stalling the render loop.
 */
export class RgbaToNv12Pass extends SingleKernelPass {
  private readonly ring: ReadbackRing<VideoFrame>;
  private width = 0;
  private height = 0;
  private layout = nv12Layout(0, 0);
  /** Frames not converted because every readback buffer was still in flight. */
  dropped = 0;

  constructor(device: GPUDevice, ringSize = 3) {
    super(device, shader, 'rgba-to-nv12', ['src', 'p', 'dst'], 'nv12');
    // The shader packs with pack4x8unorm, which takes [0,1]: scale the byte-valued rows.
    const rows = rgbToYuv709Limited().map((v) => v / 255);
    this.params.set({ yRow: rows.subarray(0, 4), uRow: rows.subarray(4, 8), vRow: rows.subarray(8, 12) });
    // The VideoFrame constructor copies, so the mapping can be released right after.
    this.ring = new ReadbackRing(device, 'nv12', (bytes, slot) => new VideoFrame(bytes, {
      format: 'NV12', codedWidth: this.width, codedHeight: this.height, timestamp: slot.timestamp, duration: slot.duration,
      layout: [{ offset: 0, stride: this.layout.stride }, { offset: this.layout.uvOffset, stride: this.layout.stride }], colorSpace: BT709_LIMITED,
    }), ringSize);
  }

  private ensureSize(width: number, height: number): void {
    if (width === this.width && height === this.height) return;
    if (width % 2 || height % 2) throw new RangeError(`NV12 output needs an even size, got ${width}x${height}`);
    this.width = width; this.height = height;
    const layout = (this.layout = nv12Layout(width, height));
    this.ring.output(layout.size);
    this.params.set({ size: [width, height], stride: layout.stride, uvOffset: layout.uvOffset }).write();
  }

  /**
   * Encodes conversion + copy for `source`. Returns a function to call after submit that
   * resolves to the NV12 VideoFrame (owned by the caller), or null when the ring was full.
   */
  encode(encoder: GPUCommandEncoder, source: GPUTexture, timestamp: number, duration?: number, timer?: PassTimer): (() => Promise<VideoFrame>) | null {
    this.ensureSize(source.width, source.height);
    const slot = this.ring.free();
    if (!slot) { this.dropped++; return null; }
    const group = this.groups.get(source, this.params.buffer, this.ring.output(this.layout.size));
    this.dispatch(encoder, group, Math.ceil(this.width / 32), Math.ceil(this.height / 16), timer);
    return this.ring.copy(encoder, slot, timestamp, duration);
  }

  /** Frees GPU buffers. */
  override destroy(): void {
    this.ring.destroy();
    super.destroy();
  }
}
