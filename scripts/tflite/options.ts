/**
 * Decoders for the builtin option tables (schema.fbs) and the MediaPipe custom-op options
 * that the converter understands. Defaults mirror schema.fbs so that absent fields
 * (FlatBuffers omits fields equal to their default) decode correctly.
 */
import type { Table } from './flatbuffer.ts';
import type { TfliteOperator } from './schema.ts';
import { builtinOpName } from './schema.ts';

/** schema.fbs `enum Padding : byte`. */
export const Padding = { SAME: 0, VALID: 1 } as const;
export type PaddingMode = 'SAME' | 'VALID';

/** schema.fbs `enum ActivationFunctionType : byte`. */
export const Activation = { NONE: 0, RELU: 1, RELU_N1_TO_1: 2, RELU6: 3, TANH: 4, SIGN_BIT: 5 } as const;

/** BuiltinOptions union type ids for the tables decoded here (schema.fbs `union BuiltinOptions`). */
const OptionsType = {
  Conv2DOptions: 1,
  DepthwiseConv2DOptions: 2,
  Pool2DOptions: 5,
  AddOptions: 11,
  ResizeBilinearOptions: 15,
  MulOptions: 21,
  ReducerOptions: 27,
} as const;

export interface ConvOptions {
  padding: PaddingMode;
  strideW: number;
  strideH: number;
  dilationW: number;
  dilationH: number;
  activation: number;
  /** Only meaningful for DEPTHWISE_CONV_2D. */
  depthMultiplier: number;
}

export interface PoolOptions {
  padding: PaddingMode;
  strideW: number;
  strideH: number;
  filterW: number;
  filterH: number;
  activation: number;
}

export interface ResizeBilinearOptions {
  alignCorners: boolean;
  halfPixelCenters: boolean;
}

export interface TransposeConvOptions {
  padding: PaddingMode;
  strideW: number;
  strideH: number;
}

/** Returns the op's builtin options table after checking its union type, or null if the op has none. */
function optionsTable(op: TfliteOperator, expectedType: number, typeName: string): Table | null {
  if (!op.builtinOptions) return null;
  if (op.builtinOptionsType !== expectedType) {
    throw new Error(
      `operator ${op.index} (${builtinOpName(op.builtinCode)}) has builtin options type ${op.builtinOptionsType}, expected ${typeName} (${expectedType})`,
    );
  }
  return op.builtinOptions;
}

function padding(value: number, op: TfliteOperator): PaddingMode {
  if (value === Padding.SAME) return 'SAME';
  if (value === Padding.VALID) return 'VALID';
  throw new Error(`operator ${op.index} (${builtinOpName(op.builtinCode)}) has unknown padding ${value}`);
}

/** Decodes Conv2DOptions. */
export function conv2dOptions(op: TfliteOperator): ConvOptions {
  const t = optionsTable(op, OptionsType.Conv2DOptions, 'Conv2DOptions');
  return {
    padding: padding(t?.int8(0, 0) ?? 0, op),
    strideW: t?.int32(1, 0) ?? 0,
    strideH: t?.int32(2, 0) ?? 0,
    activation: t?.int8(3, 0) ?? 0,
    dilationW: t?.int32(4, 1) ?? 1,
    dilationH: t?.int32(5, 1) ?? 1,
    depthMultiplier: 1,
  };
}

/** Decodes DepthwiseConv2DOptions. */
export function depthwiseConv2dOptions(op: TfliteOperator): ConvOptions {
  const t = optionsTable(op, OptionsType.DepthwiseConv2DOptions, 'DepthwiseConv2DOptions');
  return {
    padding: padding(t?.int8(0, 0) ?? 0, op),
    strideW: t?.int32(1, 0) ?? 0,
    strideH: t?.int32(2, 0) ?? 0,
    depthMultiplier: t?.int32(3, 0) ?? 0,
    activation: t?.int8(4, 0) ?? 0,
    dilationW: t?.int32(5, 1) ?? 1,
    dilationH: t?.int32(6, 1) ?? 1,
  };
}

/** Decodes Pool2DOptions. */
export function pool2dOptions(op: TfliteOperator): PoolOptions {
  const t = optionsTable(op, OptionsType.Pool2DOptions, 'Pool2DOptions');
  return {
    padding: padding(t?.int8(0, 0) ?? 0, op),
    strideW: t?.int32(1, 0) ?? 0,
    strideH: t?.int32(2, 0) ?? 0,
    filterW: t?.int32(3, 0) ?? 0,
    filterH: t?.int32(4, 0) ?? 0,
    activation: t?.int8(5, 0) ?? 0,
  };
}

/** Fused activation of ADD (AddOptions). */
export function addActivation(op: TfliteOperator): number {
  return optionsTable(op, OptionsType.AddOptions, 'AddOptions')?.int8(0, 0) ?? 0;
}

/** Fused activation of MUL (MulOptions). */
export function mulActivation(op: TfliteOperator): number {
  return optionsTable(op, OptionsType.MulOptions, 'MulOptions')?.int8(0, 0) ?? 0;
}

/** keep_dims of MEAN and the other reducers (ReducerOptions). */
export function reducerKeepDims(op: TfliteOperator): boolean {
  return optionsTable(op, OptionsType.ReducerOptions, 'ReducerOptions')?.bool(0, false) ?? false;
}

/** Decodes ResizeBilinearOptions (fields 0/1 are the deprecated new_height/new_width). */
export function resizeBilinearOptions(op: TfliteOperator): ResizeBilinearOptions {
  const t = optionsTable(op, OptionsType.ResizeBilinearOptions, 'ResizeBilinearOptions');
  return { alignCorners: t?.bool(2, false) ?? false, halfPixelCenters: t?.bool(3, false) ?? false };
}

/**
 * Decodes the custom options of MediaPipe's Convolution2DTransposeBias. They are not a
 * FlatBuffer: MediaPipe reinterprets them as a C `TfLiteTransposeConvParams`
 * { TfLitePadding padding; int stride_width; int stride_height; }, three little-endian
 * int32s, where TfLitePadding is 0 = unknown, 1 = SAME, 2 = VALID.
 */
export function transposeConvBiasOptions(op: TfliteOperator): TransposeConvOptions {
  const bytes = op.customOptions;
  if (!bytes || bytes.length < 12) {
    throw new Error(
      `operator ${op.index} (${op.customCode}) needs 12 bytes of custom options (padding, stride_w, stride_h), got ${bytes?.length ?? 0}`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const pad = view.getInt32(0, true);
  if (pad !== 1 && pad !== 2) throw new Error(`operator ${op.index} (${op.customCode}) has unknown padding ${pad}`);
  return { padding: pad === 1 ? 'SAME' : 'VALID', strideW: view.getInt32(4, true), strideH: view.getInt32(8, true) };
}
