import { DEFAULT_DELAY_OPTIONS, EnvelopeRing, estimateDelay } from './delay-estimator.ts';

/** Opens a track's AudioData stream (MediaStreamTrackProcessor, injected so audio/ stays below capture/). */
export type AudioReadableFactory = (track: MediaStreamTrack, maxBufferSize: number) => ReadableStream<AudioData>;

/** How often the microphone delay is estimated (ms); each estimate costs a few ms here. */
const ESTIMATE_EVERY_MS = 700;
/** Estimates the reported delay is the median of, so one odd match cannot move it. */
const RECENT = 5;
/** Smallest change worth reporting (ms). */
const REPORT_STEP_MS = 2;
/** Envelope history: the estimator's window plus its largest lag, with slack. */
const RING_MS = 4096;
/** Chunks a track processor may hold if this thread is briefly busy (10 ms each). */
const TRACK_BUFFER = 50;

/**
 * Reads the audio to be recorded (the mixer's output) on the page, where the reader runs
 * promptly, and hands each chunk to the recorder over a MessagePort. Reading it in the busy
 * encode worker instead was measured to put speech up to 400 ms away from the picture: the
 * chunks' timestamps stayed continuous while the sound in them did not match them.
 *
 * It also listens to the camera microphone and keeps a running estimate of how much later the
 * mix carries its sound than its timestamps say (delay-estimator.ts), which the recorder
 * subtracts. Silence or a muted microphone gives no estimate; the last one stays in force.
 */
export class MixTap {
  private readonly outTrack: MediaStreamTrack;
  private readonly outReader: ReadableStreamDefaultReader<AudioData>;
  private mic: { track: MediaStreamTrack; reader: ReadableStreamDefaultReader<AudioData> } | null = null;
  private micRing = new EnvelopeRing(RING_MS);
  private readonly outRing = new EnvelopeRing(RING_MS);
  private readonly recent: number[] = [];
  private readonly timer: ReturnType<typeof setInterval>;
  private scratch = new Float32Array(480);
  private current: number | null = null;
  private port: MessagePort | null = null;
  private stopped = false;

  /** Starts reading `outputTrack` (cloned); `onDelay` gets each new microphone delay in ms. */
  constructor(outputTrack: MediaStreamTrack, private readonly open: AudioReadableFactory, private readonly onDelay: (ms: number | null) => void) {
    this.outTrack = outputTrack.clone();
    this.outReader = open(this.outTrack, TRACK_BUFFER).getReader();
    void this.pump(this.outReader, this.outRing, true);
    this.timer = setInterval(() => this.estimate(), ESTIMATE_EVERY_MS);
  }

  /** The microphone delay in force (ms), or null before the first confident estimate. */
  get delayMs(): number | null {
    return this.current;
  }

  /** Chooses the microphone whose delay is measured (null: none, the delay is forgotten). */
  setMicrophone(track: MediaStreamTrack | null): void {
    if (this.mic) {
      this.mic.reader.cancel().catch(() => {});
      this.mic.track.stop();
      this.mic = null;
    }
    this.recent.length = 0;
    if (this.current !== null) { this.current = null; this.onDelay(null); }
    if (!track || this.stopped) return;
    this.micRing = new EnvelopeRing(RING_MS);
    const clone = track.clone();
    this.mic = { track: clone, reader: this.open(clone, TRACK_BUFFER).getReader() };
    void this.pump(this.mic.reader, this.micRing, false);
  }

  /** From now on every output chunk goes to the returned port's other end (transferred). */
  startRecording(): MessagePort {
    this.stopRecording();
    const channel = new MessageChannel();
    this.port = channel.port1;
    return channel.port2;
  }

  /** Ends the recording stream; the receiver sees an 'end' message. */
  stopRecording(): void {
    this.port?.postMessage({ type: 'end' });
    this.port?.close();
    this.port = null;
  }

  /** Stops reading and releases the cloned tracks. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.stopRecording();
    this.setMicrophone(null);
    clearInterval(this.timer);
    this.outReader.cancel().catch(() => {});
    this.outTrack.stop();
  }

  private async pump(reader: ReadableStreamDefaultReader<AudioData>, ring: EnvelopeRing, forward: boolean): Promise<void> {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        let owned = true;
        try {
          const n = value.numberOfFrames;
          if (this.scratch.length < n) this.scratch = new Float32Array(n);
          const buf = this.scratch.subarray(0, n);
          value.copyTo(buf, { planeIndex: 0, format: 'f32-planar' });
          ring.push(buf, value.sampleRate, value.timestamp);
          if (forward && this.port) {
            const msg = { type: 'audio', data: value };
            try {
              this.port.postMessage(msg, [value as unknown as Transferable]);
              owned = false;
            } catch {
              this.port.postMessage(msg); // a browser that cannot transfer AudioData clones it
            }
          }
        } finally {
          if (owned) value.close();
        }
      }
    } catch {
      // The track ended: what was measured and forwarded stays valid.
    }
  }

  private estimate(): void {
    if (!this.mic) return;
    const e = estimateDelay(this.micRing, this.outRing, DEFAULT_DELAY_OPTIONS);
    if (!e) return;
    this.recent.push(e.lagMs);
    if (this.recent.length > RECENT) this.recent.shift();
    const sorted = [...this.recent].sort((a, b) => a - b);
    const median = sorted[sorted.length >> 1]!;
    if (this.current === null || Math.abs(median - this.current) >= REPORT_STEP_MS) {
      this.current = median;
      this.onDelay(median);
    }
  }
}
