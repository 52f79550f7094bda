import { clampMaskOptions, DEFAULT_MASK_OPTIONS, MAX_FEATHER, type MaskOptions } from '../../segment/mask-options.ts';
import type { Rect } from '../../util/rect.ts';
import type { PassTimer } from '../timing.ts';
import { MaskFeatherPass } from '../passes/mask-feather.ts';
import { MaskMorphPass } from '../passes/mask-morph.ts';
import { MaskSmoothPass } from '../passes/mask-smooth.ts';
import { MaskTemporalPass, type TemporalIo } from '../passes/mask-temporal.ts';
import { MaskThresholdPass, type MaskIo } from '../passes/mask-threshold.ts';
import { MaskUpsamplePass, type UpsampleIo } from '../passes/mask-upsample.ts';

/** Inputs of one refinement: the model's output and input at mask resolution, and the frame. */
export interface RefineInputs {
  /** f32 P(person), maskWidth*maskHeight, row-major. */
  mask: GPUBuffer;
  /** f32 NCHW [3, maskHeight, maskWidth] RGB in [0,1]: the model's input for this frame. */
  lowResFrame: GPUBuffer;
  maskWidth: number;
  maskHeight: number;
  /** The camera frame, rgba8unorm with TEXTURE_BINDING; sets the output size. */
  guide: GPUTexture;
  /** The part of the guide the mask covers (a person-centred crop), default all of it. */
  region?: Readonly<Rect> | null;
  timer?: PassTimer;
}

const MASK_USAGE = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
const TEX_USAGE = GPUTextureUsage.STORAGE_BINDING | GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_SRC;

/**
 * The whole mask chain in one command encoder: temporal → threshold → morph → smooth at mask
 * resolution, then edge-aware upsampling to the frame size and feathering. Intermediate
 * buffers and the output texture are owned here, reused each frame and rebuilt on resize.
 */
export class MaskRefiner {
  private readonly temporal: MaskTemporalPass;
  private readonly threshold: MaskThresholdPass;
  private readonly morph: MaskMorphPass;
  private readonly smooth: MaskSmoothPass;
  private readonly upsample: MaskUpsamplePass;
  private readonly feather: MaskFeatherPass;
  private opts: MaskOptions = { ...DEFAULT_MASK_OPTIONS };
  private bufs: GPUBuffer[] = [];
  private maskW = 0;
  private maskH = 0;
  private output: GPUTexture | null = null;
  private featherTmp: GPUTexture | null = null;
  // The passes' io, built once per mask size; a frame only swaps in its own inputs.
  private temporalIo: TemporalIo | null = null;
  private thresholdIo: MaskIo | null = null;
  private morphIo: (MaskIo & { tmp: GPUBuffer }) | null = null;
  private smoothIo: (MaskIo & { tmp: GPUBuffer }) | null = null;
  private upsampleIo: UpsampleIo | null = null;

  constructor(private readonly device: GPUDevice, options: Partial<MaskOptions> = {}) {
    this.temporal = new MaskTemporalPass(device);
    this.threshold = new MaskThresholdPass(device);
    this.morph = new MaskMorphPass(device);
    this.smooth = new MaskSmoothPass(device);
    this.upsample = new MaskUpsamplePass(device);
    this.feather = new MaskFeatherPass(device, MAX_FEATHER);
    this.setOptions({ ...DEFAULT_MASK_OPTIONS, ...options });
  }

  /** Current options (clamped). */
  get options(): Readonly<MaskOptions> { return this.opts; }

  /** Replaces the options; out-of-range values are clamped. Takes effect on the next encode. */
  setOptions(opts: Partial<MaskOptions>): void {
    this.opts = clampMaskOptions({ ...this.opts, ...opts });
    this.temporal.setStrength(this.opts.temporal);
  }

  /** Forgets temporal history (source change); the next mask passes through unsmoothed. */
  reset(): void { this.temporal.reset(); }

  /** Encodes the chain; returns the full-resolution mask (alpha in .r), owned by the refiner. */
  encode(encoder: GPUCommandEncoder, inp: RefineInputs): GPUTexture {
    const w = inp.maskWidth, h = inp.maskHeight;
    if (w !== this.maskW || h !== this.maskH) this.resizeMask(w, h);
    const out = this.outputFor(inp.guide);
    const o = this.opts;
    const t = inp.timer;
    const tio = (this.temporalIo ??= { raw: inp.mask, frame: inp.lowResFrame, dst: this.bufs[0]!, width: w, height: h });
    const uio = (this.upsampleIo ??= { mask: this.bufs[1]!, lowResFrame: inp.lowResFrame, maskWidth: w, maskHeight: h, guide: inp.guide, dst: out });
    tio.raw = inp.mask; tio.frame = inp.lowResFrame;
    uio.lowResFrame = inp.lowResFrame; uio.guide = inp.guide; uio.dst = out; uio.region = inp.region;
    this.temporal.encode(encoder, tio, t);
    this.threshold.encode(encoder, this.thresholdIo!, o.threshold, o.softness, t);
    this.morph.encode(encoder, this.morphIo!, o.expand, t);
    this.smooth.encode(encoder, this.smoothIo!, o.smoothContour, t);
    this.upsample.encode(encoder, uio, o.edgeAware, t);
    if (o.feather > 0) this.feather.encode(encoder, out, this.featherTexture(out), o.feather, t);
    return out;
  }

  private resizeMask(w: number, h: number): void {
    for (const b of this.bufs) b.destroy();
    this.bufs = ['a', 'b', 'tmp'].map((n) => this.device.createBuffer({ size: w * h * 4, usage: MASK_USAGE, label: `mask-refiner-${n}` }));
    this.maskW = w;
    this.maskH = h;
    const [a, b, tmp] = this.bufs as [GPUBuffer, GPUBuffer, GPUBuffer];
    // temporal → a, threshold a → b, morph b → a, smooth a → b, upsample b → the output;
    // temporal and upsample also take this frame's inputs, so encode builds theirs.
    this.temporalIo = null;
    this.upsampleIo = null;
    this.thresholdIo = { src: a, dst: b, width: w, height: h };
    this.morphIo = { src: b, dst: a, tmp, width: w, height: h };
    this.smoothIo = { src: a, dst: b, tmp, width: w, height: h };
  }

  private outputFor(guide: GPUTexture): GPUTexture {
    if (!this.output || this.output.width !== guide.width || this.output.height !== guide.height) {
      this.output?.destroy();
      this.featherTmp?.destroy();
      this.featherTmp = null;
      this.output = this.device.createTexture({ size: [guide.width, guide.height], format: 'rgba8unorm', usage: TEX_USAGE, label: 'mask-refiner-output' });
    }
    return this.output;
  }

  private featherTexture(out: GPUTexture): GPUTexture {
    if (!this.featherTmp) {
      this.featherTmp = this.device.createTexture({ size: [out.width, out.height], format: 'rgba8unorm', usage: TEX_USAGE, label: 'mask-refiner-feather-tmp' });
    }
    return this.featherTmp;
  }

  /** Frees every GPU object the refiner made. */
  destroy(): void {
    this.temporal.destroy();
    this.threshold.destroy();
    this.morph.destroy();
    this.smooth.destroy();
    this.upsample.destroy();
    this.feather.destroy();
    for (const b of this.bufs) b.destroy();
    this.output?.destroy();
    this.featherTmp?.destroy();
  }
}
