/**
 * Person segmentation with onnxruntime-web (MediaPipe Selfie Segmentation, see
 * shared/models/MODELS.md). On WebGPU the input tensor is a GPU buffer we own and the output
 * stays on the GPU, so a frame's mask never visits the CPU.
 *
 * onnxruntime-web 1.30 ignores a GPUDevice handed to it (microsoft/onnxruntime#26107) and makes
 * its own, so the session is created first and its device is published as `device`: the caller
 * builds the whole frame graph on that device (acquireGpu(onLost, segmenter.device)).
 */
import type * as Ort from 'onnxruntime-web';
import { ModelLoadError, NO_WEBGPU_HELP, StudioStateError, WebGPUUnavailableError } from '../util/errors.ts';
import { ortRuntime } from './ort-env.ts';

export type SegmentModel = 'general' | 'landscape';
export type SegmentBackend = 'webgpu' | 'wasm';

export interface SegmenterOptions {
  model: SegmentModel;
  /** 'auto' (default): WebGPU when navigator.gpu gives an adapter and the session builds, else wasm. */
  backend?: SegmentBackend | 'auto';
  /** Overrides where the model is fetched from (tests, custom hosting). */
  modelUrl?: string;
  /** Run once on a blank input so the first real frame does not pay for shader compilation. */
  warmUp?: boolean;
}

/** Input size (width x height) and file name of each model. */
export const SEGMENT_MODELS: Record<SegmentModel, { file: string; width: number; height: number }> = {
  general: { file: 'selfie_segmentation.onnx', width: 256, height: 256 },
  landscape: { file: 'selfie_segmentation_landscape.onnx', width: 256, height: 144 },
};

/** URL of a model as served by Vite from public/models (respects the configured base). */
export function defaultModelUrl(model: SegmentModel): string {
  const path = `${import.meta.env.BASE_URL}models/${SEGMENT_MODELS[model].file}`;
  const here = (globalThis as { location?: Location }).location?.href;
  return here ? new URL(path, here).href : path;
}

/** What the frame graph needs of a segmenter: a session here, or the wasm one in its own worker. */
export interface SegmenterLike {
  readonly backend: SegmentBackend;
  /** The GPUDevice onnxruntime-web computes on (null for wasm). */
  readonly device: GPUDevice | null;
  readonly inputWidth: number;
  readonly inputHeight: number;
  readonly fallbackReason: string | null;
  /** WebGPU backend: the model input buffer, and a run on it. */
  readonly inputBuffer: GPUBuffer;
  run(): Promise<GPUBuffer>;
  /** wasm backend: a run on a CPU tensor (f32 NCHW, 3*H*W), returning the H*W mask. */
  runCpu(input: Float32Array): Promise<Float32Array>;
  dispose(): void;
}

/** An onnxruntime-web session for one selfie model, bound to one backend. */
export class Segmenter implements SegmenterLike {
  private previousOutput: Ort.Tensor | null = null;
  private running = false;
  private disposed = false;

  private constructor(
    private readonly ort: typeof Ort,
    private readonly session: Ort.InferenceSession,
    /** Which onnxruntime-web backend runs the model. */
    readonly backend: SegmentBackend,
    /** The GPUDevice onnxruntime-web computes on (null for wasm); build the frame graph on it. */
    readonly device: GPUDevice | null,
    /** Model input width in pixels. */
    readonly inputWidth: number,
    /** Model input height in pixels. */
    readonly inputHeight: number,
    private readonly gpuInput: GPUBuffer | null,
    private readonly inputTensor: Ort.Tensor | null,
    /** Why 'auto' did not get WebGPU, when it did not (shown in the stats). */
    readonly fallbackReason: string | null,
  ) {}

  /** Fetches the model and builds a session; failures to load the model throw ModelLoadError. */
  static async create(opts: SegmenterOptions): Promise<Segmenter> {
    const spec = SEGMENT_MODELS[opts.model];
    if (!spec) throw new ModelLoadError(`Unknown segmentation model "${String(opts.model)}".`, { model: opts.model });
    const url = opts.modelUrl ?? defaultModelUrl(opts.model);
    const bytes = await fetchModel(url);
    const ort = ortRuntime();
    const wanted = opts.backend ?? 'auto';
    let fallbackReason: string | null = null;
    let seg: Segmenter | null = null;
    if (wanted === 'webgpu') {
      seg = await Segmenter.createWebGpu(ort, bytes, url, spec.width, spec.height);
    } else if (wanted === 'auto') {
      const adapter = await (globalThis.navigator as Navigator | undefined)?.gpu?.requestAdapter().catch(() => null);
      if (!adapter) {
        fallbackReason = 'WebGPU is not available in this browser';
      } else {
        try {
          seg = await Segmenter.createWebGpu(ort, bytes, url, spec.width, spec.height);
        } catch (e) {
          fallbackReason = `the WebGPU backend failed: ${errorText(e)}`;
        }
      }
    }
    if (!seg) seg = await Segmenter.createWasm(ort, bytes, url, spec.width, spec.height, fallbackReason);
    if (opts.warmUp !== false) await seg.warmUp();
    return seg;
  }

