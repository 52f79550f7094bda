import { CompositorPass, type CompositorItem } from '../gpu/passes/compositor.ts';
import type { PassTimer } from '../gpu/timing.ts';

const PREVIEW_USAGE = GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.RENDER_ATTACHMENT | GPUTextureUsage.COPY_SRC | GPUTextureUsage.COPY_DST;

/**
 * Studio mode: the scene being edited is composed apart from the program (nothing of it
 * reaches the outputs) and shown on the main canvas, where the mouse editor works, while the
 * program moves to a second canvas of its own. The preview composite is kept and only redone
 * when its scene changed.
 */
export class StudioModeView {
  private readonly ctx: GPUCanvasContext;
  private readonly compositor: CompositorPass;
  private tex: GPUTexture | null = null;
  /** The scene composed into `tex`, '' when it must be composed again. */
  drawn = '';
  /** The scene previewed, null while studio mode is off. */
  sceneId: string | null = null;

  constructor(private readonly device: GPUDevice, readonly canvas: OffscreenCanvas) {
    const ctx = canvas.getContext('webgpu');
    if (!ctx) throw new Error('OffscreenCanvas has no webgpu context');
    this.ctx = ctx;
    this.compositor = new CompositorPass(device);
  }

  /** Matches the program's size (both canvases show scenes as the program would). */
  setSize(width: number, height: number): void {
    if (this.tex && this.tex.width === width && this.tex.height === height) return;
    this.canvas.width = width;
    this.canvas.height = height;
    this.ctx.configure({ device: this.device, format: 'rgba8unorm', alphaMode: 'opaque', usage: GPUTextureUsage.RENDER_ATTACHMENT | GPUTextureUsage.COPY_DST });
    this.tex?.destroy();
    this.tex = this.device.createTexture({ size: [width, height], format: 'rgba8unorm', usage: PREVIEW_USAGE, label: 'studio-mode-preview' });
    this.drawn = '';
  }

  /** The composed preview picture. */
  get texture(): GPUTexture { return this.tex!; }

  /** Composes `items` of scene `sceneId` into the preview texture. */
  compose(enc: GPUCommandEncoder, sceneId: string, items: readonly CompositorItem[], count: number, timer?: PassTimer): void {
    this.compositor.encode(enc, this.tex!, items, count, [0, 0, 0, 1], timer);
    this.drawn = sceneId;
  }

  /** Shows the program picture on studio mode's program canvas. */
  presentProgram(enc: GPUCommandEncoder, source: GPUTexture): void {
    enc.copyTextureToTexture({ texture: source }, { texture: this.ctx.getCurrentTexture() }, [source.width, source.height]);
  }

  /** Frees the preview's GPU objects. */
  destroy(): void {
    this.compositor.destroy();
    this.tex?.destroy();
    this.tex = null;
  }
}
