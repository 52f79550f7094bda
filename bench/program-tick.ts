// Page-side: the GPU work of one render-worker tick for a scene holding one camera item that
// fills the canvas, built from the pieces the worker uses (FrameIngest with an IngestPolicy,
// SceneLayout, CompositorPass, RgbaToNv12Pass). It mirrors Program.encode for that scene: a
// picture exactly the canvas's size is copied, anything else goes through the compositor.
// Program itself needs a SourceRegistry and a scene collection; this keeps the encode bench to
// the frame path.
import { FrameIngest, IngestPolicy } from '../src/gpu/frame-ingest.ts';
import { CompositorPass, type CompositorItem } from '../src/gpu/passes/compositor.ts';
import { RgbaToNv12Pass } from '../src/gpu/passes/rgba-to-nv12.ts';
import { PassTimer } from '../src/gpu/timing.ts';
import { SceneLayout, type Size } from '../src/scene/layout.ts';
import type { DrawQuad, SceneItem } from '../src/scene/types.ts';

const OUTPUT_USAGE = GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.STORAGE_BINDING |
  GPUTextureUsage.RENDER_ATTACHMENT | GPUTextureUsage.COPY_SRC | GPUTextureUsage.COPY_DST;

/** How the tick put the camera picture into the program texture. */
export type Compose = 'copy' | 'compositor';

/** One camera source, one full-canvas item ('contain'), program texture, preview canvas, NV12. */
export class ProgramTick {
  readonly timer: PassTimer;
  readonly policy: IngestPolicy;
  private readonly ingest: FrameIngest;
  private readonly compositor: CompositorPass;
  private readonly nv12: RgbaToNv12Pass;
  private readonly layout = new SceneLayout();
  private readonly ctx: GPUCanvasContext;
  private readonly out: GPUTexture;
  private readonly items: SceneItem[];
  private readonly drawn: CompositorItem[] = [];
  private readonly size: Size = { width: 0, height: 0 };
  private readonly sizeOf = (): Size | null => (this.size.width ? this.size : null);
  /** Ticks that copied and ticks that drew, so the bench can say which path it measured. */
  readonly composed: Record<Compose, number> = { copy: 0, compositor: 0 };

  /** `software` marks a CPU rasteriser (the policy then starts on the copy + WGSL ingest). */
  constructor(private readonly device: GPUDevice, width: number, height: number, software: boolean) {
    this.timer = new PassTimer(device, 32);
    this.policy = new IngestPolicy(software);
    this.ingest = new FrameIngest(device, this.policy, 'bench-camera');
    this.compositor = new CompositorPass(device);
    this.nv12 = new RgbaToNv12Pass(device);
    const canvas = new OffscreenCanvas(width, height);
    const ctx = canvas.getContext('webgpu');
    if (!ctx) throw new Error('OffscreenCanvas has no webgpu context');
    ctx.configure({ device, format: 'rgba8unorm', alphaMode: 'opaque', usage: GPUTextureUsage.RENDER_ATTACHMENT | GPUTextureUsage.COPY_DST });
    this.ctx = ctx;
    this.out = device.createTexture({ size: [width, height], format: 'rgba8unorm', usage: OUTPUT_USAGE, label: 'bench-program' });
    this.items = [{
      id: 'camera-item', sourceId: 'camera', x: 0, y: 0, width, height, rotation: 0,
      crop: { left: 0, top: 0, right: 0, bottom: 0 }, opacity: 1, visible: true, locked: false, fit: 'contain',
    }];
  }

  /**
   * Ingests `frame` (the caller keeps it), composes the program, shows it on the canvas and
   * encodes the NV12 conversion in one submit. Returns the readback, or null when its ring was full.
   */
  async tick(frame: VideoFrame): Promise<(() => Promise<VideoFrame>) | null> {
    await this.ingest.upload(frame);
    this.timer.beginFrame();
    const enc = this.device.createCommandEncoder({ label: 'bench-program-frame' });
    const tex = await this.ingest.encode(enc, frame, this.timer);
    this.size.width = tex.width;
    this.size.height = tex.height;
    const laid = this.layout.update(this.items, this.sizeOf);
    const out = this.out;
    if (laid.length === 1 && this.copyable(tex, laid[0]!.quad)) {
      enc.copyTextureToTexture({ texture: tex }, { texture: out }, [out.width, out.height]);
      this.composed.copy++;
    } else {
      for (let i = 0; i < laid.length; i++) {
        const l = laid[i]!;
        const item = this.drawn[i] ??= { texture: tex, quad: l.quad, version: l.version, opaque: true };
        item.texture = tex; item.quad = l.quad; item.version = l.version;
      }
      this.compositor.encode(enc, out, this.drawn, laid.length, [0, 0, 0, 1], this.timer);
      this.composed.compositor++;
    }
    enc.copyTextureToTexture({ texture: out }, { texture: this.ctx.getCurrentTexture() }, [out.width, out.height]);
    const read = this.nv12.encode(enc, out, frame.timestamp, frame.duration ?? undefined, this.timer);
    const after = this.timer.resolve(enc);
    this.device.queue.submit([enc.finish()]);
    after();
    return read;
  }

  /** Program.copyable for an opaque camera: unscaled, uncropped and exactly the canvas's size. */
  private copyable(tex: GPUTexture, quad: DrawQuad): boolean {
    const out = this.out, m = quad.matrix, uv = quad.uv;
    return tex.width === out.width && tex.height === out.height && quad.opacity >= 1 &&
      m[0] === out.width && m[1] === 0 && m[2] === 0 && m[3] === out.height && m[4] === 0 && m[5] === 0 &&
      uv[0] === 0 && uv[1] === 0 && uv[2] === 1 && uv[3] === 1;
  }

  /** Frees the GPU objects. */
  destroy(): void {
    this.ingest.destroy();
    this.compositor.destroy();
    this.nv12.destroy();
    this.timer.destroy();
    this.out.destroy();
  }
}
