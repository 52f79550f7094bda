import * as Comlink from 'comlink';
import { getRecording } from '../mux/recordings.ts';
import { outputStem } from '../process/output-plan.ts';
import type { ProcessOptions, ProcessProgress, ProcessResult, ProcessWorkerApi } from '../process/types.ts';
import { ProcessCancelledError } from '../util/errors.ts';
import { installErrorTransfer } from '../util/rpc-errors.ts';

/** Options of Studio.processFile: the job's settings, a cancel signal and a progress callback. */
export interface ProcessFileOptions extends ProcessOptions {
  /** Aborting cancels the job; its half-written output is removed and the promise rejects with ProcessCancelledError. */
  signal?: AbortSignal;
  /** Called a few times a second with frames done, frames per second and time left. */
  onProgress?: (p: ProcessProgress) => void;
}

const IMAGE_FILE = /\.(png|jpe?g|webp|gif|bmp|avif)$/i;

/** Whether a file is a still picture (cut out to a PNG) rather than a video. */
export function isStillImage(file: Blob): boolean {
  return file.type.startsWith('image/') || IMAGE_FILE.test((file as Partial<File>).name ?? '');
}

/**
 * The page side of file jobs: starts the processing worker on first use, hands it one job at a
 * time (it queues them), forwards cancel and progress, and returns the finished file from the
 * recordings folder. Still pictures become PNG cut-outs (kept in memory, not in the folder).
 */
export class FileProcessor {
  private worker: Worker | null = null;
  private api: Comlink.Remote<ProcessWorkerApi> | null = null;
  private nextId = 1;
  /** Figures of the last finished video job (frames, timings, real-time factor). */
  lastResult: ProcessResult | null = null;

  /** `onFile` hears every finished video (it is in the recordings list by then). */
  constructor(private readonly onFile: (file: File) => void = () => {}) {}

  private remote(): Comlink.Remote<ProcessWorkerApi> {
    if (!this.api) {
      installErrorTransfer();
      this.worker = new Worker(new URL('../../workers/process.worker.ts', import.meta.url), { type: 'module', name: 'process' });
      this.api = Comlink.wrap<ProcessWorkerApi>(this.worker);
    }
    return this.api;
  }

  /** Processes one video (→ recordings folder) or still picture (→ PNG cut-out); see Studio.processFile. */
  async process(file: Blob, opts: ProcessFileOptions): Promise<File> {
    const { signal, onProgress, ...settings } = opts;
    const name = (file as Partial<File>).name;
    if (signal?.aborted) throw new ProcessCancelledError(`Processing ${name ? `“${name}”` : 'the file'} was cancelled before it started; nothing was saved.`);
    const api = this.remote();
    if (isStillImage(file)) {
      const png = await api.cutOut(file, settings.maskOptions);
      if (signal?.aborted) throw new ProcessCancelledError('The cut-out was cancelled.');
      return new File([png], `${outputStem(name, { type: 'transparent' })}.png`, { type: 'image/png' });
    }
    const id = this.nextId++;
    const cancel = () => { void api.cancel(id); };
    signal?.addEventListener('abort', cancel);
    try {
      const result = await api.process(id, file, settings, Comlink.proxy((p: ProcessProgress) => onProgress?.(p)));
      this.lastResult = result;
      const out = await getRecording(result.name);
      this.onFile(out);
      return out;
    } finally {
      signal?.removeEventListener('abort', cancel);
    }
  }

  /** Stops the worker (jobs in it fail). */
  dispose(): void {
    this.api?.[Comlink.releaseProxy]();
    this.worker?.terminate();
    this.api = null;
    this.worker = null;
  }
}
