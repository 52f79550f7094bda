import { parseHexColor } from '../segment/background-effect.ts';
import type { SourceKind } from '../scene/types.ts';
import type { SourceNode, SourceNodeStats } from './source-node.ts';

const STILL_USAGE = GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_DST | GPUTextureUsage.RENDER_ATTACHMENT;

/** Base of sources whose picture changes only when their settings do: no per-tick work. */
abstract class StillNode implements SourceNode {
  abstract readonly kind: SourceKind;
  protected tex: GPUTexture | null = null;
  contentVersion = 0;
  opaque = false;
  constructor(readonly id: string, protected readonly device: GPUDevice) {}
  get texture(): GPUTexture | null { return this.tex; }
  get width(): number { return this.tex?.width ?? 0; }
  get height(): number { return this.tex?.height ?? 0; }
  async prepare(): Promise<void> {}
  async encode(): Promise<void> {}
  afterSubmit(): void {}
  stats(): SourceNodeStats {
    return { id: this.id, kind: this.kind, width: this.width, height: this.height, state: this.tex ? 'live' : 'waiting', framesIn: 0, framesReplaced: 0, message: null };
  }
  destroy(): void { this.tex?.destroy(); this.tex = null; }
}

/** An image (decoded on the page into an ImageBitmap), uploaded once. */
export class ImageNode extends StillNode {
  readonly kind = 'image' as const;

  /** Kept so that a new GPU device (after the old one was lost) can be given the picture again. */
  private bitmap: ImageBitmap | null = null;

  /** Uploads the bitmap (straight alpha, as the compositor expects); the node owns it from now on. */
  setImage(bitmap: ImageBitmap): void {
    if (this.bitmap !== bitmap) this.bitmap?.close();
    this.bitmap = bitmap;
    this.tex?.destroy();
    this.tex = this.device.createTexture({ size: [bitmap.width, bitmap.height], format: 'rgba8unorm', usage: STILL_USAGE, label: `image-${this.id}` });
    this.device.queue.copyExternalImageToTexture({ source: bitmap }, { texture: this.tex, premultipliedAlpha: false }, [bitmap.width, bitmap.height]);
    this.contentVersion++;
  }

  /** Hands the picture to a node on a new device; this node forgets it. */
  takeBitmap(): ImageBitmap | null {
    const b = this.bitmap;
    this.bitmap = null;
    return b;
  }

  override destroy(): void {
    super.destroy();
    this.bitmap?.close();
    this.bitmap = null;
  }
}

/** A solid colour; its natural size is the program canvas, so the default item fills it. */
export class ColorNode extends StillNode {
  readonly kind = 'color' as const;
  private color = '';
  private canvasW = 1;
  private canvasH = 1;

  override get width(): number { return this.canvasW; }
  override get height(): number { return this.canvasH; }

  /** Sets the colour (CSS hex) and the canvas size it reports. */
  set(color: string, canvasWidth: number, canvasHeight: number): void {
    this.canvasW = canvasWidth;
    this.canvasH = canvasHeight;
    if (color === this.color && this.tex) return;
    this.color = color;
    const [r, g, b, a] = parseHexColor(color);
    this.opaque = a >= 1;
    this.tex ??= this.device.createTexture({ size: [1, 1], format: 'rgba8unorm', usage: STILL_USAGE, label: `color-${this.id}` });
    this.device.queue.writeTexture({ texture: this.tex }, new Uint8Array([r, g, b, a].map((v) => Math.round(v * 255))), { bytesPerRow: 4 }, [1, 1]);
    this.contentVersion++;
  }
}
