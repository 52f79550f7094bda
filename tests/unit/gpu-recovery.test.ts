import { describe, expect, it } from 'vitest';
import { GpuRecovery, MAX_FAILED_RECOVERIES } from '../../src/program/gpu-recovery.ts';

/** A recovery on a fake clock whose rebuild does what the test says. */
function harness(rebuild: () => Promise<string[]>) {
  let t = 0;
  const log: string[] = [];
  const r = new GpuRecovery({
    rebuild,
    recovered: (gap, problems, tell) => log.push(`recovered gap=${gap} tell=${tell} problems=${problems.length}`),
    gaveUp: (reason) => log.push(`gave up: ${reason}`),
  }, () => t, async (ms) => { t += ms; });
  return { r, log, advance: (ms: number) => { t += ms; } };
}

describe('GPU recovery', () => {
  it('rebuilds once per loss, tells the person once a minute, and counts recoveries', async () => {
    const h = harness(async () => []);
    await h.r.lost('crash');
    expect(h.r.down).toBe(false);
    h.advance(10_000);
    await h.r.lost('crash');
    h.advance(61_000);
    await h.r.lost('crash');
    expect(h.r.recoveries).toBe(3);
    expect(h.log.map((l) => l.split(' ')[2])).toEqual(['tell=true', 'tell=false', 'tell=true']);
  });

  it(`gives up when the device is lost again after ${MAX_FAILED_RECOVERIES} recoveries within a minute`, async () => {
    const h = harness(async () => []);
    for (let i = 0; i < MAX_FAILED_RECOVERIES; i++) { await h.r.lost('crash'); h.advance(5_000); }
    expect(h.r.gaveUp).toBe(false);
    await h.r.lost('crash again');
    expect(h.r.gaveUp).toBe(true);
    expect(h.r.down).toBe(true);
    expect(h.log.at(-1)).toBe('gave up: crash again');
    // Once given up, further losses are ignored.
    await h.r.lost('more');
    expect(h.log.length).toBe(MAX_FAILED_RECOVERIES + 1);
  });

  it('losses spread over more than a minute never give up', async () => {
    const h = harness(async () => []);
    for (let i = 0; i < 10; i++) { await h.r.lost('crash'); h.advance(21_000); }
    expect(h.r.gaveUp).toBe(false);
    expect(h.r.recoveries).toBe(10);
  });

  it('a rebuild that throws is retried and counts as a failed recovery', async () => {
    let calls = 0;
    const h = harness(async () => { calls++; if (calls < 3) throw new Error('no adapter yet'); return ['an image could not be restored']; });
    await h.r.lost('crash');
    expect(calls).toBe(3);
    expect(h.r.recoveries).toBe(1);
    expect(h.log).toEqual(['recovered gap=1000 tell=true problems=1']);
  });

  it('a rebuild that never succeeds gives up with the last reason', async () => {
    const h = harness(async () => { throw new Error('requestAdapter returned null'); });
    await h.r.lost('crash');
    expect(h.r.gaveUp).toBe(true);
    expect(h.log).toEqual(['gave up: requestAdapter returned null']);
  });

  it('a device lost while it is being built makes that rebuild count as failed', async () => {
    let calls = 0;
    let r!: GpuRecovery;
    const h = harness(async () => { calls++; if (calls === 1) void r.lost('lost during rebuild'); return []; });
    r = h.r;
    await h.r.lost('crash');
    expect(calls).toBe(2);
    expect(h.r.recoveries).toBe(1);
  });
});
