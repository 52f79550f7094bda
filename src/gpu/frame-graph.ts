import type { IngestPath, PassTiming } from '../util/types.ts';
import { PassTimer } from './timing.ts';
import { IngestExternalPass } from './passes/ingest-external.ts';
import { IngestYuvPass } from './passes/ingest-yuv.ts';
import { CompositePass, containFit, type LayerPlacement } from './passes/composite.ts';
import { RgbaToNv12Pass } from './passes/rgba-to-nv12.ts';
import type { EffectsChain } from './effects.ts';

/** What a caller wants out of one rendered frame besides the preview. */
export type FrameOutput = 'none' | 'canvas' | 'nv12';

export interface RenderResult {
  /** For 'nv12': resolves to the converted frame (caller owns it); null if the readback ring was full. */
  nv12: (() => Promise<VideoFrame>) | null;
}

const WORK_USAGE = GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.STORAGE_BINDING |
  GPUTextureUsage.RENDER_ATTACHMENT | GPUTextureUsage.COPY_SRC | GPUTextureUsage.COPY_DST;

/**
 * The per-frame GPU work of the studio: ingest → (effects) → composite → preview canvas, with the
 * NV12 readback as an optional tail. Passes and textures are made once and rebuilt only when a
 * size changes; one command buffer is submitted per frame.
 */
export class FrameGraph {
  readonly timer: PassTimer;
  private readonly yuv: IngestYuvPass;
  private readonly external: IngestExternalPass;
  private readonly composite: CompositePass;
  private readonly nv12Pass: RgbaToNv12Pass;
  private readonly ctx: GPUCanvasContext;
  private cameraTex: GPUTexture | null = null;
  private outputTex: GPUTexture | null = null;
  private ingestPath: IngestPath;
  private placement: LayerPlacement = { x: 0, y: 0, width: 1, height: 1 };
  private readonly layers: { texture: GPUTexture; place: LayerPlacement }[] = [];
  ingestFallbackReason: string | null = null;
  sourceWidth = 0;
  sourceHeight = 0;
  /** Background removal; null when the segmentation model could not be loaded. */
  effects: EffectsChain | null = null;
  /** Set by the render worker while the background effect is 'transparent'. */
  transparentBackground = false;

  private readonly autoIngest: IngestPath;
  private readonly autoReason: string | null;

  /** `software` marks a CPU rasteriser, where the copy + compute ingest measures faster than zero-copy. */
  constructor(private readonly device: GPUDevice, readonly canvas: OffscreenCanvas, software = false) {
    this.timer = new PassTimer(device);
    this.yuv = new IngestYuvPass(device);
    this.external = new IngestExternalPass(device);
    this.composite = new CompositePass(device);
    this.nv12Pass = new RgbaToNv12Pass(device);
    this.autoIngest = software ? 'copyto-wgsl' : 'external-texture';
    this.autoReason = software ? 'software GPU: the copy path is faster there' : null;
    this.ingestPath = this.autoIngest;
    this.ingestFallbackReason = this.autoReason;
    const ctx = canvas.getContext('webgpu');
    if (!ctx) throw new Error('OffscreenCanvas has no webgpu context');
    this.ctx = ctx;
    this.setOutputSize(canvas.width || 1280, canvas.height || 720);
  }

  /** Chooses the ingest path: 'auto' tries zero-copy first; 'copyto-wgsl' forces the copy path. */
  setIngestPreference(pref: 'auto' | IngestPath): void {
    this.ingestPath = pref === 'auto' ? this.autoIngest : pref;
    this.ingestFallbackReason = pref === 'auto' ? this.autoReason : `chosen by setIngestPath('${pref}')`;
  }

  /** The ingest path in use (it may switch to the copy path after the first frame). */
  get ingest(): IngestPath { return this.ingestPath; }
  get outputWidth(): number { return this.canvas.width; }
  get outputHeight(): number { return this.canvas.height; }
  /** NV12 frames dropped because every readback buffer was busy. */
  get nv12Dropped(): number { return this.nv12Pass.dropped; }

  /** Sets the output (scene) resolution; even sizes so NV12 output is possible. */
  setOutputSize(width: number, height: number): void {
    width = Math.max(2, width & ~1);
    height = Math.max(2, height & ~1);
    if (this.outputTex && width === this.canvas.width && height === this.canvas.height) return;
    this.canvas.width = width;
    this.canvas.height = height;
    this.ctx.configure({
      // Premultiplied (composite's output format) so a transparent background shows the page behind.
      device: this.device, format: 'rgba8unorm', alphaMode: 'premultiplied',
      usage: GPUTextureUsage.RENDER_ATTACHMENT | GPUTextureUsage.COPY_DST,
    });
    this.outputTex?.destroy();
    this.outputTex = this.device.createTexture({ size: [width, height], format: 'rgba8unorm', usage: WORK_USAGE, label: 'output' });
    this.updatePlacement();
  }

