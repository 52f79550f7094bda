import type { IngestPath } from '../util/types.ts';
import type { PassTimer } from './timing.ts';
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
 * The texture is made once and remade only when the frame size changes.
 */
export class FrameIngest {
  private readonly yuv: IngestYuvPass;
  private readonly external: IngestExternalPass;
  private tex: GPUTexture | null = null;
  private uploaded: IngestPath | null = null;

  constructor(private readonly device: GPUDevice, private readonly policy: IngestPolicy, private readonly label: string) {
    this.yuv = new IngestYuvPass(device);
    this.external = new IngestExternalPass(device);
  }

  /** The source's RGBA picture (the last frame ingested), or null before the first. */
  get texture(): GPUTexture | null { return this.tex; }

  /** Prepares `frame` for `encode` (the copy path's upload is asynchronous); the caller keeps the frame. */
  async upload(frame: VideoFrame): Promise<void> {
    const rect = frame.visibleRect!;
    if (!this.tex || this.tex.width !== rect.width || this.tex.height !== rect.height) {
      this.tex?.destroy();
      this.tex = this.device.createTexture({ size: [rect.width, rect.height], format: 'rgba8unorm', usage: WORK_USAGE, label: `${this.label}-rgba` });
    }
    this.uploaded = this.policy.path;
    if (this.uploaded === 'copyto-wgsl') await this.yuv.upload(frame);
  }

  /** Encodes the conversion of the frame given to `upload` into `texture`. */
  async encode(encoder: GPUCommandEncoder, frame: VideoFrame, timer?: PassTimer): Promise<GPUTexture> {
    const tex = this.tex!;
    if (this.uploaded === 'external-texture') {
      try {
        this.external.encode(encoder, frame, tex, timer);
        return tex;
      } catch (e) {
        this.policy.fallBack(e);
        await this.yuv.upload(frame);
      }
    }
    this.yuv.encode(encoder, tex, timer);
    return tex;
  }

  /** Frees the texture and the passes' buffers. */
  destroy(): void {
    this.yuv.destroy();
    this.tex?.destroy();
    this.tex = null;
  }
}
