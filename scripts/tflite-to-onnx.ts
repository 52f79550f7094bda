/**
 * Generic TFLite → ONNX translation, operator by operator.
 *
 * TFLite activations are NHWC; the ONNX graph is built in NCHW so that Conv/Resize/pooling
 * map one-to-one onto ONNX ops without Transpose nodes. Every rank-4 activation is NCHW in
 * the ONNX graph and every other tensor keeps its TFLite layout; constants are re-laid out
 * when they are materialised as initializers for a particular consumer.
 */
import { GraphBuilder, permute } from './onnx/graph-builder.ts';
import type { AttrInput } from './onnx/graph-builder.ts';
import { DataType, encodeModel, floatTensor, int64Tensor } from './onnx/model.ts';
import type { OnnxModel, OnnxValueInfo } from './onnx/model.ts';
import * as O from './tflite/options.ts';
import { BuiltinOp, builtinOpName, parseTflite, TENSOR_TYPE_NAMES, TensorType } from './tflite/schema.ts';
import type { TfliteModel, TfliteOperator, TfliteTensor } from './tflite/schema.ts';
import { constantBytes, elementCount, readFloatConstant, readIntConstant } from './tflite/tensor-data.ts';

/** ONNX opset of the produced model; 14 is the first with HardSwish. */
export const OPSET_VERSION = 14;
/** IR version matching opset 14 (ONNX 1.9). */
export const IR_VERSION = 7;

export interface ConvertOptions {
  /** Names of the graph inputs, in TFLite order (default: the TFLite tensor names). */
  inputNames?: string[];
  /** Names of the graph outputs, in TFLite order (default: the TFLite tensor names). */
  outputNames?: string[];
  /** Stored as the model doc_string (use it for provenance and licence attribution). */
  docString?: string;
  /** Extra metadata_props entries. */
  metadata?: Record<string, string>;
}

const NHWC_TO_NCHW = [0, 3, 1, 2];
/** NHWC_AXIS_TO_NCHW[a] is the NCHW axis that holds NHWC axis a. */
const NHWC_AXIS_TO_NCHW = [0, 2, 3, 1];
const CUSTOM_TRANSPOSE_CONV = 'Convolution2DTransposeBias';

/** Shape as laid out in the ONNX graph. */
function onnxShape(shape: readonly number[]): number[] {
  return shape.length === 4 ? NHWC_TO_NCHW.map((i) => shape[i]!) : [...shape];
}

