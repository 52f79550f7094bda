import { DEFAULT_BLUR_STRENGTH, parseHexColor, type BackgroundEffect } from '../../segment/background-effect.ts';
import type { PassTimer } from '../timing.ts';
import { BgBlurPass } from '../passes/bg-blur.ts';
import { BgReplacePass, type BackgroundImageSource } from '../passes/bg-replace.ts';
import type { CameraInput } from '../passes/camera-input.ts';
import { StudioStateError } from '../../util/errors.ts';

/**
 * Inputs of one background encode: camera (its rgba8unorm texture, or its raw planes unless
 * the stage `passesThrough`) and full-size mask (.r = person).
 */
export interface BackgroundInputs {
  camera: CameraInput;
  mask: GPUTexture;
  /**
   * False when `mask` is the one the previous frame used: the blurred background level is then
   * kept from that frame (see BgBlurPass.encode). Default true.
   */
  maskChanged?: boolean;
  /**
   * What a blurred background level is made from when it is refreshed (default `camera`). The
   * live chain passes the frame it last ingested, usually the one the mask was computed from:
   * matched to the mask and, on a CPU rasteriser, cheaper to read than planes.
   */
  levelCamera?: CameraInput;
  timer?: PassTimer;
}

const OUTPUT_USAGE = GPUTextureUsage.STORAGE_BINDING | GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_SRC;

/**
 * The background stage of the frame graph: owns the blur and replace passes and the camera
 * layer they write (rgba8unorm, straight alpha, camera size), which the composite pass draws.
 */
export class BackgroundPass {
  // Built on first use, so a session that never blurs never compiles the blur pipelines.
  private blurPass: BgBlurPass | null = null;
  private replacePass: BgReplacePass | null = null;
  private effect: BackgroundEffect = { type: 'none' };
  private color: [number, number, number, number] = [0, 0, 0, 1];
  private output: GPUTexture | null = null;
  private imageRequest = 0;

  constructor(private readonly device: GPUDevice) {}

  private get blur(): BgBlurPass { return (this.blurPass ??= new BgBlurPass(this.device)); }
  private get replace(): BgReplacePass { return (this.replacePass ??= new BgReplacePass(this.device)); }

  /**
   * Selects the effect. An 'image' effect carrying a Blob decodes it asynchronously and shows the
   * previous image (or the camera, if none) until then; await the returned promise to know when.
   */
  setEffect(e: BackgroundEffect): Promise<void> {
    // Parsed here so a bad colour throws at the caller, not inside the frame loop.
    if (e.type === 'color') this.color = parseHexColor(e.color);
    this.effect = e;
    if (e.type === 'image' && e.image) {
      const request = ++this.imageRequest;
      return createImageBitmap(e.image).then((bmp) => {
        // A later setEffect/setImage wins over a slow decode of an older blob.
        if (request === this.imageRequest) this.replace.setImage(bmp);
        bmp.close();
      });
    }
    return Promise.resolve();
  }

  /** Uploads the background image once (null frees it); used by 'image' effects. */
  setImage(bitmap: BackgroundImageSource | null): void {
    this.imageRequest++;
    this.replace.setImage(bitmap);
  }

  /** Whether the layer is the camera texture itself ('none', or 'image' before any image is uploaded). */
  get passesThrough(): boolean {
    const type = this.effect.type;
    return type === 'none' || (type === 'image' && !this.replacePass?.hasImage);
  }

  /**
   * Encodes the effect and returns the camera layer. When the stage `passesThrough` that is
   * `camera` itself (which must then be the texture): passing it through costs no copy.
   */
  encode(encoder: GPUCommandEncoder, { camera, mask, maskChanged = true, levelCamera = camera, timer }: BackgroundInputs): GPUTexture {
    if (this.passesThrough) {
      if (camera instanceof GPUTexture) return camera;
      throw new StudioStateError('background: no effect to draw and no camera texture to pass through');
    }
    const { width, height } = camera;
    if (mask.width !== width || mask.height !== height) {
      throw new StudioStateError(`background: mask ${mask.width}x${mask.height} does not match camera ${width}x${height}`);
    }
    const out = this.target(width, height);
    const e = this.effect, wrap = e.lightWrap ?? 0;
    if (e.type === 'blur') {
      const blur = this.blur;
      blur.setStrength(e.strength ?? DEFAULT_BLUR_STRENGTH);
      blur.setLightWrap(wrap);
      blur.encode(encoder, camera, mask, out, timer, maskChanged, levelCamera);
    } else {
      const replace = this.replace;
      replace.setMode(e.type);
      if (e.type === 'color') replace.setColor(this.color);
      replace.setLightWrap(wrap);
      replace.encode(encoder, camera, mask, out, timer);
    }
    return out;
  }

  private target(w: number, h: number): GPUTexture {
    if (!this.output || this.output.width !== w || this.output.height !== h) {
      this.output?.destroy();
      this.output = this.device.createTexture({ size: [w, h], format: 'rgba8unorm', usage: OUTPUT_USAGE, label: 'background-camera-layer' });
    }
    return this.output;
  }

  /** Frees every GPU object the stage made. */
  destroy(): void {
    this.blurPass?.destroy();
    this.replacePass?.destroy();
    this.blurPass = this.replacePass = null;
    this.output?.destroy();
    this.output = null;
  }
}
