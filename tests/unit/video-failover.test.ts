import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { VideoFailover, type VideoFailoverEvents } from '../../src/encode/video-failover.ts';
import { partName, sameDecoderConfig } from '../../src/encode/output-session.ts';
import { FrameGrid } from '../../src/encode/frame-grid.ts';
import { PauseClock } from '../../src/encode/pause-clock.ts';

/** A stand-in for WebCodecs' VideoEncoder: records what it was asked, and can crash. */
class FakeEncoder {
  static all: FakeEncoder[] = [];
  static refuse: ((c: VideoEncoderConfig) => boolean) | null = null;
  state: CodecState = 'unconfigured';
  encodeQueueSize = 0;
  config: VideoEncoderConfig | null = null;
  frames: { frame: unknown; keyFrame: boolean }[] = [];
  constructor(readonly init: VideoEncoderInit) { FakeEncoder.all.push(this); }
  configure(c: VideoEncoderConfig): void {
    if (FakeEncoder.refuse?.(c)) throw new TypeError('unsupported config');
    this.config = c;
    this.state = 'configured';
  }
  encode(frame: unknown, opts?: VideoEncoderEncodeOptions): void {
    if (this.state !== 'configured') throw new DOMException("Cannot call 'encode' on a closed codec.", 'InvalidStateError');
    this.frames.push({ frame, keyFrame: opts?.keyFrame ?? false });
  }
  async flush(): Promise<void> {}
  close(): void { this.state = 'closed'; }
  /** What a crash looks like: closed, and the error callback. */
  crash(): void {
    this.state = 'closed';
    this.init.error(new DOMException('Encoder failure', 'EncodingError'));
  }
}

const config: VideoEncoderConfig = { codec: 'avc1.64001f', width: 640, height: 360, hardwareAcceleration: 'prefer-hardware' };
const frame = {} as VideoFrame;

function events() {
  return { output: vi.fn(), replaced: vi.fn(), fatal: vi.fn() } satisfies VideoFailoverEvents;
}

beforeEach(() => {
  FakeEncoder.all = [];
  FakeEncoder.refuse = null;
  vi.stubGlobal('VideoEncoder', FakeEncoder);
});
afterEach(() => vi.unstubAllGlobals());

describe('VideoFailover', () => {
  it('replaces a crashed hardware encoder by a software one and goes on from a key frame', () => {
    const ev = events();
    const f = new VideoFailover(config, ev);
    expect(f.encode(frame, true)).toBe(true);
    expect(f.encode(frame, false)).toBe(true);
    FakeEncoder.all[0].crash();
    expect(ev.replaced).toHaveBeenCalledTimes(1);
    expect(ev.replaced.mock.calls[0][2].hardwareAcceleration).toBe('prefer-software');
    expect(f.hardware).toBe(false);
    expect(f.encode(frame, false)).toBe(true);
    expect(f.encode(frame, false)).toBe(true);
    const second = FakeEncoder.all[1];
    expect(second.frames.map((x) => x.keyFrame)).toEqual([true, false]);
    expect(f.failovers).toBe(1);
    expect(ev.fatal).not.toHaveBeenCalled();
  });

  it('finds an encoder closed under it at the next frame, and that frame is not lost', () => {
    const ev = events();
    const f = new VideoFailover({ ...config, hardwareAcceleration: 'no-preference' }, ev);
    f.encode(frame, true);
    f.debugCrash({ codec: 'avc1.42e01f' });
    expect(f.encode(frame, false)).toBe(true);
    expect(FakeEncoder.all).toHaveLength(2);
    // Software stays software; the diagnostics override changes the codec string.
    expect(FakeEncoder.all[1].config).toMatchObject({ codec: 'avc1.42e01f', hardwareAcceleration: 'no-preference' });
    expect(FakeEncoder.all[1].frames).toEqual([{ frame, keyFrame: true }]);
  });

  it('ignores a late error of an encoder it already replaced', () => {
    const ev = events();
    const f = new VideoFailover(config, ev);
    const first = FakeEncoder.all[0];
    f.debugCrash();
    f.encode(frame, false);
    first.init.error(new DOMException('late', 'EncodingError'));
    expect(f.failovers).toBe(1);
    // Output of the replaced encoder is not passed on either.
    first.init.output({} as EncodedVideoChunk, undefined);
    expect(ev.output).not.toHaveBeenCalled();
  });

  it('gives up at the third failure within a minute, but not when they are spread out', () => {
    let now = 0;
    const ev = events();
    const f = new VideoFailover(config, ev, () => now);
    FakeEncoder.all[0].crash();
    now = 30_000;
    FakeEncoder.all[1].crash();
    now = 59_000;
    FakeEncoder.all[2].crash();
    expect(ev.fatal).toHaveBeenCalledTimes(1);
    expect(ev.fatal.mock.calls[0][0].name).toBe('EncoderError');
    expect(ev.fatal.mock.calls[0][0].message).toMatch(/3 times within a minute/);
    expect(f.alive).toBe(false);
    expect(f.encode(frame, false)).toBe(false);

    const ev2 = events();
    FakeEncoder.all = [];
    now = 0;
    const g = new VideoFailover(config, ev2, () => now);
    for (let i = 0; i < 5; i++) { now += 40_000; FakeEncoder.all[i].crash(); }
    expect(ev2.fatal).not.toHaveBeenCalled();
    expect(g.failovers).toBe(5);
  });

  it('counts a replacement that cannot be configured as another failure', () => {
    const ev = events();
    const f = new VideoFailover(config, ev);
    FakeEncoder.refuse = (c) => c.hardwareAcceleration === 'prefer-software';
    FakeEncoder.all[0].crash();
    // Crash, then two refused replacements: three failures, it gives up.
    expect(ev.fatal).toHaveBeenCalledTimes(1);
    expect(ev.fatal.mock.calls[0][0].message).toMatch(/could not be set up/);
    expect(f.alive).toBe(false);
  });

  it('throws at once when the first configuration is refused', () => {
    FakeEncoder.refuse = () => true;
    expect(() => new VideoFailover(config, events())).toThrow(/unsupported/);
  });
});

