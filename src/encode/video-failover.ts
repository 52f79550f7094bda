import { EncoderError } from '../util/errors.ts';

/** Failures within this window count towards giving up. */
export const FAILOVER_WINDOW_MS = 60_000;
/** This many failures within the window end the output. */
export const FAILOVER_MAX_FAILURES = 3;

export interface VideoFailoverEvents {
  /** An encoded chunk from the encoder in charge now. */
  output(chunk: EncodedVideoChunk, meta: EncodedVideoChunkMetadata | undefined): void;
  /** A new encoder took over after `reason`; `count` replacements so far. */
  replaced(count: number, reason: string, config: VideoEncoderConfig): void;
  /** Too many failures: no encoder is left. */
  fatal(error: EncoderError): void;
}

/**
 * A VideoEncoder that survives its own failure. An encoder that errors (a GPU process crash
 * takes hardware encoders with it) or is closed under us is replaced at once: hardware by
 * software, software by the same configuration again. The next frame is a key frame, so the
 * stream goes on decodable; the frames the dead encoder still held are lost. Three failures
 * within a minute give up. Frames given to encode() stay the caller's (the encoder keeps its
 * own reference), so one frame can feed several encoders.
 */
export class VideoFailover {
  /** Replacements so far. */
  failovers = 0;
  private enc: VideoEncoder | null = null;
  private readonly failures: number[] = [];
  private keyNext = false;
  private dead = false;
  private override: Partial<VideoEncoderConfig> | null = null;

  /** Configures the first encoder; throws when `config` cannot be configured at all. */
  constructor(public config: VideoEncoderConfig, private readonly events: VideoFailoverEvents, private readonly now = () => performance.now()) {
    this.enc = this.make(config);
  }

  /** Whether a hardware encoder is asked for now. */
  get hardware(): boolean { return this.config.hardwareAcceleration === 'prefer-hardware'; }
  /** Frames waiting in the encoder. */
  get queueSize(): number { return this.enc?.state === 'configured' ? this.enc.encodeQueueSize : 0; }
  /** False once it gave up. */
  get alive(): boolean { return !this.dead; }

  /** Encodes `frame` (not closed here); false when no encoder took it. */
  encode(frame: VideoFrame, keyFrame: boolean): boolean {
    for (let attempt = 0; attempt < 2 && !this.dead; attempt++) {
      const enc = this.enc!;
      if (enc.state !== 'configured') { this.failed('the encoder was closed'); continue; }
      try {
        enc.encode(frame, { keyFrame: keyFrame || this.keyNext });
        this.keyNext = false;
        return true;
      } catch (e) {
        // A closed encoder throws; any other error is about the frame and is the caller's.
        if (!isClosed(enc)) throw e;
        this.failed(e instanceof Error ? e.message : String(e));
      }
    }
    return false;
  }

  /** Waits for what was submitted; frames lost to a failure during the flush are not waited for. */
  async flush(): Promise<void> {
    const enc = this.enc;
    if (this.dead || !enc || enc.state !== 'configured') return;
    try {
      await enc.flush();
    } catch (e) {
      if (this.enc === enc && !isClosed(enc)) throw e;
    }
  }

  /** Releases the encoder. */
  close(): void {
    this.dead = true;
    if (this.enc && this.enc.state !== 'closed') this.enc.close();
  }

  /**
   * Diagnostics: closes the running encoder as a crash would (found by the next encode).
   * `override` changes the replacement's configuration, to give it another decoder config.
   */
  debugCrash(override?: Partial<VideoEncoderConfig>): void {
    this.override = override ?? null;
    if (this.enc && this.enc.state !== 'closed') this.enc.close();
  }

  private make(config: VideoEncoderConfig): VideoEncoder {
    const enc: VideoEncoder = new VideoEncoder({
      output: (chunk, meta) => { if (this.enc === enc) this.events.output(chunk, meta); },
      error: (e) => { if (this.enc === enc) this.failed(`${e.name}: ${e.message}`); },
    });
    try {
      enc.configure(config);
    } catch (e) {
      if (enc.state !== 'closed') enc.close();
      throw e;
    }
    return enc;
  }

  private failed(reason: string): void {
    const old = this.enc;
    this.enc = null;
    if (old && old.state !== 'closed') old.close();
    const t = this.now();
    while (this.failures.length && t - this.failures[0] >= FAILOVER_WINDOW_MS) this.failures.shift();
    this.failures.push(t);
    if (this.failures.length >= FAILOVER_MAX_FAILURES) {
      this.dead = true;
      this.events.fatal(new EncoderError(`The video encoder failed ${FAILOVER_MAX_FAILURES} times within a minute (last: ${reason}). ` +
        'The recording was stopped and what was written is kept.'));
      return;
    }
    const next: VideoEncoderConfig = {
      ...this.config,
      ...(this.hardware ? { hardwareAcceleration: 'prefer-software' as const } : {}),
      ...this.override,
    };
    this.override = null;
    try {
      this.enc = this.make(next);
    } catch (e) {
      // Counts as another failure: three in a row give up.
      this.failed(`a new encoder could not be set up: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    this.config = next;
    this.failovers++;
    this.keyNext = true;
    this.events.replaced(this.failovers, reason, next);
  }
}

/** Read through a function: TypeScript would otherwise keep the state it narrowed before a call. */
function isClosed(enc: VideoEncoder): boolean { return enc.state === 'closed'; }
