/**
 * A decoded audio file played into the mixer with a transport: play, pause, restart and loop.
 * An AudioBufferSourceNode plays once and cannot pause, so each (re)start makes a new one from
 * the kept buffer, at the remembered offset, into one gain node that stays connected.
 */
export class FilePlayer {
  readonly output: GainNode;
  private node: AudioBufferSourceNode | null = null;
  /** Context time at which offset 0 of the buffer played (while playing). */
  private startedAt = 0;
  /** Where playback stands (s) while paused. */
  private pausedAt = 0;
  private looping: boolean;

  constructor(private readonly context: BaseAudioContext, private readonly buffer: AudioBuffer, loop = true) {
    this.output = context.createGain();
    this.looping = loop;
  }

  /** Whether the file plays now. */
  get playing(): boolean { return this.node !== null; }

  /** Seconds into the file where playback stands. */
  get position(): number {
    if (!this.node) return this.pausedAt;
    const t = this.context.currentTime - this.startedAt;
    return this.looping ? t % this.buffer.duration : Math.min(t, this.buffer.duration);
  }

  /** Starts (or resumes) from where playback stands. */
  play(): void {
    if (this.node) return;
    const node = this.context.createBufferSource();
    node.buffer = this.buffer;
    node.loop = this.looping;
    node.connect(this.output);
    const offset = this.pausedAt >= this.buffer.duration ? 0 : this.pausedAt;
    node.start(0, offset);
    this.startedAt = this.context.currentTime - offset;
    node.onended = () => { if (this.node === node) { this.node = null; this.pausedAt = this.buffer.duration; } };
    this.node = node;
  }

  /** Pauses, keeping the position. */
  pause(): void {
    if (!this.node) return;
    this.pausedAt = this.position;
    this.halt();
  }

  /** Plays from the start. */
  restart(): void {
    this.halt();
    this.pausedAt = 0;
    this.play();
  }

  /** Loops at the end of the file, or stops there. */
  set loop(on: boolean) {
    this.looping = on;
    if (this.node) this.node.loop = on;
  }
  get loop(): boolean { return this.looping; }

  private halt(): void {
    const n = this.node;
    this.node = null;
    if (!n) return;
    n.onended = null;
    try { n.stop(); } catch { /* already stopped */ }
    n.disconnect();
  }

  /** Stops playback for good. */
  stop(): void { this.halt(); this.output.disconnect(); }
}
