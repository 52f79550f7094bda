/// <reference lib="webworker" />
import * as Comlink from 'comlink';
import { acquireGpu, type GpuContext } from '../src/gpu/device.ts';
import { FrameGraph } from '../src/gpu/frame-graph.ts';
import { EffectsChain } from '../src/gpu/effects.ts';
import { removeBackground } from '../src/gpu/still-matte.ts';
import { Segmenter } from '../src/segment/segmenter.ts';
import type { BackgroundEffect } from '../src/segment/background-effect.ts';
import type { MaskOptions } from '../src/segment/mask-options.ts';
import { installErrorTransfer } from '../src/util/rpc-errors.ts';
import { RateMeter, Smoothed } from '../src/util/stats.ts';
import { ClockMapper, wallMicros } from '../src/util/clock.ts';
import { StudioError, StudioStateError, WebGPUUnavailableError, asStudioError } from '../src/util/errors.ts';
import { NO_WEBGPU_HELP, isSoftwareAdapter } from '../src/gpu/device.ts';
import type { EffectsStats, IngestPath, OutputPath, RenderEvents, RenderStats } from '../src/util/types.ts';
import type { RenderWorkerApi } from '../src/worker-apis.ts';

installErrorTransfer();

/** Frames that may be queued on the GPU at once. */
const MAX_GPU_FRAMES = 2;

/** Clock correction per frame while recording: well under a frame interval, ~120 ms/s at 30 fps. */
const CLOCK_STEP_RECORDING_US = 4000;

/** Frames handed to the encode worker: bounded by acknowledgements so the port never piles up. */
interface OutputLink { port: MessagePort; path: OutputPath; inFlight: number; maxInFlight: number }

class RenderWorker implements RenderWorkerApi {
  private gpu: GpuContext | null = null;
  private graph: FrameGraph | null = null;
  private events: RenderEvents | null = null;
  private reader: ReadableStreamDefaultReader<VideoFrame> | null = null;
  private pending: VideoFrame | null = null;
  /** Wall-clock capture time of `pending`, the clock the encode worker aligns audio on. */
  private pendingWallUs = 0;
  private clock = new ClockMapper();
  private rendering = false;
  /** Submitted frames the GPU has not finished; bounded so latency cannot grow without limit. */
  private readonly gpuInFlight: Promise<unknown>[] = [];
  private output: OutputLink | null = null;
  private readonly fps = new RateMeter();
  private readonly frameMs = new Smoothed();
  private framesRendered = 0;
  private framesMissed = 0;
  private outputDropped = 0;

  private effectsError: string | null = null;

  /**
   * Takes the preview canvas and opens the GPU; throws WebGPUUnavailableError without WebGPU.
   * The segmentation session is created first: onnxruntime-web computes on a device of its own
   * choosing, so the frame graph is built on that device and the mask never leaves the GPU.
   */
  async init(canvas: OffscreenCanvas, events: RenderEvents): Promise<{ adapter: string; timestampQuery: boolean; segmentation: string }> {
    this.events = events;
    const adapter = await navigator.gpu?.requestAdapter().catch(() => null);
    if (!adapter) throw new WebGPUUnavailableError(NO_WEBGPU_HELP, { reason: navigator.gpu ? 'requestAdapter returned null' : 'navigator.gpu is missing' });
    let segmenter: Segmenter | null = null;
    // On a CPU rasteriser the model's WebGPU kernels take seconds per frame (measured on
    // SwiftShader) and would stall the shared queue; onnxruntime's wasm backend takes ~20 ms.
    const software = isSoftwareAdapter(adapter);
    try {
      segmenter = await Segmenter.create({ model: 'general', backend: software ? 'wasm' : 'auto' });
    } catch (e) {
      // Background effects are lost, the camera and recording are not.
      this.effectsError = asStudioError(e, 'Background removal is unavailable').message;
    }
    this.gpu = await acquireGpu((e) => this.fail(e), segmenter?.backend === 'webgpu' ? segmenter.device ?? undefined : undefined);
    this.graph = new FrameGraph(this.gpu.device, canvas, this.gpu.software);
    if (segmenter) {
      this.graph.effects = new EffectsChain(this.gpu.device, segmenter,
        software ? 'software GPU: the model runs faster on the CPU (wasm) than on SwiftShader' : segmenter.fallbackReason);
    }
    return { adapter: this.gpu.adapterName, timestampQuery: this.gpu.timestampQuery, segmentation: segmenter?.backend ?? 'unavailable' };
  }

