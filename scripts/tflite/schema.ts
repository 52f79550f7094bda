/**
 * The subset of the TFLite schema (tensorflow/lite/schema/schema.fbs) the converter needs,
 * decoded into plain objects. Field ids follow schema.fbs; unions occupy two ids
 * (type byte, then value), which is why Operator.custom_options is id 5.
 */
import { FlatBufferError, rootTable, Table } from './flatbuffer.ts';

/** TFLite TensorType values (schema.fbs `enum TensorType : byte`). */
export const TensorType = {
  FLOAT32: 0,
  FLOAT16: 1,
  INT32: 2,
  UINT8: 3,
  INT64: 4,
  STRING: 5,
  BOOL: 6,
  INT16: 7,
  COMPLEX64: 8,
  INT8: 9,
  FLOAT64: 10,
} as const;

/** Names of the TensorType values, for error messages. */
export const TENSOR_TYPE_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(TensorType).map(([k, v]) => [v, k]),
);

/** Builtin operator codes used by the converter (schema.fbs `enum BuiltinOperator`). */
export const BuiltinOp = {
  ADD: 0,
  AVERAGE_POOL_2D: 1,
  CONCATENATION: 2,
  CONV_2D: 3,
  DEPTHWISE_CONV_2D: 4,
  DEQUANTIZE: 6,
  LOGISTIC: 14,
  MAX_POOL_2D: 17,
  MUL: 18,
  RELU: 19,
  RELU6: 21,
  RESHAPE: 22,
  RESIZE_BILINEAR: 23,
  CUSTOM: 32,
  MEAN: 40,
  HARD_SWISH: 117,
} as const;

const BUILTIN_OP_NAMES: Record<number, string> = Object.fromEntries(Object.entries(BuiltinOp).map(([k, v]) => [v, k]));

/** Human-readable name of a builtin operator code. */
export function builtinOpName(code: number): string {
  return BUILTIN_OP_NAMES[code] ?? `BuiltinOperator#${code}`;
}

/** One decoded TFLite tensor. */
export interface TfliteTensor {
  index: number;
  name: string;
  shape: number[];
  type: number;
  /** Index into Model.buffers; buffer 0 is the conventional empty buffer. */
  buffer: number;
}

/** One decoded TFLite operator; options tables stay lazy because their layout depends on the op. */
export interface TfliteOperator {
  index: number;
  /** Builtin code, or BuiltinOp.CUSTOM for custom ops. */
  builtinCode: number;
  /** Custom op name ('' for builtins). */
  customCode: string;
  inputs: number[];
  outputs: number[];
  builtinOptionsType: number;
  builtinOptions: Table | null;
  customOptions: Uint8Array | null;
}

/** The first subgraph of a TFLite model plus its constant buffers. */
export interface TfliteModel {
  version: number;
  description: string;
  tensors: TfliteTensor[];
  inputs: number[];
  outputs: number[];
  operators: TfliteOperator[];
  /** Raw data of each buffer (empty array when the buffer has no data). */
  buffers: Uint8Array[];
}

interface OperatorCode {
  builtinCode: number;
  customCode: string;
}

function readOperatorCode(t: Table): OperatorCode {
  // Codes > 127 only fit the int32 `builtin_code` (added in schema v3a); older files only
  // set the int8 `deprecated_builtin_code`, so take whichever is larger.
  const deprecated = t.int8(0, 0);
  const builtin = t.int32(3, 0);
  return { builtinCode: Math.max(deprecated, builtin), customCode: t.string(1) };
}

function readBuffer(t: Table, file: Uint8Array): Uint8Array {
  const data = t.bytes(0);
  if (data && data.length > 0) return data;
  // Models over 2 GB keep buffer data after the FlatBuffer and reference it by offset/size;
  // offset 1 is the schema's "no data" sentinel.
  const offset = t.uint64(1, 0);
  const size = t.uint64(2, 0);
  if (offset > 1 && size > 0) {
    if (offset + size > file.length) {
      throw new FlatBufferError(`buffer data at byte ${offset} (+${size}) is outside the file (truncated?)`);
    }
    return file.subarray(offset, offset + size);
  }
  return new Uint8Array(0);
}

/** Parses a .tflite file's bytes; throws FlatBufferError (or Error) with a clear message on corrupt input. */
export function parseTflite(bytes: Uint8Array): TfliteModel {
  try {
    return readModel(bytes);
  } catch (e) {
    if (e instanceof FlatBufferError) throw new FlatBufferError(`invalid TFLite model: ${e.message}`);
    throw e;
  }
}

function readModel(bytes: Uint8Array): TfliteModel {
  const model = rootTable(bytes, 'TFL3');
  const codes = model.tables(1).map(readOperatorCode);
  const subgraphs = model.tables(2);
  if (subgraphs.length === 0) throw new FlatBufferError('TFLite model has no subgraphs');
  if (subgraphs.length > 1) {
    // Control-flow ops (WHILE/IF) would need the other subgraphs; this converter only handles one.
    throw new Error(`TFLite model has ${subgraphs.length} subgraphs; only single-subgraph models are supported`);
  }
  const sg = subgraphs[0]!;
  const tensors: TfliteTensor[] = sg.tables(0).map((t, index) => ({
    index,
    shape: t.int32s(0),
    type: t.int8(1, 0),
    buffer: t.uint32(2, 0),
    name: t.string(3, `tensor_${index}`),
  }));
  const operators: TfliteOperator[] = sg.tables(3).map((t, index) => {
    const opcodeIndex = t.uint32(0, 0);
    const code = codes[opcodeIndex];
    if (!code) throw new FlatBufferError(`operator ${index} refers to missing operator code ${opcodeIndex}`);
    return {
      index,
      builtinCode: code.builtinCode,
      customCode: code.customCode,
      inputs: t.int32s(1),
      outputs: t.int32s(2),
      builtinOptionsType: t.uint8(3, 0),
      builtinOptions: t.table(4),
      customOptions: t.bytes(5),
    };
  });
  const buffers = model.tables(4).map((b) => readBuffer(b, bytes));
  for (const t of tensors) {
    if (t.buffer >= buffers.length) {
      throw new FlatBufferError(`tensor ${t.index} (${t.name}) refers to missing buffer ${t.buffer}`);
    }
  }
  return {
    version: model.uint32(0, 0),
    description: model.string(3),
    tensors,
    inputs: sg.int32s(1),
    outputs: sg.int32s(2),
    operators,
    buffers,
  };
}
