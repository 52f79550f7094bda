/// <reference lib="webworker" />
// The wasm segmentation model in a worker of its own: a model run takes tens to hundreds of
// milliseconds of CPU, which the render worker's program clock must not wait for.
import * as Comlink from 'comlink';
import { Segmenter, type SegmentModel } from '../src/segment/segmenter.ts';
import { installErrorTransfer } from '../src/util/rpc-errors.ts';

installErrorTransfer();

let segmenter: Segmenter | null = null;

const api = {
  /** Loads the model on the wasm backend; resolves to its input size. */
  async create(model: SegmentModel): Promise<{ inputWidth: number; inputHeight: number }> {
    segmenter?.dispose();
    segmenter = await Segmenter.create({ model, backend: 'wasm' });
    return { inputWidth: segmenter.inputWidth, inputHeight: segmenter.inputHeight };
  },
  /** One model run; the input's buffer comes in transferred and the mask goes back transferred. */
  async runCpu(input: Float32Array): Promise<Float32Array> {
    if (!segmenter) throw new Error('the segmentation worker has no model');
    const out = await segmenter.runCpu(input);
    const copy = out.byteOffset === 0 && out.byteLength === out.buffer.byteLength ? out : out.slice();
    return Comlink.transfer(copy, [copy.buffer]);
  },
  dispose(): void { segmenter?.dispose(); segmenter = null; },
};

export type SegmentWorkerApi = typeof api;
Comlink.expose(api);
