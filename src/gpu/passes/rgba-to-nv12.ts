import shader from '../../../shaders/rgba-to-nv12.wgsl?raw';
import { rgbToYuv709Limited } from '../color.ts';
import type { PassTimer } from '../timing.ts';

/** NV12 byte layout for a frame of the given (even) size. */
export function nv12Layout(width: number, height: number): { stride: number; uvOffset: number; size: number } {
  const stride = Math.ceil(width / 4) * 4;
  return { stride, uvOffset: stride * height, size: stride * height + stride * (height / 2) };
}

interface Slot { buffer: GPUBuffer; busy: boolean }

/**
 * RGBA → NV12 (BT.709 limited) on the GPU, then an asynchronous readback through a small ring
 * of mappable buffers. A full ring means the readback is behind: the frame is dropped and
 * counted rather than stalling the render loop.
 */
export class RgbaToNv12Pass {
  private readonly pipeline: GPUComputePipeline;
  private readonly params: GPUBuffer;
  private out: GPUBuffer | null = null;
  private slots: Slot[] = [];
  private bindGroup: GPUBindGroup | null = null;
  private boundSource: GPUTexture | null = null;
  private width = 0;
  private height = 0;
  /** Frames not converted because every readback buffer was still in flight. */
  dropped = 0;

  constructor(private readonly device: GPUDevice, private readonly ringSize = 3) {
    const module = device.createShaderModule({ code: shader, label: 'rgba-to-nv12' });
    this.pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' }, label: 'rgba-to-nv12' });
    this.params = device.createBuffer({ size: 64, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, label: 'rgba-to-nv12-params' });
  }

  private ensureSize(width: number, height: number): void {
    if (width === this.width && height === this.height && this.out) return;
    if (width % 2 || height % 2) throw new RangeError(`NV12 output needs an even size, got ${width}x${height}`);
    this.width = width; this.height = height;
    const { stride, uvOffset, size } = nv12Layout(width, height);
    this.out?.destroy();
    for (const s of this.slots) s.buffer.destroy();
    this.out = this.device.createBuffer({ size, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC, label: 'nv12-out' });
    this.slots = Array.from({ length: this.ringSize }, (_, i) => ({
      buffer: this.device.createBuffer({ size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, label: `nv12-read-${i}` }),
      busy: false,
    }));
    const data = new ArrayBuffer(64);
    const u32 = new Uint32Array(data);
    u32[0] = width; u32[1] = height; u32[2] = stride; u32[3] = uvOffset;
    // The shader packs with pack4x8unorm, which takes [0,1]: scale the byte-valued rows.
    new Float32Array(data).set(rgbToYuv709Limited().map((v) => v / 255), 4);
    this.device.queue.writeBuffer(this.params, 0, data);
    this.bindGroup = null;
  }

  /**
   * Encodes conversion + copy for `source`. Returns a function to call after submit that
   * resolves to the NV12 VideoFrame (owned by the caller), or null when the ring was full.
   */
  encode(encoder: GPUCommandEncoder, source: GPUTexture, timestamp: number, duration?: number, timer?: PassTimer): (() => Promise<VideoFrame>) | null {
    this.ensureSize(source.width, source.height);
    const slot = this.slots.find((s) => !s.busy);
    if (!slot) { this.dropped++; return null; }
    if (!this.bindGroup || this.boundSource !== source) {
      this.bindGroup = this.device.createBindGroup({
        layout: this.pipeline.getBindGroupLayout(0),
        entries: [
          { binding: 0, resource: source.createView() },
          { binding: 1, resource: { buffer: this.params } },
          { binding: 2, resource: { buffer: this.out! } },
        ],
        label: 'rgba-to-nv12',
      });
      this.boundSource = source;
    }
    const pass = encoder.beginComputePass({ label: 'rgba-to-nv12', timestampWrites: timer?.pass('nv12') });
    pass.setPipeline(this.pipeline);
    pass.setBindGroup(0, this.bindGroup);
    pass.dispatchWorkgroups(Math.ceil(this.width / 32), Math.ceil(this.height / 16));
    pass.end();
    timer?.endPass('nv12');
    const { stride, uvOffset, size } = nv12Layout(this.width, this.height);
    encoder.copyBufferToBuffer(this.out!, 0, slot.buffer, 0, size);
    slot.busy = true;
    const { width, height } = this;
    return async () => {
      try {
        await slot.buffer.mapAsync(GPUMapMode.READ);
        try {
          // The VideoFrame constructor copies, so the mapping can be released right after.
          return new VideoFrame(new Uint8Array(slot.buffer.getMappedRange()), {
            format: 'NV12', codedWidth: width, codedHeight: height, timestamp, duration,
            layout: [{ offset: 0, stride }, { offset: uvOffset, stride }],
            colorSpace: { primaries: 'bt709', transfer: 'bt709', matrix: 'bt709', fullRange: false },
          });
        } finally {
          slot.buffer.unmap();
        }
      } finally {
        slot.busy = false;
      }
    };
  }

  /** Frees GPU buffers. */
  destroy(): void {
    this.out?.destroy();
    this.params.destroy();
    for (const s of this.slots) s.buffer.destroy();
  }
}
