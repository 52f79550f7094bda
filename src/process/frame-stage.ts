/**
 * The GPU part of a file job, one frame at a time: the decoded frame becomes an rgba texture
 * (FrameIngest), is put upright and cut to an even size when the file needs it (OrientPass),
 * gets its own fresh mask (EffectsChain.maskFor: person-centred crop, inference, refinement
 * with temporal smoothing), the background effect (BackgroundPass), and is converted to NV12
 * for the encoder (with a second, alpha picture for transparent output) and read back.
 */
import type { EffectsChain } from '../gpu/effects.ts';
import { FrameIngest, IngestPolicy } from '../gpu/frame-ingest.ts';
import { OrientPass, orientedSize, type Rotation } from '../gpu/passes/orient.ts';
import { RgbaToNv12Pass } from '../gpu/passes/rgba-to-nv12.ts';
import { RgbaToNv12AlphaPass } from '../gpu/passes/rgba-to-nv12-alpha.ts';
import { BackgroundPass } from '../gpu/stages/background-stage.ts';
import type { BackgroundEffect } from '../segment/background-effect.ts';
import type { StageTimes } from './types.ts';

/** The encoder's input for one frame: NV12 colour, and the alpha picture for transparent output. */
export interface EncodeFrames { color: VideoFrame; alpha: VideoFrame | null; timestampUs: number }

export class FrameStage {
  private readonly ingest: FrameIngest;
  private readonly orient: OrientPass;
  private readonly background: BackgroundPass;
  private nv12: RgbaToNv12Pass | null = null;
  private nv12Alpha: RgbaToNv12AlphaPass | null = null;
  private transparent = false;

  constructor(private readonly device: GPUDevice, private readonly chain: EffectsChain, software: boolean) {
    this.ingest = new FrameIngest(device, new IngestPolicy(software), 'process');
    this.orient = new OrientPass(device);
    this.background = new BackgroundPass(device);
  }

  /** The size frames leave this stage at: upright, even. */
  static outputSize(width: number, height: number, rotation: Rotation): { width: number; height: number } {
    return orientedSize(width, height, rotation, true);
  }

  /** Selects the background; resolves once an image background is decoded. */
  async setBackground(effect: BackgroundEffect): Promise<void> {
    this.transparent = effect.type === 'transparent';
    await this.background.setEffect(effect);
  }

  /**
   * Runs one frame through the GPU and returns what the encoder takes. `frame` stays the
   * caller's (closed by it). `times` receives ingest, mask and composite milliseconds; each
   * part is timed to the GPU finishing it, so the split is honest on any GPU.
   */
  async run(frame: VideoFrame, rotation: Rotation, timestampUs: number, durationUs: number, times: StageTimes): Promise<EncodeFrames> {
    const t0 = performance.now();
    await this.ingest.upload(frame);
    let enc = this.device.createCommandEncoder({ label: 'process-ingest' });
    let tex = await this.ingest.encode(enc, frame);
    if (OrientPass.needed(tex.width, tex.height, rotation)) tex = this.orient.encode(enc, tex, rotation);
    this.device.queue.submit([enc.finish()]);
    await this.device.queue.onSubmittedWorkDone();
    const t1 = performance.now();
    times.ingest += t1 - t0;

    const mask = await this.chain.maskFor(tex, timestampUs / 1000);
    const t2 = performance.now();
    times.mask += t2 - t1;

    enc = this.device.createCommandEncoder({ label: 'process-composite' });
    const layer = this.background.encode(enc, { camera: tex, mask });
    let result: EncodeFrames;
    if (this.transparent) {
      const read = (this.nv12Alpha ??= new RgbaToNv12AlphaPass(this.device)).encode(enc, layer, timestampUs, durationUs);
      if (!read) throw new Error('every alpha readback buffer is busy');
      this.device.queue.submit([enc.finish()]);
      const { color, alpha } = await read();
      result = { color, alpha, timestampUs };
    } else {
      const read = (this.nv12 ??= new RgbaToNv12Pass(this.device)).encode(enc, layer, timestampUs, durationUs);
      if (!read) throw new Error('every NV12 readback buffer is busy');
      this.device.queue.submit([enc.finish()]);
      result = { color: await read(), alpha: null, timestampUs };
    }
    times.composite += performance.now() - t2;
    return result;
  }

  /** Frees what the stage made (the chain belongs to the caller). */
  destroy(): void {
    this.ingest.destroy();
    this.orient.destroy();
    this.background.destroy();
    this.nv12?.destroy();
    this.nv12Alpha?.destroy();
  }
}
