import type { SegmenterLike as Segmenter } from '../segment/segmenter.ts';
import type { BackgroundEffect } from '../segment/background-effect.ts';
import { clampMaskOptions, type MaskOptions } from '../segment/mask-options.ts';
import type { EffectsStats } from '../util/types.ts';
import { SegmentPreprocessPass } from './passes/segment-preprocess.ts';
import { MaskRefiner } from './stages/mask-refine-stage.ts';
import { BackgroundPass } from './stages/background-stage.ts';
import type { PassTimer } from './timing.ts';
import { RateMeter, SampleWindow, Smoothed } from '../util/stats.ts';
import { SegmenterGate } from './segmenter-gate.ts';
import { MaskBoundsPass } from './passes/mask-bounds.ts';
import type { DebugLoadPass } from './passes/debug-load.ts';
import { CropTracker, maskBounds, type Rect } from '../segment/person-crop.ts';
import type { CameraFrame, CameraInput } from './passes/camera-input.ts';

const sameRect = (a: Rect | null, b: Rect | null): boolean =>
  a === b || (!!a && !!b && a.x === b.x && a.y === b.y && a.width === b.width && a.height === b.height);

export { SegmenterGate };


/**
 * Background removal in the frame graph: preprocess → model → refine → background, all on the
 * one GPUDevice that onnxruntime-web computes on. Inference runs at its own pace: a frame that
 * arrives while the model is busy is drawn with the newest mask ("mask reused"), so a model
 * slower than the camera lowers the mask rate, not the video rate.
 */
export class EffectsChain {
  private readonly preprocess: SegmentPreprocessPass;
  private readonly refiner: MaskRefiner;
  private readonly background: BackgroundPass;
  private effect: BackgroundEffect = { type: 'none' };
  private inflight: Promise<void> | null = null;
  /** A model output not yet refined, with the time of the frame, the region it was computed from and the model input it saw. */
  private fresh: { buffer: GPUBuffer; frameMs: number; region: Rect | null; lowRes: GPUBuffer } | null = null;
  /** Where the model looks: the whole frame or a crop that follows the person. */
  private tracker: CropTracker | null = null;
  /** Region of the inference running now, and of the mask refined last (temporal history is per region). */
  private inferRegion: Rect | null = null;
  private refinedRegion: Rect | null | undefined = undefined;
  private readonly bounds: MaskBoundsPass;
  private userOptions: MaskOptions;
  /** Diagnostics: extra GPU work with every new mask (a GPU slow at the effect work). */
  debugLoad: DebugLoadPass | null = null;
  /** New masks per second, and the age of the mask each rendered frame was drawn with (ms). */
  private readonly maskRate = new RateMeter();
  private readonly maskAges = new SampleWindow(240);
  private quality: Readonly<{ edgeAware: boolean; contourSmoothing: boolean }> = { edgeAware: true, contourSmoothing: true };
  private minMaskIntervalMs = 0;
  private lastKickMs = -Infinity;
  /** Whole-frame passes used only to check the tracking (their masks were not shown). */
  private trackingPasses = 0;
  /** Person-centred inference (on by default); off, the model always sees the whole frame. */
  personCrop = true;
  private mask: GPUTexture | null = null;
  private maskFrameMs = 0;
  private readonly inference = new Smoothed(0.2);
  /** Mask stages (see EffectsStats.maskStagesMs) and when the waiting model output arrived. */
  private readonly stageReadback = new Smoothed(0.2);
  private readonly stageModel = new Smoothed(0.2);
  private readonly stageToRefine = new Smoothed(0.2);
  private freshAtMs = 0;
  private masksProduced = 0;
  private masksReused = 0;
  private lastError: string | null = null;
  /** Set while a still image borrows the segmenter (one session runs one model call at a time). */
  private lent = false;
  /**
   * wasm backend: the preprocessed input, its readback for the CPU, and per kick (two, taken in
   * turn) a copy of that input and the mask written back, so a kick made before the previous
   * mask is refined leaves what that refinement reads alone.
   */
  private readonly cpu: { input: GPUBuffer; staging: GPUBuffer; lowRes: GPUBuffer[]; masks: GPUBuffer[] } | null;
  /** Which of the two cpu slots the latest preprocess wrote. */
  private slot = 0;
  /** Settles when the model input of the latest run is on the CPU (wasm backend). */
  private readback: Promise<void> = Promise.resolve();

