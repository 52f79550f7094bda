/// <reference lib="webworker" />
// File jobs (removing the background of video files and stills) on a GPU device and model
// session of their own, so the live studio's render worker keeps its frame rate and its model
// to itself while a file is processed. One job runs at a time; the pipeline is src/process/.
import * as Comlink from 'comlink';
import { acquireGpu, isSoftwareAdapter, NO_WEBGPU_HELP, type GpuContext } from '../src/gpu/device.ts';
import { EffectsChain } from '../src/gpu/effects.ts';
import { removeBackground } from '../src/gpu/still-matte.ts';
import { MirrorAveragingSegmenter } from '../src/process/mirror-segmenter.ts';
import { processVideo } from '../src/process/pipeline.ts';
import type { ProcessOptions, ProcessProgress, ProcessResult, ProcessWorkerApi } from '../src/process/types.ts';
import { chooseSegmenter } from '../src/segment/choose-segmenter.ts';
import type { MaskOptions } from '../src/segment/mask-options.ts';
import type { SegmenterLike } from '../src/segment/segmenter.ts';
import { ProcessCancelledError, WebGPUUnavailableError, type GPUDeviceLostError } from '../src/util/errors.ts';
import { installErrorTransfer } from '../src/util/rpc-errors.ts';

installErrorTransfer();

interface Engine { gpu: GpuContext; segmenter: SegmenterLike; reason: string | null }

class ProcessWorker implements ProcessWorkerApi {
  private engine: Promise<Engine> | null = null;
  private readonly jobs = new Map<number, AbortController>();
  /** Jobs run one after another: one model session, one encoder at a time. */
  private turn: Promise<unknown> = Promise.resolve();

  /** The device and model, made on first use (and again after a lost device). */
  private setup(): Promise<Engine> {
    this.engine ??= (async () => {
      const adapter = await navigator.gpu?.requestAdapter().catch(() => null);
      if (!adapter) throw new WebGPUUnavailableError(NO_WEBGPU_HELP, { reason: navigator.gpu ? 'requestAdapter returned null' : 'navigator.gpu is missing' });
      const { segmenter, reason } = await chooseSegmenter(isSoftwareAdapter(adapter));
      // onnxruntime-web computes on a device of its own choosing: the whole job is built on it.
      const gpu = await acquireGpu((e) => this.lost(e), segmenter.backend === 'webgpu' ? segmenter.device ?? undefined : undefined);
      return { gpu, segmenter, reason };
    })();
    this.engine.catch(() => { this.engine = null; });
    return this.engine;
  }

  private lost(e: GPUDeviceLostError): void {
    void this.engine?.then((en) => en.segmenter.dispose(), () => {});
    this.engine = null;
    for (const job of this.jobs.values()) job.abort(e);
  }

  private inTurn<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.turn.then(fn, fn);
    this.turn = run.catch(() => {});
    return run;
  }

  process(id: number, file: Blob, opts: ProcessOptions, onProgress: (p: ProcessProgress) => void): Promise<ProcessResult> {
    const job = new AbortController();
    this.jobs.set(id, job);
    const report = (p: ProcessProgress) => { void Promise.resolve(onProgress(p)).catch(() => {}); };
    return this.inTurn(async () => {
      if (job.signal.aborted) throw new ProcessCancelledError('The job was cancelled before it started; nothing was saved.');
      const { gpu, segmenter, reason } = await this.setup();
      // A fresh chain per file: person tracking and temporal smoothing start with its first frame.
      // Files can afford two model runs per look: the second on the mirrored frame (see MirrorAveragingSegmenter).
      const mirrored = new MirrorAveragingSegmenter(segmenter, segmenter.backend === 'webgpu' ? gpu.device : null);
      const chain = new EffectsChain(gpu.device, mirrored, reason);
      try {
        return await processVideo({ device: gpu.device, chain, software: gpu.software, adapter: gpu.adapterName, segmentation: segmenter.backend },
          file, opts, job.signal, report);
      } finally {
        chain.destroy();
        mirrored.dispose();
      }
    }).finally(() => this.jobs.delete(id));
  }

  cancel(id: number): void {
    this.jobs.get(id)?.abort();
  }

  cutOut(image: Blob, maskOptions: Partial<MaskOptions> = {}): Promise<Blob> {
    return this.inTurn(async () => {
      const { gpu, segmenter } = await this.setup();
      return removeBackground(gpu.device, segmenter, image, maskOptions);
    });
  }
}

Comlink.expose(new ProcessWorker());
