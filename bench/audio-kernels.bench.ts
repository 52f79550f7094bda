// Benchmarks for the WASM SIMD audio kernels against plain scalar TypeScript,
// measured in the same run. Browser-safe (no Node APIs): the bench runner page
// imports this module from the Vite dev server; bench/audio-kernels.node.ts
// runs the same function under Node with the bytes read from disk.
import { loadAudioKernels, type AudioKernels } from '../src/audio/kernels.ts';
import { EqReference } from '../src/audio/kernels-reference.ts';
import { biquadCoeffs, EQ_BANDS, type EqBandParams } from '../src/audio/eq.ts';

import type { BenchResult } from './types.ts';

export type { BenchResult };

export interface BenchOptions {
  /** Timed samples per side (default 41). */
  samples?: number;
  /** Aim for each timed sample to last at least this long (default 10 ms). */
  minSampleMs?: number;
}

const SR = 48000;
const MIXES = 6;
const CHANNELS = 8;
const BLOCK = 1024;
const QUANTUM = 128;

async function fetchKernelBytes(): Promise<ArrayBuffer> {
  // Only reached in the browser; Vite rewrites the ?url import to the asset URL.
  const { default: url } = await import('../src/audio/generated/audio-kernels.wasm?url');
  const res = await fetch(url);
  if (!res.ok) throw new Error(`fetch ${url}: ${res.status}`);
  return res.arrayBuffer();
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Times `sample(reps)` for both sides, alternating A/B so drift (GC, turbo,
 * other tabs) hits both equally. reps is calibrated on the faster side so that
 * one timed sample lasts >= minSampleMs; results are ms per single iteration.
 */
function compare(
  a: (reps: number) => number,
  b: (reps: number) => number,
  samples: number,
  minSampleMs: number,
): { a: number; b: number; reps: number } {
  for (let i = 0; i < 5; i++) {
    a(4);
    b(4); // warm up: let both sides reach the optimising tier
  }
  let reps = 1;
  while (Math.min(a(reps), b(reps)) < minSampleMs && reps < 1 << 20) reps *= 2;
  const ta: number[] = [];
  const tb: number[] = [];
  for (let i = 0; i < samples; i++) {
    ta.push(a(reps) / reps);
    tb.push(b(reps) / reps);
  }
  return { a: median(ta), b: median(tb), reps };
}

/** A clipping 6-source mix: loud tones plus noise, ~40 % of samples outside [-1, 1]. */
function clippingMix(len: number): Float32Array {
  const out = new Float32Array(len);
  let seed = 12345;
  for (let i = 0; i < len; i++) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    const ch = Math.floor(i / BLOCK);
    const t = i % BLOCK;
    out[i] = 1.6 * Math.sin((2 * Math.PI * (110 + 37 * ch) * t) / SR + ch) + 0.1 * (seed / 2 ** 32 - 0.5);
  }
  return out;
}

/** The fair scalar baseline: one branchy pass, same semantics as the kernel. */
function clampJs(a: Float32Array, off: number, n: number): void {
  for (let i = off, end = off + n; i < end; i++) {
    const v = a[i]!;
    a[i] = v > 1 ? 1 : v < -1 ? -1 : v === v ? v : 0;
  }
}

function benchClamp(k: AudioKernels, samples: number, minSampleMs: number): BenchResult[] {
  const total = MIXES * CHANNELS * BLOCK;
  const pristine = clippingMix(total);
  const work = k.alloc(total);
  const js = new Float32Array(total);
  const src = k.alloc(total);
  src.view.set(pristine);
  // The refresh (memcpy of fresh out-of-range data) is identical on both sides
  // and is timed separately and subtracted, so each line measures clamp only.
  const refreshWasm = (reps: number) => {
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) work.view.set(src.view);
    return performance.now() - t0;
  };
  const refreshJs = (reps: number) => {
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) js.set(pristine);
    return performance.now() - t0;
  };
  const wasm = (reps: number) => {
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) {
      work.view.set(src.view);
      for (let mc = 0; mc < MIXES * CHANNELS; mc++) k.clamp(work, BLOCK, mc * BLOCK);
    }
    return performance.now() - t0;
  };
  const scalar = (reps: number) => {
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) {
      js.set(pristine);
      for (let mc = 0; mc < MIXES * CHANNELS; mc++) clampJs(js, mc * BLOCK, BLOCK);
    }
    return performance.now() - t0;
  };
  const gross = compare(wasm, scalar, samples, minSampleMs);
  const copy = compare(refreshWasm, refreshJs, samples, minSampleMs);
  // Sanity: both sides produce the same, clamped data.
  wasm(1);
  scalar(1);
  for (let i = 0; i < total; i++) {
    if (!Object.is(work.view[i], js[i]) || Math.abs(js[i]!) > 1) throw new Error(`clamp mismatch at ${i}`);
  }
  const w = gross.a - copy.a;
  const s = gross.b - copy.b;
  const dims = `${MIXES}x${CHANNELS}x${BLOCK}`;
  const name = `clamp-${dims}`;
  return [
    { name, median_ms: w, n: samples, baseline: 'scalar-js', baseline_median_ms: s, speedup: s / w },
    // Unsubtracted (clamp + refresh copy) numbers, so the subtraction above can be checked.
    // Named without "clamp" so that `npm run bench clamp` prints only the clamp line.
    {
      name: `gross-incl-refresh-copy-${dims}`,
      median_ms: gross.a,
      n: samples,
      baseline: 'scalar-js',
      baseline_median_ms: gross.b,
      speedup: gross.b / gross.a,
    },
  ];
}

