// Loader and typed wrappers for wasm/audio-kernels.wat.
//
// Runs inside an AudioWorkletGlobalScope, where async compile would need a
// round trip through the main thread; a module this small compiles
// synchronously in well under a millisecond, so new WebAssembly.Module is fine.
//
// Allocation rule: everything that allocates (alloc, createEq, setBand) is for
// setup / parameter changes. The per-quantum calls (mixAccumulate, clamp,
// WasmEq.process) only pass numbers into wasm and allocate nothing.
import { EQ_BANDS, type BiquadCoeffs } from './eq.ts';

/** Raw exports; every pointer is a byte offset into `memory`. */
export interface AudioKernelExports {
  memory: WebAssembly.Memory;
  mix_accumulate(dst: number, src: number, gain: number, n: number): void;
  clamp(ptr: number, n: number): void;
  pack4(dst: number, src: number, strideBytes: number, channels: number, frames: number): void;
  unpack4(dst: number, src: number, strideBytes: number, channels: number, frames: number): void;
  eq_process(state: number, coeffs: number, buf: number, frames: number, nbands: number): void;
}

/** A float32 block inside wasm memory. */
export interface KernelBuffer {
  /** Byte offset of element 0; stable for the lifetime of the kernels. */
  readonly ptr: number;
  /** Length in float32 elements. */
  readonly length: number;
  /** View onto the block; replaced (only during alloc) if memory grows. */
  readonly view: Float32Array;
}

/** Byte sizes of the EQ blocks; must match the comments in the .wat. */
export const EQ_BAND_COEFF_BYTES = 96;
export const EQ_BAND_STATE_BYTES = 64;
const FRAME_BYTES = 16; // one f32x4 per frame after pack4

/** An EQ for one source: `channels` planar channels of up to `maxFrames` frames. */
export interface WasmEq {
  readonly channels: number;
  readonly maxFrames: number;
  readonly bands: number;
  /** Planar I/O: channel c lives at io.view[c * maxFrames ... + frames). */
  readonly io: KernelBuffer;
  /** Sets a band's coefficients; null disables it (the kernel skips it). */
  setBand(index: number, coeffs: BiquadCoeffs | null): void;
  /** Clears the filter memory of every band (or of one band, e.g. when it is re-enabled). */
  reset(band?: number): void;
  /** Filters io in place; frames <= maxFrames. */
  process(frames: number): void;
}

export interface AudioKernels {
  readonly exports: AudioKernelExports;
  readonly memory: WebAssembly.Memory;
  /** Reserves a 16-byte aligned float32 block (zeroed); grows memory if needed. */
  alloc(floats: number): KernelBuffer;
  /** dst[dstOff+i] += src[srcOff+i] * gain for i < n. */
  mixAccumulate(dst: KernelBuffer, src: KernelBuffer, gain: number, n: number, dstOff?: number, srcOff?: number): void;
  /** In place clamp to [-1, 1] (NaN -> 0) of buf[off .. off+n). */
  clamp(buf: KernelBuffer, n: number, off?: number): void;
  createEq(channels: number, maxFrames: number, bands?: number): WasmEq;
}

class Block implements KernelBuffer {
  view: Float32Array;
  constructor(
    memory: WebAssembly.Memory,
    readonly ptr: number,
    readonly length: number,
  ) {
    this.view = new Float32Array(memory.buffer, ptr, length);
  }
}

function checkRange(buf: KernelBuffer, off: number, n: number): void {
  // Without this a bad offset would silently scribble over a neighbour block.
  if (off < 0 || n < 0 || off + n > buf.length) {
    throw new RangeError(`range [${off}, ${off + n}) outside buffer of ${buf.length}`);
  }
}

