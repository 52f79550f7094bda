import { describe, expect, it } from 'vitest';
import { BoundedQueue } from '../../src/process/bounded-queue.ts';
import { formatEta, ProgressMeter } from '../../src/process/progress.ts';
import { outputStem, planOutput } from '../../src/process/output-plan.ts';

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('BoundedQueue', () => {
  it('makes the producer wait while full and hands over every item in order', async () => {
    const q = new BoundedQueue<number>(2);
    const pushed: number[] = [];
    const producer = (async () => { for (let i = 0; i < 6; i++) { await q.push(i); pushed.push(i); } q.end(); })();
    await tick();
    expect(pushed).toEqual([0, 1]);
    expect(q.length).toBe(2);
    const got: number[] = [];
    for (let v = await q.pop(); v !== null; v = await q.pop()) got.push(v);
    await producer;
    expect(got).toEqual([0, 1, 2, 3, 4, 5]);
    expect(q.peak).toBe(2);
  });

  it('on failure wakes both sides with the reason and disposes what it held and what was pushed', async () => {
    const disposed: number[] = [];
    const q = new BoundedQueue<number>(1, (n) => disposed.push(n));
    await q.push(1);
    const blocked = q.push(2);
    const reason = new Error('cancelled');
    q.fail(reason);
    await expect(blocked).rejects.toBe(reason);
    await expect(q.pop()).rejects.toBe(reason);
    await expect(q.push(3)).rejects.toBe(reason);
    expect(disposed.sort()).toEqual([1, 2, 3]);
  });

  it('a waiting consumer wakes with null when the producer ends', async () => {
    const q = new BoundedQueue<string>(3);
    const waiting = q.pop();
    q.end();
    expect(await waiting).toBeNull();
  });
});

describe('ProgressMeter', () => {
  it('rates frames over the last seconds, not since the slow start', () => {
    const m = new ProgressMeter(100, 10, 0);
    // 10 s of start-up, then 10 frames per second.
    for (let i = 0; i < 40; i++) m.frame(10_000 + i * 100, (i + 1) / 10);
    const p = m.read(14_000);
    expect(p.frames).toBe(40);
    expect(p.fps).toBeCloseTo(10, 5);
    expect(p.etaS).toBeCloseTo(6, 5);
    expect(p.mediaS).toBeCloseTo(4);
    expect(p.elapsedS).toBe(14);
  });
  it('has no estimate before a rate is known, and 0 when done', () => {
    const m = new ProgressMeter(1, 1, 0);
    expect(m.read(5).etaS).toBeNull();
    m.frame(10, 1);
    expect(m.read(20).etaS).toBe(0);
  });
  it('formats time left', () => {
    expect(formatEta(null)).toBe('…');
    expect(formatEta(65)).toBe('1:05');
    expect(formatEta(3723)).toBe('1:02:03');
  });
});

describe('planOutput', () => {
  const holds = (c: 'mp4' | 'webm') => (c === 'mp4' ? ['aac', 'opus', 'mp3'] : ['opus', 'vorbis']);
  it('copies audio the container holds and re-encodes the rest', () => {
    expect(planOutput({ background: { type: 'blur' } }, 'aac', holds)).toEqual({ container: 'mp4', videoCodec: undefined, transparent: false, audio: 'copy', audioCodec: 'aac' });
    expect(planOutput({ background: { type: 'blur' }, container: 'webm' }, 'aac', holds)).toMatchObject({ container: 'webm', audio: 'encode', audioCodec: 'opus' });
    expect(planOutput({ background: { type: 'color', color: '#00ff00' } }, 'vorbis', holds)).toMatchObject({ audio: 'encode', audioCodec: 'aac' });
    expect(planOutput({ background: { type: 'blur' } }, null, holds)).toMatchObject({ audio: 'none', audioCodec: null });
  });
  it('writes transparent output as VP9 in WebM and refuses what cannot hold alpha', () => {
    expect(planOutput({ background: { type: 'transparent' } }, 'aac', holds)).toMatchObject({ container: 'webm', videoCodec: 'vp9', transparent: true, audio: 'encode', audioCodec: 'opus' });
    expect(() => planOutput({ background: { type: 'transparent' }, container: 'mp4' }, null, holds)).toThrow(/WebM/);
    expect(() => planOutput({ background: { type: 'transparent' }, videoCodec: 'avc' }, null, holds)).toThrow(/VP9/);
    expect(() => planOutput({ background: { type: 'none' } }, null, holds)).toThrow(/Choose a background/);
  });
  it('names the output after the input and the background', () => {
    expect(outputStem('talk.final.mov', { type: 'blur' })).toBe('talk.final (blur)');
    expect(outputStem('a/b:c.mp4', { type: 'color', color: '#000' })).toBe('a_b_c (colour)');
    expect(outputStem(undefined, { type: 'transparent' })).toBe('Video (transparent)');
  });
});
