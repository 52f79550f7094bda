// Contract between AudioEngine (main thread) and workers/mixer.worklet.ts (audio thread).
// Kept in src/ so both sides import it; the worklet may import src/, never the reverse.
import type { BiquadCoeffs } from './eq.ts';

/** Name passed to registerProcessor / new AudioWorkletNode. */
export const MIXER_PROCESSOR = 'backdrop-mixer';
/** Input slots of the mixer node; a source occupies one slot until removed. */
export const MAX_SOURCES = 8;
/** Render quantum of Web Audio (fixed by the spec today). */
export const QUANTUM = 128;
/** Output 0 is the master mix (recording); output 1 is the monitor mix (speakers). */
export const OUTPUT_MASTER = 0;
export const OUTPUT_MONITOR = 1;

/**
 * Meter SharedArrayBuffer layout. Int32 slot 0 is a read epoch the main thread bumps after
 * every read; when the worklet sees it change it restarts its accumulators, so each read
 * reports peak and RMS over the interval since the previous read (no per-quantum messages).
 * Float32 from LEVELS_FLOAT_BASE: master peak, master rms, then peak, rms per slot (linear).
 */
export const LEVELS_EPOCH_INDEX = 0;
export const LEVELS_FLOAT_BASE = 4;
export const LEVELS_FLOATS = LEVELS_FLOAT_BASE + 2 + 2 * MAX_SOURCES;

/** Float32 index of a slot's peak (rms is the next one); slot -1 is the master. */
export function levelIndex(slot: number): number {
  return LEVELS_FLOAT_BASE + 2 + 2 * slot;
}

/** processorOptions of the mixer node. */
export interface MixerProcessorOptions {
  /** Bytes of src/audio/generated/audio-kernels.wasm (compiled synchronously in the worklet). */
  wasm: ArrayBuffer;
  /** Meter buffer, LEVELS_FLOATS * 4 bytes. */
  levels: SharedArrayBuffer;
}

/** Main → worklet messages; infrequent (on user action), so they may allocate. */
export type MixerMessage =
  | { type: 'source'; slot: number; active: boolean; gain: number; muted: boolean; pan: number; monitor: boolean }
  | { type: 'eq'; slot: number; bands: (BiquadCoeffs | null)[] }
  | { type: 'master'; gain: number; muted: boolean };

/** Worklet → main messages. */
export type MixerReply = { type: 'ready' } | { type: 'error'; message: string };

/** dB to linear amplitude. */
export function dbToGain(db: number): number {
  return Math.pow(10, db / 20);
}

/** Linear amplitude to dBFS with a floor, so silence reads as a number the UI can draw. */
export function gainToDb(x: number, floor = -100): number {
  if (!(x > 0)) return floor;
  return Math.max(floor, 20 * Math.log10(x));
}