export function loadAudioKernels(bytes: BufferSource): AudioKernels {
  const module = new WebAssembly.Module(bytes);
  const instance = new WebAssembly.Instance(module, {});
  const ex = instance.exports as unknown as AudioKernelExports;
  const memory = ex.memory;
  const blocks: Block[] = [];
  let i32 = new Int32Array(memory.buffer);
  let top = 16; // keep offset 0 unused so a zero pointer is always a bug

  function alloc(floats: number): KernelBuffer {
    if (!Number.isInteger(floats) || floats < 0) throw new RangeError(`bad size ${floats}`);
    const ptr = top;
    top = (ptr + floats * 4 + 15) & ~15;
    if (top > memory.buffer.byteLength) {
      memory.grow(Math.ceil((top - memory.buffer.byteLength) / 65536));
      // Growing detaches the old ArrayBuffer, so every view must be rebuilt.
      i32 = new Int32Array(memory.buffer);
      for (const b of blocks) b.view = new Float32Array(memory.buffer, b.ptr, b.length);
    }
    const block = new Block(memory, ptr, floats);
    block.view.fill(0);
    blocks.push(block);
    return block;
  }

  function createEq(channels: number, maxFrames: number, bands: number = EQ_BANDS): WasmEq {
    if (!(channels >= 1) || !(maxFrames >= 1) || !(bands >= 1)) throw new RangeError('bad EQ shape');
    const vectors = Math.ceil(channels / 4);
    const io = alloc(channels * maxFrames);
    // One packed scratch suffices: vectors are filtered one after another.
    const scratch = alloc((maxFrames * FRAME_BYTES) / 4);
    // Coefficients are per source, so all vectors share one block.
    const coeffs = alloc((bands * EQ_BAND_COEFF_BYTES) / 4);
    const state = alloc((vectors * bands * EQ_BAND_STATE_BYTES) / 4);
    const strideBytes = maxFrames * 4;
    const vectorStateBytes = bands * EQ_BAND_STATE_BYTES;
    return {
      channels,
      maxFrames,
      bands,
      io,
      setBand(index, c) {
        if (!(index >= 0 && index < bands)) throw new RangeError(`band ${index} out of range`);
        const base = coeffs.ptr + index * EQ_BAND_COEFF_BYTES;
        i32[base >> 2] = c ? 1 : 0;
        if (!c) return;
        const v = coeffs.view;
        const f = (base - coeffs.ptr) >> 2;
        // Same value in all four lanes: one source, one EQ curve.
        v.fill(c.b0, f + 4, f + 8);
        v.fill(c.b1, f + 8, f + 12);
        v.fill(c.b2, f + 12, f + 16);
        v.fill(c.a1, f + 16, f + 20);
        v.fill(c.a2, f + 20, f + 24);
      },
      reset(band) {
        if (band === undefined) {
          state.view.fill(0);
          return;
        }
        const n = EQ_BAND_STATE_BYTES / 4;
        for (let v = 0; v < vectors; v++) {
          const f = (v * vectorStateBytes + band * EQ_BAND_STATE_BYTES) / 4;
          state.view.fill(0, f, f + n);
        }
      },
      process(frames) {
        if (!(frames >= 0 && frames <= maxFrames)) throw new RangeError(`frames ${frames} > ${maxFrames}`);
        for (let v = 0; v < vectors; v++) {
          const src = io.ptr + v * 4 * strideBytes;
          const lanes = Math.min(4, channels - v * 4);
          ex.pack4(scratch.ptr, src, strideBytes, lanes, frames);
          ex.eq_process(state.ptr + v * vectorStateBytes, coeffs.ptr, scratch.ptr, frames, bands);
          ex.unpack4(src, scratch.ptr, strideBytes, lanes, frames);
        }
      },
    };
  }

  return {
    exports: ex,
    memory,
    alloc,
    mixAccumulate(dst, src, gain, n, dstOff = 0, srcOff = 0) {
      checkRange(dst, dstOff, n);
      checkRange(src, srcOff, n);
      ex.mix_accumulate(dst.ptr + dstOff * 4, src.ptr + srcOff * 4, gain, n);
    },
    clamp(buf, n, off = 0) {
      checkRange(buf, off, n);
      ex.clamp(buf.ptr + off * 4, n);
    },
    createEq,
  };
}
