/**
 * The text source: settings → 2D canvas → GPU texture. Runs in the render worker, so it uses only
 * OffscreenCanvas. Layout (line breaks, sizes) is decided in text-layout.ts; this file draws it.
 *
 * Alpha: a 2D canvas holds premultiplied pixels. The compositor expects straight alpha (it
 * premultiplies in its shader), so the upload asks copyExternalImageToTexture for
 * `premultipliedAlpha: false`, which un-premultiplies on the way in.
 */
import { DEFAULT_TEXT, type TextSettings } from '../scene/types.ts';
import { StudioError } from '../util/errors.ts';
import { fontString, layoutText, outlineWidth, type TextLayout } from './text-layout.ts';

/** Every field of TextSettings: what is compared to decide whether to re-render. */
const TEXT_KEYS = ['text', 'font', 'size', 'bold', 'italic', 'color', 'outlineColor', 'outlineWidth', 'background', 'padding', 'align', 'wrapWidth'] as const satisfies readonly (keyof TextSettings)[];

function context2d(canvas: OffscreenCanvas): OffscreenCanvasRenderingContext2D {
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new StudioError('This browser could not create a 2D canvas to draw text on.');
  return ctx;
}

/**
 * Sets the font; an unparsable family list (assignment silently ignored) falls back to the
 * same style in sans-serif rather than to the context's previous font.
 */
function applyFont(ctx: OffscreenCanvasRenderingContext2D, settings: TextSettings): void {
  ctx.font = fontString(settings, 'sans-serif');
  ctx.font = fontString(settings);
}

/** Sets a colour; an invalid CSS colour gives `fallback` instead of whatever was set before. */
function fillColor(ctx: OffscreenCanvasRenderingContext2D, color: string, fallback: string): void {
  ctx.fillStyle = fallback;
  ctx.fillStyle = color;
}

/** Lays out `settings` with the canvas's own text metrics. */
export function measureText(settings: TextSettings, canvas: OffscreenCanvas): TextLayout {
  const ctx = context2d(canvas);
  applyFont(ctx, settings);
  return layoutText(settings, (s) => ctx.measureText(s).width);
}

/** Draws text settings onto a 2D canvas context sized to the text; returns the pixel size. The same function draws the reference in tests. */
export function renderText(settings: TextSettings, target?: OffscreenCanvas): { canvas: OffscreenCanvas; width: number; height: number; layout: TextLayout } {
  const canvas = target ?? new OffscreenCanvas(1, 1);
  const layout = measureText(settings, canvas);
  const { width, height } = layout;
  // Resizing resets the context's state, so everything the drawing relies on is set after it.
  if (canvas.width !== width) canvas.width = width;
  if (canvas.height !== height) canvas.height = height;
  const ctx = context2d(canvas);
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.globalAlpha = 1;
  ctx.globalCompositeOperation = 'source-over';
  ctx.clearRect(0, 0, width, height);
  if (settings.background) {
    fillColor(ctx, settings.background, 'rgba(0, 0, 0, 0)');
    ctx.fillRect(0, 0, width, height);
  }
  applyFont(ctx, settings);
  ctx.textAlign = 'left';
  ctx.textBaseline = 'middle';
  ctx.direction = 'ltr';
  const outline = outlineWidth(settings);
  if (outline > 0) {
    // Twice the width: half of the stroke lies under the glyph, covered by the fill.
    ctx.lineWidth = 2 * outline;
    ctx.lineJoin = 'round';
    ctx.strokeStyle = DEFAULT_TEXT.outlineColor;
    ctx.strokeStyle = settings.outlineColor;
    for (const line of layout.lines) if (line.text) ctx.strokeText(line.text, line.x, line.y);
  }
  fillColor(ctx, settings.color, DEFAULT_TEXT.color);
  for (const line of layout.lines) if (line.text) ctx.fillText(line.text, line.x, line.y);
  return { canvas, width, height, layout };
}

/** Uploads the rendered text into a texture (created or resized as needed, label 'text-<id>'), straight alpha rgba8unorm usable as TEXTURE_BINDING|COPY_DST|RENDER_ATTACHMENT (and COPY_SRC), via device.queue.copyExternalImageToTexture. Returns the texture. */
export function uploadText(device: GPUDevice, canvas: OffscreenCanvas, width: number, height: number, existing: GPUTexture | null, label: string): GPUTexture {
  let texture = existing;
  if (!texture || texture.width !== width || texture.height !== height) {
    existing?.destroy();
    // Sampled by the compositor, written by the external-image copy (which needs RENDER_ATTACHMENT), read back by tests.
    const usage = GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_DST | GPUTextureUsage.RENDER_ATTACHMENT | GPUTextureUsage.COPY_SRC;
    texture = device.createTexture({ label, size: [width, height], format: 'rgba8unorm', usage });
  }
  device.queue.copyExternalImageToTexture({ source: canvas }, { texture, premultipliedAlpha: false }, [width, height]);
  return texture;
}

/** A text source's texture, re-rendered only when its settings change. */
export class TextSource {
  private canvas: OffscreenCanvas | null = null;
  private last: TextSettings | null = null;
  private tex: GPUTexture | null = null;
  private size = { width: 0, height: 0 };
  private count = 0;

  constructor(private readonly device: GPUDevice, readonly id: string) {}

  /** Renders and uploads when any setting differs from the last render; true when it did (the texture or its size may have changed). */
  update(settings: TextSettings): boolean {
    if (this.last && sameText(this.last, settings)) return false;
    this.canvas ??= new OffscreenCanvas(1, 1);
    const { width, height } = renderText(settings, this.canvas);
    this.tex = uploadText(this.device, this.canvas, width, height, this.tex, `text-${this.id}`);
    // The copy has taken its snapshot; the texture keeps the pixels, so the canvas need not.
    this.canvas.width = 1;
    this.canvas.height = 1;
    this.size = { width, height };
    this.last = copyText(settings);
    this.count++;
    return true;
  }

  /** The uploaded text (straight alpha), or null before the first update. */
  get texture(): GPUTexture | null { return this.tex; }
  get width(): number { return this.size.width; }
  get height(): number { return this.size.height; }
  /** How many times the text was rendered and uploaded. */
  get renders(): number { return this.count; }

  /** Frees the texture; a later update renders again. */
  destroy(): void {
    this.tex?.destroy();
    this.tex = null;
    this.canvas = null;
    this.last = null;
    this.size = { width: 0, height: 0 };
  }
}

/** Field-by-field equality, without allocating (update runs every frame). */
function sameText(a: TextSettings, b: TextSettings): boolean {
  for (const k of TEXT_KEYS) if (a[k] !== b[k]) return false;
  return true;
}

/** Only the TextSettings fields (a source's settings carry `kind` and may be mutated later). */
function copyText(s: TextSettings): TextSettings {
  const { text, font, size, bold, italic, color, outlineColor, outlineWidth, background, padding, align, wrapWidth } = s;
  return { text, font, size, bold, italic, color, outlineColor, outlineWidth, background, padding, align, wrapWidth };
}
