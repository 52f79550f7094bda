import shader from '../../../shaders/bg-replace.wgsl?raw';
import type { PassTimer } from '../timing.ts';
import { coverMapping, lightWrapOffsets } from './bg-plan.ts';

/** What replaces the background; the shader's mode uniform in the same order. */
export type ReplaceMode = 'none' | 'color' | 'image' | 'transparent';
const MODE_CODE: Record<ReplaceMode, number> = { none: 0, color: 1, image: 2, transparent: 3 };

/** Any source the image background can be uploaded from. */
export type BackgroundImageSource = ImageBitmap | OffscreenCanvas | HTMLCanvasElement | ImageData;

/**
 * Person over a solid colour or cover-fitted image, or camera + mask as alpha, or the camera
 * unchanged, with optional light wrap. One compute pass; output rgba8unorm, straight alpha.
 */
export class BgReplacePass {
  private readonly pipeline: GPUComputePipeline;
  private readonly params: GPUBuffer;
  private readonly data = new ArrayBuffer(192);
  private readonly placeholder: GPUTexture;
  private image: GPUTexture | null = null;
  private mode: ReplaceMode = 'none';
  private color: [number, number, number, number] = [0, 0, 0, 1];
  private lightWrap = 0;
  private dirty = true;
  private width = 0;
  private height = 0;
  private group: GPUBindGroup | null = null;
  private bound: (GPUTexture | null)[] = [];

  constructor(private readonly device: GPUDevice) {
    const module = device.createShaderModule({ code: shader, label: 'bg-replace' });
    this.pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' }, label: 'bg-replace' });
    this.params = device.createBuffer({ size: 192, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, label: 'bg-replace-params' });
    // Bound in place of a missing image so the bind group layout is always satisfied.
    this.placeholder = device.createTexture({ size: [1, 1], format: 'rgba8unorm', usage: GPUTextureUsage.TEXTURE_BINDING, label: 'bg-replace-placeholder' });
  }

  /** Selects the mode; 'image' without an image shows a transparent background. */
  setMode(mode: ReplaceMode): void { if (mode !== this.mode) { this.mode = mode; this.dirty = true; } }

  /** Straight RGBA 0..1 of the colour background. */
  setColor(rgba: readonly [number, number, number, number]): void {
    const c = this.color;
    if (c[0] !== rgba[0] || c[1] !== rgba[1] || c[2] !== rgba[2] || c[3] !== rgba[3]) { this.color = [rgba[0], rgba[1], rgba[2], rgba[3]]; this.dirty = true; }
  }

  /** Light wrap 0..1 (0 = off, no extra taps). */
  setLightWrap(amount: number): void {
    const a = Math.min(Math.max(Number.isFinite(amount) ? amount : 0, 0), 1);
    if (a !== this.lightWrap) { this.lightWrap = a; this.dirty = true; }
  }

  /** Uploads the background image once (null frees it). */
  setImage(source: BackgroundImageSource | null): void {
    this.image?.destroy();
    this.image = null;
    this.group = null;
    this.dirty = true;
    if (!source) return;
    const { width, height } = source;
    const tex = this.device.createTexture({
      size: [width, height], format: 'rgba8unorm', label: 'bg-replace-image',
      usage: GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_DST | GPUTextureUsage.RENDER_ATTACHMENT,
    });
    if (source instanceof ImageData) {
      this.device.queue.writeTexture({ texture: tex }, source.data, { bytesPerRow: width * 4 }, [width, height]);
    } else {
      try {
        this.device.queue.copyExternalImageToTexture({ source }, { texture: tex }, [width, height]);
      } catch {
        // Some software adapters cannot import every external image; a 2D canvas readback
        // is slower but runs once per image, not per frame.
        const canvas = new OffscreenCanvas(width, height);
        const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
        ctx.drawImage(source, 0, 0);
        this.device.queue.writeTexture({ texture: tex }, ctx.getImageData(0, 0, width, height).data, { bytesPerRow: width * 4 }, [width, height]);
      }
    }
    this.image = tex;
  }

  /** Whether an image is uploaded. */
  get hasImage(): boolean { return this.image !== null; }

  /** Encodes the replacement into `target` (rgba8unorm, STORAGE_BINDING, camera size). */
  encode(encoder: GPUCommandEncoder, camera: GPUTexture, mask: GPUTexture, target: GPUTexture, timer?: PassTimer): void {
    const w = camera.width, h = camera.height;
    if (w !== this.width || h !== this.height) { this.width = w; this.height = h; this.dirty = true; }
    if (this.dirty) this.writeParams(w, h);
    const img = this.image ?? this.placeholder;
    const b = this.bound;
    if (!this.group || b[0] !== camera || b[1] !== mask || b[2] !== img || b[3] !== target) {
      this.group = this.device.createBindGroup({
        layout: this.pipeline.getBindGroupLayout(0), label: 'bg-replace',
        entries: [
          { binding: 0, resource: camera.createView() }, { binding: 1, resource: mask.createView() },
          { binding: 2, resource: img.createView() }, { binding: 3, resource: target.createView() },
          { binding: 4, resource: { buffer: this.params } },
        ],
      });
      this.bound = [camera, mask, img, target];
    }
    const pass = encoder.beginComputePass({ label: 'bg-replace', timestampWrites: timer?.pass('bg-replace') });
    pass.setPipeline(this.pipeline);
    pass.setBindGroup(0, this.group);
    pass.dispatchWorkgroups(Math.ceil(w / 8), Math.ceil(h / 8));
    pass.end();
    timer?.endPass('bg-replace');
  }

  private writeParams(w: number, h: number): void {
    const u32 = new Uint32Array(this.data), i32 = new Int32Array(this.data), f32 = new Float32Array(this.data);
    const img = this.image;
    const iw = img?.width ?? 1, ih = img?.height ?? 1;
    // Without an image the placeholder (transparent black) is what 'image' shows.
    const mode = this.mode === 'image' && !img ? MODE_CODE.transparent : MODE_CODE[this.mode];
    u32.set([w, h, iw, ih, mode, 0]);
    f32.set([this.lightWrap, 0], 6);
    f32.set(this.color, 8);
    const map = coverMapping(iw, ih, w, h);
    f32.set([map.scale, map.offsetX, map.offsetY, 0], 12);
    i32.set(lightWrapOffsets(w, h), 16);
    this.device.queue.writeBuffer(this.params, 0, this.data);
    this.dirty = false;
  }

  /** Frees GPU objects. */
  destroy(): void {
    this.params.destroy();
    this.placeholder.destroy();
    this.image?.destroy();
    this.image = null;
    this.group = null;
  }
}
