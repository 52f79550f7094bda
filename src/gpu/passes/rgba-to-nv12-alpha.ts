import shader from '../../../shaders/rgba-to-nv12-alpha.wgsl?raw';
import { rgbToYuv709Limited } from '../color.ts';
import type { PassTimer } from '../timing.ts';
import { SingleKernelPass } from './pass-common.ts';
import { nv12Layout } from './rgba-to-nv12.ts';

/** The colour and the alpha of one frame as NV12 VideoFrames (both owned by the caller). */
export interface AlphaPair { color: VideoFrame; alpha: VideoFrame }

interface Slot { buffer: GPUBuffer; busy: boolean; timestamp: number; duration: number | undefined; read: () => Promise<AlphaPair> }

const BT709_LIMITED: VideoColorSpaceInit = { primaries: 'bt709', transfer: 'bt709', matrix: 'bt709', fullRange: false };

/**
 * RGBA with straight alpha → two NV12 pictures, colour and alpha (see
 * shaders/rgba-to-nv12-alpha.wgsl), for the two encoders of a VP9-with-alpha video. Readback
 * goes through a ring of mappable buffers like RgbaToNv12Pass; a full ring returns null.
 */
export class RgbaToNv12AlphaPass extends SingleKernelPass {
  private out: GPUBuffer | null = null;
  private slots: Slot[] = [];
  private width = 0;
  private height = 0;
  private layout = nv12Layout(0, 0);

  constructor(private readonly device: GPUDevice, private readonly ringSize = 3) {
    super(device, shader, 'rgba-to-nv12-alpha', ['src', 'p', 'dst'], 'nv12-alpha');
    const rows = rgbToYuv709Limited().map((v) => v / 255);
    this.params.set({ yRow: rows.subarray(0, 4), uRow: rows.subarray(4, 8), vRow: rows.subarray(8, 12) });
  }

  private ensureSize(width: number, height: number): void {
    if (width === this.width && height === this.height && this.out) return;
    if (width % 2 || height % 2) throw new RangeError(`NV12 output needs an even size, got ${width}x${height}`);
    this.width = width; this.height = height;
    const layout = (this.layout = nv12Layout(width, height));
    this.out?.destroy();
    for (const s of this.slots) s.buffer.destroy();
    this.out = this.device.createBuffer({ size: 2 * layout.size, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC, label: 'nv12-alpha-out' });
    this.slots = Array.from({ length: this.ringSize }, (_, i) => {
      const slot: Slot = {
        buffer: this.device.createBuffer({ size: 2 * layout.size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, label: `nv12-alpha-read-${i}` }),
        busy: false, timestamp: 0, duration: undefined, read: () => this.read(slot),
      };
      return slot;
    });
    this.params.set({ size: [width, height], stride: layout.stride, uvOffset: layout.uvOffset, alphaOffset: layout.size }).write();
  }

  /** Encodes the conversion of `source`; returns the reader to call after submit, or null when every readback buffer is busy. */
  encode(encoder: GPUCommandEncoder, source: GPUTexture, timestamp: number, duration?: number, timer?: PassTimer): (() => Promise<AlphaPair>) | null {
    this.ensureSize(source.width, source.height);
    const slot = this.slots.find((s) => !s.busy);
    if (!slot) return null;
    this.dispatch(encoder, this.groups.get(source, this.params.buffer, this.out!), Math.ceil(this.width / 32), Math.ceil(this.height / 16), timer);
    encoder.copyBufferToBuffer(this.out!, 0, slot.buffer, 0, 2 * this.layout.size);
    slot.busy = true;
    slot.timestamp = timestamp;
    slot.duration = duration;
    return slot.read;
  }

  private async read(slot: Slot): Promise<AlphaPair> {
    const { stride, uvOffset, size } = this.layout;
    const init = (offset: number): VideoFrameBufferInit => ({
      format: 'NV12', codedWidth: this.width, codedHeight: this.height, timestamp: slot.timestamp, duration: slot.duration,
      layout: [{ offset, stride }, { offset: offset + uvOffset, stride }], colorSpace: BT709_LIMITED,
    });
    try {
      await slot.buffer.mapAsync(GPUMapMode.READ);
      try {
        const bytes = new Uint8Array(slot.buffer.getMappedRange());
        // The constructor copies, so the mapping is released right after.
        const color = new VideoFrame(bytes, init(0));
        try {
          return { color, alpha: new VideoFrame(bytes, init(size)) };
        } catch (e) {
          color.close();
          throw e;
        }
      } finally {
        slot.buffer.unmap();
      }
    } finally {
      slot.busy = false;
    }
  }

  /** Frees the GPU buffers. */
  override destroy(): void {
    this.out?.destroy();
    for (const s of this.slots) s.buffer.destroy();
    super.destroy();
  }
}
