import { beforeAll, describe, expect, it } from 'vitest';
import { EnvelopeRing, estimateDelay } from '../../src/audio/delay-estimator.ts';
import { AudioTimeline } from '../../src/encode/audio-timeline.ts';
import { ClockMapper } from '../../src/util/clock.ts';
import { audioSamples } from '../helpers/av.ts';
import { shared } from '../helpers/media.ts';

const RATE = 48000, CHUNK = 480, T0 = 5_000_000_000; // µs on the page clock

/** Deterministic uniform [0,1). */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => { s ^= s << 13; s ^= s >>> 17; s ^= s << 5; return (s >>> 0) / 4294967296; };
}

/** Feeds `x` into a ring in 10 ms chunks stamped from T0 with ±`jitterUs` delivery jitter. */
function feed(x: Float32Array, jitterUs: number, seed: number): EnvelopeRing {
  const ring = new EnvelopeRing(4096);
  const r = rng(seed);
  for (let i = 0; i + CHUNK <= x.length; i += CHUNK) {
    ring.push(x.subarray(i, i + CHUNK), RATE, T0 + (i / RATE) * 1e6 + (r() * 2 - 1) * jitterUs);
  }
  return ring;
}

/** `mic` delayed by `delayMs`, at half level, under `bed` (another sound) and noise. */
function mixOf(mic: Float32Array, delayMs: number, bed: Float32Array | null, seed: number): Float32Array {
  const d = Math.round((delayMs * RATE) / 1000), r = rng(seed);
  const out = new Float32Array(mic.length);
  for (let i = 0; i < out.length; i++) {
    out[i] = (i >= d ? 0.5 * mic[i - d]! : 0) + (bed ? 0.25 * bed[i % bed.length]! : 0) + (r() - 0.5) * 0.002;
  }
  return out;
}

describe('microphone delay through the mixer, from the sound (delay-estimator)', () => {
  let speech: Float32Array, music: Float32Array;
  beforeAll(() => {
    // 2.5 s from the middle of the speech: the estimator looks at the last ~2 s.
    speech = audioSamples(shared('media/speech_jfk_48k_stereo.wav')).slice(RATE * 2, RATE * 4.5);
    music = audioSamples(shared('media/music_outfoxing_kevin_macleod_15s_48k_stereo.wav'));
  });

  for (const delayMs of [4, 37, 180, 570]) {
    it(`finds ${delayMs} ms on real speech under music and noise, with 2 ms chunk jitter`, () => {
      const est = estimateDelay(feed(speech, 2000, 1), feed(mixOf(speech, delayMs, music, 2), 2000, 3));
      console.log(`speech delayed ${delayMs} ms: ${JSON.stringify(est)}`);
      expect(est).not.toBeNull();
      expect(Math.abs(est!.lagMs - delayMs)).toBeLessThanOrEqual(3);
    });
  }

  it('takes the smallest matching lag for a 1 s periodic beep (570 ms, not −430 ms)', () => {
    const beeps = new Float32Array(RATE * 3);
    for (let i = 0; i < beeps.length; i++) { const t = i / RATE; if (t % 1 >= 0.5 && t % 1 < 0.6) beeps[i] = 0.5 * Math.sin(2 * Math.PI * 1000 * t); }
    const est = estimateDelay(feed(beeps, 1000, 4), feed(mixOf(beeps, 570, null, 5), 1000, 6));
    expect(est?.lagMs).toBeGreaterThanOrEqual(568);
    expect(est?.lagMs).toBeLessThanOrEqual(572);
  });

  it('gives no estimate for a silent microphone or a mix that does not carry it', () => {
    const silent = new Float32Array(speech.length);
    expect(estimateDelay(feed(silent, 0, 7), feed(mixOf(speech, 20, music, 8), 0, 9))).toBeNull();
    expect(estimateDelay(feed(speech, 0, 10), feed(music.slice(0, speech.length), 0, 11))).toBeNull();
    expect(estimateDelay(new EnvelopeRing(4096), new EnvelopeRing(4096))).toBeNull();
  });
});