  private effects(): EffectsChain {
    const fx = this.graph?.effects;
    if (!fx) throw new StudioStateError(this.effectsError ?? 'Background removal is not ready.');
    return fx;
  }

  /** Selects the background effect for the live picture. */
  async setBackground(effect: BackgroundEffect): Promise<void> {
    await this.effects().setBackground(effect);
    // The preview canvas shows see-through pixels only for 'transparent' (FrameGraph).
    this.graph!.transparentBackground = effect.type === 'transparent';
  }

  /** Changes the mask refinement knobs; returns the values in force. */
  setMaskOptions(opts: Partial<MaskOptions>): MaskOptions {
    const fx = this.effects();
    fx.setMaskOptions(opts);
    return { ...fx.maskOptions };
  }

  /** Cuts the person out of a still image: a PNG whose alpha is the refined mask. */
  async removeBackground(image: Blob): Promise<Blob> {
    const fx = this.effects();
    return fx.borrowSegmenter((seg) => removeBackground(this.gpu!.device, seg, image, fx.maskOptions));
  }

  /** Segmentation statistics, or why segmentation is unavailable. */
  private effectsStats(): EffectsStats {
    const fx = this.graph?.effects;
    if (fx) return fx.stats(wallMicros() / 1000);
    return { backend: null, fallbackReason: null, active: false, inferenceMs: 0, maskAgeMs: 0, masksProduced: 0, masksReused: 0, error: this.effectsError };
  }

  /** Starts rendering frames from a camera track's readable (transferred here). */
  attachSource(readable: ReadableStream<VideoFrame>, size?: { width: number; height: number }): void {
    this.detachSource();
    if (size && this.graph && !this.output) this.graph.setOutputSize(size.width, size.height);
    const reader = readable.getReader();
    this.reader = reader;
    this.clock = new ClockMapper();
    void this.pump(reader);
  }

  /** Camera clock offset measured on the page; the mapping takes the smallest it has seen. */
  observeClockOffset(offsetUs: number): void {
    this.clock.observe(offsetUs);
  }

  /** Stops reading the current source and releases the frame it held. */
  detachSource(): void {
    const r = this.reader;
    this.reader = null;
    r?.cancel().catch(() => {});
    this.pending?.close();
    this.pending = null;
  }

