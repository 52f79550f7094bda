import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * A/V sync media and measurement. The fake camera shows a dark picture with a white flash at
 * k + 0.5 s, and the fake microphone a 1 kHz beep at the same instants. Frames also carry their
 * source frame number as a 9-bit binary strip along the bottom: on a loaded machine the studio
 * renders a few frames per second, so a flash's first frame is often missing from the file,
 * while the counter still tells which source instant every recorded frame shows.
 */
export const SYNC_FPS = 30;
/** Flash/beep onset within each 1 s period (s). */
export const SYNC_PHASE_S = 0.5;
/** Flash/beep length (s): 3 frames. */
export const SYNC_PULSE_S = 0.1;
const BITS = 9, BIT_W = 64, BAND_Y = 424, BAND_H = 56, W = 640, H = 480;
const bitX = (i: number) => 32 + i * BIT_W;

/** Writes the y4m (640×480, 30 fps) and 48 kHz stereo wav into `dir`. */
export function makeSyncMedia(dir: string, seconds: number): { y4m: string; wav: string } {
  const y4m = join(dir, 'flash.y4m'), wav = join(dir, 'beep.wav');
  // n/30 is exact for the flash window, so frames 15, 16, 17 (+30k) are the flashing ones.
  const flash = `between(mod(n\\,${SYNC_FPS})\\,${SYNC_PHASE_S * SYNC_FPS}\\,${(SYNC_PHASE_S + SYNC_PULSE_S) * SYNC_FPS - 1})`;
  const boxes = [`drawbox=x=0:y=0:w=iw:h=ih:color=white:t=fill:enable='${flash}'`, `drawbox=x=0:y=${BAND_Y}:w=iw:h=${BAND_H}:color=black:t=fill`];
  for (let i = 0; i < BITS; i++) {
    boxes.push(`drawbox=x=${bitX(i) + 4}:y=${BAND_Y + 4}:w=${BIT_W - 8}:h=${BAND_H - 8}:color=white:t=fill:enable='mod(floor(n/${2 ** i})\\,2)'`);
  }
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `color=c=0x101010:s=${W}x${H}:r=${SYNC_FPS}:d=${seconds}`,
    '-vf', boxes.join(','), '-pix_fmt', 'yuv420p', '-f', 'yuv4mpegpipe', y4m]);
  const beep = `if(between(mod(t,1),${SYNC_PHASE_S},${SYNC_PHASE_S + SYNC_PULSE_S}),0.5*sin(2*PI*1000*t),0)`;
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `aevalsrc='${beep}|${beep}':s=48000:d=${seconds}`, '-c:a', 'pcm_s16le', wav]);
  return { y4m, wav };
}

/** One decoded frame: file time (s), mean luma above the counter strip, source frame number. */
export interface SyncFrame { t: number; luma: number; index: number }

/** Decodes every video frame (no frame-rate conversion) and reads its luma and counter. */
export function syncFrames(file: string): SyncFrame[] {
  const tw = W / 4, th = H / 4;
  const r = spawnSync('ffmpeg', ['-hide_banner', '-nostats', '-i', file, '-map', '0:v:0', '-fps_mode', 'passthrough',
    '-vf', `showinfo,scale=${tw}:${th}:flags=area,format=gray`, '-f', 'rawvideo', '-'], { maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`ffmpeg failed on ${file}: ${r.stderr.toString().slice(-2000)}`);
  const times = [...r.stderr.toString().matchAll(/pts_time:\s*(-?[\d.]+)/g)].map((m) => Number(m[1]));
  const px = r.stdout as Buffer;
  const n = Math.min(times.length, Math.floor(px.length / (tw * th)));
  return Array.from({ length: n }, (_, k) => {
    const img = px.subarray(k * tw * th, (k + 1) * tw * th);
    const at = (x: number, y: number) => img[Math.floor(y / 4) * tw + Math.floor(x / 4)]!;
    return { t: times[k]!, luma: bandMean(at), index: readCounter(at) };
  });
}

/** Mean luma of the picture above the counter strip, sampled every 8 px. */
function bandMean(at: (x: number, y: number) => number): number {
  let s = 0, n = 0;
  for (let y = 4; y < BAND_Y - 8; y += 8) for (let x = 4; x < W; x += 8) { s += at(x, y); n++; }
  return s / n;
}

function readCounter(at: (x: number, y: number) => number): number {
  let v = 0;
  for (let i = 0; i < BITS; i++) if (at(bitX(i) + BIT_W / 2, BAND_Y + BAND_H / 2) > 128) v |= 1 << i;
  return v;
}

/** start_time (s) of the first audio stream (edit lists and codec delay applied, as ffmpeg decodes it). */
export function audioStart(file: string): number {
  const out = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'a:0', '-show_entries', 'stream=start_time', '-of', 'csv=p=0', file], { encoding: 'utf8' });
  return Number(out.trim()) || 0;
}