/** TFLite SAME padding: output = ceil(in / stride), any odd padding goes after (bottom/right). */
function samePads(inSize: number, kernel: number, stride: number, dilation: number): [number, number] {
  const effective = (kernel - 1) * dilation + 1;
  const out = Math.ceil(inSize / stride);
  const total = Math.max((out - 1) * stride + effective - inSize, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

function opName(op: TfliteOperator): string {
  return op.builtinCode === BuiltinOp.CUSTOM ? `CUSTOM(${op.customCode})` : builtinOpName(op.builtinCode);
}

const SUPPORTED =
  'DEQUANTIZE, CONV_2D, DEPTHWISE_CONV_2D, AVERAGE_POOL_2D, MAX_POOL_2D, MEAN, ADD, MUL, RELU, RELU6, ' +
  `HARD_SWISH, LOGISTIC, RESIZE_BILINEAR, CUSTOM(${CUSTOM_TRANSPOSE_CONV})`;

class Converter {
  private readonly g = new GraphBuilder();
  /** ONNX value name of each TFLite tensor that exists as a graph value. */
  private readonly values = new Map<number, string>();
  /** fp32 data of constants produced by DEQUANTIZE (TFLite layout). */
  private readonly dequantized = new Map<number, Float32Array>();
  private readonly scalars = new Map<number, string>();

  constructor(
    private readonly m: TfliteModel,
    private readonly opts: ConvertOptions,
  ) {}

  run(): OnnxModel {
    const inputs = this.m.inputs.map((i, k) => this.graphIO(i, this.opts.inputNames?.[k]));
    // Outputs are named up front so the producing operator writes straight into them.
    const outputs = this.m.outputs.map((i, k) => this.graphIO(i, this.opts.outputNames?.[k]));
    for (const op of this.m.operators) {
      try {
        this.translate(op);
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        throw new Error(`TFLite operator #${op.index} ${opName(op)}: ${msg}`, { cause: e });
      }
    }
    for (const i of this.m.outputs) {
      if (!this.g.nodes.some((n) => n.outputs.includes(this.values.get(i)!))) {
        throw new Error(`graph output ${this.tensor(i).name} is not produced by any operator`);
      }
    }
    return {
      irVersion: IR_VERSION,
      opsetVersion: OPSET_VERSION,
      producerName: 'backdrop-studio tflite-to-onnx',
      producerVersion: '1',
      docString: this.opts.docString,
      metadata: this.opts.metadata,
      graph: this.g.build('tflite_graph', inputs, outputs, this.m.description || undefined),
    };
  }

  private graphIO(index: number, name: string | undefined): OnnxValueInfo {
    const t = this.tensor(index);
    if (t.type !== TensorType.FLOAT32) {
      throw new Error(`graph input/output ${t.name} has type ${TENSOR_TYPE_NAMES[t.type]}; only FLOAT32 is supported`);
    }
    const onnxName = this.g.reserve(name ?? t.name);
    this.values.set(index, onnxName);
    return { name: onnxName, elemType: DataType.FLOAT, shape: onnxShape(t.shape) };
  }

  private tensor(index: number): TfliteTensor {
    const t = this.m.tensors[index];
    if (!t) throw new Error(`tensor index ${index} is out of range (${this.m.tensors.length} tensors)`);
    return t;
  }

  private isConstant(index: number): boolean {
    return this.dequantized.has(index) || constantBytes(this.m, this.tensor(index)) !== null;
  }

  private floatConstant(index: number): Float32Array {
    const cached = this.dequantized.get(index);
    if (cached) return cached;
    const t = this.tensor(index);
    const data = constantBytes(this.m, t);
    if (!data) throw new Error(`input ${t.name} must be a constant (weights computed at run time are not supported)`);
    return readFloatConstant(t, data);
  }

  private intConstant(index: number): number[] {
    const t = this.tensor(index);
    const data = constantBytes(this.m, t);
    if (!data) throw new Error(`input ${t.name} must be a constant`);
    return readIntConstant(t, data);
  }

  /** Initializer holding a constant in TFLite layout transposed by `perm`. */
  private weight(index: number, perm: number[]): string {
    const t = this.tensor(index);
    const w = permute(this.floatConstant(index), t.shape, perm);
    return this.g.addInitializer(floatTensor(t.name, w.shape, w.data));
  }

  /** ONNX name of an operator input; constants become initializers in graph layout. */
  private input(index: number): string {
    const name = this.values.get(index);
    if (name) return name;
    const t = this.tensor(index);
    if (!this.isConstant(index)) throw new Error(`input ${t.name} is used before any operator produces it`);
    const perm = t.shape.length === 4 ? NHWC_TO_NCHW : t.shape.map((_, i) => i);
    const value = this.weight(index, perm);
    this.values.set(index, value);
    return value;
  }

  /** Input of an elementwise op whose output is `outRank`-D, fixing up NHWC-style broadcasting. */
  private broadcastInput(index: number, outRank: number): string {
    const t = this.tensor(index);
    if (outRank !== 4 || t.shape.length === 4 || elementCount(t.shape) === 1) return this.input(index);
    if (!this.isConstant(index)) {
      throw new Error(`broadcasting a rank-${t.shape.length} activation (${t.name}) against NHWC data is not supported`);
    }
    // NHWC broadcasting aligns trailing dims (usually C); pad to rank 4 first, then move C.
    const padded = [...new Array<number>(4 - t.shape.length).fill(1), ...t.shape];
    const w = permute(this.floatConstant(index), padded, NHWC_TO_NCHW);
    return this.g.addInitializer(floatTensor(t.name, w.shape, w.data));
  }

  /** Reserves the ONNX name of an operator output. */
  private output(index: number): string {
    const existing = this.values.get(index);
    if (existing) return existing; // graph outputs were reserved up front
    const name = this.g.uniqueName(this.tensor(index).name);
    this.values.set(index, name);
    return name;
  }

  private scalar(value: number): string {
    let name = this.scalars.get(value);
    if (!name) {
      name = this.g.addInitializer(floatTensor(`const_${value}`, [], [value]));
      this.scalars.set(value, name);
    }
    return name;
  }

  /** Emits `opType` followed by the fused activation, writing the op's first output. */
  private emit(op: TfliteOperator, opType: string, inputs: string[], attrs: AttrInput, activation: number): void {
    const out = this.output(op.outputs[0]!);
    if (activation === O.Activation.NONE) {
      this.g.addNode(opType, inputs, [out], attrs);
      return;
    }
    const pre = this.g.uniqueName(`${out}_preact`);
    this.g.addNode(opType, inputs, [pre], attrs);
    this.activation(activation, pre, out);
  }

  private activation(act: number, x: string, y: string): void {
    switch (act) {
      case O.Activation.RELU:
        return this.g.addNode('Relu', [x], [y]);
      case O.Activation.RELU6:
        return this.g.addNode('Clip', [x, this.scalar(0), this.scalar(6)], [y]);
      case O.Activation.RELU_N1_TO_1:
        return this.g.addNode('Clip', [x, this.scalar(-1), this.scalar(1)], [y]);
      case O.Activation.TANH:
        return this.g.addNode('Tanh', [x], [y]);
      default:
        throw new Error(`unsupported fused activation function ${act}`);
    }
  }

  private nhwc(index: number): [number, number, number, number] {
    const t = this.tensor(index);
    if (t.shape.length !== 4) throw new Error(`${t.name} has shape [${t.shape}], expected 4-D NHWC`);
    return t.shape as [number, number, number, number];
  }

  private translate(op: TfliteOperator): void {
    const [in0, in1] = op.inputs as [number, number];
    const out0 = op.outputs[0]!;
    const unary = (opType: string) => this.g.addNode(opType, [this.input(in0)], [this.output(out0)]);
    switch (op.builtinCode) {
      case BuiltinOp.DEQUANTIZE:
        return this.dequantize(op);
      case BuiltinOp.CONV_2D:
        return this.conv(op, O.conv2dOptions(op), false);
      case BuiltinOp.DEPTHWISE_CONV_2D:
        return this.conv(op, O.depthwiseConv2dOptions(op), true);
      case BuiltinOp.AVERAGE_POOL_2D:
        return this.pool(op, 'AveragePool');
      case BuiltinOp.MAX_POOL_2D:
        return this.pool(op, 'MaxPool');
      case BuiltinOp.MEAN:
        return this.mean(op);
      case BuiltinOp.ADD:
      case BuiltinOp.MUL: {
        const isAdd = op.builtinCode === BuiltinOp.ADD;
        const rank = this.tensor(out0).shape.length;
        const inputs = [this.broadcastInput(in0, rank), this.broadcastInput(in1, rank)];
        return this.emit(op, isAdd ? 'Add' : 'Mul', inputs, {}, isAdd ? O.addActivation(op) : O.mulActivation(op));
      }
      case BuiltinOp.RELU:
        return unary('Relu');
      case BuiltinOp.RELU6:
        return this.activation(O.Activation.RELU6, this.input(in0), this.output(out0));
      case BuiltinOp.HARD_SWISH:
        return unary('HardSwish');
      case BuiltinOp.LOGISTIC:
        return unary('Sigmoid');
      case BuiltinOp.RESIZE_BILINEAR:
        return this.resizeBilinear(op);
      case BuiltinOp.CUSTOM:
        if (op.customCode === CUSTOM_TRANSPOSE_CONV) return this.transposeConvBias(op);
        throw new Error(`unsupported custom TFLite operator "${op.customCode}" (supported: ${SUPPORTED})`);
      default:
        throw new Error(`unsupported TFLite operator ${builtinOpName(op.builtinCode)} (supported: ${SUPPORTED})`);
    }
  }

  private dequantize(op: TfliteOperator): void {
    const src = this.tensor(op.inputs[0]!);
    if (src.type !== TensorType.FLOAT16 || !this.isConstant(src.index)) {
      // Integer DEQUANTIZE needs scale/zero-point handling that these models never use.
      throw new Error(`only constant FLOAT16 inputs are supported, got ${TENSOR_TYPE_NAMES[src.type]} ${src.name}`);
    }
    this.dequantized.set(op.outputs[0]!, this.floatConstant(src.index));
  }

  private conv(op: TfliteOperator, o: O.ConvOptions, depthwise: boolean): void {
    const [x, w, b] = op.inputs as [number, number, number | undefined];
    const [, h, wd, c] = this.nhwc(x);
    const [wo, kh, kw, wi] = this.nhwc(w);
    let weight: string;
    let group: number;
    if (depthwise) {
      // TFLite depthwise filters are [1, kh, kw, C*multiplier]; ONNX wants [C*m, 1, kh, kw], group=C.
      if (wo !== 1 || wi !== c * o.depthMultiplier) throw new Error(`unexpected depthwise filter shape [${wo},${kh},${kw},${wi}]`);
      weight = this.weight(w, [3, 0, 1, 2]);
      group = c;
    } else {
      // OHWI → OIHW; an input-channel count smaller than C means a grouped convolution.
      if (c % wi !== 0) throw new Error(`filter input depth ${wi} does not divide input channels ${c}`);
      weight = this.weight(w, [0, 3, 1, 2]);
      group = c / wi;
    }
    const [pt, pb] = o.padding === 'SAME' ? samePads(h, kh, o.strideH, o.dilationH) : [0, 0];
    const [pl, pr] = o.padding === 'SAME' ? samePads(wd, kw, o.strideW, o.dilationW) : [0, 0];
    const inputs = [this.input(x), weight];
    if (b !== undefined && b >= 0) inputs.push(this.weight(b, [0]));
    const attrs = {
      kernel_shape: [kh, kw],
      strides: [o.strideH, o.strideW],
      dilations: [o.dilationH, o.dilationW],
      pads: [pt, pl, pb, pr],
      group,
    };
    this.emit(op, 'Conv', inputs, attrs, o.activation);
  }

  private pool(op: TfliteOperator, opType: 'AveragePool' | 'MaxPool'): void {
    const o = O.pool2dOptions(op);
    const x = op.inputs[0]!;
    const [, h, w] = this.nhwc(x);
    const [, oh, ow] = this.nhwc(op.outputs[0]!);
    if (opType === 'AveragePool' && o.padding === 'VALID' && o.filterH === h && o.filterW === w && oh === 1 && ow === 1) {
      // Squeeze-excite global pooling; GlobalAveragePool needs no kernel size and has a WebGPU kernel.
      return this.emit(op, 'GlobalAveragePool', [this.input(x)], {}, o.activation);
    }
    const [pt, pb] = o.padding === 'SAME' ? samePads(h, o.filterH, o.strideH, 1) : [0, 0];
    const [pl, pr] = o.padding === 'SAME' ? samePads(w, o.filterW, o.strideW, 1) : [0, 0];
    const attrs: AttrInput = { kernel_shape: [o.filterH, o.filterW], strides: [o.strideH, o.strideW], pads: [pt, pl, pb, pr] };
    // TFLite averages only over the valid (unpadded) elements.
    if (opType === 'AveragePool') attrs['count_include_pad'] = 0;
    this.emit(op, opType, [this.input(x)], attrs, o.activation);
  }

  private mean(op: TfliteOperator): void {
    const [x, axesIdx] = op.inputs as [number, number];
    const rank = this.tensor(x).shape.length;
    const keepDims = O.reducerKeepDims(op);
    const axes = [...new Set(this.intConstant(axesIdx).map((a) => (a < 0 ? a + rank : a)))].sort();
    let onnxAxes = axes;
    if (rank === 4) {
      onnxAxes = axes.map((a) => NHWC_AXIS_TO_NCHW[a]!).sort();
      const kept = [0, 1, 2, 3].filter((a) => !axes.includes(a)).map((a) => NHWC_AXIS_TO_NCHW[a]!);
      // Without keep_dims the result leaves NCHW-land, so it must already be in TFLite order.
      if (!keepDims && kept.some((a, i) => i > 0 && a < kept[i - 1]!)) {
        throw new Error(`MEAN over NHWC axes [${axes}] without keep_dims would reorder the remaining axes`);
      }
    }
    this.g.addNode('ReduceMean', [this.input(x)], [this.output(op.outputs[0]!)], {
      axes: onnxAxes,
      keepdims: keepDims ? 1 : 0,
    });
  }

  private resizeBilinear(op: TfliteOperator): void {
    const [x, sizeIdx] = op.inputs as [number, number];
    const [n, , , c] = this.nhwc(x);
    const size = this.intConstant(sizeIdx);
    if (size.length !== 2) throw new Error(`size must hold [new_height, new_width], got [${size}]`);
    const o = O.resizeBilinearOptions(op);
    // TF's half_pixel_centers is ONNX half_pixel (not pytorch_half_pixel); neither flag is asymmetric.
    const mode = o.alignCorners ? 'align_corners' : o.halfPixelCenters ? 'half_pixel' : 'asymmetric';
    const sizes = this.g.addInitializer(int64Tensor(`${this.tensor(sizeIdx).name}_nchw`, [4], [n, c, size[0]!, size[1]!]));
    this.g.addNode('Resize', [this.input(x), '', '', sizes], [this.output(op.outputs[0]!)], {
      mode: 'linear',
      coordinate_transformation_mode: mode,
    });
  }

  /** MediaPipe's transposed convolution with bias: inputs x, filter [O,kh,kw,I], bias [O]. */
  private transposeConvBias(op: TfliteOperator): void {
    const o = O.transposeConvBiasOptions(op);
    const [x, w, b] = op.inputs as [number, number, number];
    const [, h, wd, c] = this.nhwc(x);
    const [, kh, kw, wi] = this.nhwc(w);
    const [, oh, ow] = this.nhwc(op.outputs[0]!);
    if (wi !== c) throw new Error(`filter input depth ${wi} does not match input channels ${c}`);
    // The output size is fixed by the output tensor; derive pads (or output_padding) from it the
    // way TFLite's transpose conv does: half of the excess before, the rest after.
    const padsFor = (inSize: number, k: number, s: number, outSize: number): [number, number, number] => {
      const total = (inSize - 1) * s + k - outSize;
      if (total < 0) return [0, 0, -total];
      return [Math.floor(total / 2), total - Math.floor(total / 2), 0];
    };
    const [pt, pb, oph] = padsFor(h, kh, o.strideH, oh);
    const [pl, pr, opw] = padsFor(wd, kw, o.strideW, ow);
    const attrs: AttrInput = { kernel_shape: [kh, kw], strides: [o.strideH, o.strideW], pads: [pt, pl, pb, pr] };
    if (oph || opw) attrs['output_padding'] = [oph, opw];
    // ONNX ConvTranspose weights are [C_in, C_out, kh, kw], i.e. OHWI → IOHW.
    const inputs = [this.input(x), this.weight(w, [3, 0, 1, 2]), this.weight(b, [0])];
    this.emit(op, 'ConvTranspose', inputs, attrs, O.Activation.NONE);
  }
}

/** Translates a parsed TFLite model into an in-memory ONNX model. */
export function tfliteToOnnxModel(model: TfliteModel, options: ConvertOptions = {}): OnnxModel {
  return new Converter(model, options).run();
}

/** Converts .tflite bytes into serialised ONNX bytes; throws a descriptive Error on corrupt or unsupported input. */
export function convertTfliteToOnnx(tflite: Uint8Array, options: ConvertOptions = {}): Uint8Array {
  return encodeModel(tfliteToOnnxModel(parseTflite(tflite), options));
}
