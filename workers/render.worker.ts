/// <reference lib="webworker" />
import * as Comlink from 'comlink';
import { acquireGpu, isSoftwareAdapter, NO_WEBGPU_HELP, type GpuContext } from '../src/gpu/device.ts';
import { EffectsChain, SegmenterGate } from '../src/gpu/effects.ts';
import { IngestPolicy } from '../src/gpu/frame-ingest.ts';
import { removeBackground } from '../src/gpu/still-matte.ts';
import { Program } from '../src/program/program.ts';
import { ProgramClock } from '../src/program/program-clock.ts';
import { SourceRegistry } from '../src/program/source-registry.ts';
import { ProgramOutputs } from '../src/program/program-outputs.ts';
import { GpuRecovery } from '../src/program/gpu-recovery.ts';
import { QualityGovernor, QUALITY_SETTINGS, type QualityLevel } from '../src/program/quality.ts';
import { DebugLoadPass } from '../src/gpu/passes/debug-load.ts';
import type { SegmenterLike } from '../src/segment/segmenter.ts';
import { chooseSegmenter } from '../src/segment/choose-segmenter.ts';
import { idleEffectsStats, programStats } from '../src/program/render-stats.ts';
import { DEFAULT_MASK_OPTIONS, type MaskOptions } from '../src/segment/mask-options.ts';
import type { BackgroundEffect } from '../src/segment/background-effect.ts';
import type { SceneCollection, TransitionSpec } from '../src/scene/types.ts';
import { installErrorTransfer } from '../src/util/rpc-errors.ts';
import { RateMeter, Smoothed } from '../src/util/stats.ts';
import { wallMicros } from '../src/util/clock.ts';
import { GPUDeviceLostError, StudioError, StudioStateError, WebGPUUnavailableError, asStudioError } from '../src/util/errors.ts';
import type { IngestPath, OutputPath, RenderEvents, RenderStats } from '../src/util/types.ts';
import type { RenderWorkerApi, VideoFileInfo } from '../src/worker-apis.ts';
import type { SourceNode } from '../src/sources/source-node.ts';

installErrorTransfer();

/**
 * Frames that may be queued on the GPU at once. Two keep a CPU rasteriser busy while the next
 * frame is encoded (with one, SwiftShader's GPU process sat idle about a quarter of the time
 * during bench live-480p-blur); a tick that starts a model run waits for the queue to drain
 * instead (see tick).
 */
const MAX_GPU_FRAMES = 2;
/** How long a failed tick waits for its device's loss to be reported before it is a render fault. */
const LOSS_REPORT_GRACE_MS = 3000;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

class RenderWorker implements RenderWorkerApi {
  private gpu: GpuContext | null = null;
  private program: Program | null = null;
  private sources: SourceRegistry | null = null;
  private policy: IngestPolicy | null = null;
  private segmenter: SegmenterLike | null = null;
  private gate = new SegmenterGate();
  private canvas: OffscreenCanvas | null = null;
  /** Studio mode's program canvas, and the scene the main canvas previews then (null: studio mode off). */
  private studioCanvas: OffscreenCanvas | null = null;
  private previewSceneId: string | null = null;
  private ingestPref: 'auto' | IngestPath = 'auto';
  private readonly recovery = new GpuRecovery({
    rebuild: () => this.rebuildGpu(),
    recovered: (gapMs, problems, tell) => {
      // The gap's ticks were counted as missed; they say nothing about the effects' load.
      this.missedSeen = this.clock.missed;
      this.lastRenderError = '';
      if (tell || problems.length) {
        this.events?.warning(`The GPU stopped (${this.lostReason}) and the studio rebuilt its pipeline in ${(gapMs / 1000).toFixed(1)} s` +
          (this.outputs.recording ? '; the recording goes on with a gap of that length' : '') + (problems.length ? `, but ${problems.join('; ')}` : '') + '.');
      }
    },
    gaveUp: (reason) => this.fail(new GPUDeviceLostError(`The GPU failed again and again (${reason}): after several restarts within a minute the studio stopped trying. ` +
      'A running recording was finished and is kept; reload the page to start again.')),
  });
  private lostReason = '';
  /** The last render error reported, so that a failing tick does not repeat it 4 times a second. */
  private lastRenderError = '';
  private segmenterReason: string | null = null;
  private effectsError: string | null = null;
  private events: RenderEvents | null = null;
  private collection: SceneCollection | null = null;
  private readonly clock = new ProgramClock();
  private readonly gpuInFlight: Promise<unknown>[] = [];
  private readonly onScreen = new Set<SourceNode>();
  private readonly outputs = new ProgramOutputs();
  private readonly fps = new RateMeter();
  private readonly frameMs = new Smoothed();
  private framesRendered = 0;
  private running = false;
  private maskOptions: MaskOptions = { ...DEFAULT_MASK_OPTIONS };
  private readonly quality = new QualityGovernor();
  private qualityLevel: QualityLevel = 'high';
  /** The model pace last passed to the sources (ms between runs). */
  private maskIntervalMs = 0;
  private debugLoad: DebugLoadPass | null = null;
  private missedSeen = 0;
  /** Callers waiting for the next tick to be submitted (program capture). */
  private tickWaiters: (() => void)[] = [];
  /** Chain used for still-image cut-outs (it borrows the shared segmenter). */
  private stillChain: EffectsChain | null = null;

