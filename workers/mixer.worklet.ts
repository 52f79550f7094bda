// AudioWorkletProcessor "backdrop-mixer": MAX_SOURCES stereo inputs → master + monitor outputs.
//
// Real-time rule: everything below the "hot path" marker runs every 128-frame quantum on the
// audio rendering thread, so it allocates nothing and awaits nothing (tests/unit/
// mixer-worklet.test.ts checks the text). All buffers live in wasm memory and are carved out
// in the constructor, before any typed-array view is taken, so memory never grows (which
// would detach the views) once audio runs. Parameters arrive as rare port messages; meters
// leave through a SharedArrayBuffer, never through per-quantum postMessage.
import { loadAudioKernels, type AudioKernelExports, type WasmEq } from '../src/audio/kernels.ts';
import { EQ_BANDS } from '../src/audio/eq.ts';
import {
  LEVELS_EPOCH_INDEX, LEVELS_FLOAT_BASE, MAX_SOURCES, MIXER_PROCESSOR, QUANTUM, levelIndex,
  type MixerMessage, type MixerProcessorOptions,
} from '../src/audio/mixer-protocol.ts';
import { workletScope } from '../src/audio/worklet-scope.ts';

const scope = workletScope();
/** A gain change is ramped across the quantum in this many constant-gain steps. */
const SUB = 8;
const SUB_FRAMES = QUANTUM / SUB;
const SUB_BYTES = SUB_FRAMES * 4;
const CHANNEL_BYTES = QUANTUM * 4;
/** Time constant of the one-pole gain smoother: short enough to feel instant, long enough not to click. */
const SMOOTH_TAU_S = 0.008;
/** Below this distance a smoothed gain jumps to its target, so a muted source becomes exact zero. */
const SNAP = 1e-6;

class MixerProcessor extends scope.AudioWorkletProcessor {
  private readonly ex: AudioKernelExports;
  private readonly eqs: WasmEq[] = [];
  /** Byte offsets into wasm memory: per-slot input (eq.io, planar L|R) and post-fader (L|R). */
  private readonly inPtr = new Int32Array(MAX_SOURCES);
  private readonly postPtr = new Int32Array(MAX_SOURCES);
  private readonly inL: Float32Array[] = [];
  private readonly inR: Float32Array[] = [];
  private readonly post: Float32Array[] = [];
  private readonly sumPtr: number;
  private readonly outPtr: number;
  private readonly monPtr: number;
  private readonly out: Float32Array;
  private readonly outL: Float32Array;
  private readonly outR: Float32Array;
  private readonly mon: Float32Array;
  private readonly monL: Float32Array;
  private readonly monR: Float32Array;
  private readonly sum: Float32Array;

  private readonly active = new Uint8Array(MAX_SOURCES);
  private readonly monitor = new Uint8Array(MAX_SOURCES);
  private readonly eqOn = new Uint8Array(MAX_SOURCES);
  private readonly bandOn = new Uint8Array(MAX_SOURCES * EQ_BANDS);
  /** Per slot 4 matrix gains: L→L, R→L, L→R, R→R (fader × mute × pan). */
  private readonly target = new Float64Array(MAX_SOURCES * 4);
  private readonly cur = new Float64Array(MAX_SOURCES * 4);
  private readonly prev = new Float64Array(MAX_SOURCES * 4);
  private masterTarget = 1;
  private masterCur = 1;
  private readonly smoothK: number;

  private readonly levels: Float32Array;
  private readonly epoch: Int32Array;
  private lastEpoch = -1;
  /** Accumulators since the last meter read; index MAX_SOURCES is the master. */
  private readonly peakAcc = new Float64Array(MAX_SOURCES + 1);
  private readonly sqAcc = new Float64Array(MAX_SOURCES + 1);
  private readonly nAcc = new Float64Array(MAX_SOURCES + 1);

