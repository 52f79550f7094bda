import type { PassTimer } from '../gpu/timing.ts';
import type { SourceNode, SourceNodeStats } from './source-node.ts';
import type { VideoChain } from './video-chain.ts';
import type { VideoFilePlayer } from './video-file-player.ts';

/** A video file played by the program clock: the player decodes ahead, this node ingests the frame due now. */
export class VideoFileNode implements SourceNode {
  readonly kind = 'video' as const;
  private shown: VideoFrame | null = null;
  private due: VideoFrame | null = null;
  private error: string | null = null;

  constructor(readonly id: string, readonly player: VideoFilePlayer, private chain: VideoChain) {}

  /** Moves to a chain on a new GPU device (the old device was lost); the frame due is ingested again. */
  rebind(chain: VideoChain): void {
    this.chain.destroy();
    this.chain = chain;
    this.shown = null;
  }

  get texture(): GPUTexture | null { return this.chain.texture; }
  get width(): number { return this.player.width; }
  get height(): number { return this.player.height; }
  get contentVersion(): number { return this.chain.version; }
  get opaque(): boolean { return this.chain.opaque; }
  /** The chain (filter settings live there). */
  get video(): VideoChain { return this.chain; }

  async prepare(nowUs: number): Promise<void> {
    this.due = null;
    let frame: VideoFrame | null = null;
    try {
      frame = this.player.frameAt(nowUs);
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e);
      return;
    }
    // The player owns its frames; the same frame twice means nothing new to ingest.
    if (!frame || frame === this.shown) return;
    this.due = frame;
    await this.chain.upload(frame);
  }

  startsModelRun(nowUs: number): boolean { return this.due !== null && this.chain.wantsEarlyKick(nowUs / 1000); }

  async encode(encoder: GPUCommandEncoder, nowUs: number, timer?: PassTimer): Promise<void> {
    if (!this.due) return;
    await this.chain.encode(encoder, nowUs / 1000, timer);
    this.shown = this.due;
  }

  afterSubmit(nowUs: number): void {
    this.due = null;
    this.chain.afterSubmit(nowUs / 1000);
  }

  stats(): SourceNodeStats {
    const s = this.player.stats();
    return {
      id: this.id, kind: 'video', width: this.width, height: this.height,
      state: this.error || this.player.state === 'ended' ? 'ended' : this.chain.texture ? 'live' : 'waiting',
      framesIn: s.framesDecoded, framesReplaced: s.dropped, message: this.error, masks: this.chain.masksProduced,
    };
  }

  destroy(): void {
    this.player.close();
    this.chain.destroy();
  }
}
