import type { PassTiming } from '../util/types.ts';
import type { Scene, SceneCollection, SourceKind, TransitionSpec } from '../scene/types.ts';
import { SceneLayout } from '../scene/layout.ts';
import { CompositorPass, type CompositorItem } from '../gpu/passes/compositor.ts';
import { RgbaToNv12Pass } from '../gpu/passes/rgba-to-nv12.ts';
import { TransitionPass } from '../gpu/passes/transition.ts';
import { transitionFrame } from './transition-params.ts';
import { StudioModeView } from './studio-mode-view.ts';
import { PassTimer } from '../gpu/timing.ts';
import { TextSource } from '../sources/text-render.ts';
import { DEFAULT_TEXT } from '../scene/types.ts';
import type { SourceRegistry } from './source-registry.ts';

/** What a caller wants out of one rendered frame besides the preview. */
export type FrameOutput = 'none' | 'canvas' | 'nv12';

const OUTPUT_USAGE = GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.STORAGE_BINDING |
  GPUTextureUsage.RENDER_ATTACHMENT | GPUTextureUsage.COPY_SRC | GPUTextureUsage.COPY_DST;

const PLACEHOLDER_TEXT: Partial<Record<SourceKind, string>> = {
  camera: 'Camera off', display: 'Screen share ended', video: 'Video file missing', image: 'Image missing',
};

/** One scene's items turned into compositor draws; objects are reused from tick to tick. */
class SceneDraws {
  readonly layout = new SceneLayout();
  readonly items: CompositorItem[] = [];
  count = 0;
  /** Whether anything it draws changed since the last tick (layout or a source's picture). */
  changed = true;
  /** Content version of each item's source when last drawn. */
  readonly versions: number[] = [];
  /** Whether each item's source is opaque this tick. */
  readonly opaque: boolean[] = [];
}

/** A running transition: the old scene's picture changes into the new scene's. */
interface Running { from: string; startUs: number; durationUs: number; spec: TransitionSpec }

/**
 * The program: every tick it draws the current scene's visible items, in z order, into the
 * program texture (the user's canvas size), shows it on the preview canvas and hands it to the
 * outputs. Transforms are recomputed only for items that changed (SceneLayout); when neither
 * the layout nor any source's picture changed, the composite of the last tick is reused.
 */
export class Program {
  readonly timer: PassTimer;
  private readonly compositor: CompositorPass;
  /** A separate pass for a transition's new scene, so the item slots of both scenes stay put. */
  private readonly toCompositor: CompositorPass;
  private readonly transitionPass: TransitionPass;
  private readonly nv12Pass: RgbaToNv12Pass;
  private readonly ctx: GPUCanvasContext;
  private outputTex: GPUTexture | null = null;
  /** The two scenes of a transition, composed apart (made on the first transition). */
  private fromTex: GPUTexture | null = null;
  private toTex: GPUTexture | null = null;
  private collection: SceneCollection | null = null;
  private readonly draws = new Map<string, SceneDraws>();
  private readonly sizes = new Map<string, { width: number; height: number }>();
  private readonly placeholders = new Map<SourceKind, TextSource>();
  private transition: Running | null = null;
  private readonly frame = { kind: 0, direction: 0, t: 0, shift: 0 };
  /** Diagnostics: a transition held at this progress (0..1), for tests that compare its frames; null runs it in time. */
  pinnedProgress: number | null = null;
  private readonly onScreenScenes: Scene[] = [];
  /** Studio mode's preview composite and program canvas, once that canvas was given. */
  private preview: StudioModeView | null = null;
  /** The last composite the preview showed: its own or the program's. */
  private previewShows: 'own' | 'program' = 'own';
  private lastSceneId = '';
  /** Ticks composed, and ticks that reused the previous composite (nothing changed). */
  composed = 0;
  reused = 0;

  constructor(private readonly device: GPUDevice, readonly canvas: OffscreenCanvas, private readonly sources: SourceRegistry) {
    this.timer = new PassTimer(device, 32);
    this.compositor = new CompositorPass(device);
    this.toCompositor = new CompositorPass(device);
    this.transitionPass = new TransitionPass(device);
    this.nv12Pass = new RgbaToNv12Pass(device);
    const ctx = canvas.getContext('webgpu');
    if (!ctx) throw new Error('OffscreenCanvas has no webgpu context');
    this.ctx = ctx;
    this.setOutputSize(canvas.width || 1280, canvas.height || 720);
  }