  constructor(options: AudioWorkletNodeOptions) {
    super(options);
    const opts = options.processorOptions as MixerProcessorOptions;
    const k = loadAudioKernels(opts.wasm);
    this.ex = k.exports;
    for (let s = 0; s < MAX_SOURCES; s++) {
      const eq = k.createEq(2, QUANTUM, EQ_BANDS);
      this.eqs.push(eq);
      this.inPtr[s] = eq.io.ptr;
      this.postPtr[s] = k.alloc(2 * QUANTUM).ptr;
    }
    const sum = k.alloc(2 * QUANTUM);
    const out = k.alloc(2 * QUANTUM);
    const mon = k.alloc(2 * QUANTUM);
    this.sumPtr = sum.ptr;
    this.outPtr = out.ptr;
    this.monPtr = mon.ptr;
    // Views only now: no alloc() follows, so memory.buffer stays the same ArrayBuffer.
    const buf = k.memory.buffer;
    for (let s = 0; s < MAX_SOURCES; s++) {
      this.inL.push(new Float32Array(buf, this.inPtr[s]!, QUANTUM));
      this.inR.push(new Float32Array(buf, this.inPtr[s]! + CHANNEL_BYTES, QUANTUM));
      this.post.push(new Float32Array(buf, this.postPtr[s]!, 2 * QUANTUM));
    }
    this.sum = new Float32Array(buf, sum.ptr, 2 * QUANTUM);
    this.out = new Float32Array(buf, out.ptr, 2 * QUANTUM);
    this.outL = this.out.subarray(0, QUANTUM);
    this.outR = this.out.subarray(QUANTUM);
    this.mon = new Float32Array(buf, mon.ptr, 2 * QUANTUM);
    this.monL = this.mon.subarray(0, QUANTUM);
    this.monR = this.mon.subarray(QUANTUM);
    this.levels = new Float32Array(opts.levels);
    this.epoch = new Int32Array(opts.levels);
    this.smoothK = 1 - Math.exp(-QUANTUM / (scope.sampleRate * SMOOTH_TAU_S));
    this.port.onmessage = (e: MessageEvent<MixerMessage>) => this.onMessage(e.data);
    this.port.postMessage({ type: 'ready' });
  }

  private onMessage(m: MixerMessage): void {
    if (m.type === 'master') {
      this.masterTarget = m.muted ? 0 : m.gain;
      return;
    }
    const s = m.slot;
    if (!(s >= 0 && s < MAX_SOURCES)) return;
    if (m.type === 'eq') {
      const eq = this.eqs[s]!;
      let any = 0;
      for (let b = 0; b < EQ_BANDS; b++) {
        const c = m.bands[b] ?? null;
        // A band switched on must not start from the memory of an old curve.
        if (c && !this.bandOn[s * EQ_BANDS + b]) eq.reset(b);
        eq.setBand(b, c);
        this.bandOn[s * EQ_BANDS + b] = c ? 1 : 0;
        any |= c ? 1 : 0;
      }
      this.eqOn[s] = any;
      return;
    }
    if (m.active && !this.active[s]) {
      // A new source fades in from silence and its EQ forgets the previous occupant.
      for (let c = 0; c < 4; c++) this.cur[s * 4 + c] = 0;
      this.eqs[s]!.reset();
    }
    this.active[s] = m.active ? 1 : 0;
    this.monitor[s] = m.monitor ? 1 : 0;
    const g = m.muted || !m.active ? 0 : m.gain;
    // Equal-power balance for a stereo source (as StereoPannerNode): unity at centre,
    // the far channel folds into the near one with cos/sin weights as the pan moves.
    const p = Math.max(-1, Math.min(1, m.pan));
    const t = this.target;
    if (p <= 0) {
      const x = ((p + 1) * Math.PI) / 2;
      t[s * 4] = g;
      t[s * 4 + 1] = g * Math.cos(x);
      t[s * 4 + 2] = 0;
      t[s * 4 + 3] = g * Math.sin(x);
    } else {
      const x = (p * Math.PI) / 2;
      t[s * 4] = g * Math.cos(x);
      t[s * 4 + 1] = 0;
      t[s * 4 + 2] = g * Math.sin(x);
      t[s * 4 + 3] = g;
    }
  }

  // ---- hot path: process() and everything below it run per quantum; no allocation ----

