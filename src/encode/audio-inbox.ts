/** Chunks held for a busy encoder before the oldest are dropped: 5 s of 10 ms chunks. */
const MAX_QUEUED = 500;

/**
 * Receives the recorder's AudioData over a MessagePort (see MixTap) and hands it out in order
 * with a reader's read()/cancel(). The queue is bounded; a dropped chunk leaves a gap in the
 * timestamps, which AudioTimeline fills with silence and counts (the stats show it), so the
 * sound after it stays in sync.
 * Every AudioData here is owned by the inbox until read, and closed if never read.
 */
export class AudioInbox {
  private readonly queue: AudioData[] = [];
  private waiter: ((r: ReadableStreamReadResult<AudioData>) => void) | null = null;
  private ended = false;

  constructor(private readonly port: MessagePort) {
    port.onmessage = (e: MessageEvent<{ type: string; data?: AudioData }>) => {
      if (e.data.type === 'audio' && e.data.data) this.offer(e.data.data);
      else if (e.data.type === 'end') this.end();
    };
  }

  /** The next chunk, or done once the sender ended or cancel() was called. */
  read(): Promise<ReadableStreamReadResult<AudioData>> {
    const value = this.queue.shift();
    if (value) return Promise.resolve({ value, done: false });
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => { this.waiter = resolve; });
  }

  /** Stops receiving and closes whatever is still queued. */
  cancel(): Promise<void> {
    this.end();
    for (const a of this.queue.splice(0)) a.close();
    return Promise.resolve();
  }

  private offer(a: AudioData): void {
    if (this.ended) { a.close(); return; }
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w({ value: a, done: false });
      return;
    }
    this.queue.push(a);
    if (this.queue.length > MAX_QUEUED) this.queue.shift()!.close();
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.port.onmessage = null;
    this.port.close();
    const w = this.waiter;
    this.waiter = null;
    w?.({ value: undefined, done: true });
  }
}