  get outputWidth(): number { return this.canvas.width; }
  get outputHeight(): number { return this.canvas.height; }
  /** The canvas showing the program, which outputs copy frames from: studio mode's program canvas while it is on. */
  get programCanvas(): OffscreenCanvas { return this.preview?.sceneId ? this.preview.canvas : this.canvas; }
  /** The program texture (tests and outputs read the composed frame here). */
  get output(): GPUTexture { return this.outputTex!; }
  /** NV12 frames dropped because every readback buffer was busy. */
  get nv12Dropped(): number { return this.nv12Pass.dropped; }
  /** Transforms recomputed since start, over every scene (dirty items only). */
  get transformsRecomputed(): number {
    let n = 0;
    for (const d of this.draws.values()) n += d.layout.recomputed;
    return n;
  }
  get currentSceneId(): string { return this.collection?.currentSceneId ?? ''; }

  /** Sets the program canvas size; even sizes so NV12 output is possible. */
  setOutputSize(width: number, height: number): void {
    width = Math.max(2, width & ~1);
    height = Math.max(2, height & ~1);
    if (this.outputTex && width === this.canvas.width && height === this.canvas.height) return;
    this.canvas.width = width;
    this.canvas.height = height;
    this.ctx.configure({ device: this.device, format: 'rgba8unorm', alphaMode: 'opaque', usage: GPUTextureUsage.RENDER_ATTACHMENT | GPUTextureUsage.COPY_DST });
    this.outputTex?.destroy();
    this.fromTex?.destroy();
    this.toTex?.destroy();
    this.fromTex = this.toTex = null;
    this.outputTex = this.device.createTexture({ size: [width, height], format: 'rgba8unorm', usage: OUTPUT_USAGE, label: 'program' });
    for (const d of this.draws.values()) d.changed = true;
    this.preview?.setSize(width, height);
  }

  /**
   * Studio mode: the main canvas shows scene `sceneId` (the one being edited) and `canvas` the
   * program; null turns studio mode off (the main canvas shows the program again).
   */
  setPreview(canvas: OffscreenCanvas | null, sceneId: string | null): void {
    if (canvas && this.preview?.canvas !== canvas) {
      this.preview?.destroy();
      this.preview = new StudioModeView(this.device, canvas);
      this.preview.setSize(this.canvas.width, this.canvas.height);
    }
    if (this.preview) {
      this.preview.sceneId = sceneId;
      this.preview.drawn = '';
    }
  }

  /** The scene studio mode previews, when it is not on the program already (its sources need their frames too). */
  previewScene(): Scene | null {
    const id = this.preview?.sceneId;
    if (!id || !this.collection) return null;
    return this.collection.scenes.find((s) => s.id === id) ?? null;
  }

  /** Takes a new scene collection; a change of scene with a `transition` other than a cut starts it. */
  setCollection(c: SceneCollection, transition: TransitionSpec | null, nowUs: number): void {
    const prev = this.collection;
    this.collection = c;
    if (!this.transition) this.setOutputSize(c.output.width, c.output.height);
    for (const id of this.draws.keys()) if (!c.scenes.some((s) => s.id === id)) this.draws.delete(id);
    for (const d of this.draws.values()) d.changed = true;
    const timed = transition && transition.kind !== 'cut' && transition.durationMs > 0;
    if (prev && prev.currentSceneId !== c.currentSceneId && timed && c.scenes.some((s) => s.id === prev.currentSceneId)) {
      // A transition started during another one starts from the scene that was going out.
      this.transition = { from: prev.currentSceneId, startUs: nowUs, durationUs: transition.durationMs * 1000, spec: transition };
    } else if (prev?.currentSceneId !== c.currentSceneId) {
      this.transition = null;
    }
  }

  /** Scenes this tick draws: the current one, and the one a transition comes from. */
  scenesOnScreen(): readonly Scene[] {
    const list = this.onScreenScenes;
    list.length = 0;
    const c = this.collection;
    if (!c) return list;
    // Reused every tick: the frame loop allocates nothing here.
    for (const s of c.scenes) if (this.transition && s.id === this.transition.from) list.push(s);
    for (const s of c.scenes) if (s.id === c.currentSceneId) list.push(s);
    return list;
  }

  private placeholder(kind: SourceKind): TextSource | null {
    const text = PLACEHOLDER_TEXT[kind];
    if (!text) return null;
    let p = this.placeholders.get(kind);
    if (!p) {
      p = new TextSource(this.device, `placeholder-${kind}`);
      p.update({ ...DEFAULT_TEXT, text, size: 64, color: '#d0d0d0', background: '#2a2a2e', padding: 48, align: 'center' });
      this.placeholders.set(kind, p);
    }
    return p;
  }

