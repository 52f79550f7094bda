/**
 * VideoFilePlayer in real Chromium on clips cut from the shared webcam footage with ffmpeg:
 * frames due at simulated program times match ffmpeg's decode of the same frame (PSNR ≥ 35 dB),
 * looping wraps to the start, loop off ends on the last frame, pause/play/restart move media
 * time as specified, bad files give MediaDecodeError, and close() leaves no frame open.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shared } from '../helpers/media.ts';
import { openKernelSession, type KernelSession } from '../reference/session.ts';
import type { Action, DriveResult, Failure, Info } from './pages/video-file-player.page.ts';

const PAGE = '/tests/browser/pages/video-file-player.page.ts';
/** Same decoded YUV on both sides; only the YUV→RGB conversion (chroma upsampling, rounding) differs. */
const MIN_PSNR_DB = 35;
const W = 640, H = 480, FPS = 30;
const frameUs = (n: number): number => Math.round((n * 1e6) / FPS);

let session: KernelSession;
let dir: string;
const clips: Record<'mp4' | 'webm' | 'audio' | 'text' | 'random' | 'garbled' | 'mpeg4', Uint8Array> = {} as never;

function ffmpeg(...args: string[]): Buffer {
  return execFileSync('/usr/bin/ffmpeg', ['-v', 'error', '-nostdin', '-y', ...args], { maxBuffer: 64 << 20 });
}

/** Frame `n` (decode order = presentation index) of a file, as ffmpeg's RGBA. */
const refCache = new Map<string, Uint8Array>();
function refFrame(kind: 'mp4' | 'webm', n: number): Uint8Array {
  const key = `${kind}:${n}`;
  let b = refCache.get(key);
  if (!b) {
    const buf = ffmpeg('-i', join(dir, `clip.${kind}`), '-vf', `select=eq(n\\,${n})`, '-fps_mode', 'passthrough',
      '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgba', '-');
    b = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    refCache.set(key, b);
  }
  return b;
}

/** PSNR over R, G, B (alpha ignored), in dB. */
function psnr(a: Uint8Array, b: Uint8Array): number {
  expect(a.length).toBe(b.length);
  let se = 0, count = 0;
  for (let i = 0; i < a.length; i++) {
    if ((i & 3) === 3) continue;
    const d = a[i] - b[i];
    se += d * d;
    count++;
  }
  return se === 0 ? Infinity : 10 * Math.log10((255 * 255) / (se / count));
}

async function drive(kind: keyof typeof clips, opts: { loop: boolean; endUs: number; actions: Action[]; checkClose?: boolean }): Promise<{ r: DriveResult; caps: Uint8Array[] }> {
  const out = session.bytes.outPrefix();
  const r = await session.call<DriveResult>(PAGE, 'drive', session.bytes.put(clips[kind]), out, opts);
  const caps = r.snapshots.filter((s) => s.capture !== null).map((s) => session.bytes.take(out, `cap${s.capture}`));
  session.bytes.clear();
  return { r, caps };
}