const BANDS: EqBandParams[] = [
  { type: 'highpass', freqHz: 40, gainDb: 0, q: 0.707, sampleRate: SR },
  { type: 'lowshelf', freqHz: 120, gainDb: 3, q: 0.707, sampleRate: SR },
  { type: 'peaking', freqHz: 400, gainDb: -4, q: 1, sampleRate: SR },
  { type: 'peaking', freqHz: 1000, gainDb: 6, q: 1.4, sampleRate: SR },
  { type: 'peaking', freqHz: 3000, gainDb: -2.5, q: 2, sampleRate: SR },
  { type: 'peaking', freqHz: 6000, gainDb: 1.5, q: 1, sampleRate: SR },
  { type: 'highshelf', freqHz: 8000, gainDb: 4, q: 0.707, sampleRate: SR },
  { type: 'lowpass', freqHz: 16000, gainDb: 0, q: 0.707, sampleRate: SR },
];

function benchEq(k: AudioKernels, samples: number, minSampleMs: number): BenchResult {
  const input = Array.from({ length: CHANNELS }, (_, c) => {
    const x = clippingMix(BLOCK);
    for (let i = 0; i < BLOCK; i++) x[i] = x[i]! * (0.3 + 0.05 * c);
    return x;
  });
  const eq = k.createEq(CHANNELS, QUANTUM);
  const ref = new EqReference(CHANNELS);
  BANDS.forEach((p, i) => {
    eq.setBand(i, biquadCoeffs(p));
    ref.setBand(i, biquadCoeffs(p));
  });
  // All views are made up front: the timed loops allocate nothing, like process().
  const quanta = BLOCK / QUANTUM;
  const inQ = input.map((ch) => Array.from({ length: quanta }, (_, q) => ch.subarray(q * QUANTUM, (q + 1) * QUANTUM)));
  const ioCh = input.map((_, c) => eq.io.view.subarray(c * QUANTUM, (c + 1) * QUANTUM));
  const outWasm = input.map(() => new Float32Array(BLOCK));
  const outJs = input.map(() => new Float32Array(BLOCK));
  // Each quantum copies fresh input in (both sides), as the worklet would.
  const wasm = (reps: number) => {
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) {
      for (let q = 0; q < quanta; q++) {
        for (let c = 0; c < CHANNELS; c++) ioCh[c]!.set(inQ[c]![q]!);
        eq.process(QUANTUM);
        for (let c = 0; c < CHANNELS; c++) outWasm[c]!.set(ioCh[c]!, q * QUANTUM);
      }
    }
    return performance.now() - t0;
  };
  const scalar = (reps: number) => {
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) {
      for (let q = 0; q < quanta; q++) {
        for (let c = 0; c < CHANNELS; c++) outJs[c]!.set(inQ[c]![q]!, q * QUANTUM);
        ref.process(outJs, QUANTUM, q * QUANTUM);
      }
    }
    return performance.now() - t0;
  };
  const t = compare(wasm, scalar, samples, minSampleMs);
  // Both filters saw the same number of blocks, so their outputs must agree.
  eq.reset();
  ref.reset();
  wasm(1);
  scalar(1);
  for (let c = 0; c < CHANNELS; c++) {
    for (let i = 0; i < BLOCK; i++) {
      if (!Object.is(outWasm[c]![i], outJs[c]![i])) throw new Error(`eq mismatch ch ${c} at ${i}`);
    }
  }
  return {
    name: `eq-${EQ_BANDS}band`,
    median_ms: t.a,
    n: samples,
    baseline: 'scalar-ts-reference',
    baseline_median_ms: t.b,
    speedup: t.b / t.a,
  };
}

export default async function run(bytes?: BufferSource, opts: BenchOptions = {}): Promise<BenchResult[]> {
  const k = loadAudioKernels(bytes ?? (await fetchKernelBytes()));
  const samples = opts.samples ?? 41;
  const minSampleMs = opts.minSampleMs ?? 10;
  return [...benchClamp(k, samples, minSampleMs), benchEq(k, samples, minSampleMs)];
}