  private readonly sizeOf = (sourceId: string): { width: number; height: number } | null => {
    const node = this.sources.get(sourceId);
    if (!node) return null;
    let w = node.width, h = node.height;
    if (!node.texture || !w || !h) {
      const p = this.placeholder(node.kind);
      if (!p?.texture) return null;
      w = p.width; h = p.height;
    }
    let s = this.sizes.get(sourceId);
    if (!s) { s = { width: w, height: h }; this.sizes.set(sourceId, s); }
    s.width = w; s.height = h;
    return s;
  };

  private drawsFor(scene: Scene): SceneDraws {
    let d = this.draws.get(scene.id);
    if (!d) { d = new SceneDraws(); this.draws.set(scene.id, d); }
    const laid = d.layout.update(scene.items, this.sizeOf);
    let changed = d.changed || d.layout.lastRecomputed > 0 || laid.length !== d.count;
    const versions = d.versions;
    for (let i = 0; i < laid.length; i++) {
      const l = laid[i];
      const node = this.sources.get(l.sourceId)!;
      const tex = node.texture ?? this.placeholder(node.kind)?.texture ?? this.blank();
      let item = d.items[i];
      if (!item) { item = { texture: tex, quad: l.quad, version: l.version }; d.items[i] = item; }
      if (item.texture !== tex || item.version !== l.version || item.quad !== l.quad) changed = true;
      item.texture = tex; item.quad = l.quad; item.version = l.version;
      if (versions[i] !== node.contentVersion) { versions[i] = node.contentVersion; changed = true; }
      d.opaque[i] = node.opaque && tex === node.texture;
      // The compositor skips the translucent-texel path for opaque pictures (2× cheaper on CPU rasterisers).
      item.opaque = d.opaque[i];
    }
    d.count = laid.length;
    d.changed = changed;
    return d;
  }

  /**
   * Composes the program for this tick into the program texture, shows it on the preview and
   * encodes the NV12 conversion if asked. Returns the encoder's NV12 readback, if any.
   */
  encode(enc: GPUCommandEncoder, nowUs: number, timestampUs: number, durationUs: number | undefined, output: FrameOutput): (() => Promise<VideoFrame>) | null {
    let progress = 1;
    const tr = this.transition;
    if (tr) {
      progress = this.pinnedProgress ?? (nowUs - tr.startUs) / tr.durationUs;
      if ((this.pinnedProgress === null && progress >= 1) || this.scenesOnScreen().length < 2) {
        this.transition = null;
        // An output size chosen during the transition applies now.
        if (this.collection) this.setOutputSize(this.collection.output.width, this.collection.output.height);
      }
    }
    const scenes = this.scenesOnScreen();
    const cur = scenes[scenes.length - 1];
    const out = this.outputTex!;
    if (this.transition && scenes.length === 2) {
      const a = this.drawsFor(scenes[0]);
      const b = this.drawsFor(scenes[1]);
      this.fromTex ??= this.device.createTexture({ size: [out.width, out.height], format: 'rgba8unorm', usage: OUTPUT_USAGE, label: 'transition-from' });
      this.toTex ??= this.device.createTexture({ size: [out.width, out.height], format: 'rgba8unorm', usage: OUTPUT_USAGE, label: 'transition-to' });
      this.compositor.encode(enc, this.fromTex, a.items, a.count, [0, 0, 0, 1], this.timer);
      this.toCompositor.encode(enc, this.toTex, b.items, b.count, [0, 0, 0, 1], this.timer);
      const spec = this.transition.spec;
      this.transitionPass.encode(enc, this.fromTex, this.toTex, out, transitionFrame(spec, progress, out.width, out.height, this.frame), spec.color ?? '#000000', this.timer);
      a.changed = b.changed = true;
      this.composed++;
    } else if (cur) {
      const d = this.drawsFor(cur);
      if (d.changed || this.lastSceneId !== cur.id) {
        if (this.copyable(d, out)) {
          // One opaque picture exactly filling the canvas: a copy beats a draw, which matters
          // on CPU rasterisers where a full-frame render pass costs milliseconds.
          enc.copyTextureToTexture({ texture: d.items[0].texture }, { texture: out }, [out.width, out.height]);
        } else {
          this.compositor.encode(enc, out, d.items, d.count, [0, 0, 0, 1], this.timer);
        }
        this.composed++;
      } else {
        this.reused++;
      }
      d.changed = false;
      this.lastSceneId = cur.id;
    }
    // In studio mode the main canvas shows the scene being edited and the program goes beside it.
    const shown = this.encodePreview(enc, cur, scenes.length > 1) ?? out;
    enc.copyTextureToTexture({ texture: shown }, { texture: this.ctx.getCurrentTexture() }, [out.width, out.height]);
    if (this.preview?.sceneId) this.preview.presentProgram(enc, out);
    return output === 'nv12' ? this.nv12Pass.encode(enc, out, timestampUs, durationUs, this.timer) : null;
  }

