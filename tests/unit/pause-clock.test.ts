import { describe, expect, it } from 'vitest';
import { PauseClock } from '../../src/encode/pause-clock.ts';

describe('PauseClock', () => {
  it('leaves out what was captured while paused and closes the gap after it', () => {
    const c = new PauseClock();
    expect(c.offset(5e6)).toBe(0);
    c.pause(2e6);
    expect(c.pausedNow).toBe(true);
    expect(c.paused(2.5e6)).toBe(true);
    expect(c.paused(1.9e6)).toBe(false);
    c.resume(4e6);
    expect(c.paused(3.99e6)).toBe(true);
    expect(c.paused(4e6)).toBe(false);
    expect(c.offset(1e6)).toBe(0);
    expect(c.offset(4.5e6)).toBe(2e6);
    c.pause(6e6); c.resume(6.5e6);
    expect(c.offset(7e6)).toBe(2.5e6);
    // A pause and resume twice in a row count once.
    c.resume(9e6);
    expect(c.offset(10e6)).toBe(2.5e6);
  });
});
