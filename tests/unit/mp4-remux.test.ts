/**
 * The MP4 box tools and the remux that finishes a recording, under Node on small MP4s made
 * here with ffmpeg: a fragmented file (as the recorder writes) becomes a regular one with the
 * moov in front, the same packets, and Nero chapters that ffprobe lists; a file cut off by a
 * crash keeps its whole fragments.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { closeSync, openAsBlob, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { chplBody, isFragmented, isRegularFastStart, topLevelBoxes, utf8Prefix } from '../../src/mux/mp4-boxes.ts';
import { remuxToRegularMp4, type PositionedWrite } from '../../src/mux/remux.ts';
import { scratchDir, shared } from '../helpers/media.ts';

const out = scratchDir('mp4-remux');

/** A 4 s fragmented MP4 (H.264 from a real webcam clip, key frame and fragment every second, AAC). */
function makeFragmented(): string {
  const path = join(out, 'fragmented.mp4');
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', shared('media/webcam_man_640x480_30fps.mp4'), '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-t', '4', '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '30', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '96k',
    '-movflags', 'frag_keyframe+empty_moov+default_base_moof', path]);
  return path;
}

/** A WritableStream of positioned writes into a file on disk (what OPFS's writable does in the browser). */
function fileWritable(path: string): WritableStream<PositionedWrite> {
  const fd = openSync(path, 'w');
  return new WritableStream({
    write(c) { writeSync(fd, c.data, 0, c.data.byteLength, c.position); },
    close() { closeSync(fd); },
  });
}

function ffprobe(path: string, ...args: string[]): Record<string, unknown[]> {
  return JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-of', 'json', ...args, path], { encoding: 'utf8' }));
}

function frameCounts(path: string): { video: number; audio: number } {
  const s = ffprobe(path, '-count_frames', '-show_entries', 'stream=codec_type,nb_read_frames').streams as { codec_type: string; nb_read_frames: string }[];
  return { video: Number(s.find((x) => x.codec_type === 'video')?.nb_read_frames ?? 0), audio: Number(s.find((x) => x.codec_type === 'audio')?.nb_read_frames ?? 0) };
}

describe('MP4 boxes', () => {
  it('chpl body: version 1, sorted, 100 ns units, UTF-8 titles cut at a character boundary', () => {
    const body = chplBody([{ title: 'Zwei – ü', timeMs: 1500.25 }, { title: 'Eins', timeMs: 0 }, { title: 'é'.repeat(200), timeMs: 3000 }]);
    const v = new DataView(body.buffer);
    expect(body[0]).toBe(1);
    expect(body[8]).toBe(3);
    expect(v.getBigUint64(9)).toBe(0n);
    expect(new TextDecoder().decode(body.subarray(18, 18 + body[17]!))).toBe('Eins');
    const second = 18 + body[17]!;
    expect(v.getBigUint64(second)).toBe(15_002_500n);
    const third = second + 9 + body[second + 8]!;
    // 200 two-byte characters do not fit in 255 bytes: 127 whole ones do (254 bytes), no half character.
    expect(body[third + 8]).toBe(254);
    expect(new TextDecoder('utf-8', { fatal: true }).decode(body.subarray(third + 9))).toBe('é'.repeat(127));
    expect(utf8Prefix('abc', 10)).toEqual(new TextEncoder().encode('abc'));
    expect(chplBody(Array.from({ length: 300 }, (_, i) => ({ title: `c${i}`, timeMs: i })))[8]).toBe(255);
  });

  it('reads top-level boxes from headers: 64-bit sizes, size 0 (to the end), a box cut off', async () => {
    const box = (type: string, payload: number) => {
      const b = new Uint8Array(8 + payload);
      new DataView(b.buffer).setUint32(0, 8 + payload);
      b.set(new TextEncoder().encode(type), 4);
      return b;
    };
    const large = new Uint8Array(16 + 4);
    new DataView(large.buffer).setUint32(0, 1);
    large.set(new TextEncoder().encode('mdat'), 4);
    new DataView(large.buffer).setBigUint64(8, 20n);
    const toEnd = box('mdat', 5);
    new DataView(toEnd.buffer).setUint32(0, 0);
    const whole = new Blob([box('ftyp', 8), box('moov', 30), box('free', 4), large, toEnd]);
    const layout = await topLevelBoxes(whole);
    expect(layout.truncated).toBe(false);
    expect(layout.boxes.map((b) => `${b.type}@${b.start}+${b.size}`)).toEqual(['ftyp@0+16', 'moov@16+38', 'free@54+12', 'mdat@66+20', 'mdat@86+13']);
    expect(isRegularFastStart(layout)).toBe(true);
    const cut = await topLevelBoxes(new Blob([box('ftyp', 8), box('moov', 30), box('moof', 20), box('mdat', 100)]).slice(0, 100));
    expect(cut.truncated).toBe(true);
    expect(isFragmented(cut)).toBe(true);
    expect(isRegularFastStart(cut)).toBe(false);
  });
});

