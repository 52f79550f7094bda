/**
 * Decoding of constant tensor buffers. Buffers inside a FlatBuffer are only 16-byte aligned
 * relative to the file, so we go through DataView rather than typed-array casts.
 */
import type { TfliteModel, TfliteTensor } from './schema.ts';
import { TENSOR_TYPE_NAMES, TensorType } from './schema.ts';

/** Converts one IEEE 754 half-precision bit pattern to a JS number (exactly representable in fp32). */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24; // subnormal (or zero)
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** Number of elements of a static shape. */
export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** The raw constant data of a tensor, or null when it is not a constant. */
export function constantBytes(model: TfliteModel, t: TfliteTensor): Uint8Array | null {
  const data = model.buffers[t.buffer];
  return data && data.length > 0 ? data : null;
}

function checkSize(t: TfliteTensor, data: Uint8Array, elemSize: number): number {
  const n = elementCount(t.shape);
  if (data.length !== n * elemSize) {
    throw new Error(
      `tensor ${t.index} (${t.name}) of shape [${t.shape}] needs ${n * elemSize} bytes but its buffer has ${data.length}`,
    );
  }
  return n;
}

/** Reads a FLOAT32 or FLOAT16 constant as float32 values. */
export function readFloatConstant(t: TfliteTensor, data: Uint8Array): Float32Array {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (t.type === TensorType.FLOAT32) {
    const n = checkSize(t, data, 4);
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = view.getFloat32(4 * i, true);
    return out;
  }
  if (t.type === TensorType.FLOAT16) {
    const n = checkSize(t, data, 2);
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = halfToFloat(view.getUint16(2 * i, true));
    return out;
  }
  throw new Error(`tensor ${t.index} (${t.name}) has type ${TENSOR_TYPE_NAMES[t.type] ?? t.type}, expected FLOAT32 or FLOAT16`);
}

/** Reads an INT32 (or INT64) constant, e.g. the axes of MEAN or the size of RESIZE_BILINEAR. */
export function readIntConstant(t: TfliteTensor, data: Uint8Array): number[] {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out: number[] = [];
  if (t.type === TensorType.INT32) {
    const n = checkSize(t, data, 4);
    for (let i = 0; i < n; i++) out.push(view.getInt32(4 * i, true));
    return out;
  }
  if (t.type === TensorType.INT64) {
    const n = checkSize(t, data, 8);
    for (let i = 0; i < n; i++) out.push(Number(view.getBigInt64(8 * i, true)));
    return out;
  }
  throw new Error(`tensor ${t.index} (${t.name}) has type ${TENSOR_TYPE_NAMES[t.type] ?? t.type}, expected INT32 or INT64`);
}
