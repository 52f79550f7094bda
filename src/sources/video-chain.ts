import type { EffectsChain } from '../gpu/effects.ts';
import { FrameIngest, type IngestPolicy } from '../gpu/frame-ingest.ts';
import type { PassTimer } from '../gpu/timing.ts';
import type { BackgroundEffect } from '../segment/background-effect.ts';

/** Makes a background-removal chain for a source, or null where segmentation is unavailable. */
export type EffectsFactory = (label: string) => EffectsChain | null;

/**
 * The per-source GPU chain of a video source (camera, screen, video file): ingest of its
 * VideoFrame, then its filter (background removal) when one is set. The output texture stays
 * valid between frames, so a source that stalls keeps showing its last picture.
 */
export class VideoChain {
  private readonly ingest: FrameIngest;
  private fx: EffectsChain | null = null;
  private kick = false;
  private out: GPUTexture | null = null;
  private effect: BackgroundEffect | null = null;
  version = 0;

  constructor(private readonly device: GPUDevice, policy: IngestPolicy, private readonly label: string, private readonly makeEffects: EffectsFactory) {
    this.ingest = new FrameIngest(device, policy, label);
  }

  /** The source's picture after its filter, or null before the first frame. */
  get texture(): GPUTexture | null { return this.out; }

  /** Sets the source's background filter; a chain is made on first use. */
  async setBackground(effect: BackgroundEffect): Promise<void> {
    if (effect.type === 'none' && !this.fx) return;
    this.fx ??= this.makeEffects(this.label);
    if (!this.fx) throw new Error('background removal is unavailable');
    await this.fx.setBackground(effect);
    this.effect = effect;
  }

  /** The filter last set (a chain rebuilt on a new GPU device sets it again). */
  get background(): BackgroundEffect | null { return this.effect; }

  /** Opaque unless the filter makes the background transparent. */
  get opaque(): boolean { return !this.fx?.active || !this.fx.transparent; }

  /** Masks made for this source so far, or undefined while it never had a filter. */
  get masksProduced(): number | undefined { return this.fx?.produced; }

  /** The filter (for mask options and stats), if one was ever set. */
  get effects(): EffectsChain | null { return this.fx; }

  /** Whether encoding a frame at `nowMs` would start a model run ahead of the frame (see EffectsChain.takeEarlyKick). */
  wantsEarlyKick(nowMs: number): boolean { return !!this.fx?.active && this.fx.wantsEarlyKick(nowMs); }

  /** Uploads `frame` (the caller keeps it open until afterSubmit). */
  upload(frame: VideoFrame): Promise<void> { return this.ingest.upload(frame); }

  /**
   * Runs the filter on the uploaded frame (ingesting it into RGBA only where a pass needs the
   * picture, see FrameIngest) or, without a filter, ingests it; the result is `texture`.
   */
  async encode(encoder: GPUCommandEncoder, nowMs: number, timer?: PassTimer): Promise<void> {
    const fx = this.fx?.active ? this.fx : null;
    const kicked = !!fx && fx.takeEarlyKick(nowMs);
    if (fx && kicked) {
      // The model's input goes to the GPU queue ahead of the rest of the frame (see takeEarlyKick).
      const kick = this.device.createCommandEncoder({ label: `${this.label}-segment-kick` });
      await fx.encodeKick(kick, this.ingest, nowMs, timer);
      this.device.queue.submit([kick.finish()]);
      fx.startKick(nowMs);
    }
    if (fx) {
      const r = await fx.encode(encoder, this.ingest, nowMs, timer);
      // The rest of the frame waits for the run's input to be read back (see inputReadBack).
      if (kicked) await fx.inputReadBack();
      this.out = r.layer;
      this.kick = r.kick;
    } else {
      this.out = await this.ingest.rgba(encoder, timer);
    }
    this.version++;
  }

  /** Starts inference on what this tick preprocessed. */
  afterSubmit(nowMs: number): void {
    if (this.kick) this.fx?.afterSubmit(true, nowMs);
    this.kick = false;
  }

  /** Frees the chain's GPU objects. */
  destroy(): void {
    this.fx?.destroy();
    this.ingest.destroy();
    this.out = null;
  }
}
