/**
 * Page side of tests/browser/audio-mixer.test.ts: one AudioEngine per page, driven step by
 * step through callInPage. Audio leaves the page as base64 float32 so Node does the maths.
 */
import { AudioEngine, AudioStateEvent, type AudioSourceInfo, type AudioSourceSettings } from '../../../src/audio/audio-engine.ts';
import { AudioDecodeError } from '../../../src/util/errors.ts';
import { trackReadable } from '../../../src/capture/camera.ts';
import { mountMixer } from '../../../src/ui/mixer-panel.ts';
import { EngineMixerControls } from './engine-mixer-controls.ts';

let engine: AudioEngine | null = null;
let mic: MediaStream | null = null;
const stateEvents: { state: string; paused: boolean; message: string | null }[] = [];

function eng(): AudioEngine {
  if (!engine) throw new Error('setup() first');
  return engine;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function toBase64(a: Float32Array): string {
  const u8 = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  let s = '';
  for (let i = 0; i < u8.length; i += 0x8000) s += String.fromCharCode(...u8.subarray(i, i + 0x8000));
  return btoa(s);
}

/** Creates the engine and adds the fake microphone (all browser processing off). */
export async function setup(): Promise<{ mic: AudioSourceInfo; state: string; sampleRate: number; micSettings: MediaTrackSettings }> {
  engine = await AudioEngine.create();
  engine.addEventListener('statechange', (e) => {
    const ev = e as AudioStateEvent;
    stateEvents.push({ state: ev.state, paused: ev.paused, message: ev.message });
  });
  mic = await navigator.mediaDevices.getUserMedia({
    audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false, channelCount: 2 },
  });
  const info = await engine.addSource('microphone', mic, 'Fake mic');
  return { mic: info, state: engine.state, sampleRate: engine.context.sampleRate, micSettings: mic.getAudioTracks()[0]!.getSettings() };
}

export function setSource(id: string, s: AudioSourceSettings): AudioSourceInfo {
  return eng().setSource(id, s);
}

export function listSources(): AudioSourceInfo[] {
  return eng().listSources();
}

interface Recording {
  /** Mono (L+R)/2, float32, base64. */
  mono: string;
  frames: number;
  chunks: number;
  sampleRate: number;
  channels: number;
  format: string | null;
  /** Frames received after `onHalf` ran (−1 when no hook). */
  framesAfterHook: number;
  chunksAfterHook: number;
}

/**
 * Reads the output track for `seconds` of audio. `removeAfter` (s) removes that source
 * mid-way, to show the recording keeps flowing. A clone is read so ending it leaves the
 * engine's track alone.
 */
async function record(seconds: number, removeAfter?: { id: string; at: number }): Promise<Recording> {
  const track = eng().outputTrack.clone();
  const reader = trackReadable<AudioData>(track, 64).getReader();
  const parts: Float32Array[] = [];
  let frames = 0, chunks = 0, sampleRate = 0, channels = 0, format: string | null = null;
  let framesAfterHook = -1, chunksAfterHook = -1;
  const want = seconds * 48000;
  const deadline = performance.now() + seconds * 1000 + 4000;
  try {
    while (frames < want && performance.now() < deadline) {
      const { value, done } = await reader.read();
      if (done || !value) break;
      try {
        sampleRate = value.sampleRate;
        channels = value.numberOfChannels;
        format = value.format;
        const n = value.numberOfFrames;
        const l = new Float32Array(n), r = new Float32Array(n);
        value.copyTo(l, { planeIndex: 0, format: 'f32-planar' });
        value.copyTo(r, { planeIndex: Math.min(1, channels - 1), format: 'f32-planar' });
        for (let i = 0; i < n; i++) l[i] = (l[i]! + r[i]!) / 2;
        parts.push(l);
        frames += n;
        chunks++;
        if (framesAfterHook >= 0) { framesAfterHook += n; chunksAfterHook++; }
      } finally {
        value.close();
      }
      if (removeAfter && framesAfterHook < 0 && frames >= removeAfter.at * 48000) {
        eng().removeSource(removeAfter.id);
        framesAfterHook = 0;
        chunksAfterHook = 0;
      }
    }
  } finally {
    await reader.cancel().catch(() => {});
    track.stop();
  }
  const mono = new Float32Array(frames);
  let o = 0;
  for (const p of parts) { mono.set(p, o); o += p.length; }
  return { mono: toBase64(mono), frames, chunks, sampleRate, channels, format, framesAfterHook, chunksAfterHook };
}