describe('AudioTimeline keeps sample-counted audio on the wall clock', () => {
  const place = (t: AudioTimeline, wallUs: number) => t.place(wallUs, CHUNK, RATE);

  it('absorbs jitter without filling or dropping, and stays continuous', () => {
    const t = new AudioTimeline();
    const r = rng(12);
    let expected = T0;
    for (let k = 0; k < 500; k++) {
      const step = place(t, T0 + k * 10_000 + (k === 0 ? 0 : (r() * 2 - 1) * 9000));
      expect(step.silenceFrames).toBe(0);
      expect(step.dropFrames).toBe(0);
      expect(step.chunkAtUs).toBeCloseTo(expected, 6);
      expected += 10_000;
    }
    expect(t.silenceUs + t.droppedUs).toBe(0);
  });

  it('fills a 200 ms gap with silence where it was, so later sound keeps its place', () => {
    const t = new AudioTimeline();
    for (let k = 0; k < 10; k++) place(t, T0 + k * 10_000);
    const step = place(t, T0 + 300_000);
    expect(step.silenceAtUs).toBe(T0 + 100_000);
    expect(step.silenceFrames).toBe(RATE * 0.2);
    expect(step.chunkAtUs).toBe(T0 + 300_000);
    expect(t.silenceUs).toBeCloseTo(200_000, 6);
    expect(place(t, T0 + 310_000).silenceFrames).toBe(0);
  });

  it('drops audio that overlaps what was encoded (the measured delay grew by 45 ms)', () => {
    const t = new AudioTimeline();
    for (let k = 0; k < 10; k++) place(t, T0 + k * 10_000);
    const steps = [0, 1, 2, 3, 4].map((k) => place(t, T0 + 55_000 + k * 10_000));
    const dropped = steps.reduce((n, s) => n + s.dropFrames, 0);
    expect(steps[0]!.dropFrames).toBe(CHUNK); // wholly before the end of what was encoded
    expect(dropped * 1e6 / RATE).toBeGreaterThanOrEqual(25_000);
    expect(dropped * 1e6 / RATE).toBeLessThanOrEqual(45_000);
    expect(t.droppedUs).toBeCloseTo(dropped * 1e6 / RATE, 6);
    // What is kept stays contiguous.
    const kept = steps.filter((s) => s.dropFrames < CHUNK);
    for (let i = 1; i < kept.length; i++) expect(kept[i]!.chunkAtUs).toBeGreaterThan(kept[i - 1]!.chunkAtUs);
  });
});

describe('ClockMapper', () => {
  it('maps a known clock exactly and rejects a hint for another clock', () => {
    const exact = new ClockMapper(1_000_000);
    expect(exact.map(500, 1_000_900)).toBe(1_000_500);
    expect(exact.map(600, 1_090_000)).toBe(1_000_600); // late arrival does not move it
    expect(exact.exact).toBe(true);
    const wrong = new ClockMapper(1_000_000);
    expect(wrong.map(500, 9_000_000_000)).toBe(9_000_000_000); // learnt from arrival instead
    expect(wrong.exact).toBe(false);
  });

  it('keeps learning the smallest delivery delay, and while limited moves by at most a step', () => {
    const c = new ClockMapper();
    // Start-up: the first frames arrive 200 ms late.
    expect(c.map(0, 1_200_000)).toBe(1_200_000);
    expect(c.map(33_333, 1_233_333)).toBe(1_233_333);
    c.maxStepUs = 4000;
    const out: number[] = [];
    for (let k = 2; k < 80; k++) out.push(c.map(k * 33_333, 1_000_000 + k * 33_333 + 1000));
    for (let i = 1; i < out.length; i++) expect(out[i]! - out[i - 1]!).toBeGreaterThan(33_333 - 4001);
    expect(out.at(-1)! - 79 * 33_333).toBe(1_001_000);
    c.observe(999_500); // a better offset measured elsewhere
    c.maxStepUs = Infinity;
    expect(c.map(80 * 33_333, 2_000_000_000)).toBe(80 * 33_333 + 999_500);
  });
});
