// WASM SIMD audio kernels vs their scalar TypeScript references.
//
// Tolerances: clamp and mix must match bit-for-bit (NaN only as "is NaN",
// because wasm leaves NaN payload bits nondeterministic). The EQ is ALSO
// checked bit-for-bit (tolerance 0): the kernel uses only correctly rounded
// binary32 + - * with no FMA, and the reference rounds each op with
// Math.fround in the same order, which is exactly binary32 arithmetic (see
// kernels-reference.ts). A looser tolerance would hide op-order or
// state-handling bugs that show up as ~1e-7 differences. The filter's
// *design* (float64 coefficients rounded to float32) is checked separately
// against the expected analog gain with a 5 % tolerance.
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildWasm, WASM_PATH } from '../../scripts/build-wasm.ts';
import { loadAudioKernels, type AudioKernels, type WasmEq } from '../../src/audio/kernels.ts';
import { clampRef, EqReference, mixAccumulateRef } from '../../src/audio/kernels-reference.ts';
import { biquadCoeffs, isBypassBand, type EqBandParams } from '../../src/audio/eq.ts';
import { readWav, type WavData } from './helpers/wav.ts';
import { mulberry32 as rng } from '../helpers/rng.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SPEECH = resolve(root, '../shared/media/speech_jfk_48k_stereo.wav');
const MUSIC = resolve(root, '../shared/media/music_outfoxing_kevin_macleod_15s_48k_stereo.wav');
const SR = 48000;
const LENGTHS = [0, 1, 2, 3, 5, 127, 128, 1023];

const f32bits = (x: number) => new Uint32Array(new Float32Array([x]).buffer)[0]!;
const fromBits = (u: number) => new Float32Array(new Uint32Array([u]).buffer)[0]!;
const MIN_DENORMAL = fromBits(0x00000001);
const MAX_DENORMAL = fromBits(0x007fffff);
const ABOVE_ONE = fromBits(0x3f800001); // nextafter(1, +inf) in float32
const BELOW_MINUS_ONE = fromBits(0xbf800001);
const SPECIALS = [
  NaN, fromBits(0xffc00000), fromBits(0x7f800001), Infinity, -Infinity, -0, 0, 1, -1,
  ABOVE_ONE, BELOW_MINUS_ONE, 1.5, -1.5, 3.4e38, -3.4e38, MIN_DENORMAL, -MIN_DENORMAL,
  MAX_DENORMAL, -MAX_DENORMAL, 1e-40, 0.25, -0.75,
];

function edgeData(n: number, seed: number): Float32Array {
  const r = rng(seed);
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = r() < 0.3 ? SPECIALS[Math.floor(r() * SPECIALS.length)]! : (r() - 0.5) * 4;
  return a;
}

/** Bit equality, except that any NaN matches any NaN. */
function expectSameBits(actual: Float32Array, expected: Float32Array, label: string): void {
  expect(actual.length, label).toBe(expected.length);
  const ua = new Uint32Array(actual.buffer, actual.byteOffset, actual.length);
  const ue = new Uint32Array(expected.buffer, expected.byteOffset, expected.length);
  for (let i = 0; i < actual.length; i++) {
    if (ua[i] === ue[i] || (Number.isNaN(actual[i]) && Number.isNaN(expected[i]))) continue;
    throw new Error(`${label}: index ${i}: got ${actual[i]} (0x${ua[i]!.toString(16)}), want ${expected[i]} (0x${ue[i]!.toString(16)})`);
  }
}

let k: AudioKernels;
let speech: WavData;
let music: WavData;

beforeAll(async () => {
  const { bytes } = await buildWasm();
  k = loadAudioKernels(bytes);
  speech = readWav(SPEECH);
  music = readWav(MUSIC);
});

describe('build', () => {
  it('is idempotent and writes the generated module', async () => {
    const again = await buildWasm();
    expect(again.written).toBe(false);
    expect(existsSync(WASM_PATH)).toBe(true);
    expect(WebAssembly.validate(again.bytes)).toBe(true);
  });
});

describe('fixtures', () => {
  it('reads the real 48 kHz stereo recordings', () => {
    for (const w of [speech, music]) {
      expect(w.sampleRate).toBe(SR);
      expect(w.channels).toHaveLength(2);
      expect(w.frames).toBeGreaterThan(SR * 10);
    }
  });
});

