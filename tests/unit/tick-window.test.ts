import { describe, expect, it } from 'vitest';
import { TickWindow } from '../../src/program/tick-window.ts';

describe('TickWindow', () => {
  it('matches plain arrays: ticks spanned, missed share from a time on, and the median load against a bound', () => {
    const w = new TickWindow(64);
    const ticks: { t: number; missed: number; load: number }[] = [];
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    let t = 0;
    for (let k = 0; k < 500; k++) {
      t += 10 + 40 * rnd();
      const x = { t, missed: rnd() < 0.2 ? Math.floor(3 * rnd()) + 1 : 0, load: 2 * rnd() };
      w.push(x.t, x.missed, x.load);
      ticks.push(x);
      if (k % 7 === 0) w.dropBefore(t - 1200);
      // The ring holds the newest 64, of those from t - 1200 on (dropped at every 7th tick).
      const held = ticks.slice(-w.length);
      expect(w.length).toBeLessThanOrEqual(64);
      expect(w.oldestMs).toBe(held[0].t);
      expect(w.spanned).toBe(held.length + held.reduce((a, y) => a + y.missed, 0));
      const from = t - 500;
      const recent = held.filter((y) => y.t >= from);
      const m = recent.reduce((a, y) => a + y.missed, 0);
      expect(w.missedShare(from)).toBeCloseTo(m / Math.max(1, recent.length + m), 12);
      const sorted = held.map((y) => y.load).sort((a, b) => a - b);
      for (const bound of [0.3, 0.6, 1, 1.4]) expect(w.medianLoadAtMost(bound)).toBe(Math.fround(sorted[sorted.length >> 1]) <= bound);
    }
    w.clear();
    expect(w.length).toBe(0);
    expect(w.spanned).toBe(0);
    expect(w.missedShare()).toBe(0);
  });
});
