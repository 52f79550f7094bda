/**
 * One model session serves every source that removes its background: a chain holds the gate
 * from preprocessing a frame until it has refined that frame's mask, because the model's input
 * (which the refiner also reads) is shared. Chains take turns (one turned away goes next); a
 * still image waiting to be cut out goes before them and is never overtaken.
 */
export class SegmenterGate {
  owner: object | null = null;
  private touchedMs = 0;
  private pinned = false;
  /** A chain that was turned away, and when: it goes next unless it stopped asking. */
  private next: object | null = null;
  private nextAtMs = 0;
  /** Still images waiting for the gate. */
  private borrowers = 0;

  /**
   * Takes the gate for `who` if it is free, already theirs, or held by a chain that has not
   * rendered for a second (its source left the scene: that chain drops its unrefined mask).
   */
  tryTake(who: object, pin = false, nowMs = performance.now()): boolean {
    if (this.owner === who) { this.touchedMs = nowMs; return true; }
    const stale = this.owner !== null && !this.pinned && nowMs - this.touchedMs > 1000;
    if (this.owner !== null && !stale) {
      if (!pin && (this.next === null || nowMs - this.nextAtMs > 1000)) { this.next = who; this.nextAtMs = nowMs; }
      return false;
    }
    if (!pin && this.borrowers > 0) return false;
    if (!pin && this.next !== null && this.next !== who && nowMs - this.nextAtMs <= 1000) return false;
    if (this.next === who) this.next = null;
    this.owner = who;
    this.pinned = pin;
    this.touchedMs = nowMs;
    return true;
  }
  /** Whether someone other than `who` waits for the gate: a still image, or a chain turned away in the last second. */
  othersWaiting(who: object, nowMs = performance.now()): boolean {
    return this.borrowers > 0 || (this.next !== null && this.next !== who && nowMs - this.nextAtMs <= 1000);
  }
  /** Marks the holder as alive (called by a chain on every frame it renders). */
  touch(who: object, nowMs = performance.now()): void { if (this.owner === who) this.touchedMs = nowMs; }
  /** Frees the gate if `who` holds it. */
  release(who: object): void { if (this.owner === who) { this.owner = null; this.pinned = false; } }
  /** Waits for the gate for a still image (pinned until released). */
  async borrow(who: object): Promise<void> {
    this.borrowers++;
    try {
      while (!this.tryTake(who, true)) await new Promise((r) => setTimeout(r, 10));
    } finally {
      this.borrowers--;
    }
  }
}
