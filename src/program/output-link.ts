import type { OutputPath } from '../util/types.ts';

/**
 * Program frames handed to the encode worker over a MessagePort, bounded by its
 * acknowledgements so the port never piles up. A frame the encoder cannot take is dropped
 * and counted; the program clock never waits on the encoder.
 */
export class OutputLink {
  private inFlight = 0;
  /** NV12 readbacks not yet complete, and the device generation they belong to. */
  private readbacks = 0;
  private generation = 0;
  /** Frames dropped because the encoder had not acknowledged enough earlier ones. */
  dropped = 0;
  private ended = false;

  constructor(private readonly port: MessagePort, readonly path: OutputPath, private readonly maxInFlight: number) {
    port.onmessage = (ev: MessageEvent<{ type: string }>) => { if (ev.data.type === 'ack') this.inFlight = Math.max(0, this.inFlight - 1); };
  }

  /** Diagnostics: holds every frame back (what a stalled GPU looks like to the recorder). */
  held = false;

  /** What this tick should produce for the encoder: its path, or 'none' (dropped, counted). */
  want(): OutputPath | 'none' {
    if (this.held) return 'none';
    if (this.inFlight + this.readbacks < this.maxInFlight) return this.path;
    this.dropped++;
    return 'none';
  }

  /** Sends a frame (ownership passes to the encode worker); closes it if the link has ended. */
  send(frame: VideoFrame): void {
    if (this.ended) { frame.close(); return; }
    this.inFlight++;
    try {
      this.port.postMessage({ type: 'frame', frame }, [frame]);
    } catch {
      frame.close();
      this.inFlight--;
      this.dropped++;
    }
  }

  /** Sends an NV12 frame once its readback completes; a readback that failed is counted as dropped. */
  sendLater(nv12: (() => Promise<VideoFrame>) | null): void {
    if (!nv12) { this.dropped++; return; }
    const gen = this.generation;
    this.readbacks++;
    nv12().then((f) => {
      if (gen !== this.generation) { f.close(); return; }
      this.readbacks--;
      this.send(f);
    }, () => {
      if (gen !== this.generation) return;
      this.readbacks--;
      this.dropped++;
    });
  }

  /** Gives up on the readbacks of a lost GPU device (they may never complete); counted as dropped. */
  abandonReadbacks(): void {
    this.dropped += this.readbacks;
    this.readbacks = 0;
    this.generation++;
  }

  /** Tells the encoder no more frames come and stops listening. */
  end(): void {
    this.ended = true;
    this.port.postMessage({ type: 'end' });
    this.port.onmessage = null;
  }
}
