import shader from '../../../shaders/rgba-to-nv12.wgsl?raw';
import { rgbToYuv709Limited } from '../color.ts';
import type { PassTimer } from '../timing.ts';
import { SingleKernelPass } from './pass-common.ts';

/** NV12 byte layout for a frame of the given (even) size. */
export function nv12Layout(width: number, height: number): { stride: number; uvOffset: number; size: number } {
  const stride = Math.ceil(width / 4) * 4;
  return { stride, uvOffset: stride * height, size: stride * height + stride * (height / 2) };
}

/** One mappable readback buffer, the frame it holds, and its reader (made once per buffer). */
interface Slot {
  buffer: GPUBuffer;
  busy: boolean;
  timestamp: number;
  duration: number | undefined;
  read: () => Promise<VideoFrame>;
}

/**
 * RGBA → NV12 (BT.709 limited) on the GPU, then an asynchronous readback through a small ring
 * of mappable buffers. A full ring means the readback is behind: the frame is dropped and
 * counted rather than stalling the render loop.
 */
export class RgbaToNv12Pass extends SingleKernelPass {
  private out: GPUBuffer | null = null;
  private slots: Slot[] = [];
  private width = 0;
  private height = 0;
  private layout = nv12Layout(0, 0);
  /** Frames not converted because every readback buffer was still in flight. */
  dropped = 0;

  constructor(private readonly device: GPUDevice, private readonly ringSize = 3) {
    super(device, shader, 'rgba-to-nv12', ['src', 'p', 'dst'], 'nv12');
    // The shader packs with pack4x8unorm, which takes [0,1]: scale the byte-valued rows.
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
    this.out = this.device.createBuffer({ size: layout.size, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC, label: 'nv12-out' });
    this.slots = Array.from({ length: this.ringSize }, (_, i) => {
      const slot: Slot = {
        buffer: this.device.createBuffer({ size: layout.size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, label: `nv12-read-${i}` }),
        busy: false, timestamp: 0, duration: undefined, read: () => this.read(slot, width, height, layout.stride, layout.uvOffset),
      };
      return slot;
    });
    this.params.set({ size: [width, height], stride: layout.stride, uvOffset: layout.uvOffset }).write();
  }

  /**
   * Encodes conversion + copy for `source`. Returns a function to call after submit that
   * resolves to the NV12 VideoFrame (owned by the caller), or null when the ring was full.
   */
  encode(encoder: GPUCommandEncoder, source: GPUTexture, timestamp: number, duration?: number, timer?: PassTimer): (() => Promise<VideoFrame>) | null {
    this.ensureSize(source.width, source.height);
    let slot: Slot | null = null;
    for (const s of this.slots) if (!s.busy) { slot = s; break; }
    if (!slot) { this.dropped++; return null; }
    const group = this.groups.get(source, this.params.buffer, this.out!);
    this.dispatch(encoder, group, Math.ceil(this.width / 32), Math.ceil(this.height / 16), timer);
    encoder.copyBufferToBuffer(this.out!, 0, slot.buffer, 0, this.layout.size);
    slot.busy = true;
    slot.timestamp = timestamp;
    slot.duration = duration;
    return slot.read;
  }

  private async read(slot: Slot, width: number, height: number, stride: number, uvOffset: number): Promise<VideoFrame> {
    try {
      await slot.buffer.mapAsync(GPUMapMode.READ);
      try {
        // The VideoFrame constructor copies, so the mapping can be released right after.
        return new VideoFrame(new Uint8Array(slot.buffer.getMappedRange()), {
          format: 'NV12', codedWidth: width, codedHeight: height, timestamp: slot.timestamp, duration: slot.duration,
          layout: [{ offset: 0, stride }, { offset: uvOffset, stride }],
          colorSpace: { primaries: 'bt709', transfer: 'bt709', matrix: 'bt709', fullRange: false },
        });
      } finally {
        slot.buffer.unmap();
      }
    } finally {
      slot.busy = false;
    }
  }

  /** Frees GPU buffers. */
  override destroy(): void {
    this.out?.destroy();
    super.destroy();
    for (const s of this.slots) s.buffer.destroy();
  }
}
