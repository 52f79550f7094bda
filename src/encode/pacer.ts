/**
 * Live-capture pacing for the video encoder: admits a frame only while the encoder's backlog
 * is small (live capture never waits on the encoder), counts what it skips (OBS: "frames
 * skipped due to encoding lag"), asks for a key frame every `keyIntervalS` seconds and
 * measures the output bitrate over a sliding second.
 */
export class EncodePacer {
  framesEncoded = 0;
  framesSkipped = 0;
  private lastKeyUs = -Infinity;
  private readonly bytes: { t: number; n: number }[] = [];

  constructor(readonly frameRate: number, private readonly maxBacklog = 3, private readonly keyIntervalS = 2) {}

  /** True if a frame may be encoded given the current backlog; counts a skip otherwise. */
  admit(backlog: number): boolean {
    if (backlog >= this.maxBacklog) { this.framesSkipped++; return false; }
    return true;
  }

  /** Whether the frame at `timestampUs` should be a key frame. */
  wantsKeyFrame(timestampUs: number): boolean {
    if (timestampUs - this.lastKeyUs >= this.keyIntervalS * 1e6 || timestampUs < this.lastKeyUs) {
      this.lastKeyUs = timestampUs;
      return true;
    }
    return false;
  }

  /** Notes one frame handed to the encoder. */
  submitted(): void { this.framesEncoded++; }

  /** Notes one encoded chunk of `n` bytes. */
  encoded(n: number, now = performance.now()): void {
    this.bytes.push({ t: now, n });
    while (this.bytes.length && now - this.bytes[0].t > 1000) this.bytes.shift();
  }

  /** Output bitrate over the last second, kbit/s. */
  bitrateKbps(now = performance.now()): number {
    let sum = 0;
    for (const b of this.bytes) if (now - b.t <= 1000) sum += b.n;
    return (sum * 8) / 1000;
  }
}
