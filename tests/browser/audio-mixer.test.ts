// AudioWorklet mixer in headless Chromium with the fake microphone playing JFK speech.
//
// Measures (all on the mono mix (L+R)/2 of engine.outputTrack read through
// MediaStreamTrackProcessor, 48 kHz):
// - alignment: normalized cross-correlation (NCC) against the wav decoded in Node, searched over
//   every circular lag (the fake mic loops the file) by FFT at 12 kHz, refined ±8 samples at 48 kHz.
//   NCC = Σ rec·ref / sqrt(Σ rec² · Σ ref²) over the aligned window; speech must reach ≥ 0.6.
// - gain: RMS(recording) / RMS(aligned reference window). Comparing two different 2 s stretches
//   of speech directly would measure the speech, not the fader, hence the normalization.
//   (−6 dB)/(0 dB) must be 10^(−6/20) = 0.501 ± 10 %.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import type { ViteDevServer } from 'vite';
import { callInPage, launchChromium, openPage, startServer, type WatchedPage } from '../helpers/browser.ts';
import { shared } from '../helpers/media.ts';
import { parseWav } from '../unit/helpers/wav.ts';

const PAGE = '/tests/browser/pages/audio-mixer.page.ts';
const SPEECH = shared('media/speech_jfk_48k_stereo.wav');
const MUSIC = shared('media/music_outfoxing_kevin_macleod_15s_48k_stereo.wav');

interface Recording { mono: string; frames: number; chunks: number; sampleRate: number; channels: number; format: string | null; framesAfterHook: number; chunksAfterHook: number }
interface Level { peakDb: number; rmsDb: number }
interface Levels { sources: Record<string, Level>; master: Level }

const fromB64 = (b64: string) => { const b = Buffer.from(b64, 'base64'); return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4); };
const rms = (a: ArrayLike<number>, from = 0, n = a.length) => { let s = 0; for (let i = 0; i < n; i++) s += a[from + i]! ** 2; return Math.sqrt(s / Math.max(1, n)); };

function monoWav(path: string): Float32Array {
  const w = parseWav(readFileSync(path));
  const [l, r = l] = w.channels;
  return Float32Array.from(l!, (v, i) => (v + r![i]!) / 2);
}

/** In-place radix-2 complex FFT (inverse when inv). */
function fft(re: Float64Array, im: Float64Array, inv: boolean): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) { [re[i], re[j]] = [re[j]!, re[i]!]; [im[i], im[j]] = [im[j]!, im[i]!]; }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const ang = ((inv ? 2 : -2) * Math.PI) / len, wr = Math.cos(ang), wi = Math.sin(ang);
    for (let i = 0; i < n; i += len) {
      let cr = 1, ci = 0;
      for (let k = 0; k < len / 2; k++) {
        const a = i + k, b = a + len / 2;
        const tr = re[b]! * cr - im[b]! * ci, ti = re[b]! * ci + im[b]! * cr;
        re[b] = re[a]! - tr; im[b] = im[a]! - ti; re[a] = re[a]! + tr; im[a] = im[a]! + ti;
        const ncr = cr * wr - ci * wi; ci = cr * wi + ci * wr; cr = ncr;
      }
    }
  }
}

const decimate = (a: Float32Array, f: number) => Float64Array.from({ length: Math.floor(a.length / f) }, (_, i) => { let s = 0; for (let k = 0; k < f; k++) s += a[i * f + k]!; return s / f; });

/** Best circular alignment of rec inside ref: lag, NCC and RMS ratio rec/ref over the aligned window. */
function align(rec: Float32Array, ref: Float32Array): { lag: number; ncc: number; gain: number } {
  const ext = new Float32Array(ref.length + rec.length);
  ext.set(ref); ext.set(ref.subarray(0, rec.length), ref.length);
  const D = 4, r = decimate(rec, D), x = decimate(ext, D);
  let n = 1; while (n < x.length + r.length) n <<= 1;
  const xr = new Float64Array(n), xi = new Float64Array(n), rr = new Float64Array(n), ri = new Float64Array(n);
  xr.set(x); rr.set(r);
  fft(xr, xi, false); fft(rr, ri, false);
  for (let i = 0; i < n; i++) { const a = xr[i]! * rr[i]! + xi[i]! * ri[i]!, b = xi[i]! * rr[i]! - xr[i]! * ri[i]!; xr[i] = a; xi[i] = b; }
  fft(xr, xi, true);
  const pre = new Float64Array(x.length + 1);
  for (let i = 0; i < x.length; i++) pre[i + 1] = pre[i]! + x[i]! ** 2;
  let best = -Infinity, bestLag = 0;
  for (let lag = 0; lag < ref.length / D; lag++) {
    const e = pre[lag + r.length]! - pre[lag]!;
    const v = xr[lag]! / Math.sqrt(e + 1e-12);
    if (v > best) { best = v; bestLag = lag; }
  }
  let out = { lag: 0, ncc: -Infinity, gain: 0 };
  for (let lag = Math.max(0, bestLag * D - 8); lag <= Math.min(ref.length - 1, bestLag * D + 8); lag++) {
    let xy = 0, yy = 0, xx = 0;
    for (let i = 0; i < rec.length; i++) { const y = ext[lag + i]!; xy += rec[i]! * y; yy += y * y; xx += rec[i]! ** 2; }
    const ncc = xy / Math.sqrt(xx * yy + 1e-20);
    if (ncc > out.ncc) out = { lag, ncc, gain: Math.sqrt(xx / (yy + 1e-20)) };
  }
  return out;
}

