/**
 * A first-in first-out hand-off between two pipeline stages that never drops: `push` waits
 * while the queue is full, `pop` while it is empty. Failing it (an error or a cancel anywhere)
 * wakes every waiter with the reason and disposes what it still holds, so no frame is left open.
 */
export class BoundedQueue<T> {
  private readonly items: T[] = [];
  private ended = false;
  private failure: { reason: unknown } | null = null;
  private readonly waiters: (() => void)[] = [];
  /** The most items it held at once (a stage that is always ahead shows here). */
  peak = 0;

  constructor(readonly capacity: number, private readonly dispose: (item: T) => void = () => {}) {
    if (!(capacity >= 1)) throw new RangeError(`queue capacity must be at least 1, got ${capacity}`);
  }

  get length(): number { return this.items.length; }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  private wait(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Adds an item once there is room; throws the failure reason (after disposing the item) if the queue failed. */
  async push(item: T): Promise<void> {
    while (!this.failure && !this.ended && this.items.length >= this.capacity) await this.wait();
    if (this.failure || this.ended) {
      this.dispose(item);
      if (this.failure) throw this.failure.reason;
      throw new Error('push after end of queue');
    }
    this.items.push(item);
    this.peak = Math.max(this.peak, this.items.length);
    this.wake();
  }

  /** The next item, or null once the producer ended and everything was taken; throws the failure reason. */
  async pop(): Promise<T | null> {
    while (!this.failure && this.items.length === 0 && !this.ended) await this.wait();
    if (this.failure) throw this.failure.reason;
    const item = this.items.shift();
    this.wake();
    return item ?? null;
  }

  /** No more items will come (the consumer still takes what is queued). */
  end(): void {
    this.ended = true;
    this.wake();
  }

  /** Stops the hand-off for good: waiters throw `reason`, queued items are disposed. The first reason wins. */
  fail(reason: unknown): void {
    if (!this.failure) this.failure = { reason };
    for (const item of this.items.splice(0)) this.dispose(item);
    this.wake();
  }
}