  /** `backendReason` says why the model runs where it runs (shown in the stats) when not on WebGPU. */
  constructor(private readonly device: GPUDevice, private readonly segmenter: Segmenter, private readonly backendReason: string | null = null,
    private readonly gate: SegmenterGate = new SegmenterGate()) {
    this.preprocess = new SegmentPreprocessPass(device);
    this.refiner = new MaskRefiner(device);
    this.background = new BackgroundPass(device);
    this.bounds = new MaskBoundsPass(device);
    this.userOptions = { ...this.refiner.options };
    if (segmenter.backend === 'wasm') {
      const inBytes = 3 * segmenter.inputWidth * segmenter.inputHeight * 4;
      const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
      this.cpu = {
        input: device.createBuffer({ size: inBytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC, label: 'segment-input-cpu' }),
        staging: device.createBuffer({ size: inBytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, label: 'segment-input-readback' }),
        lowRes: [0, 1].map((i) => device.createBuffer({ size: inBytes, usage, label: `segment-input-kept-${i}` })),
        masks: [0, 1].map((i) => device.createBuffer({ size: inBytes / 3, usage, label: `segment-mask-cpu-${i}` })),
      };
    } else {
      this.cpu = null;
    }
  }

  /** Masks the model made for this chain so far. */
  get produced(): number { return this.masksProduced; }

  /** Whether the background is cut out to transparency (the layer has alpha). */
  get transparent(): boolean { return this.effect.type === 'transparent'; }

  /** Whether frames go through segmentation at all. */
  get active(): boolean { return this.effect.type !== 'none'; }

  /** Selects the background effect; resolves once an image background is decoded. */
  async setBackground(e: BackgroundEffect): Promise<void> {
    const wasActive = this.active;
    await this.background.setEffect(e);
    this.effect = e;
    if (!wasActive && this.active) { this.refiner.reset(); this.mask = null; }
    if (!this.active && !this.inflight) { this.fresh = null; this.gate.release(this); }
  }

  /** Changes the mask refinement knobs. */
  setMaskOptions(o: Partial<MaskOptions>): void {
    this.userOptions = clampMaskOptions({ ...this.userOptions, ...o });
    this.applyOptions();
  }
  /** The refinement knobs the person chose (quality may run cheaper ones for a while). */
  get maskOptions(): Readonly<MaskOptions> { return { ...this.userOptions }; }

  /** Adaptive quality: how often the model may run and which costly refinement steps run. */
  setQuality(q: Readonly<{ minMaskIntervalMs: number; edgeAware: boolean; contourSmoothing: boolean }>): void {
    this.minMaskIntervalMs = q.minMaskIntervalMs;
    if (this.quality.edgeAware !== q.edgeAware || this.quality.contourSmoothing !== q.contourSmoothing) {
      this.quality = { edgeAware: q.edgeAware, contourSmoothing: q.contourSmoothing };
      this.applyOptions();
    }
  }

  private applyOptions(): void {
    // A lower quality turns steps off for a while; the person's choices come back with it.
    const o = { ...this.userOptions };
    if (!this.quality.edgeAware) o.edgeAware = false;
    if (!this.quality.contourSmoothing) o.smoothContour = 0;
    this.refiner.setOptions(o);
  }

  private get inputBuffer(): GPUBuffer { return this.cpu ? this.cpu.input : this.segmenter.inputBuffer; }
  /** The model input the latest preprocess left for the refinement of its mask. */
  private get keptInput(): GPUBuffer { return this.cpu ? this.cpu.lowRes[this.slot]! : this.segmenter.inputBuffer; }

  /**
   * wasm backend: whether this frame should start a model run ahead of the frame's own work.
   * True takes the segmenter; the caller then encodes `encodeKick` into a command buffer of its
   * own (after the frame's ingest), submits it and calls `startKick`. The readback then waits
   * only for that buffer, not for the blur and composite of the frame behind it, which on a
   * CPU rasteriser was most of a mask's age.
   */
  takeEarlyKick(nowMs: number): boolean {
    return this.earlyKickDue(nowMs) && this.gate.tryTake(this);
  }