/**
 * Aligns each half-second of `rec` on its own and returns the medians. A capture that hiccups
 * once (the fake microphone or the audio thread pausing on a loaded 2-core machine) shifts
 * everything after the hiccup, which sinks a single whole-window alignment (seen: NCC 0.59 with
 * an exact gain); per-segment alignment measures the mixer, not the hiccup.
 */
function alignSegments(rec: Float32Array, ref: Float32Array, segment = 24000): { lag: number; ncc: number; gain: number } {
  const parts: { lag: number; ncc: number; gain: number }[] = [];
  for (let o = 0; o + segment <= rec.length; o += segment) parts.push(align(rec.subarray(o, o + segment), ref));
  const med = (xs: number[]) => { const v = [...xs].sort((a, b) => a - b); return v[v.length >> 1]!; };
  return { lag: parts[0]!.lag, ncc: med(parts.map((p) => p.ncc)), gain: med(parts.map((p) => p.gain)) };
}

describe('audio mixer (AudioWorklet + wasm SIMD)', () => {
  let server: ViteDevServer, browser: Browser, w: WatchedPage, micId = '';
  const failed: string[] = [];
  const speech = monoWav(SPEECH);
  const call = <T>(fn: string, ...args: unknown[]) => callInPage<T>(w.page, PAGE, fn, ...args);

  beforeAll(async () => {
    const s = await startServer();
    server = s.server;
    browser = await launchChromium({ mic: SPEECH, webgpu: false });
    w = await openPage(browser, s.url, '/tests/browser/blank.html');
    w.page.on('response', (res) => { if (res.status() >= 400) failed.push(`${res.status()} ${new URL(res.url()).pathname}`); });
    const r = await call<{ mic: { id: string }; state: string; sampleRate: number }>('setup');
    micId = r.mic.id;
    expect(r.state).toBe('running');
    expect(r.sampleRate).toBe(48000);
  });

  afterAll(async () => {
    await call('teardown').catch(() => {});
    await browser?.close();
    await server?.close();
  });

  it('(a, b) fader: −6 dB halves the RMS; the mix is the microphone speech', async () => {
    const at0 = await call<Recording>('recordAtGain', micId, 0, 2);
    const at6 = await call<Recording>('recordAtGain', micId, -6, 2);
    expect(at0.sampleRate).toBe(48000);
    expect(at0.frames).toBeGreaterThanOrEqual(96000);
    const a0 = alignSegments(fromB64(at0.mono), speech), a6 = alignSegments(fromB64(at6.mono), speech);
    const ratio = a6.gain / a0.gain;
    console.log(`[mixer] 0 dB: NCC ${a0.ncc.toFixed(4)} gain ${a0.gain.toFixed(4)} lag ${a0.lag}; −6 dB: NCC ${a6.ncc.toFixed(4)} gain ${a6.gain.toFixed(4)}; ratio ${ratio.toFixed(4)} (raw RMS ratio ${(rms(fromB64(at6.mono)) / rms(fromB64(at0.mono))).toFixed(3)}); chunks ${at0.chunks}, ${at0.channels} ch ${at0.format}`);
    expect(a0.ncc).toBeGreaterThanOrEqual(0.6);
    expect(a6.ncc).toBeGreaterThanOrEqual(0.6);
    expect(Math.abs(ratio - 10 ** (-6 / 20)) / 10 ** (-6 / 20)).toBeLessThan(0.1);
    await call('setSource', micId, { gainDb: 0 });
  });

  it('(c) getLevels moves with speech and sits on the floor when muted', async () => {
    const live = await call<Levels[]>('sampleLevels', 1500);
    const maxPeak = Math.max(...live.map((l) => l.sources[micId]!.peakDb));
    const maxRms = Math.max(...live.map((l) => l.sources[micId]!.rmsDb));
    const maxMaster = Math.max(...live.map((l) => l.master.peakDb));
    const distinct = new Set(live.map((l) => l.sources[micId]!.rmsDb.toFixed(1))).size;
    console.log(`[mixer] levels over ${live.length} reads: peak max ${maxPeak.toFixed(1)} dBFS, rms max ${maxRms.toFixed(1)}, master peak max ${maxMaster.toFixed(1)}, ${distinct} distinct rms values`);
    expect(maxPeak).toBeGreaterThan(-40);
    expect(maxRms).toBeGreaterThan(-50);
    expect(maxMaster).toBeGreaterThan(-40);
    expect(distinct).toBeGreaterThan(3);
    await call('setSource', micId, { muted: true });
    await new Promise((r) => setTimeout(r, 300));
    const muted = await call<Levels[]>('sampleLevels', 400);
    const last = muted.at(-1)!;
    console.log(`[mixer] muted: ${JSON.stringify(last)}`);
    expect(last.sources[micId]).toEqual({ peakDb: -100, rmsDb: -100 });
    expect(last.master).toEqual({ peakDb: -100, rmsDb: -100 });
    await call('setSource', micId, { muted: false });
  });

  it('(e) a Blob that is not audio → AudioDecodeError, nothing added', async () => {
    const r = await call<{ name: string; isAudioDecodeError: boolean; message: string; sources: number }>('addBadFile');
    console.log(`[mixer] bad file: ${r.name}: ${r.message}`);
    expect(r.isAudioDecodeError).toBe(true);
    expect(r.name).toBe('AudioDecodeError');
    expect(r.message).toMatch(/not an audio file/);
    expect(r.sources).toBe(0);
  });

  it('(d) removing a source while the output is consumed keeps AudioData coming', async () => {
    const r = await call<Recording>('recordRemoving', micId, 1.5, 0.5);
    const mono = fromB64(r.mono);
    const tailRms = rms(mono, mono.length - 24000, 24000);
    console.log(`[mixer] remove: ${r.chunks} chunks, ${r.chunksAfterHook} after removal (${r.framesAfterHook} frames), tail RMS ${tailRms}`);
    expect(r.framesAfterHook).toBeGreaterThanOrEqual(48000);
    expect(r.chunksAfterHook).toBeGreaterThan(50);
    expect(tailRms).toBe(0); // the only source left, so the mix is exact digital silence
    expect(await call<unknown[]>('listSources')).toHaveLength(0);
  });

  it('(f) a looping music file is audible in the mix', async () => {
    const info = await call<{ id: string; kind: string }>('addFile', readFileSync(MUSIC).toString('base64'), 'Outfoxing');
    expect(info.kind).toBe('file');
    await new Promise((r) => setTimeout(r, 300));
    const rec = await call<Recording>('recordOutput', 1);
    const m = fromB64(rec.mono);
    const a = align(m, monoWav(MUSIC));
    const db = 20 * Math.log10(rms(m));
    console.log(`[mixer] music: RMS ${db.toFixed(1)} dBFS, NCC ${a.ncc.toFixed(4)}, gain ${a.gain.toFixed(4)}`);
    expect(db).toBeGreaterThan(-40);
    expect(a.ncc).toBeGreaterThanOrEqual(0.6);
    // The EQ path (eq_process in the worklet). This track's energy is mostly bass: ffmpeg's
    // highpass=f=2000 takes it from −12.3 to −30.1 dB mean volume, so a 2 kHz high-pass must cut > 10 dB.
    await call('setSource', info.id, { eq: [{ type: 'highpass', freq: 2000, gainDb: 0, q: 0.707 }] });
    await new Promise((r) => setTimeout(r, 100));
    const hp = fromB64((await call<Recording>('recordOutput', 0.5)).mono);
    const hpDb = 20 * Math.log10(rms(hp));
    console.log(`[mixer] music through 2 kHz high-pass EQ: RMS ${hpDb.toFixed(1)} dBFS (flat ${db.toFixed(1)})`);
    expect(hpDb).toBeLessThan(db - 10);
    await call('setSource', info.id, { eq: [] });
  });

  it('mixer panel: fader and mute drive the engine', async () => {
    const r = await call<{ strips: number; meters: number; gainDb: number; muted: boolean; pressed: string | null; reported: string[] }>('panelRoundTrip');
    expect(r).toEqual({ strips: 2, meters: 2, gainDb: -6, muted: true, pressed: 'true', reported: [] });
  });

  it('(g) ctx.suspend() fires a paused statechange; resume fires running', async () => {
    const r = await call<{ events: { state: string; paused: boolean; message: string | null }[]; stateWhileSuspended: string; stateAfter: string }>('suspendResume');
    console.log(`[mixer] state events: ${JSON.stringify(r.events)}`);
    expect(r.stateWhileSuspended).toBe('suspended');
    expect(r.events[0]).toMatchObject({ state: 'suspended', paused: true });
    expect(r.events[0]!.message).toMatch(/click anywhere to resume/);
    expect(r.events.at(-1)).toMatchObject({ state: 'running', paused: false, message: null });
    expect(r.stateAfter).toBe('running');
    // Chrome asks blank.html for /favicon.ico during goto (a 404 console error); every
    // request after load — wasm, worklet, its imports — must have succeeded.
    expect(failed).toEqual([]);
    expect(w.consoleErrors.filter((e) => !e.includes('404 (Not Found)'))).toEqual([]);
    expect(w.foreignRequests).toEqual([]);
  });
});
