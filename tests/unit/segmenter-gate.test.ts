import { describe, expect, it } from 'vitest';
import { SegmenterGate } from '../../src/gpu/segmenter-gate.ts';

describe('SegmenterGate', () => {
  it('lets two sources take turns instead of one keeping the model', () => {
    const g = new SegmenterGate();
    const a = {}, b = {};
    expect(g.tryTake(a, false, 0)).toBe(true);
    expect(g.tryTake(b, false, 10)).toBe(false); // b was turned away: it goes next
    g.release(a);
    expect(g.tryTake(a, false, 20)).toBe(false); // a may not take it back at once
    expect(g.tryTake(b, false, 30)).toBe(true);
    g.release(b);
    expect(g.tryTake(a, false, 40)).toBe(true);
  });

  it('tells the holder when another source waits (so an early kick does not keep the gate)', () => {
    const g = new SegmenterGate();
    const a = {}, b = {};
    expect(g.tryTake(a, false, 0)).toBe(true);
    expect(g.othersWaiting(a, 5)).toBe(false);
    expect(g.tryTake(a, false, 10)).toBe(true); // the holder may take it again while nobody waits
    expect(g.tryTake(b, false, 20)).toBe(false);
    expect(g.othersWaiting(a, 30)).toBe(true);
    expect(g.othersWaiting(b, 30)).toBe(false);
    expect(g.othersWaiting(a, 1500)).toBe(false); // b stopped asking a while ago
  });

  it('a still image waiting goes before the live sources and is not overtaken', async () => {
    const g = new SegmenterGate();
    const live = {}, still = {};
    expect(g.tryTake(live)).toBe(true);
    let got = false;
    const borrowed = g.borrow(still).then(() => { got = true; });
    await new Promise((r) => setTimeout(r, 30));
    expect(got).toBe(false);
    g.release(live);
    expect(g.tryTake(live)).toBe(false); // released in the same frame: the borrower waits, so no
    await borrowed;
    expect(g.owner).toBe(still);
    // Pinned: a live source cannot take it even after a long quiet spell.
    expect(g.tryTake(live, false, performance.now() + 5000)).toBe(false);
    g.release(still);
    expect(g.tryTake(live)).toBe(true);
  });

  it('a source that left the scene (no frame for a second) loses the gate', () => {
    const g = new SegmenterGate();
    const gone = {}, other = {};
    expect(g.tryTake(gone, false, 0)).toBe(true);
    g.touch(gone, 500);
    expect(g.tryTake(other, false, 1400)).toBe(false);
    expect(g.tryTake(other, false, 1600)).toBe(true);
    expect(g.owner).toBe(other);
  });
});