/** Sets the source gain, lets the smoother settle, then records. */
export async function recordAtGain(id: string, gainDb: number, seconds: number): Promise<Recording> {
  eng().setSource(id, { gainDb });
  await sleep(250);
  return record(seconds);
}

/** Records while removing source `id` after `at` seconds. */
export function recordRemoving(id: string, seconds: number, at: number): Promise<Recording> {
  return record(seconds, { id, at });
}

/** Plain recording. */
export function recordOutput(seconds: number): Promise<Recording> {
  return record(seconds);
}

/** Polls getLevels() every 50 ms for `ms`; returns every reading (first one discarded: it covers setup time). */
export async function sampleLevels(ms: number): Promise<ReturnType<AudioEngine['getLevels']>[]> {
  eng().getLevels();
  const out: ReturnType<AudioEngine['getLevels']>[] = [];
  const end = performance.now() + ms;
  while (performance.now() < end) {
    await sleep(50);
    out.push(eng().getLevels());
  }
  return out;
}

/** addSource('file') with a Blob that is not audio; returns what was thrown. */
export async function addBadFile(): Promise<{ name: string; isAudioDecodeError: boolean; message: string; sources: number }> {
  const before = eng().listSources().length;
  try {
    await eng().addSource('file', new Blob(['this is not audio, just text'], { type: 'text/plain' }), 'notes.txt');
    return { name: 'none', isAudioDecodeError: false, message: 'no error', sources: eng().listSources().length - before };
  } catch (e) {
    return { name: (e as Error).name, isAudioDecodeError: e instanceof AudioDecodeError, message: (e as Error).message, sources: eng().listSources().length - before };
  }
}

/** Adds a looping file source from base64 bytes. */
export async function addFile(b64: string, label: string): Promise<AudioSourceInfo> {
  const bin = atob(b64);
  const u8 = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) u8[i] = bin.charCodeAt(i);
  return eng().addSource('file', new Blob([u8], { type: 'audio/wav' }), label);
}

/** Suspends then resumes the context; returns the statechange events seen. */
export async function suspendResume(): Promise<{ events: typeof stateEvents; stateWhileSuspended: string; stateAfter: string }> {
  stateEvents.length = 0;
  await eng().context.suspend();
  await sleep(100);
  const stateWhileSuspended = eng().state;
  await eng().context.resume();
  await sleep(100);
  return { events: [...stateEvents], stateWhileSuspended, stateAfter: eng().state };
}

/** Mounts the mixer panel, drives the first strip's fader and mute, reports what the engine saw. */
export async function panelRoundTrip(): Promise<{ strips: number; meters: number; gainDb: number; muted: boolean; pressed: string | null; reported: string[] }> {
  const root = document.body.appendChild(document.createElement('div'));
  const reported: string[] = [];
  const unmount = mountMixer(root, new EngineMixerControls(eng()), (e) => reported.push(String(e)), { capture: false });
  const src = eng().listSources()[0]!;
  // The panel lists the sources asynchronously (as the studio facade answers).
  const sel = `input[aria-label="Gain for ${src.label}"]`;
  for (let i = 0; i < 50 && !root.querySelector(sel); i++) await sleep(20);
  const fader = root.querySelector<HTMLInputElement>(sel)!;
  fader.value = '-6';
  fader.dispatchEvent(new Event('input'));
  const mute = root.querySelector<HTMLButtonElement>(`button[aria-label="Mute ${src.label}"]`)!;
  mute.click();
  await sleep(100);
  const after = eng().listSources()[0]!;
  const r = { strips: root.querySelectorAll('.strip').length, meters: root.querySelectorAll('canvas').length, gainDb: after.gainDb, muted: after.muted, pressed: mute.getAttribute('aria-pressed'), reported };
  mute.click();
  unmount();
  root.remove();
  return r;
}

export async function teardown(): Promise<void> {
  mic?.getTracks().forEach((t) => t.stop());
  await engine?.close();
  engine = null;
}