  /**
   * Takes the preview canvas and opens the GPU; throws WebGPUUnavailableError without WebGPU.
   * The segmentation session is created first: onnxruntime-web computes on a device of its own
   * choosing, so the whole program is built on that device and masks never leave the GPU.
   */
  async init(canvas: OffscreenCanvas, events: RenderEvents): Promise<{ adapter: string; timestampQuery: boolean; segmentation: string }> {
    this.events = events;
    const adapter = await navigator.gpu?.requestAdapter().catch(() => null);
    if (!adapter) throw new WebGPUUnavailableError(NO_WEBGPU_HELP, { reason: navigator.gpu ? 'requestAdapter returned null' : 'navigator.gpu is missing' });
    try {
      ({ segmenter: this.segmenter, reason: this.segmenterReason } = await chooseSegmenter(isSoftwareAdapter(adapter)));
    } catch (e) {
      // Background effects are lost, the cameras and recording are not.
      this.effectsError = asStudioError(e, 'Background removal is unavailable').message;
    }
    this.canvas = canvas;
    await this.buildGpu();
    this.running = true;
    void this.loop();
    const gpu = this.gpu!;
    return { adapter: gpu.adapterName, timestampQuery: gpu.timestampQuery, segmentation: this.segmenter?.backend ?? 'unavailable' };
  }

  /** Opens a device and builds the sources and the program on it (at start, and after a device was lost). */
  private async buildGpu(): Promise<string[]> {
    const gpu = await acquireGpu((e, device) => this.onDeviceLost(e, device), this.segmenter?.backend === 'webgpu' ? this.segmenter.device ?? undefined : undefined);
    this.gpu = gpu;
    this.policy = new IngestPolicy(gpu.software);
    this.policy.prefer(this.ingestPref);
    const old = this.sources;
    this.sources = new SourceRegistry(gpu.device, this.policy, () => this.makeEffects(), (id, reason) => this.events?.sourceEnded(id, reason));
    const problems = old ? await this.sources.adopt(old, this.collection) : [];
    this.program = new Program(gpu.device, this.canvas!, this.sources);
    if (this.collection) this.program.setCollection(this.collection, null, wallMicros());
    if (this.studioCanvas) this.program.setPreview(this.studioCanvas, this.previewSceneId);
    this.sources.setRecording(this.outputs.active);
    return problems;
  }

  private onDeviceLost(e: GPUDeviceLostError, device: GPUDevice): void {
    if (this.gpu?.device !== device) return;
    this.lostReason = e.message.replace(/^The GPU device was lost \((.*)\)\.$/, '$1');
    void this.recovery.lost(this.lostReason);
  }

  /**
   * After a lost device: a new device, program, source chains and filters (a model on WebGPU
   * is made again; the wasm model in its worker is unaffected). Media, scenes, the clock and a
   * running recording's output stay as they are.
   */
  private async rebuildGpu(): Promise<string[]> {
    this.gpuInFlight.length = 0;
    this.outputs.abandonReadbacks();
    this.stillChain = null;
    this.debugLoad = null;
    // Chains of the old device may still hold the gate of the model's shared input.
    this.gate = new SegmenterGate();
    if (this.segmenter?.backend === 'webgpu') {
      this.segmenter.dispose();
      this.segmenter = null;
      ({ segmenter: this.segmenter, reason: this.segmenterReason } = await chooseSegmenter(false));
    }
    return this.buildGpu();
  }