  private async pump(reader: ReadableStreamDefaultReader<VideoFrame>): Promise<void> {
    let reason = 'the camera stopped sending frames';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        if (this.reader !== reader) { value.close(); return; }
        // Latest frame wins: a frame still waiting when the next arrives was missed (rendering lag).
        if (this.pending) { this.pending.close(); this.framesMissed++; }
        this.pending = value;
        // While recording the mapping may only creep earlier, so recorded timestamps keep increasing.
        this.clock.maxStepUs = this.output ? CLOCK_STEP_RECORDING_US : Infinity;
        this.pendingWallUs = this.clock.map(value.timestamp);
        if (!this.rendering) void this.renderLoop();
      }
    } catch (e) {
      reason = `the camera stream failed: ${e instanceof Error ? e.message : String(e)}`;
    }
    if (this.reader === reader) {
      this.reader = null;
      this.events?.sourceEnded(reason);
    }
  }

  private async renderLoop(): Promise<void> {
    this.rendering = true;
    try {
      while (this.pending && this.graph) {
        const frame = this.pending;
        const wallUs = this.pendingWallUs;
        this.pending = null;
        try {
          await this.renderOne(frame, wallUs);
        } finally {
          frame.close();
        }
      }
    } catch (e) {
      this.fail(asStudioError(e, 'Rendering failed'));
    } finally {
      this.rendering = false;
    }
  }

  private async renderOne(frame: VideoFrame, wallUs: number): Promise<void> {
    const graph = this.graph!;
    const t0 = performance.now();
    const out = this.output;
    const wantOutput = out ? (out.inFlight < out.maxInFlight ? out.path : 'drop') : 'none';
    if (wantOutput === 'drop') this.outputDropped++;
    // A GPU slower than the camera would otherwise queue frames without bound; waiting here
    // lets newer camera frames replace the pending one, which is counted as missed.
    while (this.gpuInFlight.length >= MAX_GPU_FRAMES) await this.gpuInFlight.shift();
    const result = await graph.render(frame, wallUs, wantOutput === 'canvas' ? 'canvas' : wantOutput === 'nv12-readback' ? 'nv12' : 'none');
    if (out && wantOutput === 'canvas') {
      // Must happen in the same task as the submit, before the canvas is presented.
      this.send(out, new VideoFrame(graph.canvas, { timestamp: wallUs, duration: frame.duration ?? undefined }));
    } else if (out && wantOutput === 'nv12-readback') {
      if (result.nv12) {
        out.inFlight++;
        result.nv12().then((f) => { out.inFlight--; this.send(out, f); }, () => { out.inFlight--; this.outputDropped++; });
      } else {
        this.outputDropped++;
      }
    }
    this.gpuInFlight.push(this.gpu!.device.queue.onSubmittedWorkDone());
    this.framesRendered++;
    this.fps.tick();
    this.frameMs.add(performance.now() - t0);
  }

  private send(out: OutputLink, frame: VideoFrame): void {
    if (this.output !== out) { frame.close(); return; }
    out.inFlight++;
    try {
      out.port.postMessage({ type: 'frame', frame }, [frame]);
    } catch (e) {
      frame.close();
      out.inFlight--;
      this.outputDropped++;
    }
  }

  /** Starts handing rendered frames to the encode worker through `port`. */
  startOutput(port: MessagePort, path: OutputPath, maxInFlight = 4): { width: number; height: number } {
    this.stopOutput();
    const link: OutputLink = { port, path, inFlight: 0, maxInFlight };
    port.onmessage = (ev: MessageEvent<{ type: string }>) => { if (ev.data.type === 'ack') link.inFlight = Math.max(0, link.inFlight - 1); };
    this.output = link;
    this.outputDropped = 0;
    return { width: this.graph!.outputWidth, height: this.graph!.outputHeight };
  }

  /** Stops sending frames to the encoder. */
  stopOutput(): void {
    if (!this.output) return;
    this.output.port.postMessage({ type: 'end' });
    this.output.port.onmessage = null;
    this.output = null;
  }

  /** Chooses the ingest path ('auto' = zero-copy where the platform allows). */
  setIngestPreference(pref: 'auto' | IngestPath): void {
    this.graph?.setIngestPreference(pref);
  }

  /** Sets the output (scene) resolution; refused while recording. */
  setOutputSize(width: number, height: number): void {
    if (this.output) throw new StudioError('The output size cannot change while recording.');
    this.graph?.setOutputSize(width, height);
  }

  /** Current pipeline statistics. */
  getStats(): RenderStats {
    const g = this.graph;
    return {
      fps: this.fps.rate(),
      framesRendered: this.framesRendered,
      framesMissed: this.framesMissed,
      ingestPath: g ? g.ingest : null,
      ingestFallbackReason: g?.ingestFallbackReason ?? null,
      timingSource: g?.timer.gpu ? 'gpu' : 'wall',
      passes: g?.passTimings() ?? [],
      frameMs: this.frameMs.value,
      outputWidth: g?.outputWidth ?? 0,
      outputHeight: g?.outputHeight ?? 0,
      sourceWidth: g?.sourceWidth ?? 0,
      sourceHeight: g?.sourceHeight ?? 0,
      outputDropped: this.outputDropped + (g?.nv12Dropped ?? 0),
      adapter: this.gpu?.adapterName ?? '',
      effects: this.effectsStats(),
    };
  }

  private fail(e: StudioError): void {
    this.events?.fatal({ name: e.name, message: e.message });
  }
}

Comlink.expose(new RenderWorker());