/**
 * Onset times (s from the first sample) of tone bursts: 1 ms RMS windows; a burst starts where
 * the envelope reaches a quarter of its maximum after at least `gapS` below that.
 */
export function beepOnsets(x: Float32Array, rate = 48000, gapS = 0.3): number[] {
  const win = Math.round(rate / 1000);
  const env: number[] = [];
  for (let i = 0; i + win <= x.length; i += win) {
    let s = 0;
    for (let j = i; j < i + win; j++) s += x[j]! * x[j]!;
    env.push(Math.sqrt(s / win));
  }
  const thr = env.reduce((a, b) => Math.max(a, b), 0) / 4;
  if (!(thr > 1e-3)) return [];
  const onsets: number[] = [];
  let quiet = 0;
  for (let k = 0; k < env.length; k++) {
    if (env[k]! < thr) { quiet++; continue; }
    if (quiet * win >= gapS * rate) {
      let j = k * win;
      while (j < (k + 1) * win - 1 && Math.abs(x[j]!) < thr) j++;
      onsets.push(j / rate);
    }
    quiet = 0;
  }
  return onsets;
}

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[s.length >> 1]! : NaN; };

/** A beep and the video's flash for the same source instant on one timeline (s). */
export interface SyncPair { beep: number; flash: number; offsetMs: number; framesNear: number }

/**
 * For each beep, where the video timeline puts the flash of the same period: the frames within
 * ±0.6 s give (time − source frame time), whose median maps the source flash instant onto the
 * timeline. offsetMs = beep − flash (positive: sound late). Works on the file (t in s) and on
 * device-side logs (wall s), and is immune to dropped frames and to the fake devices' loop.
 */
export function pairBeepsWithVideo(beeps: number[], frames: { t: number; index: number }[]): SyncPair[] {
  const pairs: SyncPair[] = [];
  for (const b of beeps) {
    const near = frames.filter((f) => Math.abs(f.t - b) < 0.6);
    if (near.length < 2) continue;
    const videoOffset = median(near.map((f) => f.t - f.index / SYNC_FPS));
    const sourceT = b - videoOffset;
    const flashSource = Math.floor(sourceT - SYNC_PHASE_S + 0.5) + SYNC_PHASE_S;
    const flash = flashSource + videoOffset;
    pairs.push({ beep: b, flash, offsetMs: (b - flash) * 1000, framesNear: near.length });
  }
  return pairs;
}

/**
 * Flashes seen directly as luma jumps whose first bright frame follows a dark one by at most
 * 1.5 frame intervals, so the onset is known to within a frame: [after, at].
 */
export function resolvedFlashEdges(frames: SyncFrame[]): { after: number; at: number }[] {
  const lo = Math.min(...frames.map((f) => f.luma)), hi = Math.max(...frames.map((f) => f.luma));
  if (hi - lo < 60) return [];
  const mid = (lo + hi) / 2, edges: { after: number; at: number }[] = [];
  for (let i = 1; i < frames.length; i++) {
    const a = frames[i - 1]!, b = frames[i]!;
    if (a.luma < mid && b.luma >= mid && b.t - a.t <= 1.5 / SYNC_FPS) edges.push({ after: a.t, at: b.t });
  }
  return edges;
}

/** What the capture devices delivered, seen through clones of the studio's tracks (wall s). */
export interface DeviceSyncLog { frames: { t: number; index: number }[]; beeps: number[]; audioChunks: number }

/**
 * Page-side source: clones the studio's camera and microphone tracks and logs, on the wall
 * clock, every frame's counter and every beep onset. Each capture clock is mapped with the
 * smallest (arrival − timestamp) over the whole run, independently of the studio's own
 * calibration. `await window.__syncProbe.stop()` returns a DeviceSyncLog.
 */