  private makeEffects(): EffectsChain | null {
    if (!this.segmenter || !this.gpu) return null;
    const fx = new EffectsChain(this.gpu.device, this.segmenter, this.segmenterReason, this.gate);
    fx.setMaskOptions(this.maskOptions);
    return fx;
  }

  private registry(): SourceRegistry {
    if (!this.sources) throw new StudioStateError('The GPU pipeline is not ready.');
    return this.sources;
  }

  /** Takes the scene collection; a change of the current scene with a `transition` other than a cut runs it. */
  setCollection(c: SceneCollection, transition: TransitionSpec | null = null): void {
    if (this.outputs.active && this.collection && (c.output.width !== this.collection.output.width || c.output.height !== this.collection.output.height)) {
      throw new StudioStateError('The output size cannot change while recording or streaming.');
    }
    this.collection = c;
    this.clock.frameRate = c.output.frameRate;
    this.registry().sync(c);
    this.program!.setCollection(c, transition, wallMicros());
  }

  attachTrack(id: string, kind: 'camera' | 'display', readable: ReadableStream<VideoFrame>): void {
    this.registry().attachTrack(id, kind, readable);
  }
  detachTrack(id: string): void { this.registry().detachTrack(id); }
  observeClockOffset(id: string, offsetUs: number): void {
    this.sources?.observeClockOffset(id, offsetUs);
  }
  attachImage(id: string, bitmap: ImageBitmap): void { this.registry().attachImage(id, bitmap); }
  attachVideoFile(id: string, file: Blob, loop: boolean): Promise<VideoFileInfo> {
    return this.registry().attachVideoFile(id, file, loop, wallMicros());
  }
  controlVideo(id: string, action: 'play' | 'pause' | 'restart' | null, loop: boolean | null): void {
    this.registry().controlVideo(id, action, loop, wallMicros());
  }

  /** Sets the background filter of one source. */
  async setSourceBackground(id: string, effect: BackgroundEffect): Promise<void> {
    if (effect.type !== 'none' && !this.segmenter) throw new StudioStateError(this.effectsError ?? 'Background removal is not ready.');
    await this.registry().setBackground(id, effect);
  }

  /** Changes the mask refinement knobs of every source; returns the values in force. */
  setMaskOptions(opts: Partial<MaskOptions>): MaskOptions {
    if (!this.segmenter) throw new StudioStateError(this.effectsError ?? 'Background removal is not ready.');
    this.maskOptions = { ...this.maskOptions, ...opts };
    this.registry().setMaskOptions(opts);
    this.stillChain?.setMaskOptions(opts);
    return { ...this.maskOptions };
  }

  /** Cuts the person out of a still image: a PNG whose alpha is the refined mask. */
  async removeBackground(image: Blob): Promise<Blob> {
    if (!this.segmenter) throw new StudioStateError(this.effectsError ?? 'Background removal is not ready.');
    this.stillChain ??= this.makeEffects();
    const fx = this.stillChain!;
    return fx.borrowSegmenter((seg) => removeBackground(this.gpu!.device, seg, image, this.maskOptions));
  }

  private async loop(): Promise<void> {
    while (this.running) {
      const wait = this.clock.waitMs();
      if (wait > 0) await sleep(wait);
      if (!this.running) break;
      if (this.recovery.down) {
        // No tick is taken while the GPU is down: the clock counts the ticks that pass as missed.
        await sleep(1000 / this.clock.frameRate);
        continue;
      }
      this.clock.tick();
      const device = this.gpu?.device;
      try {
        await this.tick();
      } catch (e) {
        await sleep(250);
        const err = asStudioError(e, 'Rendering failed');
        if (this.recovery.down || device !== this.gpu?.device || err.message === this.lastRenderError) continue;
        // A lost device fails ticks before its loss is reported, on a busy machine by more than a
        // second; a fault here ends the recording, so the loss is waited for first.
        const lost = device ? await Promise.race([device.lost.then(() => true), sleep(LOSS_REPORT_GRACE_MS).then(() => false)]) : false;
        if (lost || this.recovery.down || device !== this.gpu?.device) continue;
        this.lastRenderError = err.message;
        this.fail(err);
      }
    }
  }

