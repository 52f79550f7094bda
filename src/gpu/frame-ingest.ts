import type { IngestPath } from '../util/types.ts';
import { StudioStateError } from '../util/errors.ts';
import type { PassTimer } from './timing.ts';
import type { CameraFrame, CameraPlanes } from './passes/camera-input.ts';
import { IngestExternalPass } from './passes/ingest-external.ts';
import { IngestYuvPass } from './passes/ingest-yuv.ts';

const WORK_USAGE = GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.STORAGE_BINDING |
  GPUTextureUsage.RENDER_ATTACHMENT | GPUTextureUsage.COPY_SRC | GPUTextureUsage.COPY_DST;

/** Where the studio's ingest path preference lives, shared by every video source in the worker. */
export class IngestPolicy {
  path: IngestPath;
  reason: string | null;
  private readonly auto: IngestPath;
  private readonly autoReason: string | null;

  /** `software` marks a CPU rasteriser, where the copy + compute ingest measures faster than zero-copy. */
  constructor(software: boolean) {
    this.auto = software ? 'copyto-wgsl' : 'external-texture';
    this.autoReason = software ? 'software GPU: the copy path is faster there' : null;
    this.path = this.auto;
    this.reason = this.autoReason;
  }

  /** 'auto' tries zero-copy first; a named path is forced (diagnostics, tests). */
  prefer(pref: 'auto' | IngestPath): void {
    this.path = pref === 'auto' ? this.auto : pref;
    this.reason = pref === 'auto' ? this.autoReason : `chosen by setIngestPath('${pref}')`;
  }

  /** Importing threw (seen on SwiftShader and some drivers): switch to the copy path for good. */
  fallBack(e: unknown): void {
    this.path = 'copyto-wgsl';
    this.reason = e instanceof Error ? e.message : String(e);
  }
}

/**
 * Turns a VideoFrame of any source (camera, screen, video file) into the source's own
 * rgba8unorm texture, by the zero-copy import or by copyTo + the WGSL YUV→RGB pass.
 * The texture is made once and remade only when the frame size changes. As a CameraFrame it
 * runs that conversion only when a pass asks for the RGBA picture (`rgba`): on the copy path,
 * effect passes read the uploaded planes themselves and most frames need no ingest pass.
 */
export class FrameIngest implements CameraFrame {
  private readonly yuv: IngestYuvPass;
  private readonly external: IngestExternalPass;
  private tex: GPUTexture | null = null;
  private uploaded: IngestPath | null = null;
  private frame: VideoFrame | null = null;
  private done = false;
  /** Whether `tex` holds any frame (it is blank from a resize until the next ingest). */
  private filled = false;

  constructor(private readonly device: GPUDevice, private readonly policy: IngestPolicy, private readonly label: string) {
    this.yuv = new IngestYuvPass(device);
    this.external = new IngestExternalPass(device);
  }

  /** The source's RGBA texture at the uploaded frame's size (see CameraFrame); valid once a frame was uploaded. */
  get texture(): GPUTexture { return this.tex!; }

  get width(): number { return this.tex?.width ?? 0; }
  get height(): number { return this.tex?.height ?? 0; }

  /** Whether `texture` holds the uploaded frame. */
  get ingested(): boolean { return this.done; }

  /** The texture when it holds this frame or an earlier one of the same size. */
  get picture(): GPUTexture | null { return this.filled ? this.tex : null; }

  /** The uploaded frame's planes when the copy path uploaded it, for passes that read them in place. */
  get planes(): CameraPlanes | null { return this.uploaded === 'copyto-wgsl' ? this.yuv.planes : null; }

  /** Prepares `frame` for `encode`/`rgba` (the copy path's upload is asynchronous); the caller keeps the frame until submit. */
  async upload(frame: VideoFrame): Promise<void> {
    const rect = frame.visibleRect!;
    if (!this.tex || this.tex.width !== rect.width || this.tex.height !== rect.height) {
      this.tex?.destroy();
      this.tex = this.device.createTexture({ size: [rect.width, rect.height], format: 'rgba8unorm', usage: WORK_USAGE, label: `${this.label}-rgba` });
      this.filled = false;
    }
    this.frame = frame;
    this.done = false;
    this.uploaded = this.policy.path;
    if (this.uploaded === 'copyto-wgsl') await this.yuv.upload(frame);
  }

  /** Encodes the conversion of the uploaded frame into `texture`, once per upload. */
  async rgba(encoder: GPUCommandEncoder, timer?: PassTimer): Promise<GPUTexture> {
    const tex = this.tex!;
    if (this.done) return tex;
    this.done = true;
    this.filled = true;
    if (this.uploaded === 'external-texture') {
      try {
        this.external.encode(encoder, this.frame!, tex, timer);
        return tex;
      } catch (e) {
        this.policy.fallBack(e);
        this.uploaded = 'copyto-wgsl';
        await this.yuv.upload(this.frame!);
      }
    }
    this.yuv.encode(encoder, tex, timer);
    return tex;
  }

  /** Encodes the conversion of the frame given to `upload` into `texture`. */
  encode(encoder: GPUCommandEncoder, frame: VideoFrame, timer?: PassTimer): Promise<GPUTexture> {
    if (frame !== this.frame) throw new StudioStateError(`${this.label}: encode of a frame that was not uploaded`);
    return this.rgba(encoder, timer);
  }

  /** Frees the texture and the passes' buffers. */
  destroy(): void {
    this.yuv.destroy();
    this.tex?.destroy();
    this.tex = null;
    this.frame = null;
  }
}