  private static async createWebGpu(ort: typeof Ort, bytes: Uint8Array, url: string, width: number, height: number): Promise<Segmenter> {
    // Otherwise ORT's own complaint would surface as a model load error.
    if (!(globalThis.navigator as Navigator | undefined)?.gpu) {
      throw new WebGPUUnavailableError(NO_WEBGPU_HELP, { reason: 'navigator.gpu is missing' });
    }
    const session = await createSession(ort, bytes, url, 'webgpu', {
      executionProviders: ['webgpu'],
      preferredOutputLocation: 'gpu-buffer',
      graphOptimizationLevel: 'all',
    });
    try {
      // Only after a WebGPU session exists does this return the device ORT really computes on.
      const device = await ort.env.webgpu.device;
      const size = 3 * width * height * 4;
      const gpuInput = device.createBuffer({
        size, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC, label: 'segment-input',
      });
      const inputTensor = ort.Tensor.fromGpuBuffer(gpuInput, { dataType: 'float32', dims: [1, 3, height, width] });
      return new Segmenter(ort, session, 'webgpu', device, width, height, gpuInput, inputTensor, null);
    } catch (e) {
      await session.release().catch(() => {});
      throw e;
    }
  }

  private static async createWasm(ort: typeof Ort, bytes: Uint8Array, url: string, width: number, height: number, fallbackReason: string | null): Promise<Segmenter> {
    const session = await createSession(ort, bytes, url, 'wasm', { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
    return new Segmenter(ort, session, 'wasm', null, width, height, null, null, fallbackReason);
  }

  /** The model input (f32 NCHW RGB in [0,1], 3*H*W floats) on `device`; WebGPU backend only. */
  get inputBuffer(): GPUBuffer {
    if (!this.gpuInput) throw new StudioStateError('The segmenter runs on the wasm backend and has no GPU input buffer; use runCpu().');
    return this.gpuInput;
  }

  /**
   * Runs the model on `inputBuffer` and returns the mask buffer (f32, the first H*W floats are
   * P(person), row-major). ORT has submitted its work when this resolves, so passes submitted
   * afterwards on `device` see the result. The buffer stays valid until the next run() or dispose().
   */
  async run(): Promise<GPUBuffer> {
    if (!this.inputTensor) throw new StudioStateError('The segmenter runs on the wasm backend; use runCpu().');
    const out = await this.runFeeds(this.inputTensor);
    // The previous mask may still be read by work the caller already submitted; the queue
    // orders that work before anything ORT does with the recycled buffer.
    this.previousOutput?.dispose();
    this.previousOutput = out;
    return out.gpuBuffer as GPUBuffer;
  }

  /** Runs the model on a CPU tensor (f32 NCHW, 3*H*W) and returns the H*W mask; wasm backend only. */
  async runCpu(input: Float32Array): Promise<Float32Array> {
    if (this.backend !== 'wasm') throw new StudioStateError('runCpu() is for the wasm backend; on WebGPU write inputBuffer and call run().');
    const n = 3 * this.inputWidth * this.inputHeight;
    if (input.length !== n) throw new StudioStateError(`Segmenter input must hold ${n} floats, got ${input.length}.`);
    const out = await this.runFeeds(new this.ort.Tensor('float32', input, [1, 3, this.inputHeight, this.inputWidth]));
    const data = out.data as Float32Array;
    out.dispose();
    return data;
  }

  /** Releases the session, the input buffer and the last mask. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.previousOutput?.dispose();
    this.previousOutput = null;
    this.inputTensor?.dispose();
    this.gpuInput?.destroy();
    void this.session.release().catch(() => {});
  }

  private async runFeeds(input: Ort.Tensor): Promise<Ort.Tensor> {
    if (this.disposed) throw new StudioStateError('The segmenter was disposed.');
    // ORT rejects overlapping runs on one session with an unhelpful message; say it plainly.
    if (this.running) throw new StudioStateError('Segmenter.run() was called while the previous run was still in progress.');
    this.running = true;
    try {
      const results = await this.session.run({ [this.session.inputNames[0]]: input });
      return results[this.session.outputNames[0]];
    } finally {
      this.running = false;
    }
  }

  private async warmUp(): Promise<void> {
    if (this.backend === 'webgpu') await this.run();
    else await this.runCpu(new Float32Array(3 * this.inputWidth * this.inputHeight));
  }
}

async function fetchModel(url: string): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new ModelLoadError(`The background-removal model could not be downloaded from ${url} (${errorText(e)}).`, { url }, { cause: e });
  }
  if (!res.ok) {
    throw new ModelLoadError(`The background-removal model is missing: ${url} returned HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}. ` +
      'Reinstall the app (npm run models writes public/models).', { url, status: res.status });
  }
  const bytes = new Uint8Array(await res.arrayBuffer());
  // A dev server answers unknown paths with index.html; catch that before ORT reports a parse error.
  const head = new TextDecoder().decode(bytes.subarray(0, 64)).trimStart().toLowerCase();
  if (head.startsWith('<!doctype') || head.startsWith('<html')) {
    throw new ModelLoadError(`The background-removal model is missing: ${url} returned a web page instead of an ONNX file.`, { url, status: res.status });
  }
  if (bytes.length === 0) throw new ModelLoadError(`The background-removal model at ${url} is empty.`, { url });
  return bytes;
}

async function createSession(ort: typeof Ort, bytes: Uint8Array, url: string, backend: SegmentBackend, options: Ort.InferenceSession.SessionOptions): Promise<Ort.InferenceSession> {
  try {
    return await ort.InferenceSession.create(bytes, options);
  } catch (e) {
    throw new ModelLoadError(`The background-removal model at ${url} could not be loaded (${backend} backend): ${errorText(e)}. ` +
      'The file may be corrupt or incomplete; reinstalling the app restores it.', { url, backend }, { cause: e });
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