  /** Studio mode: the preview scene's picture (its own composite, or the program's when it is the same scene); null when off. */
  private encodePreview(enc: GPUCommandEncoder, programScene: Scene | undefined, transitioning: boolean): GPUTexture | null {
    const view = this.preview, ps = this.previewScene();
    if (!view || !ps) return null;
    if (ps.id === programScene?.id && !transitioning) {
      this.previewShows = 'program';
      view.drawn = '';
      return this.outputTex!;
    }
    const d = this.drawsFor(ps);
    // A scene in a transition is drawn by the program too, which marks it changed every tick.
    if (d.changed || view.drawn !== ps.id) view.compose(enc, ps.id, d.items, d.count, this.timer);
    if (!transitioning || !this.scenesOnScreen().includes(ps)) d.changed = false;
    this.previewShows = 'own';
    return view.texture;
  }

  /** Whether the scene is one opaque, unscaled picture covering the whole canvas. */
  private copyable(d: SceneDraws, out: GPUTexture): boolean {
    if (d.count !== 1 || !d.opaque[0]) return false;
    const { texture, quad } = d.items[0];
    const m = quad.matrix, uv = quad.uv;
    return texture.width === out.width && texture.height === out.height && quad.opacity >= 1 &&
      m[0] === out.width && m[1] === 0 && m[2] === 0 && m[3] === out.height && m[4] === 0 && m[5] === 0 &&
      uv[0] === 0 && uv[1] === 0 && uv[2] === 1 && uv[3] === 1;
  }

  private blankTex: GPUTexture | null = null;
  /** A 1×1 transparent texture for an item whose source has no picture yet. */
  private blank(): GPUTexture {
    this.blankTex ??= this.device.createTexture({ size: [1, 1], format: 'rgba8unorm', usage: GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_DST, label: 'blank' });
    return this.blankTex;
  }

  /**
   * Reads the program picture back (OBS's "Screenshot (Output)"): RGBA bytes, rows packed.
   * Not for the frame loop: it waits for the GPU.
   */
  async readback(which: 'program' | 'preview' = 'program'): Promise<{ width: number; height: number; rgba: Uint8Array<ArrayBuffer> }> {
    const out = which === 'preview' && this.preview?.sceneId && this.previewShows === 'own' ? this.preview.texture : this.outputTex!;
    const w = out.width, h = out.height, stride = Math.ceil(w * 4 / 256) * 256;
    const buf = this.device.createBuffer({ size: stride * h, usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ, label: 'program-readback' });
    try {
      const enc = this.device.createCommandEncoder({ label: 'program-readback' });
      enc.copyTextureToBuffer({ texture: out }, { buffer: buf, bytesPerRow: stride }, [w, h]);
      this.device.queue.submit([enc.finish()]);
      await buf.mapAsync(GPUMapMode.READ);
      const src = new Uint8Array(buf.getMappedRange());
      const rgba = new Uint8Array(new ArrayBuffer(w * h * 4));
      for (let y = 0; y < h; y++) rgba.set(src.subarray(y * stride, y * stride + w * 4), y * w * 4);
      return { width: w, height: h, rgba };
    } finally {
      buf.destroy();
    }
  }

  /** Latest per-pass timings. */
  passTimings(): PassTiming[] {
    return [...this.timer.latest].map(([name, ms]) => ({ name, ms }));
  }

  /** Frees every GPU object the program made. */
  destroy(): void {
    this.compositor.destroy(); this.toCompositor.destroy(); this.transitionPass.destroy();
    this.nv12Pass.destroy(); this.timer.destroy();
    for (const p of this.placeholders.values()) p.destroy();
    this.preview?.destroy();
    this.outputTex?.destroy(); this.fromTex?.destroy(); this.toTex?.destroy(); this.blankTex?.destroy();
  }
}