describe('clamp', () => {
  it('maps special values as documented', () => {
    const input = new Float32Array(SPECIALS);
    const buf = k.alloc(input.length);
    buf.view.set(input);
    k.clamp(buf, input.length);
    const out = buf.view;
    const bits = (i: number) => f32bits(out[i]!);
    expect(bits(0)).toBe(0); // NaN -> +0
    expect(bits(1)).toBe(0); // negative quiet NaN -> +0
    expect(bits(2)).toBe(0); // signalling NaN -> +0
    expect(out[3]).toBe(1);
    expect(out[4]).toBe(-1);
    expect(bits(5)).toBe(0x80000000); // -0 stays -0
    expect(bits(6)).toBe(0);
    expect([out[7], out[8], out[9], out[10]]).toEqual([1, -1, 1, -1]);
    for (let i = 15; i < 20; i++) expect(bits(i), `denormal ${i}`).toBe(f32bits(input[i]!));
    const ref = input.slice();
    clampRef(ref, ref.length);
    expectSameBits(out.slice(), ref, 'specials');
  });

  it('matches the reference bit-exactly for odd lengths and unaligned offsets', () => {
    const buf = k.alloc(1024 + 16);
    for (const n of LENGTHS) {
      for (const off of [0, 1, 2, 3]) {
        const data = edgeData(buf.length, n * 7 + off);
        buf.view.set(data);
        const ref = data.slice();
        k.clamp(buf, n, off);
        clampRef(ref, n, off);
        // Whole buffer: proves the scalar tail neither skips nor overruns.
        expectSameBits(buf.view.slice(), ref, `n=${n} off=${off}`);
      }
    }
  });

  it('matches the reference bit-exactly on a clipping mix of real audio', () => {
    const n = Math.min(speech.frames, music.frames);
    const bus = k.alloc(n);
    for (let c = 0; c < 2; c++) {
      const mixed = new Float32Array(n);
      mixAccumulateRef(mixed, speech.channels[c]!, 4, n);
      mixAccumulateRef(mixed, music.channels[c]!, 2.5, n);
      const over = mixed.reduce((acc, v) => acc + (Math.abs(v) > 1 ? 1 : 0), 0);
      expect(over / n).toBeGreaterThan(0.01); // the test really clips
      bus.view.set(mixed);
      // Per 128-frame quantum, as the worklet calls it.
      for (let i = 0; i < n; i += 128) k.clamp(bus, Math.min(128, n - i), i);
      clampRef(mixed, n);
      expectSameBits(bus.view.slice(), mixed, `channel ${c}`);
    }
  });
});

describe('mix_accumulate', () => {
  it('matches the reference bit-exactly for odd lengths, offsets and extreme gains', () => {
    const dst = k.alloc(1024 + 16);
    const src = k.alloc(1024 + 16);
    for (const gain of [0.5, -1, 3.1, 1e-30, 3e38, 0]) {
      for (const n of LENGTHS) {
        for (const [dOff, sOff] of [[0, 0], [1, 3], [3, 2]] as const) {
          const d = edgeData(dst.length, n + 1);
          const s = edgeData(src.length, n + 1000);
          dst.view.set(d);
          src.view.set(s);
          k.mixAccumulate(dst, src, gain, n, dOff, sOff);
          mixAccumulateRef(d, s, gain, n, dOff, sOff);
          expectSameBits(dst.view.slice(), d, `gain=${gain} n=${n} off=${dOff},${sOff}`);
          expectSameBits(src.view.slice(), s, 'src untouched');
        }
      }
    }
  });

  it('keeps denormal products (no flush to zero)', () => {
    const dst = k.alloc(8);
    const src = k.alloc(8);
    src.view.fill(1e-20);
    k.mixAccumulate(dst, src, 1e-20, 5); // 1e-40 is a float32 denormal
    expect(dst.view[0]).toBe(Math.fround(1e-40));
    expect(dst.view[4]).toBe(Math.fround(1e-40));
    expect(dst.view[5]).toBe(0);
  });

  it('matches the reference bit-exactly accumulating real audio per quantum', () => {
    const n = Math.min(speech.frames, music.frames) - 3; // leave a scalar tail
    const bus = k.alloc(n);
    const srcs = [speech.channels[0]!, speech.channels[1]!, music.channels[0]!, music.channels[1]!];
    const gains = [0.8, -0.35, 1.7, 0.123];
    const src = k.alloc(n);
    const ref = new Float32Array(n);
    srcs.forEach((s, j) => {
      src.view.set(s.subarray(0, n));
      for (let i = 0; i < n; i += 128) k.mixAccumulate(bus, src, gains[j]!, Math.min(128, n - i), i, i);
      mixAccumulateRef(ref, s, gains[j]!, n);
    });
    expectSameBits(bus.view.slice(), ref, 'bus');
  });
});

