import { Segmenter, type SegmenterLike } from './segmenter.ts';
import { WorkerSegmenter } from './worker-segmenter.ts';

/**
 * The model session for this GPU: on a CPU rasteriser the wasm backend in a worker of its own
 * (the model's WebGPU kernels take seconds per frame on SwiftShader and would stall the shared
 * queue, while wasm takes ~20 ms and never holds up the program clock); on a real GPU WebGPU,
 * falling back to the wasm worker (with the reason) where WebGPU fails.
 */
export async function chooseSegmenter(software: boolean): Promise<{ segmenter: SegmenterLike; reason: string | null }> {
  if (software) return { segmenter: await WorkerSegmenter.create('general'), reason: 'software GPU: the model runs faster on the CPU (wasm) than on SwiftShader' };
  let segmenter: SegmenterLike;
  try {
    segmenter = await Segmenter.create({ model: 'general', backend: 'webgpu' });
  } catch (e) {
    segmenter = await WorkerSegmenter.create('general', `the WebGPU backend failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  return { segmenter, reason: segmenter.fallbackReason };
}
