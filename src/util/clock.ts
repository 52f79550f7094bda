/** Wall-clock microseconds (epoch based), comparable across the page and its workers. */
export function wallMicros(): number {
  return (performance.timeOrigin + performance.now()) * 1000;
}

/**
 * Maps a capture clock onto wall-clock microseconds. Chrome stamps camera frames and
 * microphone data on different clocks; both arrive shortly after capture, so the smallest
 * observed (arrival − timestamp) over the first samples is the clock offset plus the shortest
 * delivery delay, which is what the two streams have in common.
 */
export class ClockMapper {
  private offset = Infinity;
  private samples = 0;
  constructor(private readonly calibrationSamples = 30) {}

  /** Converts a source timestamp (µs) to wall µs, refining the offset during calibration. */
  map(timestamp: number, arrival = wallMicros()): number {
    if (this.samples < this.calibrationSamples) {
      this.samples++;
      this.offset = Math.min(this.offset, arrival - timestamp);
    }
    return Math.round(timestamp + this.offset);
  }
}