  private async tick(): Promise<void> {
    const program = this.program!, sources = this.sources!;
    if (!this.collection) return;
    // A GPU slower than the program clock would otherwise queue frames without bound.
    while (this.gpuInFlight.length >= MAX_GPU_FRAMES) await this.gpuInFlight.shift();
    const t0 = performance.now();
    const nowUs = wallMicros();
    this.onScreen.clear();
    for (const scene of program.scenesOnScreen()) this.addOnScreen(scene.items);
    const preview = program.previewScene();
    if (preview) this.addOnScreen(preview.items);
    for (const n of this.onScreen) await n.prepare(nowUs);
    // The model's input is read back only once everything queued before it has run: frames
    // still in flight would add their whole GPU time to the mask's age.
    let kicks = false;
    for (const n of this.onScreen) kicks ||= n.startsModelRun?.(nowUs) ?? false;
    if (kicks) while (this.gpuInFlight.length) await this.gpuInFlight.shift();
    program.timer.beginFrame();
    const enc = this.gpu!.device.createCommandEncoder({ label: 'program-frame' });
    for (const n of this.onScreen) await n.encode(enc, nowUs, program.timer);
    const cam = sources.firstCamera(this.collection.sources);
    const stamp = this.clock.stamp(nowUs, cam && this.onScreen.has(cam) && cam.freshThisTick ? cam.captureWallUs : null);
    const nv12 = program.encode(enc, nowUs, stamp, this.clock.durationUs, this.outputs.plan() ? 'nv12' : 'none');
    const afterSubmit = program.timer.resolve(enc);
    this.gpu!.device.queue.submit([enc.finish()]);
    afterSubmit();
    // Must happen in the same task as the submit, before the canvas is presented.
    this.outputs.deliver(program.programCanvas, nv12, stamp, this.clock.durationUs);
    for (const n of this.onScreen) n.afterSubmit(nowUs);
    // Rejects only when the device is lost, which the recovery handles; a dropped rejection would be reported as unhandled.
    this.gpuInFlight.push(this.gpu!.device.queue.onSubmittedWorkDone().catch(() => undefined));
    this.framesRendered++;
    for (const w of this.tickWaiters.splice(0)) w();
    this.fps.tick();
    const frameMs = performance.now() - t0;
    this.frameMs.add(frameMs);
    this.adaptQuality(frameMs);
  }

  private addOnScreen(items: readonly { visible: boolean; sourceId: string }[]): void {
    for (const item of items) {
      const n = item.visible ? this.sources!.get(item.sourceId) : undefined;
      if (n) this.onScreen.add(n);
    }
  }

  /** Studio mode's program canvas (given once): while studio mode is on the main canvas previews the scene being edited. */
  attachStudioCanvas(canvas: OffscreenCanvas): void {
    this.studioCanvas = canvas;
    this.program?.setPreview(canvas, this.previewSceneId);
  }

  /** Studio mode on with `sceneId` previewed on the main canvas, or off (null). */
  setPreviewScene(sceneId: string | null): void {
    this.previewSceneId = sceneId;
    if (this.studioCanvas) this.program?.setPreview(this.studioCanvas, sceneId);
  }

  /** Feeds the tick's time to the quality governor and passes a new level to the sources. */
  private adaptQuality(frameMs: number): void {
    const missed = this.clock.missed - this.missedSeen;
    this.missedSeen = this.clock.missed;
    // Quality only matters while a source removes its background; otherwise it rests at high.
    const active = this.sources?.effectsActive() ?? false;
    if (!active) this.quality.idle();
    const level = active ? this.quality.observe(performance.now(), frameMs, 1000 / this.clock.frameRate, missed) : this.quality.level;
    const interval = this.quality.maskIntervalMs;
    if (level !== this.qualityLevel || interval !== this.maskIntervalMs) {
      this.qualityLevel = level;
      this.maskIntervalMs = interval;
      this.sources?.setQuality({ ...QUALITY_SETTINGS[level], minMaskIntervalMs: interval });
    }
  }

  /** Pins the background-effects quality, or lets it follow the load ('auto'). */
  setQuality(level: 'auto' | QualityLevel): void {
    this.quality.pin(level === 'auto' ? null : level);
    this.adaptQuality(0);
  }

  /** Diagnostics: holds a running transition at `progress` (0..1), or lets it run in time (null). */
  setDebugTransitionProgress(progress: number | null): void {
    if (this.program) this.program.pinnedProgress = progress;
  }

  /** Diagnostics: stops (or resumes) handing frames to the recorder, as a stalled GPU would. */
  setDebugHoldOutput(on: boolean): void { this.outputs.holdRecording(on); }