function expectFrame(label: string, got: Uint8Array, kind: 'mp4' | 'webm', n: number): void {
  const db = psnr(got, refFrame(kind, n));
  // How far a neighbouring frame is: shows the threshold separates frames of this footage.
  const other = psnr(got, refFrame(kind, n >= 30 ? n - 30 : n + 30));
  console.log(`[video-file-player] ${label}: PSNR ${db.toFixed(1)} dB vs frame ${n} (${other.toFixed(1)} dB vs 1 s away)`);
  expect(db, `${label}: PSNR vs ffmpeg frame ${n}`).toBeGreaterThanOrEqual(MIN_PSNR_DB);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bds-video-player-'));
  const src = shared('media/webcam_woman_640x480_30fps.mp4');
  // H.264 with B-frames (reordering) and an AAC track; VP9 without audio.
  ffmpeg('-i', src, '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', '2', '-map', '0:v', '-map', '1:a',
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '18', '-pix_fmt', 'yuv420p', '-c:a', 'aac', join(dir, 'clip.mp4'));
  ffmpeg('-i', src, '-t', '2', '-an', '-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '2M',
    '-pix_fmt', 'yuv420p', join(dir, 'clip.webm'));
  ffmpeg('-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', '1', '-c:a', 'aac', join(dir, 'audio.m4a'));
  clips.mp4 = readFileSync(join(dir, 'clip.mp4'));
  // Index first (faststart), so a file damaged after its header still opens.
  ffmpeg('-i', src, '-t', '2', '-an', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '18', '-pix_fmt', 'yuv420p',
    '-movflags', '+faststart', join(dir, 'faststart.mp4'));
  const fast = readFileSync(join(dir, 'faststart.mp4'));
  clips.garbled = Uint8Array.from(fast);
  for (let i = Math.floor(fast.length * 0.3); i < fast.length; i += 7) clips.garbled[i] ^= 0x5a;
  clips.webm = readFileSync(join(dir, 'clip.webm'));
  clips.audio = readFileSync(join(dir, 'audio.m4a'));
  // MPEG-4 Part 2: a valid MP4 whose codec WebCodecs does not decode.
  ffmpeg('-i', src, '-t', '0.2', '-an', '-vf', 'scale=64:48', '-c:v', 'mpeg4', join(dir, 'part2.mp4'));
  clips.mpeg4 = readFileSync(join(dir, 'part2.mp4'));
  writeFileSync(join(dir, 'notes.txt'), 'This is a text file, not a video.\n'.repeat(50));
  clips.text = readFileSync(join(dir, 'notes.txt'));
  // Seeded noise: the same "corrupt file" every run.
  let s = 12345;
  clips.random = Uint8Array.from({ length: 64 * 1024 }, () => { s = (s * 1103515245 + 12345) >>> 0; return s >>> 24; });
  session = await openKernelSession();
});
afterAll(async () => {
  await session?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('VideoFilePlayer', () => {
  it('opens MP4 (H.264 + AAC) and WebM (VP9): size, duration, audio', async () => {
    const mp4 = await session.call<Info>(PAGE, 'probe', session.bytes.put(clips.mp4), 'clip.mp4');
    const webm = await session.call<Info>(PAGE, 'probe', session.bytes.put(clips.webm), 'clip.webm');
    session.bytes.clear();
    console.log('[video-file-player] probe', mp4, webm);
    expect(mp4).toEqual({ width: W, height: H, durationUs: 2_000_000, hasAudio: true });
    expect(webm).toMatchObject({ width: W, height: H, hasAudio: false });
    expect(Math.abs((webm as Info).durationUs - 2_000_000)).toBeLessThanOrEqual(frameUs(1));
  });

  it(`frames at 0.5 s and 1.5 s match ffmpeg's decode (PSNR ≥ ${MIN_PSNR_DB} dB)`, async () => {
    const { r, caps } = await drive('mp4', {
      loop: false, endUs: 1_600_000,
      actions: [{ atUs: 500_000, op: 'capture' }, { atUs: 1_500_000, op: 'capture' }],
    });
    console.log('[video-file-player] stats after 1.6 s', r.stats);
    const [a, b] = r.snapshots;
    expect(a.positionUs).toBe(frameUs(15));
    expect(b.positionUs).toBe(frameUs(45));
    expect(a.frameTimestamp).toBe(frameUs(15));
    expectFrame('mp4 0.5 s', caps[0], 'mp4', 15);
    expectFrame('mp4 1.5 s', caps[1], 'mp4', 45);
    expect(r.stats.framesShown).toBeGreaterThanOrEqual(40);
    expect(r.stats.framesDecoded).toBeLessThanOrEqual(49 + 4 + 1);
  });

  it(`WebM (VP9) frame at 0.5 s matches ffmpeg's decode (PSNR ≥ ${MIN_PSNR_DB} dB)`, async () => {
    const { r, caps } = await drive('webm', { loop: false, endUs: 500_000, actions: [{ atUs: 500_000, op: 'capture' }] });
    expect(r.snapshots[0].positionUs).toBe(frameUs(15));
    expectFrame('webm 0.5 s', caps[0], 'webm', 15);
  });

  it('loop on: program time 2.5 s shows the frame of 0.5 s', async () => {
    const { r, caps } = await drive('mp4', { loop: true, endUs: 2_500_000, actions: [{ atUs: 2_500_000, op: 'capture' }] });
    const s = r.snapshots[0];
    console.log('[video-file-player] loop stats', s.stats);
    expect(s.state).toBe('playing');
    expect(s.positionUs).toBe(frameUs(15));
    expect(s.stats.loops).toBeGreaterThanOrEqual(1);
    expectFrame('loop 2.5 s', caps[0], 'mp4', 15);
  });

  it('loop off: holds the last frame and ends', async () => {
    const { r, caps } = await drive('mp4', {
      loop: false, endUs: 2_600_000,
      actions: [{ atUs: 1_000_000, op: 'snapshot' }, { atUs: 2_500_000, op: 'capture' }],
    });
    const [mid, end] = r.snapshots;
    expect(mid.state).toBe('playing');
    expect(end.state).toBe('ended');
    expect(end.hasFrame).toBe(true);
    expect(end.positionUs).toBe(frameUs(59));
    expect(end.stats.loops).toBe(0);
    expectFrame('ended 2.5 s', caps[0], 'mp4', 59);
  });

  it('loop switched off mid-lap: plays to the end of that lap, then ends', async () => {
    const { r } = await drive('mp4', {
      loop: true, endUs: 4_200_000,
      actions: [{ atUs: 2_300_000, op: 'loop-off' }, { atUs: 3_900_000, op: 'snapshot' }, { atUs: 4_100_000, op: 'snapshot' }],
    });
    const [before, after] = r.snapshots;
    expect(before).toMatchObject({ state: 'playing', positionUs: frameUs(57) });
    expect(after).toMatchObject({ state: 'ended', positionUs: frameUs(59) });
    expect(after.stats.loops).toBe(1);
  });

  it('pause freezes media time, play resumes from it, restart seeks to 0', async () => {
    const { r } = await drive('mp4', {
      loop: false, endUs: 1_800_000,
      actions: [
        { atUs: 500_000, op: 'pause' },
        { atUs: frameUs(29), op: 'snapshot' }, // paused ~0.47 s: still at 0.5 s
        { atUs: 1_000_000, op: 'play' },
        { atUs: 1_500_000, op: 'snapshot' }, // resumed at 1.0 s program: 0.5 s later is media 1.0 s
        { atUs: frameUs(46), op: 'restart' },
        { atUs: frameUs(52), op: 'snapshot' }, // 6 frames after restart
      ],
    });
    const [paused, resumed, restarted] = r.snapshots;
    expect(paused).toMatchObject({ state: 'paused', positionUs: frameUs(15) });
    expect(resumed).toMatchObject({ state: 'playing', positionUs: frameUs(30) });
    expect(restarted).toMatchObject({ state: 'playing', positionUs: frameUs(6) });
  });

  it('corrupt, text, audio-only and undecodable-codec files give MediaDecodeError', async () => {
    const results: Record<string, Failure> = {};
    for (const [kind, name] of [['random', 'broken.mp4'], ['text', 'notes.txt'], ['audio', 'tone.m4a'], ['mpeg4', 'part2.mp4']] as const) {
      results[kind] = await session.call<Failure>(PAGE, 'probe', session.bytes.put(clips[kind]), name);
    }
    session.bytes.clear();
    console.log('[video-file-player] errors', results);
    for (const r of Object.values(results)) expect(r.error).toBe('MediaDecodeError');
    expect(results.random.message).toBe('“broken.mp4” is not a video file this browser can read.');
    expect(results.text.message).toContain('notes.txt');
    expect(results.audio.message).toMatch(/no video track/);
    expect(results.mpeg4.message).toMatch(/^“part2\.mp4” (is .* video, which|uses a video codec) this browser cannot decode\.$/);
  });

  it('close() leaves no frame open (mid-play, looping, queue full)', async () => {
    const { r } = await drive('mp4', { loop: true, endUs: 2_200_000, actions: [], checkClose: true });
    console.log(`[video-file-player] close: ${r.constructed} frames constructed, ${r.openAfterClose} open after close`);
    expect(r.constructed).toBeGreaterThan(60);
    expect(r.openAfterClose).toBe(0);
    expect(r.returnedOpenAfterClose).toBe(0);
  });

  it('a file damaged after its header: frameAt throws the latched MediaDecodeError', async () => {
    const { r } = await drive('garbled', { loop: false, endUs: 2_000_000, actions: [] });
    console.log('[video-file-player] damaged file', r.thrown);
    expect(r.thrown).toMatchObject({ error: 'MediaDecodeError', sameAsError: true, thrownAgain: true });
    expect(r.thrown!.message).toMatch(/^Playing “clip” failed/);
  });

  it('left no console errors', () => {
    expect(session.errors).toEqual([]);
  });
});
