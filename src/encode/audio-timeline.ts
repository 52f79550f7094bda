/**
 * Keeps the recorded audio on the wall clock. Chrome's AudioEncoder stamps its output by
 * counting samples from the first input (measured: a 200 ms gap in the input timestamps is
 * simply gone in the output), so a gap or an overlap in the input — audio the browser dropped,
 * a paused AudioContext, a change of the measured microphone delay — would shift all later
 * sound against the picture. Small jitter is absorbed; beyond the tolerance the gap is filled
 * with silence, or the overlapping samples are dropped, and both are counted.
 */
export interface TimelineStep {
  /** Frames of silence to encode first, starting at `silenceAtUs`. */
  silenceFrames: number;
  silenceAtUs: number;
  /** Leading frames of the chunk to leave out (they overlap audio already encoded). */
  dropFrames: number;
  /** Timestamp for the chunk's first kept frame. */
  chunkAtUs: number;
}

/** Default jitter absorbed without filling or dropping (µs): below what anyone hears as lip-sync error. */
export const TIMELINE_TOLERANCE_US = 20_000;

export class AudioTimeline {
  private nextUs: number | null = null;
  /** Silence inserted and audio dropped so far (µs), for the stats. */
  silenceUs = 0;
  droppedUs = 0;

  constructor(private readonly toleranceUs = TIMELINE_TOLERANCE_US) {}

  /** Where a chunk of `frames` frames that belongs at `wallUs` goes in the encoded stream. */
  place(wallUs: number, frames: number, sampleRate: number): TimelineStep {
    const usPerFrame = 1e6 / sampleRate;
    if (this.nextUs === null) {
      this.nextUs = wallUs + frames * usPerFrame;
      return { silenceFrames: 0, silenceAtUs: wallUs, dropFrames: 0, chunkAtUs: wallUs };
    }
    const at = this.nextUs;
    const diff = wallUs - at;
    let silenceFrames = 0, dropFrames = 0;
    if (diff > this.toleranceUs) {
      silenceFrames = Math.round(diff / usPerFrame);
      this.silenceUs += silenceFrames * usPerFrame;
    } else if (diff < -this.toleranceUs) {
      dropFrames = Math.min(frames, Math.round(-diff / usPerFrame));
      this.droppedUs += dropFrames * usPerFrame;
    }
    const chunkAtUs = at + silenceFrames * usPerFrame;
    this.nextUs = chunkAtUs + (frames - dropFrames) * usPerFrame;
    return { silenceFrames, silenceAtUs: at, dropFrames, chunkAtUs };
  }
}