// A representative 8-band setting; the 0 dB peaking band is disabled (skipped).
const BANDS: EqBandParams[] = [
  { type: 'highpass', freqHz: 40, gainDb: 0, q: 0.707, sampleRate: SR },
  { type: 'lowshelf', freqHz: 120, gainDb: 3, q: 0.707, sampleRate: SR },
  { type: 'peaking', freqHz: 400, gainDb: -4, q: 1, sampleRate: SR },
  { type: 'peaking', freqHz: 1000, gainDb: 6, q: 1.4, sampleRate: SR },
  { type: 'peaking', freqHz: 3000, gainDb: -2.5, q: 2, sampleRate: SR },
  { type: 'peaking', freqHz: 6000, gainDb: 0, q: 1, sampleRate: SR },
  { type: 'highshelf', freqHz: 8000, gainDb: 4, q: 0.707, sampleRate: SR },
  { type: 'lowpass', freqHz: 16000, gainDb: 0, q: 0.707, sampleRate: SR },
];

function configure(eq: { setBand(i: number, c: ReturnType<typeof biquadCoeffs> | null): void }, bands = BANDS): void {
  bands.forEach((p, i) => eq.setBand(i, isBypassBand(p) ? null : biquadCoeffs(p)));
}

/** Runs the wasm EQ over planar channels in chunks of the given sizes (cycled). */
function runWasmEq(eq: WasmEq, input: Float32Array[], chunks: number[]): Float32Array[] {
  const frames = input[0]!.length;
  const out = input.map(() => new Float32Array(frames));
  const io = eq.io.view;
  for (let pos = 0, j = 0; pos < frames; j++) {
    const len = Math.min(chunks[j % chunks.length]!, frames - pos);
    input.forEach((ch, c) => io.set(ch.subarray(pos, pos + len), c * eq.maxFrames));
    eq.process(len);
    out.forEach((ch, c) => ch.set(io.subarray(c * eq.maxFrames, c * eq.maxFrames + len), pos));
    pos += len;
  }
  return out;
}

function runRefEq(channels: number, input: Float32Array[], bands = BANDS): Float32Array[] {
  const ref = new EqReference(channels);
  configure(ref, bands);
  const out = input.map((ch) => ch.slice());
  ref.process(out, out[0]!.length);
  return out;
}

function rms(a: Float32Array, from = 0): number {
  let s = 0;
  for (let i = from; i < a.length; i++) s += a[i]! * a[i]!;
  return Math.sqrt(s / (a.length - from));
}

