// Public types of the audio engine, shared by the engine and the mixer UI.
import type { EqBandType } from './eq.ts';

/** Where a source's audio comes from. */
export type AudioSourceKind = 'microphone' | 'display' | 'file';

/** One EQ band as the UI edits it; up to EQ_BANDS (8) per source. */
export interface EqBand {
  type: EqBandType;
  /** Hz. */
  freq: number;
  /** dB; ignored by lowpass/highpass. */
  gainDb: number;
  q: number;
}

/** A source as listed by the engine. */
export interface AudioSourceInfo {
  id: string;
  kind: AudioSourceKind;
  label: string;
  gainDb: number;
  muted: boolean;
  /** −1 (left) … 1 (right). */
  pan: number;
  /** Heard on the speakers (monitor output) as well as recorded. */
  monitor: boolean;
  eq: EqBand[];
}

/** Partial update for setSource. */
export interface AudioSourceSettings {
  /** −60 … +12 dB; clamped; −60 (the fader bottom) is silence. */
  gainDb?: number;
  muted?: boolean;
  /** −1 … 1; clamped. */
  pan?: number;
  monitor?: boolean;
  /** At most 8 bands; [] turns the EQ off. */
  eq?: EqBand[];
}

/** Master fader state. */
export interface MasterSettings {
  gainDb: number;
  muted: boolean;
}

/** Peak and RMS in dBFS, floored at LEVEL_FLOOR_DB. */
export interface MeterLevel {
  peakDb: number;
  rmsDb: number;
}

/** Levels since the previous getLevels() call. */
export interface AudioLevels {
  sources: Record<string, MeterLevel>;
  master: MeterLevel;
}

/** AudioContext states, plus Chrome's 'interrupted' (e.g. another app took the device). */
export type AudioEngineState = AudioContextState | 'interrupted';

/** dBFS reported for silence (−Infinity would not draw or serialize). */
export const LEVEL_FLOOR_DB = -100;
export const GAIN_MIN_DB = -60;
export const GAIN_MAX_DB = 12;

/** Fired as 'statechange' on the engine; `paused` means the browser suspended audio. */
export class AudioStateEvent extends Event {
  constructor(
    readonly state: AudioEngineState,
    /** Words for the person, or null when audio runs. */
    readonly message: string | null,
  ) {
    super('statechange');
  }

  /** True when the UI should ask for a click to resume. */
  get paused(): boolean {
    return this.state === 'suspended' || this.state === 'interrupted';
  }
}
