import type { PassTimer } from '../gpu/timing.ts';
import { ClockMapper } from '../util/clock.ts';
import { closeQueuedAndCancel } from '../util/streams.ts';
import type { SourceNode, SourceNodeStats } from './source-node.ts';
import type { VideoChain } from './video-chain.ts';

/** Clock correction per frame while recording: well under a frame interval, ~120 ms/s at 30 fps. */
const CLOCK_STEP_RECORDING_US = 4000;

/**
 * A live video track (camera, screen, window or tab) read from a MediaStreamTrackProcessor's
 * readable transferred to this worker. The newest frame wins; a frame replaced before the
 * program clock drew it is counted. When the track ends the last picture stays.
 */
export class TrackNode implements SourceNode {
  private reader: ReadableStreamDefaultReader<VideoFrame> | null = null;
  private pending: VideoFrame | null = null;
  private pendingWallUs = 0;
  /** The frame this tick ingests; closed after submit. */
  private current: VideoFrame | null = null;
  private clock = new ClockMapper();
  private framesIn = 0;
  private framesReplaced = 0;
  private ended: string | null = null;
  /** Wall-clock capture time of the frame drawn last, and whether this tick drew a new one. */
  captureWallUs = 0;
  freshThisTick = false;
  /** While recording the clock mapping may only creep, so timestamps keep increasing. */
  recording = false;

  constructor(readonly id: string, readonly kind: 'camera' | 'display', private chain: VideoChain,
    private readonly onEnded: (id: string, reason: string) => void) {}

  get texture(): GPUTexture | null { return this.chain.texture; }
  get width(): number { return this.chain.texture?.width ?? 0; }
  get height(): number { return this.chain.texture?.height ?? 0; }
  get contentVersion(): number { return this.chain.version; }
  get opaque(): boolean { return this.chain.opaque; }
  /** The chain (filter settings live there). */
  get video(): VideoChain { return this.chain; }

  /** Moves to a chain on a new GPU device (the old device was lost); the track keeps being read. */
  rebind(chain: VideoChain): void {
    this.current?.close();
    this.current = null;
    this.chain.destroy();
    this.chain = chain;
  }

  /** Starts reading a new track (a restarted camera, a new share); the last picture stays until its first frame. */
  attach(readable: ReadableStream<VideoFrame>): void {
    this.detach();
    const reader = readable.getReader();
    this.reader = reader;
    this.ended = null;
    this.clock = new ClockMapper();
    void this.pump(reader);
  }

  /** Camera clock offset measured on the page (see CameraClock). */
  observeClockOffset(offsetUs: number): void { this.clock.observe(offsetUs); }

  /** Stops reading; the last picture stays. */
  detach(): void {
    const r = this.reader;
    this.reader = null;
    if (r) void closeQueuedAndCancel(r);
    this.pending?.close();
    this.pending = null;
  }

  private async pump(reader: ReadableStreamDefaultReader<VideoFrame>): Promise<void> {
    let reason = this.kind === 'camera' ? 'the camera stopped sending frames' : 'screen sharing stopped';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        if (this.reader !== reader) { value.close(); return; }
        this.framesIn++;
        if (this.pending) { this.pending.close(); this.framesReplaced++; }
        this.pending = value;
        this.clock.maxStepUs = this.recording ? CLOCK_STEP_RECORDING_US : Infinity;
        this.pendingWallUs = this.clock.map(value.timestamp);
      }
    } catch (e) {
      reason = `the ${this.kind === 'camera' ? 'camera' : 'screen'} stream failed: ${e instanceof Error ? e.message : String(e)}`;
    }
    if (this.reader === reader) {
      this.reader = null;
      this.ended = reason;
      this.onEnded(this.id, reason);
    }
  }

  async prepare(): Promise<void> {
    this.freshThisTick = false;
    if (!this.pending) return;
    this.current?.close();
    this.current = this.pending;
    this.captureWallUs = this.pendingWallUs;
    this.pending = null;
    await this.chain.upload(this.current);
  }

  startsModelRun(): boolean { return this.current !== null && this.chain.wantsEarlyKick(this.captureWallUs / 1000); }

  async encode(encoder: GPUCommandEncoder, _nowUs: number, timer?: PassTimer): Promise<void> {
    if (!this.current) return;
    await this.chain.encode(encoder, this.captureWallUs / 1000, timer);
    this.freshThisTick = true;
  }

  afterSubmit(): void {
    this.current?.close();
    this.current = null;
    this.chain.afterSubmit(this.captureWallUs / 1000);
  }

  stats(): SourceNodeStats {
    return {
      id: this.id, kind: this.kind, width: this.width, height: this.height,
      state: this.ended ? 'ended' : this.chain.texture ? 'live' : 'waiting',
      framesIn: this.framesIn, framesReplaced: this.framesReplaced, message: this.ended, masks: this.chain.masksProduced,
    };
  }

  destroy(): void {
    this.detach();
    this.current?.close();
    this.current = null;
    this.chain.destroy();
  }
}