  /** Whether `takeEarlyKick` would likely take the gate now, without taking it (a hint for the render loop). */
  wantsEarlyKick(nowMs: number): boolean {
    return this.earlyKickDue(nowMs) && (this.gate.owner === null || this.gate.owner === this);
  }

  private earlyKickDue(nowMs: number): boolean {
    // The holder kicking again before it refines would never hand the gate to a waiting source:
    // then the frame refines first (releasing the gate) and the next turn is the other's.
    if (this.gate.owner === this && this.gate.othersWaiting(this)) return false;
    return !!this.cpu && this.active && this.mask !== null && this.runDue(nowMs);
  }

  /** Whether a model run may start now: none in flight, the model not lent out, the pace's interval passed. */
  private runDue(nowMs: number): boolean {
    return !this.inflight && !this.lent && nowMs - this.lastKickMs >= this.minMaskIntervalMs;
  }

  /** Encodes the preprocess of an early kick (see takeEarlyKick) into its own `encoder`. */
  async encodeKick(encoder: GPUCommandEncoder, camera: CameraFrame, nowMs: number, timer?: PassTimer): Promise<void> {
    this.lastKickMs = nowMs;
    this.encodePreprocess(encoder, await camera.rgba(encoder, timer), nowMs, timer);
  }

  /** Starts the model on an early kick once its command buffer was submitted. */
  startKick(frameMs: number): void { this.startInference(frameMs); }

  /**
   * Settles when the model input of the run just started is on the CPU. The caller holds the
   * rest of the frame's commands until then: a mapping resolves only once everything submitted
   * before the GPU process serves it has run, so the frame's refinement and composite queued
   * behind the kick made readbacks of ~80 ms instead of ~25 (SwiftShader, bench live-480p-blur).
   */
  inputReadBack(): Promise<void> { return this.readback; }

  private get maskW(): number { return this.segmenter.inputWidth; }
  private get maskH(): number { return this.segmenter.inputHeight; }

  /**
   * Encodes this frame's effect work and returns the layer to composite (the camera texture
   * itself when no effect is on). The background passes read the frame's planes where the copy
   * path uploaded them; the RGBA ingest runs only for what needs the picture (the model's
   * input, edge-aware upsampling, a layer passed through), so with masks a few times a second
   * most frames skip it. Call `afterSubmit` once the encoder was submitted.
   */
  async encode(encoder: GPUCommandEncoder, camera: CameraFrame, nowMs: number, timer?: PassTimer): Promise<{ layer: GPUTexture; kick: boolean }> {
    if (!this.active) return { layer: await camera.rgba(encoder, timer), kick: false };
    let kick = false;
    this.gate.touch(this);
    // Another chain took the gate while this source was off screen: its model input is gone.
    if (this.fresh && this.gate.owner !== this) this.fresh = null;
    this.tracker ??= new CropTracker(camera.width, camera.height);
    this.tracker.resize(camera.width, camera.height);
    if (!this.mask && !this.fresh && !this.lent && this.gate.tryTake(this)) {
      // No mask yet (effect just switched on): wait for one rather than flash the raw camera.
      // Submitted ahead of `encoder`, so the picture is ingested here.
      const first = this.device.createCommandEncoder({ label: 'segment-first' });
      this.encodePreprocess(first, await camera.rgba(first, timer), nowMs, timer);
      this.device.queue.submit([first.finish()]);
      this.startInference(nowMs);
      await this.inflight;
    }
    const maskChanged = this.fresh !== null;
    if (maskChanged) {
      // Refine before the next preprocess overwrites the low-res frame the mask belongs to.
      // Bilinear upsampling only takes the output size from the guide, not its picture.
      const guide = this.refiner.options.edgeAware || !camera.planes ? await camera.rgba(encoder, timer) : camera.texture;
      this.refineFresh(encoder, guide, timer);
    } else {
      this.masksReused++;
    }
    // On the wasm backend runs start early (takeEarlyKick), so their readback does not wait for
    // a refinement; a frame that refines does not start one behind it here.
    if ((!this.cpu || !maskChanged) && this.runDue(nowMs) && this.gate.tryTake(this)) {
      this.lastKickMs = nowMs;
      this.encodePreprocess(encoder, await camera.rgba(encoder, timer), nowMs, timer);
      kick = true;
    }
    if (!this.mask) return { layer: await camera.rgba(encoder, timer), kick };
    this.maskAges.add(nowMs - this.maskFrameMs);
    if (this.background.passesThrough) return { layer: await camera.rgba(encoder, timer), kick };
    // A frame ingested anyway reads its texture; the others read the planes in place. A new
    // mask's blur level comes from the frame ingested last (usually the mask's own, at its kick).
    const input: CameraInput = camera.ingested || !camera.planes ? await camera.rgba(encoder, timer) : camera.planes;
    const levelCamera = camera.picture ?? input;
    return { layer: this.background.encode(encoder, { camera: input, mask: this.mask, maskChanged, levelCamera, timer }), kick };
  }

