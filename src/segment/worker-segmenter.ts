import * as Comlink from 'comlink';
import { StudioStateError } from '../util/errors.ts';
import { installErrorTransfer } from '../util/rpc-errors.ts';
import type { SegmentBackend, SegmentModel, SegmenterLike } from './segmenter.ts';

/** The segmentation worker's API (workers/segment.worker.ts). */
interface SegmentWorkerApi {
  create(model: SegmentModel): Promise<{ inputWidth: number; inputHeight: number }>;
  runCpu(input: Float32Array): Promise<Float32Array>;
  dispose(): void;
}

/**
 * The wasm-backend segmenter running in a worker of its own, so that model runs never block the
 * render worker (whose program clock must keep ticking). Inputs and masks are transferred, not
 * copied; ModelLoadError and friends arrive typed.
 */
export class WorkerSegmenter implements SegmenterLike {
  readonly backend: SegmentBackend = 'wasm';
  readonly device = null;
  private constructor(private readonly worker: Worker, private readonly api: Comlink.Remote<SegmentWorkerApi>,
    readonly inputWidth: number, readonly inputHeight: number, readonly fallbackReason: string | null) {}

  /** Starts the worker and loads the model there (throws ModelLoadError as Segmenter.create does). */
  static async create(model: SegmentModel, fallbackReason: string | null = null): Promise<WorkerSegmenter> {
    installErrorTransfer();
    const worker = new Worker(new URL('../../workers/segment.worker.ts', import.meta.url), { type: 'module', name: 'segment' });
    const api = Comlink.wrap<SegmentWorkerApi>(worker);
    try {
      const info = await api.create(model);
      return new WorkerSegmenter(worker, api, info.inputWidth, info.inputHeight, fallbackReason);
    } catch (e) {
      worker.terminate();
      throw e;
    }
  }

  get inputBuffer(): GPUBuffer { throw new StudioStateError('The segmenter runs on the wasm backend and has no GPU input buffer; use runCpu().'); }
  run(): Promise<GPUBuffer> { return Promise.reject(new StudioStateError('The segmenter runs on the wasm backend; use runCpu().')); }

  /** One model run in the worker; `input`'s buffer is transferred (the caller must not use it after). */
  runCpu(input: Float32Array): Promise<Float32Array> {
    return this.api.runCpu(Comlink.transfer(input, [input.buffer]));
  }

  /** Stops the worker. */
  dispose(): void {
    void this.api.dispose().catch(() => {});
    this.api[Comlink.releaseProxy]();
    this.worker.terminate();
  }
}
