import type { Segmenter } from '../segment/segmenter.ts';
import type { BackgroundEffect } from '../segment/background-effect.ts';
import type { MaskOptions } from '../segment/mask-options.ts';
import type { EffectsStats } from '../util/types.ts';
import { SegmentPreprocessPass } from './passes/segment-preprocess.ts';
import { MaskRefiner } from './passes/mask-refiner.ts';
import { BackgroundPass } from './passes/background.ts';
import type { PassTimer } from './timing.ts';
import { Smoothed } from '../util/stats.ts';
import { SegmenterGate } from './segmenter-gate.ts';

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
  /** A model output not yet refined, with the time of the frame it was computed from. */
  private fresh: { buffer: GPUBuffer; frameMs: number } | null = null;
  private mask: GPUTexture | null = null;
  private maskFrameMs = 0;
  private readonly inference = new Smoothed(0.2);
  private masksProduced = 0;
  private masksReused = 0;
  private lastError: string | null = null;
  /** Set while a still image borrows the segmenter (one session runs one model call at a time). */
  private lent = false;
  /** wasm backend: the preprocessed input read back for the CPU, and the mask written back. */
  private readonly cpu: { input: GPUBuffer; staging: GPUBuffer; mask: GPUBuffer } | null;

  /** `backendReason` says why the model runs where it runs (shown in the stats) when not on WebGPU. */
  constructor(private readonly device: GPUDevice, private readonly segmenter: Segmenter, private readonly backendReason: string | null = null,
    private readonly gate: SegmenterGate = new SegmenterGate()) {
    this.preprocess = new SegmentPreprocessPass(device);
    this.refiner = new MaskRefiner(device);
    this.background = new BackgroundPass(device);
    if (segmenter.backend === 'wasm') {
      const inBytes = 3 * segmenter.inputWidth * segmenter.inputHeight * 4;
      this.cpu = {
        input: device.createBuffer({ size: inBytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC, label: 'segment-input-cpu' }),
        staging: device.createBuffer({ size: inBytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, label: 'segment-input-readback' }),
        mask: device.createBuffer({ size: inBytes / 3, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST, label: 'segment-mask-cpu' }),
      };
    } else {
      this.cpu = null;
    }
  }

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
  setMaskOptions(o: Partial<MaskOptions>): void { this.refiner.setOptions(o); }
  /** The refinement knobs in force. */
  get maskOptions(): Readonly<MaskOptions> { return this.refiner.options; }

  private get inputBuffer(): GPUBuffer { return this.cpu ? this.cpu.input : this.segmenter.inputBuffer; }
  private get maskW(): number { return this.segmenter.inputWidth; }
  private get maskH(): number { return this.segmenter.inputHeight; }

  /**
   * Encodes this frame's effect work after ingest and returns the layer to composite (the camera
   * texture itself when no effect is on). Call `afterSubmit` once the encoder was submitted.
   */
  async encode(encoder: GPUCommandEncoder, camera: GPUTexture, nowMs: number, timer?: PassTimer): Promise<{ layer: GPUTexture; kick: boolean }> {
    if (!this.active) return { layer: camera, kick: false };
    let kick = false;
    this.gate.touch(this);
    // Another chain took the gate while this source was off screen: its model input is gone.
    if (this.fresh && this.gate.owner !== this) this.fresh = null;
    if (!this.mask && !this.fresh && !this.lent && this.gate.tryTake(this)) {
      // No mask yet (effect just switched on): wait for one rather than flash the raw camera.
      const first = this.device.createCommandEncoder({ label: 'segment-first' });
      this.preprocess.encode(first, camera, this.inputBuffer, this.maskW, this.maskH, timer);
      if (this.cpu) first.copyBufferToBuffer(this.cpu.input, 0, this.cpu.staging, 0, this.cpu.staging.size);
      this.device.queue.submit([first.finish()]);
      this.startInference(nowMs);
      await this.inflight;
    }
    const fresh = this.fresh;
    if (fresh) {
      // Refine before the next preprocess overwrites the low-res frame the mask belongs to.
      this.mask = this.refiner.encode(encoder, {
        mask: fresh.buffer, lowResFrame: this.inputBuffer, maskWidth: this.maskW, maskHeight: this.maskH, guide: camera, timer,
      });
      this.maskFrameMs = fresh.frameMs;
      this.fresh = null;
      this.gate.release(this);
    } else {
      this.masksReused++;
    }
    if (!this.inflight && !this.lent && this.gate.tryTake(this)) {
      this.preprocess.encode(encoder, camera, this.inputBuffer, this.maskW, this.maskH, timer);
      if (this.cpu) encoder.copyBufferToBuffer(this.cpu.input, 0, this.cpu.staging, 0, this.cpu.staging.size);
      kick = true;
    }
    if (!this.mask) return { layer: camera, kick };
    return { layer: this.background.encode(encoder, { camera, mask: this.mask, timer }), kick };
  }

  /** Starts inference on the input the submitted frame preprocessed. */
  afterSubmit(kick: boolean, frameMs: number): void {
    if (kick && !this.inflight) this.startInference(frameMs);
  }

  private startInference(frameMs: number): void {
    const t0 = performance.now();
    this.inflight = this.infer().then((buffer) => {
      this.inference.add(performance.now() - t0);
      this.masksProduced++;
      this.fresh = { buffer, frameMs };
      this.lastError = null;
    }, (e: unknown) => {
      this.lastError = e instanceof Error ? e.message : String(e);
      this.gate.release(this);
    }).finally(() => { this.inflight = null; });
  }

  private async infer(): Promise<GPUBuffer> {
    if (!this.cpu) return this.segmenter.run();
    const { staging, mask } = this.cpu;
    await staging.mapAsync(GPUMapMode.READ);
    let input: Float32Array;
    try { input = new Float32Array(staging.getMappedRange().slice(0)); } finally { staging.unmap(); }
    const out = await this.segmenter.runCpu(input);
    this.device.queue.writeBuffer(mask, 0, out.buffer, out.byteOffset, out.byteLength);
    return mask;
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
      masksProduced: this.masksProduced, masksReused: this.masksReused, error: this.lastError,
    };
  }

  /** Frees what the chain made (the segmenter belongs to the caller). */
  destroy(): void {
    this.refiner.destroy();
    this.background.destroy();
    if (this.cpu) { this.cpu.input.destroy(); this.cpu.staging.destroy(); this.cpu.mask.destroy(); }
  }
}