describe('file parts', () => {
  it('names later parts after the first file, keeping its extension and marker', () => {
    expect(partName('Backdrop 2025-01-02 10-00-00.recording.mp4', 2)).toBe('Backdrop 2025-01-02 10-00-00.recording (part 2).mp4');
    expect(partName('B.recording (camera).webm', 3)).toBe('B.recording (camera) (part 3).webm');
  });

  it('compares decoder configs by codec, size and description bytes', () => {
    const a: VideoDecoderConfig = { codec: 'avc1.64001f', codedWidth: 640, codedHeight: 360, description: new Uint8Array([1, 2, 3]) };
    expect(sameDecoderConfig(a, { ...a, description: new Uint8Array([1, 2, 3]).buffer })).toBe(true);
    expect(sameDecoderConfig(a, { ...a, description: new Uint8Array([1, 2, 4]) })).toBe(false);
    expect(sameDecoderConfig(a, { ...a, codec: 'avc1.42e01f' })).toBe(false);
    expect(sameDecoderConfig(a, { ...a, description: undefined })).toBe(false);
    expect(sameDecoderConfig({ codec: 'vp09.00.31.08' }, { codec: 'vp09.00.31.08' })).toBe(true);
  });
});

describe('FrameGrid', () => {
  const T = 1e6 / 30;
  /** Places and accepts a frame, returning its slot number (null: left out). */
  const put = (g: FrameGrid, t: number, origin: number, offset = 0) => {
    const at = g.place(t);
    if (at === null) return null;
    g.accept();
    return (at - offset - origin) / T;
  };

  it('gives jittered frames distinct slots on the grid and leaves out one whose slot is taken', () => {
    const g = new FrameGrid(30, new PauseClock());
    const t0 = 1_000_000_000;
    // 30 fps with ±12 ms jitter, then a pair 1 ms apart, then two frames 20 ms apart.
    const times = [0, 45_000, 55_000, 100_000, 133_000, 134_000, 200_000, 220_000].map((d) => t0 + d);
    const slots = times.map((t) => put(g, t, t0));
    expect(slots.map((x) => (x === null ? null : Math.round(x * 1000) / 1000))).toEqual([0, 1, 2, 3, 4, null, 6, 7]);
  });

  it('a placed frame that was not encoded does not take its slot', () => {
    const g = new FrameGrid(30, new PauseClock());
    expect(g.place(5_000_000)).toBe(5_000_000);
    g.accept();
    expect(g.place(5_033_000)).not.toBeNull();
    // Not accepted (the encoder was behind): the next frame of that slot may have it.
    expect(g.place(5_034_000)).not.toBeNull();
  });

  it('after a pause, frames continue on the grid shifted by the time paused, never onto a slot before it', () => {
    const p = new PauseClock();
    const g = new FrameGrid(30, p);
    const t0 = 2_000_000_000;
    expect(put(g, t0, t0)).toBe(0);
    expect(put(g, t0 + 33_400, t0)).toBeCloseTo(1, 3);
    p.pause(t0 + 50_000);
    p.resume(t0 + 1_050_000);
    // Captured 1 µs after the resume: in the file just after the last frame before the pause.
    const at = g.place(t0 + 1_050_001)!;
    g.accept();
    expect(p.offset(at)).toBe(1_000_000);
    expect((at - 1_000_000 - t0) / T).toBeCloseTo(2, 3);
  });
});
