import shader from '../../../shaders/bg-replace.wgsl?raw';
import type { PassTimer } from '../timing.ts';
import { coverMapping, LIGHT_WRAP_TAPS, lightWrapOffsets } from './bg-plan.ts';
import { camA, camB, cameraNames, CameraVariants, withCamera, type CameraInput } from './camera-input.ts';
import { Shader, TimedPass, withConstants, type BindGroupCache, type Kernel, type Uniform } from './pass-common.ts';

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
  private readonly cams: CameraVariants<{ kernel: Kernel; groups: BindGroupCache }>;
  private readonly params: Uniform;
  private readonly timed = new TimedPass('bg-replace');
  private readonly placeholder: GPUTexture;
  private image: GPUTexture | null = null;
  private mode: ReplaceMode = 'none';
  private color: [number, number, number, number] = [0, 0, 0, 1];
  private lightWrap = 0;
  private dirty = true;
  private width = 0;
  private height = 0;

  constructor(private readonly device: GPUDevice) {
    const base = new Shader(device, withConstants(withCamera(shader, 'texture'), { LIGHT_WRAP_TAPS }), 'bg-replace');
    this.params = base.uniform('u');
    this.cams = new CameraVariants((kind) => {
      const m = kind === 'texture' ? base : new Shader(device, withConstants(withCamera(shader, kind), { LIGHT_WRAP_TAPS }), `bg-replace-${kind}`);
      const kernel = m.kernel('main', ['maskTex', 'imageTex', 'outTex', 'u', ...cameraNames(kind)], `bg-replace-${kind}`);
      return { kernel, groups: kernel.groups() };
    });
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
    this.clearGroups();
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
  encode(encoder: GPUCommandEncoder, camera: CameraInput, mask: GPUTexture, target: GPUTexture, timer?: PassTimer): void {
    const { width: w, height: h } = camera;
    if (w !== this.width || h !== this.height) { this.width = w; this.height = h; this.dirty = true; }
    if (this.dirty) this.writeParams(w, h);
    const img = this.image ?? this.placeholder;
    const { kernel, groups } = this.cams.for(camera);
    // One thread per 4x2 block, in rows of 64 (see the shader).
    this.timed.run(encoder, kernel.pipeline, groups.get(mask, img, target, this.params.buffer, camA(camera), camB(camera)), Math.ceil(w / 256), Math.ceil(h / 2), timer);
  }

  private writeParams(w: number, h: number): void {
    const img = this.image;
    const iw = img?.width ?? 1, ih = img?.height ?? 1;
    // Without an image the placeholder (transparent black) is what 'image' shows.
    const mode = this.mode === 'image' && !img ? MODE_CODE.transparent : MODE_CODE[this.mode];
    const map = coverMapping(iw, ih, w, h);
    this.params.set({
      size: [w, h], imageSize: [iw, ih], mode, lightWrap: this.lightWrap, color: this.color,
      map: [map.scale, map.offsetX, map.offsetY, 0],
    }).setArray('offs', lightWrapOffsets(w, h)).write();
    this.dirty = false;
  }

  /** Frees GPU objects. */
  destroy(): void {
    this.params.destroy();
    this.placeholder.destroy();
    this.image?.destroy();
    this.image = null;
    this.clearGroups();
  }

  private clearGroups(): void { for (const v of this.cams.built()) v.groups.clear(); }
}