  process(inputs: Float32Array[][], outputs: Float32Array[][]): boolean {
    const ex = this.ex;
    const e = Atomics.load(this.epoch, LEVELS_EPOCH_INDEX);
    if (e !== this.lastEpoch) {
      this.lastEpoch = e;
      this.peakAcc.fill(0);
      this.sqAcc.fill(0);
      this.nAcc.fill(0);
    }
    this.sum.fill(0);
    this.mon.fill(0);
    for (let s = 0; s < MAX_SOURCES; s++) {
      this.advance(s);
      const input = inputs[s];
      if (!this.active[s] || !input || input.length === 0) {
        this.meter(s, this.post[s]!, 0);
        continue;
      }
      const left = input[0]!;
      this.inL[s]!.set(left);
      this.inR[s]!.set(input.length > 1 ? input[1]! : left);
      if (this.eqOn[s]) this.eqs[s]!.process(QUANTUM);
      this.post[s]!.fill(0);
      const i = this.inPtr[s]!;
      const o = this.postPtr[s]!;
      const b = s * 4;
      this.ramp(o, i, this.prev[b]!, this.cur[b]!);
      this.ramp(o, i + CHANNEL_BYTES, this.prev[b + 1]!, this.cur[b + 1]!);
      this.ramp(o + CHANNEL_BYTES, i, this.prev[b + 2]!, this.cur[b + 2]!);
      this.ramp(o + CHANNEL_BYTES, i + CHANNEL_BYTES, this.prev[b + 3]!, this.cur[b + 3]!);
      this.meter(s, this.post[s]!, 2 * QUANTUM);
      ex.mix_accumulate(this.sumPtr, o, 1, 2 * QUANTUM);
      if (this.monitor[s]) ex.mix_accumulate(this.monPtr, o, 1, 2 * QUANTUM);
    }
    const from = this.masterCur;
    this.masterCur = this.smooth(from, this.masterTarget);
    this.out.fill(0);
    this.ramp(this.outPtr, this.sumPtr, from, this.masterCur);
    this.ramp(this.outPtr + CHANNEL_BYTES, this.sumPtr + CHANNEL_BYTES, from, this.masterCur);
    ex.clamp(this.outPtr, 2 * QUANTUM);
    ex.clamp(this.monPtr, 2 * QUANTUM);
    this.meter(MAX_SOURCES, this.out, 2 * QUANTUM);
    this.copyOut(outputs[0], this.outL, this.outR);
    this.copyOut(outputs[1], this.monL, this.monR);
    // Keep rendering with no inputs: the recording track must not stall.
    return true;
  }

  /** One quantum of the one-pole smoother for a slot's four matrix gains. */
  private advance(s: number): void {
    for (let c = s * 4; c < s * 4 + 4; c++) {
      this.prev[c] = this.cur[c]!;
      this.cur[c] = this.smooth(this.cur[c]!, this.target[c]!);
    }
  }

  private smooth(from: number, to: number): number {
    const next = from + (to - from) * this.smoothK;
    return Math.abs(next - to) < SNAP ? to : next;
  }

  /** dst += src × gain over one channel, ramping from → to in SUB steps when it changed. */
  private ramp(dst: number, src: number, from: number, to: number): void {
    if (from === to) {
      if (to !== 0) this.ex.mix_accumulate(dst, src, to, QUANTUM);
      return;
    }
    const step = (to - from) / SUB;
    for (let j = 0; j < SUB; j++) {
      this.ex.mix_accumulate(dst + j * SUB_BYTES, src + j * SUB_BYTES, from + step * (j + 1), SUB_FRAMES);
    }
  }

  /** Folds n samples into slot's peak/mean-square accumulators and publishes them. */
  private meter(slot: number, x: Float32Array, n: number): void {
    let peak = this.peakAcc[slot]!;
    let sq = 0;
    for (let i = 0; i < n; i++) {
      const v = x[i]!;
      const a = v < 0 ? -v : v;
      if (a > peak) peak = a;
      sq += v * v;
    }
    this.peakAcc[slot] = peak;
    // Mean square per frame (both channels summed /2) so a full-scale stereo sine reads -3 dB.
    this.sqAcc[slot] = this.sqAcc[slot]! + sq / 2;
    this.nAcc[slot] = this.nAcc[slot]! + QUANTUM;
    const idx = slot === MAX_SOURCES ? LEVELS_FLOAT_BASE : levelIndex(slot);
    this.levels[idx] = peak;
    this.levels[idx + 1] = Math.sqrt(this.sqAcc[slot]! / this.nAcc[slot]!);
  }

  private copyOut(output: Float32Array[] | undefined, l: Float32Array, r: Float32Array): void {
    if (!output || output.length === 0) return;
    output[0]!.set(l);
    if (output.length > 1) output[1]!.set(r);
  }
}

scope.registerProcessor(MIXER_PROCESSOR, MixerProcessor);