describe('eq_process', () => {
  it('matches the reference bit-exactly on real stereo speech and music (128-frame quanta)', () => {
    for (const w of [speech, music]) {
      const eq = k.createEq(2, 128);
      configure(eq);
      const got = runWasmEq(eq, w.channels, [128]);
      const want = runRefEq(2, w.channels);
      got.forEach((ch, c) => expectSameBits(ch, want[c]!, `channel ${c}`));
      // The EQ really changed the signal.
      expect(Math.abs(rms(got[0]!) - rms(w.channels[0]!))).toBeGreaterThan(1e-3);
    }
  });

  it('matches the reference on 8 channels (two vectors) of real audio', () => {
    const n = SR * 4;
    const s = speech.channels.map((c) => c.subarray(0, n));
    const m = music.channels.map((c) => c.subarray(SR, SR + n));
    const scaled = (a: Float32Array, g: number) => a.map((v) => v * g);
    const input = [s[0]!, s[1]!, m[0]!, m[1]!, scaled(m[1]!, -0.5), scaled(s[0]!, 0.7), m[0]!, scaled(m[0]!, 0.3)];
    const eq = k.createEq(8, 128);
    configure(eq);
    const got = runWasmEq(eq, input, [128]);
    const want = runRefEq(8, input);
    got.forEach((ch, c) => expectSameBits(ch, want[c]!, `channel ${c}`));
  });

  it('keeps state across calls: any chunking equals one call', () => {
    const n = 6000;
    const input = music.channels.map((c) => c.subarray(SR * 2, SR * 2 + n));
    const whole = k.createEq(2, n);
    configure(whole);
    const once = runWasmEq(whole, input, [n]);
    for (const chunks of [[128], [1, 2, 3, 5, 127, 128, 1023], [37]]) {
      const eq = k.createEq(2, 1023);
      configure(eq);
      const got = runWasmEq(eq, input, chunks);
      got.forEach((ch, c) => expectSameBits(ch, once[c]!, `chunks ${chunks.join(',')} ch ${c}`));
    }
    const want = runRefEq(2, input);
    once.forEach((ch, c) => expectSameBits(ch, want[c]!, `one call vs reference ch ${c}`));
  });

  it('handles every channel count and odd frame counts, with specials and denormals', () => {
    for (const channels of [1, 2, 3, 4, 5, 8]) {
      for (const frames of LENGTHS) {
        const r = rng(channels * 100 + frames);
        const tiny = [MIN_DENORMAL, -MAX_DENORMAL, 1e-40, -0, 0, 1, -1, ABOVE_ONE];
        const input = Array.from({ length: channels }, () =>
          Float32Array.from({ length: frames }, () => (r() < 0.2 ? tiny[Math.floor(r() * tiny.length)]! : r() * 2 - 1)),
        );
        const eq = k.createEq(channels, 1024);
        configure(eq);
        const got = runWasmEq(eq, input, [frames || 1]);
        const want = runRefEq(channels, input);
        got.forEach((ch, c) => expectSameBits(ch, want[c]!, `channels=${channels} frames=${frames} ch ${c}`));
      }
    }
  });

  it('skips disabled bands without touching their state', () => {
    const input = [speech.channels[0]!.subarray(SR, SR + 4096)];
    const eq = k.createEq(1, 4096);
    configure(eq);
    const withGap = BANDS.map((b, i) => (i === 3 ? { ...b, gainDb: 0 } : b));
    eq.setBand(3, null);
    const got = runWasmEq(eq, input, [4096]);
    const want = runRefEq(1, input, withGap);
    expectSameBits(got[0]!, want[0]!, 'band 3 disabled');
  });

  it('a +6 dB peaking band at 1 kHz doubles a 1 kHz sine (±5 %) and leaves 100 Hz alone', () => {
    const n = SR; // 1 s; the first 0.1 s (transient) is ignored
    const sine = (f: number) => Float32Array.from({ length: n }, (_, i) => 0.25 * Math.sin((2 * Math.PI * f * i) / SR));
    const band: EqBandParams = { type: 'peaking', freqHz: 1000, gainDb: 6, q: 1, sampleRate: SR };
    const only = [band];
    for (const [f, expected] of [[1000, 10 ** (6 / 20)], [100, 1]] as const) {
      const eq = k.createEq(1, 128, 1);
      configure(eq, only);
      const x = sine(f);
      const y = runWasmEq(eq, [x], [128])[0]!;
      const ratio = rms(y, SR / 10) / rms(x, SR / 10);
      expect(Math.abs(ratio / expected - 1), `${f} Hz ratio ${ratio}`).toBeLessThan(0.05);
    }
    expect(10 ** (6 / 20)).toBeCloseTo(2, 1);
  });

  it('lowpass and highpass attenuate the stop band', () => {
    const n = SR / 2;
    const tone = Float32Array.from({ length: n }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 8000 * i) / SR));
    const low = [{ type: 'lowpass', freqHz: 500, gainDb: 0, q: 0.707, sampleRate: SR } as const];
    const eq = k.createEq(1, 128, 1);
    configure(eq, low);
    const y = runWasmEq(eq, [tone], [128])[0]!;
    expect(rms(y, 4800) / rms(tone, 4800)).toBeLessThan(0.01); // 4 octaves at 12 dB/oct: about -48 dB
    const high = [{ type: 'highpass', freqHz: 8000, gainDb: 0, q: 0.707, sampleRate: SR } as const];
    const hp = k.createEq(1, 128, 1);
    configure(hp, high);
    const bass = tone.map((_, i) => 0.5 * Math.sin((2 * Math.PI * 250 * i) / SR));
    const z = runWasmEq(hp, [bass], [128])[0]!;
    expect(rms(z, 4800) / rms(bass, 4800)).toBeLessThan(0.01);
  });

  it('0 dB peaking and shelves are bypass bands with identity coefficients', () => {
    for (const type of ['peaking', 'lowshelf', 'highshelf'] as const) {
      const p: EqBandParams = { type, freqHz: 1000, gainDb: 0, q: 0.9, sampleRate: SR };
      expect(isBypassBand(p)).toBe(true);
      const c = biquadCoeffs(p);
      expect(c.b0).toBeCloseTo(1, 12);
      expect(c.b1).toBeCloseTo(c.a1, 12);
      expect(c.b2).toBeCloseTo(c.a2, 12);
    }
    expect(isBypassBand({ type: 'lowpass', freqHz: 1000, gainDb: 0, q: 0.7, sampleRate: SR })).toBe(false);
  });
});