  /** Refines the model output waiting in `fresh` into the full-resolution mask, guided by `camera`. */
  private refineFresh(encoder: GPUCommandEncoder, camera: GPUTexture, timer?: PassTimer): GPUTexture {
    const fresh = this.fresh!;
    // Temporal history compares masks of the same region; a moved crop starts it afresh.
    if (this.refinedRegion !== undefined && !sameRect(this.refinedRegion, fresh.region)) this.refiner.reset();
    this.refinedRegion = fresh.region;
    this.mask = this.refiner.encode(encoder, {
      mask: fresh.buffer, lowResFrame: fresh.lowRes, maskWidth: this.maskW, maskHeight: this.maskH, guide: camera, region: fresh.region, timer,
    });
    this.debugLoad?.encode(encoder, timer);
    this.maskFrameMs = fresh.frameMs;
    this.stageToRefine.add(performance.now() - this.freshAtMs);
    this.fresh = null;
    // An early kick may already hold the segmenter for the next mask.
    if (!this.inflight) this.gate.release(this);
    return this.mask;
  }

  /**
   * Runs one frame to completion as the live chain would see it with a model fast enough for
   * every frame: tracked crop, inference, refinement guided by this frame. For processing
   * frames offline (tests, files); not to be mixed with `encode` on the same chain.
   */
  async maskFor(camera: GPUTexture, nowMs: number): Promise<GPUTexture> {
    this.tracker ??= new CropTracker(camera.width, camera.height);
    this.tracker.resize(camera.width, camera.height);
    await this.inflight;
    // A whole-frame pass may only check the tracking; the crop pass then runs on the same frame.
    for (let pass = 0; pass < 2 && !this.fresh; pass++) {
      while (!this.gate.tryTake(this)) await new Promise((r) => setTimeout(r, 5));
      const pre = this.device.createCommandEncoder({ label: 'segment-offline' });
      this.encodePreprocess(pre, camera, nowMs);
      this.device.queue.submit([pre.finish()]);
      this.startInference(nowMs);
      await this.inflight;
    }
    if (!this.fresh) { this.gate.release(this); throw new Error(this.lastError ?? 'inference failed'); }
    const enc = this.device.createCommandEncoder({ label: 'refine-offline' });
    const mask = this.refineFresh(enc, camera);
    this.device.queue.submit([enc.finish()]);
    return mask;
  }

  /** Preprocesses the frame (or the tracked crop of it) into the model's input. */
  private encodePreprocess(encoder: GPUCommandEncoder, camera: GPUTexture, nowMs: number, timer?: PassTimer): void {
    this.inferRegion = this.personCrop ? this.tracker!.next(nowMs) : null;
    this.preprocess.encode(encoder, camera, this.inputBuffer, this.maskW, this.maskH, timer, this.inferRegion ?? undefined);
    if (this.cpu) {
      this.slot ^= 1;
      encoder.copyBufferToBuffer(this.cpu.input, 0, this.cpu.staging, 0, this.cpu.staging.size);
      encoder.copyBufferToBuffer(this.cpu.input, 0, this.cpu.lowRes[this.slot]!, 0, this.cpu.staging.size);
    }
  }

  /** Starts inference on the input the submitted frame preprocessed. */
  afterSubmit(kick: boolean, frameMs: number): void {
    if (kick && !this.inflight) this.startInference(frameMs);
  }

