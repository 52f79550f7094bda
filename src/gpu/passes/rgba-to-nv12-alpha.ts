import shader from '../../../shaders/rgba-to-nv12-alpha.wgsl?raw';
import { rgbToYuv709Limited } from '../color.ts';
import type { PassTimer } from '../timing.ts';
import { SingleKernelPass } from './pass-common.ts';
import { BT709_LIMITED, nv12Layout } from './rgba-to-nv12.ts';
import { ReadbackRing } from './readback-ring.ts';

/** The colour and the alpha of one frame as NV12 VideoFrames (both owned by the caller). */
export interface AlphaPair { color: VideoFrame; alpha: VideoFrame }

/**
 * RGBA with straight alpha → two NV12 pictures, colour and alpha (see
 * shaders/rgba-to-nv12-alpha.wgsl), for the two encoders of a VP9-with-alpha video. Readback
 * goes through a ReadbackRing like RgbaToNv12Pass; a full ring returns null.
 */
export class RgbaToNv12AlphaPass extends SingleKernelPass {
  private readonly ring: ReadbackRing<AlphaPair>;
  private width = 0;
  private height = 0;
  private layout = nv12Layout(0, 0);

  constructor(device: GPUDevice, ringSize = 3) {
    super(device, shader, 'rgba-to-nv12-alpha', ['src', 'p', 'dst'], 'nv12-alpha');
    const rows = rgbToYuv709Limited().map((v) => v / 255);
    this.params.set({ yRow: rows.subarray(0, 4), uRow: rows.subarray(4, 8), vRow: rows.subarray(8, 12) });
    this.ring = new ReadbackRing(device, 'nv12-alpha', (bytes, slot) => this.pair(bytes, slot.timestamp, slot.duration), ringSize);
  }

  private ensureSize(width: number, height: number): void {
    if (width === this.width && height === this.height) return;
    if (width % 2 || height % 2) throw new RangeError(`NV12 output needs an even size, got ${width}x${height}`);
    this.width = width; this.height = height;
    const layout = (this.layout = nv12Layout(width, height));
    this.ring.output(2 * layout.size);
    this.params.set({ size: [width, height], stride: layout.stride, uvOffset: layout.uvOffset, alphaOffset: layout.size }).write();
  }

  /** Encodes the conversion of `source`; returns the reader to call after submit, or null when every readback buffer is busy. */
  encode(encoder: GPUCommandEncoder, source: GPUTexture, timestamp: number, duration?: number, timer?: PassTimer): (() => Promise<AlphaPair>) | null {
    this.ensureSize(source.width, source.height);
    const slot = this.ring.free();
    if (!slot) return null;
    this.dispatch(encoder, this.groups.get(source, this.params.buffer, this.ring.output(2 * this.layout.size)), Math.ceil(this.width / 32), Math.ceil(this.height / 16), timer);
    return this.ring.copy(encoder, slot, timestamp, duration);
  }

  /** The two pictures in the mapped bytes (the constructor copies, so the mapping may go right after). */
  private pair(bytes: Uint8Array, timestamp: number, duration: number | undefined): AlphaPair {
    const { stride, uvOffset, size } = this.layout;
    const init = (offset: number): VideoFrameBufferInit => ({
      format: 'NV12', codedWidth: this.width, codedHeight: this.height, timestamp, duration,
      layout: [{ offset, stride }, { offset: offset + uvOffset, stride }], colorSpace: BT709_LIMITED,
    });
    const color = new VideoFrame(bytes, init(0));
    try {
      return { color, alpha: new VideoFrame(bytes, init(size)) };
    } catch (e) {
      color.close();
      throw e;
    }
  }

  /** Frees the GPU buffers. */
  override destroy(): void {
    this.ring.destroy();
    super.destroy();
  }
}