export const SYNC_PROBE_SOURCE = `(() => {
  const wall = () => (performance.timeOrigin + performance.now()) * 1000;
  const { video, audio } = window.studio.tracks;
  if (!video || !audio) throw new Error('the studio has no camera/microphone tracks');
  const v = video.clone(), a = audio.clone();
  const frames = [], beeps = [];
  let vOff = Infinity, aOff = Infinity, chunks = 0, stopped = false, lastLoud = -Infinity;
  const vr = new MediaStreamTrackProcessor({ track: v, maxBufferSize: 60 }).readable.getReader();
  const ar = new MediaStreamTrackProcessor({ track: a, maxBufferSize: 500 }).readable.getReader();
  const pumpV = (async () => {
    while (!stopped) {
      const { value, done } = await vr.read();
      if (done) break;
      const arrival = wall();
      try {
        vOff = Math.min(vOff, arrival - value.timestamp);
        const buf = new Uint8Array(value.allocationSize());
        const layout = await value.copyTo(buf);
        const { offset, stride } = layout[0];
        let idx = 0;
        for (let i = 0; i < ${BITS}; i++) if (buf[offset + ${BAND_Y + BAND_H / 2} * stride + ${bitX(0) + BIT_W / 2} + i * ${BIT_W}] > 128) idx |= 1 << i;
        frames.push({ ts: value.timestamp, index: idx });
      } finally { value.close(); }
    }
  })();
  const pumpA = (async () => {
    while (!stopped) {
      const { value, done } = await ar.read();
      if (done) break;
      const arrival = wall();
      try {
        aOff = Math.min(aOff, arrival - value.timestamp); chunks++;
        const n = value.numberOfFrames, buf = new Float32Array(n);
        value.copyTo(buf, { planeIndex: 0, format: 'f32-planar' });
        for (let i = 0; i < n; i++) {
          if (Math.abs(buf[i]) < 0.1) continue;
          const t = value.timestamp + i / value.sampleRate * 1e6;
          if (t - lastLoud > 300000) beeps.push(t);
          lastLoud = t;
        }
      } finally { value.close(); }
    }
  })();
  window.__syncProbe = {
    async stop() {
      stopped = true;
      v.stop(); a.stop();
      await Promise.race([Promise.all([pumpV, pumpA]), new Promise((r) => setTimeout(r, 1000))]);
      return {
        frames: frames.map((f) => ({ t: (f.ts + vOff) / 1e6, index: f.index })),
        beeps: beeps.map((t) => (t + aOff) / 1e6), audioChunks: chunks,
      };
    },
  };
})()`;

/**
 * What the studio itself adds to A/V skew. The fake camera falls behind real time when the
 * machine is loaded (Chromium's file capturer drops its schedule debt instead of skipping
 * frames), so flash and beep drift apart before the studio sees them. The device log says when
 * each source frame and each beep reached the page; the file's frames (by counter) give the
 * file→wall shift, and each file beep is then compared with the same beep in the device log.
 * skewMs > 0: the file's sound is later, relative to the picture, than the devices delivered it.
 */
export function studioSkew(file: { frames: SyncFrame[]; beeps: number[] }, dev: DeviceSyncLog): { fileToWall: number; commonFrames: number; beeps: { file: number; skewMs: number }[] } {
  const log = [...dev.frames].sort((a, b) => a.index - b.index);
  const wallOf = (index: number): number | null => {
    for (let k = 1; k < log.length; k++) {
      const a = log[k - 1]!, b = log[k]!;
      if (a.index <= index && index <= b.index && b.index - a.index <= 10 && b.t >= a.t) {
        return b.index === a.index ? a.t : a.t + (b.t - a.t) * (index - a.index) / (b.index - a.index);
      }
    }
    return null;
  };
  const shifts = file.frames.flatMap((f) => { const w = wallOf(f.index); return w === null ? [] : [w - f.t]; });
  const fileToWall = median(shifts);
  const beeps = file.beeps.flatMap((b) => {
    const w = b + fileToWall;
    const near = dev.beeps.reduce<number | null>((p, c) => (p === null || Math.abs(c - w) < Math.abs(p - w) ? c : p), null);
    return near === null || Math.abs(near - w) > 0.5 ? [] : [{ file: b, skewMs: (w - near) * 1000 }];
  });
  return { fileToWall, commonFrames: shifts.length, beeps };
}