describe('remux to a regular MP4', () => {
  const frag = makeFragmented();
  const chapters = [{ title: 'Intro', timeMs: 0 }, { title: 'Zweiter Teil – ü', timeMs: 1500 }, { title: 'After the end', timeMs: 9000 }, { title: 'Late', timeMs: 3200 }];

  it('copies every packet, puts the moov in front and writes chapters ffprobe lists', async () => {
    const dst = join(out, 'regular.mp4');
    const src = await openAsBlob(frag);
    expect(isFragmented(await topLevelBoxes(src))).toBe(true);
    const r = await remuxToRegularMp4(src, fileWritable(dst), chapters);
    const layout = await topLevelBoxes(await openAsBlob(dst));
    console.log(`[mp4-remux] ${src.size} → ${(await openAsBlob(dst)).size} bytes, boxes ${layout.boxes.map((b) => b.type).join(' ')}, ` +
      `${r.videoPackets} video + ${r.audioPackets} audio packets, ${r.durationMs.toFixed(1)} ms`);
    expect(isRegularFastStart(layout)).toBe(true);
    expect(layout.boxes.map((b) => b.type)).toEqual(['ftyp', 'moov', 'free', 'mdat']);
    const before = frameCounts(frag), after = frameCounts(dst);
    expect(after).toEqual(before);
    expect(r.videoPackets).toBe(before.video);
    expect(r.truncated).toBe(false);
    // The same bytes: decoding both gives identical pictures.
    const md5 = (p: string) => execFileSync('ffmpeg', ['-v', 'error', '-i', p, '-map', '0:v', '-f', 'md5', '-'], { encoding: 'utf8' }).trim();
    expect(md5(dst)).toBe(md5(frag));
    const listed = (ffprobe(dst, '-show_chapters').chapters as { start_time: string; tags: { title: string } }[])
      .map((c) => ({ title: c.tags.title, timeMs: Number(c.start_time) * 1000 }));
    // The chapter past the end of the file is left out.
    expect(listed.map((c) => c.title)).toEqual(['Intro', 'Zweiter Teil – ü', 'Late']);
    for (const c of listed) expect(Math.abs(c.timeMs - chapters.find((x) => x.title === c.title)!.timeMs)).toBeLessThan(0.001);
    expect(r.chapters.map((c) => c.title)).toEqual(listed.map((c) => c.title));
  });

  it('a file cut off mid-fragment by a crash keeps its whole fragments', async () => {
    const src = await openAsBlob(frag);
    const cutAt = Math.floor(src.size * 0.6);
    const layout = await topLevelBoxes(src.slice(0, cutAt));
    expect(layout.truncated).toBe(true);
    // What a player can read: the file up to the end of its last whole mdat.
    const mdats = layout.boxes.filter((b) => b.type === 'mdat' && b.start + b.size <= cutAt);
    const wholeEnd = mdats[mdats.length - 1]!.start + mdats[mdats.length - 1]!.size;
    const wholePath = join(out, 'whole-fragments.mp4');
    writeFileSync(wholePath, new Uint8Array(await src.slice(0, wholeEnd).arrayBuffer()));
    const dst = join(out, 'recovered.mp4');
    const r = await remuxToRegularMp4(src.slice(0, cutAt), fileWritable(dst), chapters);
    const expected = frameCounts(wholePath), got = frameCounts(dst);
    console.log(`[mp4-remux] cut at ${cutAt} of ${src.size} bytes: ${got.video} video / ${got.audio} audio frames kept (whole fragments ${expected.video} / ${expected.audio}), ` +
      `${r.durationMs.toFixed(0)} ms, chapters ${r.chapters.map((c) => c.title).join(', ')}`);
    expect(r.truncated).toBe(true);
    expect(got).toEqual(expected);
    expect(got.video).toBeGreaterThanOrEqual(30);
    expect(isRegularFastStart(await topLevelBoxes(await openAsBlob(dst)))).toBe(true);
    expect(r.chapters.every((c) => c.timeMs < r.durationMs)).toBe(true);
  });
});