  /** Diagnostics: extra GPU work with every new mask, as a GPU slow at the effect work (iterations per thread; 0: off). */
  setDebugGpuLoad(iterations: number): void {
    if (!this.gpu) return;
    this.debugLoad ??= new DebugLoadPass(this.gpu.device);
    this.debugLoad.set(iterations);
    this.sources?.setDebugLoad(this.debugLoad);
  }

  /** Starts handing program frames to the encode worker through `port`. */
  startOutput(port: MessagePort, path: OutputPath, maxInFlight = 4): { width: number; height: number } { this.outputs.startRecording(port, path, maxInFlight); return this.outputsChanged(); }
  /** Stops sending frames to the encoder. */
  stopOutput(): void { this.outputs.stopRecording(); this.outputsChanged(); }
  /** Starts handing program frames to the page through `port` for the live stream (its own bound and drops). */
  startStreamOutput(port: MessagePort): { width: number; height: number } { this.outputs.startStream(port, this.gpu?.software ? 'nv12-readback' : 'canvas'); return this.outputsChanged(); }
  /** Stops the live stream's frames. */
  stopStreamOutput(): void { this.outputs.stopStream(); this.outputsChanged(); }
  /** Frames handed to the stream's page side, and dropped because it had not taken earlier ones. */
  streamOutputStats(): { framesSent: number; dropped: number } { return this.outputs.streamStats(); }

  /** While any output runs, stamps stay evenly spaced and sources keep their clock mapping. */
  private outputsChanged(): { width: number; height: number } {
    this.clock.recording = this.outputs.active;
    this.sources?.setRecording(this.outputs.active);
    return { width: this.program!.outputWidth, height: this.program!.outputHeight };
  }

  /** Chooses the ingest path ('auto' = zero-copy where the platform allows). */
  setIngestPreference(pref: 'auto' | IngestPath): void {
    this.ingestPref = pref;
    this.policy?.prefer(pref);
  }

  /** The program picture (or studio mode's preview) as a PNG: the composed frame of the next tick. */
  async captureProgram(which: 'program' | 'preview' = 'program'): Promise<Blob> {
    // The next tick composes every change sent before this call.
    await new Promise<void>((r) => this.tickWaiters.push(r));
    const { width, height, rgba } = await this.program!.readback(which);
    const canvas = new OffscreenCanvas(width, height);
    canvas.getContext('2d')!.putImageData(new ImageData(new Uint8ClampedArray(rgba.buffer), width, height), 0, 0);
    return canvas.convertToBlob({ type: 'image/png' });
  }

  /** Current pipeline statistics. */
  getStats(): RenderStats {
    const p = this.program;
    const cam = this.collection && this.sources ? this.sources.firstCamera(this.collection.sources) : null;
    return {
      fps: this.fps.rate(),
      framesRendered: this.framesRendered,
      framesMissed: this.clock.missed,
      ingestPath: this.policy?.path ?? null,
      ingestFallbackReason: this.policy?.reason ?? null,
      timingSource: p?.timer.gpu ? 'gpu' : 'wall',
      passes: p?.passTimings() ?? [],
      frameMs: this.frameMs.value,
      outputWidth: p?.outputWidth ?? 0,
      outputHeight: p?.outputHeight ?? 0,
      sourceWidth: cam?.width ?? 0,
      sourceHeight: cam?.height ?? 0,
      outputDropped: this.outputs.recordingDropped + (p?.nv12Dropped ?? 0),
      adapter: this.gpu?.adapterName ?? '',
      effects: this.sources?.activeEffects()?.stats(wallMicros() / 1000) ?? idleEffectsStats(this.segmenter?.backend ?? null, this.segmenterReason, this.effectsError),
      program: p ? programStats(p, this.clock) : null,
      sources: this.sources?.stats() ?? [],
      quality: { level: this.quality.level, automatic: this.quality.automatic, steps: this.quality.steps, maskIntervalMs: this.quality.maskIntervalMs, frameBound: this.quality.frameBoundShare },
      gpu: { recoveries: this.recovery.recoveries, down: this.recovery.down, gaveUp: this.recovery.gaveUp },
    };
  }

  private fail(e: StudioError): void {
    this.events?.fatal({ name: e.name, message: e.message });
  }
}

Comlink.expose(new RenderWorker());