  private ensureCameraTexture(w: number, h: number): GPUTexture {
    if (!this.cameraTex || this.cameraTex.width !== w || this.cameraTex.height !== h) {
      this.cameraTex?.destroy();
      this.cameraTex = this.device.createTexture({ size: [w, h], format: 'rgba8unorm', usage: WORK_USAGE, label: 'camera-rgba' });
      this.sourceWidth = w; this.sourceHeight = h;
      this.updatePlacement();
    }
    return this.cameraTex;
  }

  private updatePlacement(): void {
    if (!this.sourceWidth) return;
    this.placement = containFit(this.sourceWidth, this.sourceHeight, this.canvas.width, this.canvas.height);
  }

  /**
   * Renders one camera frame to the preview (and NV12 if asked, stamped `timestamp` µs).
   * The caller keeps ownership of `frame`.
   */
  async render(frame: VideoFrame, timestamp: number, output: FrameOutput): Promise<RenderResult> {
    const rect = frame.visibleRect!;
    const cam = this.ensureCameraTexture(rect.width, rect.height);
    if (this.ingestPath === 'copyto-wgsl') await this.yuv.upload(frame);
    this.timer.beginFrame();
    const enc = this.device.createCommandEncoder({ label: 'frame' });
    if (this.ingestPath === 'external-texture') {
      try {
        this.external.encode(enc, frame, cam, this.timer);
      } catch (e) {
        // Seen on SwiftShader and some drivers: importing a camera frame throws. Switch for good.
        this.ingestPath = 'copyto-wgsl';
        this.ingestFallbackReason = e instanceof Error ? e.message : String(e);
        return this.render(frame, timestamp, output);
      }
    } else {
      this.yuv.encode(enc, cam, this.timer);
    }
    const nowMs = timestamp / 1000;
    const fx = this.effects ? await this.effects.encode(enc, cam, nowMs, this.timer) : { layer: cam, kick: false };
    this.layers.length = 0;
    this.layers.push({ texture: fx.layer, place: this.placement });
    const seeThrough = this.transparentBackground && !!this.effects?.active;
    const p = this.placement, out = this.outputTex!;
    if (fx.layer === cam && p.x === 0 && p.y === 0 && p.width === out.width && p.height === out.height) {
      // The opaque camera at native size is the whole picture: a copy beats a draw, which
      // matters on CPU rasterisers where a full-frame render pass costs milliseconds.
      enc.copyTextureToTexture({ texture: cam }, { texture: out }, [out.width, out.height]);
    } else {
      this.composite.encode(enc, out, this.layers, seeThrough ? [0, 0, 0, 0] : [0, 0, 0, 1], this.timer);
    }
    enc.copyTextureToTexture({ texture: this.outputTex! }, { texture: this.ctx.getCurrentTexture() }, [this.canvas.width, this.canvas.height]);
    // rgba-to-nv12 expects straight alpha; an opaque re-composite keeps recordings over black.
    if (seeThrough && output === 'nv12') this.composite.encode(enc, this.outputTex!, this.layers, [0, 0, 0, 1]);
    const nv12 = output === 'nv12'
      ? this.nv12Pass.encode(enc, this.outputTex!, timestamp, frame.duration ?? undefined, this.timer)
      : null;
    const afterSubmit = this.timer.resolve(enc);
    this.device.queue.submit([enc.finish()]);
    afterSubmit();
    this.effects?.afterSubmit(fx.kick, nowMs);
    return { nv12 };
  }

  /** The output texture, for tests and later passes that read the composed frame. */
  get output(): GPUTexture { return this.outputTex!; }

  /** Latest per-pass timings. */
  passTimings(): PassTiming[] {
    return [...this.timer.latest].map(([name, ms]) => ({ name, ms }));
  }

  /** Frees every GPU object the graph made. */
  destroy(): void {
    this.effects?.destroy();
    this.yuv.destroy(); this.composite.destroy(); this.nv12Pass.destroy(); this.timer.destroy();
    this.cameraTex?.destroy(); this.outputTex?.destroy();
  }
}