  private startInference(frameMs: number): void {
    const t0 = performance.now();
    const region = this.inferRegion;
    const lowRes = this.keptInput;
    const slot = this.slot;
    this.inflight = this.infer(slot).then(({ buffer, bounds }) => {
      this.inference.add(performance.now() - t0);
      this.masksProduced++;
      this.maskRate.tick();
      this.tracker?.observe(region, bounds, this.maskW, this.maskH, frameMs);
      this.lastError = null;
      const crop = this.tracker?.current ?? null;
      if (!region && crop && this.refinedRegion && sameRect(crop, this.refinedRegion)) {
        // A whole-frame look that found the person still inside the crop only checks the
        // tracking: showing it would restart temporal smoothing twice (crop → frame → crop).
        this.trackingPasses++;
        this.gate.release(this);
        return;
      }
      this.fresh = { buffer, frameMs, region, lowRes };
      this.freshAtMs = performance.now();
    }, (e: unknown) => {
      this.lastError = e instanceof Error ? e.message : String(e);
      this.gate.release(this);
    }).finally(() => { this.inflight = null; });
  }

  /** Runs the model; returns its mask and the person's bounds in it (for the next crop). */
  private async infer(slot: number): Promise<{ buffer: GPUBuffer; bounds: Rect | null }> {
    if (!this.cpu) {
      const buffer = await this.segmenter.run();
      return { buffer, bounds: await this.bounds.measure(buffer, this.maskW, this.maskH) };
    }
    const { staging } = this.cpu;
    const mask = this.cpu.masks[slot]!;
    const t0 = performance.now();
    const mapped = staging.mapAsync(GPUMapMode.READ);
    this.readback = mapped.then(() => undefined, () => undefined);
    await mapped;
    const t1 = performance.now();
    this.stageReadback.add(t1 - t0);
    let input: Float32Array;
    try { input = new Float32Array(staging.getMappedRange().slice(0)); } finally { staging.unmap(); }
    const out = await this.segmenter.runCpu(input);
    this.stageModel.add(performance.now() - t1);
    this.device.queue.writeBuffer(mask, 0, out.buffer, out.byteOffset, out.byteLength);
    // The wasm backend hands the mask over on the CPU already: its bounds cost nothing there.
    return { buffer: mask, bounds: maskBounds(out, this.maskW, this.maskH) };
  }


  /**
   * Runs `fn` with the segmenter to itself: waits for the live inference to finish and holds
   * new ones back meanwhile. The live pipeline keeps rendering with its latest mask.
   */
  async borrowSegmenter<T>(fn: (segmenter: Segmenter) => Promise<T>): Promise<T> {
    const token = {};
    while (this.lent) await new Promise((r) => setTimeout(r, 10));
    this.lent = true;
    await this.gate.borrow(token);
    try {
      await this.inflight;
      return await fn(this.segmenter);
    } finally {
      this.lent = false;
      this.gate.release(token);
    }
  }

  /** Segmentation figures for the stats panel. */
  stats(nowMs: number): EffectsStats {
    return {
      backend: this.segmenter.backend, fallbackReason: this.backendReason,
      active: this.active, inferenceMs: this.inference.value, maskAgeMs: this.mask ? nowMs - this.maskFrameMs : 0,
      maskRate: this.maskRate.rate(), maskAgeP50: this.maskAges.percentile(0.5), maskAgeP95: this.maskAges.percentile(0.95),
      masksProduced: this.masksProduced, masksReused: this.masksReused, error: this.lastError,
      maskStagesMs: { readback: this.stageReadback.value, model: this.stageModel.value, toRefine: this.stageToRefine.value },
      crop: this.tracker?.current ?? null, fullFramePasses: this.tracker?.fullPasses ?? 0, cropPasses: this.tracker?.cropPasses ?? 0,
    };
  }

  /** Frees what the chain made (the segmenter belongs to the caller). */
  destroy(): void {
    this.preprocess.destroy();
    this.refiner.destroy();
    this.background.destroy();
    this.bounds.destroy();
    if (this.cpu) for (const b of [this.cpu.input, this.cpu.staging, ...this.cpu.lowRes, ...this.cpu.masks]) b.destroy();
  }
}
